package org.sylkserver.media.sfu;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.sylkserver.media.rtcp.TransportFeedback;

/**
 * What a publisher's browser learns of its packets' arrival for its send-side bandwidth estimate
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01): the arrival time of each packet by its transport-wide
 * sequence number (§2), reported every {@link #INTERVAL_NANOS} in one {@link TransportFeedback} message (§3.1) from
 * the packet after the last one reported to the newest one received, gaps as not received.
 *
 * <p>Bounded whatever the browser sends: at most {@link #MAX_SPAN} packets are pending; a sequence number jumping
 * further ahead, or pending packets older than {@link #MAX_AGE_NANOS} (a paused stream, whose next arrival would not
 * fit a receive delta), send what is pending first and start afresh. A packet older than the last one reported (a
 * late or duplicate one) is not reported again. Not thread-safe: the I/O thread owns it.
 */
final class ArrivalFeedback {

    /** How often feedback goes back (libwebrtc's receivers send it every 50-250 ms, 100 ms by default). */
    static final long INTERVAL_NANOS = 100_000_000L;
    /** The most packets one message reports. */
    static final int MAX_SPAN = 1024;
    /** Pending arrivals older than this are sent before a new one is added. */
    static final long MAX_AGE_NANOS = 1_000_000_000L;

    private final long senderSsrc;
    /** Arrivals (µs since {@code epoch}) of packets {@code base} to {@code base + span - 1}. */
    private final long[] arrivals = new long[MAX_SPAN];
    private final long epochNanos;
    /** The unwrapped sequence number of the first pending packet, -1 before any. */
    private long base = -1;
    private int span;
    /** The unwrapped sequence number of the newest packet seen, -1 before any. */
    private long newest = -1;
    private long firstPendingNanos;
    private long lastSentNanos;
    private int feedbackCount;
    private long mediaSsrc;

    /**
     * @param senderSsrc the SSRC the messages are sent from
     * @param epochNanos the instant arrivals are counted from ({@code System.nanoTime()} scale)
     */
    ArrivalFeedback(long senderSsrc, long epochNanos) {
        this.senderSsrc = senderSsrc;
        this.epochNanos = epochNanos;
        this.lastSentNanos = epochNanos;
    }

    /**
     * A packet with transport-wide sequence number {@code sequence} (16 bits) of {@code ssrc} arrived at
     * {@code arrivalNanos}.
     *
     * @return a feedback message to send now (it may report only packets before this one), or null
     */
    ByteBuffer received(int sequence, long ssrc, long arrivalNanos) {
        long unwrapped = unwrap(sequence);
        ByteBuffer due = null;
        if (span > 0 && (unwrapped >= base + MAX_SPAN || arrivalNanos - firstPendingNanos > MAX_AGE_NANOS)) {
            due = flush(arrivalNanos);
        }
        if (span == 0) {
            // from the packet after the last one reported, so that the ones missing in between count as lost
            if (base < 0 || unwrapped >= base + MAX_SPAN) {
                base = unwrapped;
            }
            firstPendingNanos = arrivalNanos;
        }
        if (unwrapped < base) {
            return due; // reported already, or long ago
        }
        int index = (int) (unwrapped - base);
        if (index >= span) {
            Arrays.fill(arrivals, span, index + 1, TransportFeedback.NOT_RECEIVED);
            span = index + 1;
        }
        arrivals[index] = (arrivalNanos - epochNanos) / 1000;
        mediaSsrc = ssrc;
        if (due == null && arrivalNanos - lastSentNanos >= INTERVAL_NANOS) {
            due = flush(arrivalNanos);
        }
        return due;
    }

    private ByteBuffer flush(long now) {
        ByteBuffer message = TransportFeedback.encode(senderSsrc, mediaSsrc, (int) base & 0xffff, feedbackCount,
                Arrays.copyOf(arrivals, span));
        feedbackCount = (feedbackCount + 1) & 0xff;
        base += span;
        span = 0;
        lastSentNanos = now;
        return message;
    }

    /** The sequence number counted on from the newest one seen (RFC 3550 Appendix A.1's way with 16 bits). */
    private long unwrap(int sequence) {
        if (newest < 0) {
            newest = sequence;
            return newest;
        }
        long candidate = (newest & ~0xffffL) | sequence;
        if (candidate - newest > 0x8000) {
            candidate -= 0x10000;
        } else if (newest - candidate > 0x8000) {
            candidate += 0x10000;
        }
        if (candidate > newest) {
            newest = candidate;
        }
        return candidate;
    }
}
