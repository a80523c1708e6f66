package org.sylkserver.media.sfu;

import org.sylkserver.media.rtcp.TransportFeedback;

/**
 * A probe of a feed's path before its video moves up to a higher simulcast layer: for {@link #DURATION_NANOS} the
 * feed tops what it forwards up to the higher layer's rate with probe packets (retransmission-stream copies of video
 * it sent, RFC 4588 §4, or padding-only packets, RFC 3550 §5.1), every packet carrying a transport-wide sequence
 * number, and the browser's transport-wide feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1) says
 * whether the path delivered it: at most {@link #MAX_LOSS} of the packets sent in the window lost, and their arrival
 * rate (bytes over the span of their arrival times) at least {@link #DELIVERED} of the probe's rate. A path narrower
 * than the probe spreads the arrivals out (its rate is what it carries) or drops packets, so a feed whose estimate
 * only grew because its low layer never filled the path does not move up into congestion. libwebrtc probes its own
 * sending the same way (probe clusters of padding and RTX); this is the receiving side's use of it in an SFU.
 *
 * <p>Bounded: the window holds at most {@link #MAX_PACKETS} packets (the probe ends early at that), and a probe whose
 * feedback has not come {@link #FEEDBACK_WAIT_NANOS} after its end is judged on what came (the rest counted lost).
 * Not thread-safe: the feed's I/O thread owns it.
 */
final class BandwidthProbe {

    /** How long the feed sends at the probe's rate. */
    static final long DURATION_NANOS = 500_000_000L;
    /** How long after the burst the feedback about it may take before the probe is judged without it. */
    static final long FEEDBACK_WAIT_NANOS = 1_000_000_000L;
    /** The share of the probe's rate that must arrive. */
    static final double DELIVERED = 0.9;
    /** The most of the probe window's packets that may be lost. */
    static final double MAX_LOSS = 0.05;
    static final int MAX_PACKETS = 1024;

    /** What a finished probe found: whether the path carried the rate, and the rate that arrived (bit/s). */
    record Result(boolean delivered, long receivedRate) { }

    private enum State { IDLE, SENDING, AWAITING }

    private final int[] sizes = new int[MAX_PACKETS];
    private final long[] arrivals = new long[MAX_PACKETS];
    private final boolean[] reported = new boolean[MAX_PACKETS];
    private State state = State.IDLE;
    private long rate;
    private long startNanos;
    private long bytes;
    /** The transport-wide sequence number of the window's first packet, and how many the window has. */
    private int firstSequence;
    private int count;
    private int reportedCount;

    /** Whether a probe is under way (sending or waiting for its feedback). */
    boolean running() {
        return state != State.IDLE;
    }

    /** The rate being probed (bit/s). */
    long rate() {
        return rate;
    }

    /** Starts a probe of {@code bitsPerSecond} at {@code nowNanos}; the next packet sent opens its window. */
    void start(long bitsPerSecond, long nowNanos) {
        state = State.SENDING;
        rate = bitsPerSecond;
        startNanos = nowNanos;
        bytes = 0;
        count = 0;
        reportedCount = 0;
    }

    /**
     * The feed sent a packet (media or probe) of {@code size} bytes with transport-wide number {@code sequence}:
     * while the probe sends, it is one of the window's.
     */
    void sent(int sequence, long nowNanos, int size) {
        if (state != State.SENDING) {
            return;
        }
        if (nowNanos - startNanos >= DURATION_NANOS || count == MAX_PACKETS) {
            state = State.AWAITING;
            return;
        }
        if (count == 0) {
            firstSequence = sequence;
        }
        sizes[count] = size;
        reported[count] = false;
        count++;
        bytes += size;
    }

    /**
     * How many probe bytes are due at {@code nowNanos}: what the probe's rate would have sent since its start less
     * what the window holds; 0 when not sending.
     */
    long bytesDue(long nowNanos) {
        if (state != State.SENDING) {
            return 0;
        }
        long elapsed = Math.min(nowNanos - startNanos, DURATION_NANOS);
        return Math.max(0, rate * elapsed / 8_000_000_000L - bytes);
    }

    /** The browser's feedback: the arrival of each of the window's packets it reports. */
    void feedback(TransportFeedback message) {
        if (state == State.IDLE || count == 0) {
            return;
        }
        long[] reports = message.arrivalMicros();
        for (int i = 0; i < reports.length; i++) {
            int index = ((message.baseSequence() + i) - firstSequence) & 0xffff;
            if (index < count && !reported[index]) {
                reported[index] = true;
                arrivals[index] = reports[i];
                reportedCount++;
            }
        }
    }

    /**
     * The probe's result once its window is closed and reported (or the feedback's wait is over), else null; a probe
     * that returned its result is over.
     */
    Result result(long nowNanos) {
        if (state == State.SENDING && nowNanos - startNanos >= DURATION_NANOS) {
            state = State.AWAITING;
        }
        if (state != State.AWAITING
                || reportedCount < count && nowNanos - startNanos < DURATION_NANOS + FEEDBACK_WAIT_NANOS) {
            return null;
        }
        state = State.IDLE;
        int received = 0;
        long receivedBytes = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (int i = 0; i < count; i++) {
            if (!reported[i] || arrivals[i] == TransportFeedback.NOT_RECEIVED) {
                continue;
            }
            received++;
            receivedBytes += sizes[i];
            first = Math.min(first, arrivals[i]);
            last = Math.max(last, arrivals[i]);
        }
        // the bytes that arrived after the first arrival, over the time they took: the last packet's bytes are
        // counted, the first's are not (it opens the span)
        long span = last - first;
        long receivedRate = received < 2 || span <= 0 ? 0
                : (receivedBytes - sizes[firstIndex(first)]) * 8 * 1_000_000 / span;
        boolean delivered = count > 0 && (count - received) <= MAX_LOSS * count && receivedRate >= DELIVERED * rate;
        return new Result(delivered, receivedRate);
    }

    /** The window's index of the first received packet to arrive at {@code arrival}. */
    private int firstIndex(long arrival) {
        for (int i = 0; i < count; i++) {
            if (reported[i] && arrivals[i] == arrival) {
                return i;
            }
        }
        return 0;
    }
}
