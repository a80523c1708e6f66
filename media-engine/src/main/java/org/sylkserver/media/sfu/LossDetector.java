package org.sylkserver.media.sfu;

/**
 * Notices the packets missing from a publisher's video as it arrives, so that the server can ask for them at once
 * with a generic NACK (RFC 4585 §6.2.1), which the publisher answers with retransmissions (RFC 4588). A gap is
 * asked for once, when the packet after it arrives; packets arriving late (reordered, or the repairs themselves) ask
 * for nothing. A jump longer than {@link #MAX_ASKED} is a sender that restarted or a loss too long to repair in
 * time: counting starts again after it (RFC 3550 §A.1 treats large jumps the same way). It also remembers which of
 * the last 64 packets arrived ({@link #alreadyReceived}), so that a retransmission of a packet that was not lost (a
 * sender's bandwidth probe: Chrome probes with RTX copies of packets it sent, when it has transport-wide feedback)
 * is told apart from a repair. Not thread-safe: the
 * publisher's receiving thread owns it.
 */
final class LossDetector {

    /** The most packets asked for after one gap (a NACK's FCI covers 17 each; a second of video at most). */
    static final int MAX_ASKED = 64;

    private long ssrc = -1;
    private int highest;
    /** Bit i set: packet {@code highest - i} arrived. */
    private long arrived;

    /** Whether packet {@code sequence} of the stream arrived already (known for the last 64 only). */
    boolean alreadyReceived(long packetSsrc, int sequence) {
        int behind = (highest - sequence) & 0xffff;
        return packetSsrc == ssrc && behind < 64 && (arrived & (1L << behind)) != 0;
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
            arrived = 1;
            return 0;
        }
        int ahead = (sequence - highest) & 0xffff;
        if (ahead == 0 || ahead >= 0x8000) {
            int behind = (highest - sequence) & 0xffff;
            if (behind < 64) {
                arrived |= 1L << behind;
            }
            return 0; // a duplicate or a late packet (RFC 3550 §A.1 serial number arithmetic)
        }
        highest = sequence;
        arrived = ahead >= 64 ? 1 : (arrived << ahead) | 1;
        return ahead - 1 <= MAX_ASKED ? ahead - 1 : 0;
    }
}
