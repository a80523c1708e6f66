package org.sylkserver.media.sfu;

import java.util.Arrays;

/**
 * Notices the packets missing from a publisher's video as it arrives, so that the server can ask for them at once
 * with a generic NACK (RFC 4585 §6.2.1), which the publisher answers with retransmissions (RFC 4588). A gap is
 * asked for once, when the packet after it arrives; packets arriving late (reordered, or the repairs themselves) ask
 * for nothing. A jump longer than {@link #MAX_ASKED} is a sender that restarted or a loss too long to repair in
 * time: counting starts again after it (RFC 3550 §A.1 treats large jumps the same way).
 *
 * <p>It also remembers which of the last {@value #WINDOW} sequence numbers arrived, so that a retransmission is
 * forwarded only when it repairs a packet that is {@link #missing}: a copy of a packet that arrived (a sender's
 * bandwidth probe: Chrome probes with RTX copies of packets from its send history, which reaches back further than
 * 64 packets at simulcast rates; or a repair come twice) would reach every feed a second time, and an original that
 * {@link #arrived} already (repaired before it came late) too. What is older than the window, or newer than the
 * highest, is not missing: too late to repair anything, or not yet asked for. The window is a ring of bits
 * indexed by the sequence number modulo {@value #WINDOW}, which divides 2^16, so the 16-bit numbers need no
 * extending (RFC 3550 §A.1 serial arithmetic tells ahead from behind). Not thread-safe: the publisher's receiving
 * thread owns it.
 */
final class LossDetector {

    /** The most packets asked for after one gap (a NACK's FCI covers 17 each; a second of video at most). */
    static final int MAX_ASKED = 64;
    /** Sequence numbers remembered, counting the highest: about a second of a 2.5 Mbit/s layer. */
    static final int WINDOW = 1024;

    private long ssrc = -1;
    private int highest;
    /** Bit {@code s % WINDOW} set: packet {@code s} arrived, for s in (highest - WINDOW, highest]. */
    private final long[] arrived = new long[WINDOW / 64];

    /**
     * Whether packet {@code sequence} of the stream is one that did not arrive and is recent enough (within the last
     * {@value #WINDOW}) to be repaired: what a retransmission must repair to be forwarded (RFC 4588 §4).
     */
    boolean missing(long packetSsrc, int sequence) {
        int behind = (highest - sequence) & 0xffff;
        return packetSsrc == ssrc && behind < WINDOW && !isSet(sequence);
    }

    /**
     * Whether packet {@code sequence} of the stream arrived already, as far as the last {@value #WINDOW} tell: an
     * original that comes after its repair (it was late, not lost) is no news either.
     */
    boolean arrived(long packetSsrc, int sequence) {
        return packetSsrc == ssrc && ((highest - sequence) & 0xffff) < WINDOW && isSet(sequence);
    }

    /**
     * Accounts for a packet of the stream.
     *
     * @return how many packets just before {@code sequence} are missing and worth asking for (0 for none): the
     *         sequence numbers {@code sequence - n} to {@code sequence - 1}
     */
    int received(long packetSsrc, int sequence) {
        if (packetSsrc != ssrc) {
            ssrc = packetSsrc;
            highest = sequence;
            Arrays.fill(arrived, 0);
            set(sequence);
            return 0;
        }
        int ahead = (sequence - highest) & 0xffff;
        if (ahead == 0 || ahead >= 0x8000) {
            if (((highest - sequence) & 0xffff) < WINDOW) {
                set(sequence);
            }
            return 0; // a duplicate or a late packet (RFC 3550 §A.1 serial number arithmetic)
        }
        if (ahead >= WINDOW) {
            Arrays.fill(arrived, 0);
        } else {
            for (int skipped = 1; skipped < ahead; skipped++) {
                clear(highest + skipped); // what they held was WINDOW numbers ago
            }
        }
        highest = sequence;
        set(sequence);
        return ahead - 1 <= MAX_ASKED ? ahead - 1 : 0;
    }

    private boolean isSet(int sequence) {
        return (arrived[(sequence >>> 6) & (WINDOW / 64 - 1)] & (1L << sequence)) != 0;
    }

    private void set(int sequence) {
        arrived[(sequence >>> 6) & (WINDOW / 64 - 1)] |= 1L << sequence;
    }

    private void clear(int sequence) {
        arrived[(sequence >>> 6) & (WINDOW / 64 - 1)] &= ~(1L << sequence);
    }
}
