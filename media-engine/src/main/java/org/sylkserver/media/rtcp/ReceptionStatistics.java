package org.sylkserver.media.rtcp;

/**
 * What a receiver knows of one RTP source, for the report block of its RTCP reports (RFC 3550 §6.4.1): extended
 * highest sequence number and packets lost (Appendix A.1 and A.3), interarrival jitter (§6.4.1, Appendix A.8), and
 * the last sender report received, for the round-trip fields LSR and DLSR.
 *
 * <p>Not thread-safe: the thread that receives the source's packets updates it, and the one that builds reports
 * reads it under the caller's own ordering (the media engine builds reports on the receiving thread's behalf via
 * {@link #reportBlock}, which is synchronized with {@link #received}).
 */
public final class ReceptionStatistics {

    /** RFC 3550 §A.1: largest forward jump still in sequence, and the misorder tolerance. */
    private static final int MAX_DROPOUT = 3000;
    private static final int MAX_MISORDER = 100;
    private static final int SEQ_MOD = 1 << 16;

    private final int clockRate;
    private long ssrc = -1;
    private int maxSequence;
    private long cycles;
    private int baseSequence;
    private long received;
    private long expectedPrior;
    private long receivedPrior;
    private double jitter;
    private long lastTransit;
    private boolean haveTransit;
    /** Middle 32 bits of the NTP timestamp of the last SR, and when it arrived (nanoTime). */
    private long lastSenderReport;
    private long lastSenderReportArrival;

    /** @param clockRate the RTP clock rate of the source's payload, in Hz, for jitter in timestamp units */
    public ReceptionStatistics(int clockRate) {
        if (clockRate <= 0) {
            throw new IllegalArgumentException("clock rate must be positive: " + clockRate);
        }
        this.clockRate = clockRate;
    }

    /** The RTP clock rate of the source, in Hz. */
    public int clockRate() {
        return clockRate;
    }

    /** Starts counting the source's packets afresh at {@code sequence} (a new SSRC, or a restarted sender). */
    private void countFrom(int sequence) {
        baseSequence = sequence;
        maxSequence = sequence;
        cycles = 0;
        received = 0;
        expectedPrior = 0;
        receivedPrior = 0;
    }

    /** Accounts for one RTP packet of the source (a new SSRC starts afresh). */
    public synchronized void received(long packetSsrc, int sequence, long rtpTimestamp, long arrivalNanos) {
        if (packetSsrc != ssrc) {
            ssrc = packetSsrc;
            countFrom(sequence);
            jitter = 0;
            haveTransit = false;
        } else {
            int delta = (sequence - maxSequence + SEQ_MOD) % SEQ_MOD;
            if (delta < MAX_DROPOUT) {
                // a wrap (sequence below the highest) adds a cycle; as arithmetic, not a branch that C2 compiles as
                // a trap throwing the compiled receive path away at a stream's first wrap (ReplayWindow#estimate)
                cycles += SEQ_MOD & ((sequence - maxSequence) >> 31);
                maxSequence = sequence;
            } else if (delta <= SEQ_MOD - MAX_MISORDER) {
                // a very large jump: the sender restarted its sequence; count from here (RFC 3550 §A.1 simplified:
                // without probation the jump is accepted at once)
                countFrom(sequence);
            }
            // else: a duplicate or reordered packet, counted as received below
        }
        received++;
        // RFC 3550 §A.8: transit time in timestamp units; jitter is its smoothed mean deviation
        long arrival = Math.round(arrivalNanos / 1e9 * clockRate);
        long transit = arrival - rtpTimestamp;
        if (haveTransit) {
            long d = Math.abs(transit - lastTransit);
            jitter += (d - jitter) / 16.0;
        }
        lastTransit = transit;
        haveTransit = true;
    }

    /** Notes a sender report from the source: the middle 32 bits of its NTP timestamp (RFC 3550 §6.4.1 LSR). */
    public synchronized void senderReport(long ntpMiddle32, long arrivalNanos) {
        lastSenderReport = ntpMiddle32 & 0xffffffffL;
        lastSenderReportArrival = arrivalNanos;
    }

    /** Whether any packet was received, i.e. whether there is anything to report. */
    public synchronized boolean hasSource() {
        return ssrc >= 0;
    }

    /**
     * The report block for the interval since the previous call (RFC 3550 §6.4.1; fraction lost per §A.3).
     *
     * @param nowNanos when the report is sent, for DLSR
     */
    public synchronized ReportBlock reportBlock(long nowNanos) {
        long extendedMax = cycles + maxSequence;
        long expected = extendedMax - baseSequence + 1;
        long lost = expected - received;
        long expectedInterval = expected - expectedPrior;
        long receivedInterval = received - receivedPrior;
        expectedPrior = expected;
        receivedPrior = received;
        long lostInterval = expectedInterval - receivedInterval;
        int fraction = expectedInterval == 0 || lostInterval <= 0 ? 0 : (int) ((lostInterval << 8) / expectedInterval);
        // cumulative lost is a signed 24-bit field: clamp (§6.4.1)
        long cumulative = Math.max(-0x800000, Math.min(0x7fffff, lost));
        long delaySinceLastSr = 0;
        if (lastSenderReportArrival != 0) {
            // units of 1/65536 s
            delaySinceLastSr = ((nowNanos - lastSenderReportArrival) * 65536L) / 1_000_000_000L;
        }
        return new ReportBlock(ssrc, fraction, (int) cumulative, extendedMax & 0xffffffffL, (long) jitter,
                lastSenderReport, delaySinceLastSr & 0xffffffffL);
    }
}
