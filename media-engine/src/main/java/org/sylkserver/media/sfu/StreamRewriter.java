package org.sylkserver.media.sfu;

import java.nio.ByteBuffer;

import org.sylkserver.media.RtpHeader;

/**
 * Makes one outgoing RTP stream of a feed out of whatever source stream is forwarded into it (RFC 7667 §3.7, a
 * media-switching middlebox): the feed's own SSRC, and sequence numbers and timestamps that go on from where the
 * previous source stopped when the source changes (a publisher that restarts its encoder takes a new SSRC), so that
 * the receiver sees one continuous stream (RFC 3550 §5.1: sequence numbers increase by one per packet, the first
 * one random; timestamps of one clock).
 *
 * <p>Packets of a source that was replaced are dropped: they would go back in sequence. Reordered packets of the
 * current source keep their place (the offset is per source, not per packet), except those from before its first
 * packet forwarded: their place went to the previous source's last packets, and a receiver would take the repeated
 * number as a duplicate (RFC 3711 §3.3.2 rejects it as a replay). A simulcast switch starts at a key frame that
 * often comes before the rest of its frame's or the previous frame's packets. Nor is one sent that would be
 * {@value #MOST_BEHIND} or more behind the newest sent (a repair come late): the leg's SRTP would refuse to protect
 * it (its replay window, RFC 3711 §3.3.2), after it took a transport-wide number that then looks lost. Not thread-safe: the thread that
 * forwards the feed's packets owns it.
 */
final class StreamRewriter {

    /** How far behind the newest sent a packet may be: the feed's SRTP sender's replay window (RFC 3711 §3.3.2). */
    static final int MOST_BEHIND = 64;

    private final long ssrc;
    /** Timestamp units between the last packet of a replaced source and the first of the new one. */
    private final int switchStep;
    private long source = -1;
    private int sequenceOffset;
    private long timestampOffset;
    private int lastSequence;
    private long lastTimestamp;
    private long retiredSource = -1;
    /** The source's sequence number of the current source's first packet; {@link #guarding} what came before it. */
    private int sourceFirst;
    private boolean guarding;

    /**
     * @param ssrc       the feed's SSRC for this stream
     * @param sequence   the first sequence number to send (random, RFC 3550 §5.1)
     * @param timestamp  the first timestamp to send (random, RFC 3550 §5.1)
     * @param switchStep timestamp units put between two sources (a frame: 3000 at 90 kHz video, 960 for 20 ms Opus)
     */
    StreamRewriter(long ssrc, int sequence, long timestamp, int switchStep) {
        this.ssrc = ssrc;
        this.lastSequence = (sequence - 1) & 0xffff;
        this.lastTimestamp = (timestamp - switchStep) & 0xffffffffL;
        this.switchStep = switchStep;
    }

    long ssrc() {
        return ssrc;
    }

    /** The sequence number of the newest packet sent (serial number order, RFC 3550 §A.1). */
    int lastSequence() {
        return lastSequence;
    }

    /** Packets and payload octets sent so far, for sender reports (RFC 3550 §6.4.1). */
    private long packets;
    private long octets;

    long packets() {
        return packets;
    }

    long octets() {
        return octets;
    }

    /**
     * A timestamp of the current source on the feed's clock (a sender report's RTP timestamp, RFC 3550 §6.4.1), or
     * -1 when {@code sourceSsrc} is not the source being forwarded.
     */
    long timestamp(long sourceSsrc, long timestamp) {
        return sourceSsrc == source && source >= 0 ? (timestamp + timestampOffset) & 0xffffffffL : -1;
    }

    /**
     * The next source is taken even if it was replaced before: the feed switches between simulcast layers (RFC 8853)
     * and has dropped the packets of the others itself.
     */
    void sourceSwitched() {
        retiredSource = -1;
    }

    /**
     * A packet of the current source that is not sent (the feed paused this medium): later packets are numbered as
     * if it never existed, so the receiver sees no gap to ask for again (RFC 4585 §6.2.1) when the medium resumes.
     */
    void skip(RtpHeader header) {
        if (header.ssrc() == source) {
            sequenceOffset = (sequenceOffset - 1) & 0xffff;
        }
    }

    /**
     * Rewrites the SSRC, sequence number and timestamp of {@code packet} (from its position, with its parsed
     * {@code header}) in place.
     *
     * @return false when the packet belongs to a source that was replaced, comes from before the current source's
     *         first packet or is too far behind the newest sent, and must not be sent
     */
    boolean rewrite(ByteBuffer packet, RtpHeader header) {
        if (header.ssrc() != source) {
            if (header.ssrc() == retiredSource) {
                return false;
            }
            retiredSource = source;
            source = header.ssrc();
            // the new source starts right after the last packet sent (the first one already, RFC 3550 §5.1)
            sequenceOffset = (lastSequence + 1 - header.sequence()) & 0xffff;
            timestampOffset = (lastTimestamp + switchStep - header.timestamp()) & 0xffffffffL;
            sourceFirst = header.sequence();
            guarding = true;
        }
        if (guarding) {
            int since = (header.sequence() - sourceFirst) & 0xffff;
            if (since >= 0x8000) {
                return false; // before the first (RFC 3550 §A.1 serial number arithmetic): its number is taken
            }
            // a quarter of the sequence space on, nothing from before the switch is still on its way; and serial
            // arithmetic would soon take new packets for old ones
            guarding = since < 0x4000;
        }
        int sequence = (header.sequence() + sequenceOffset) & 0xffff;
        int behind = (lastSequence - sequence) & 0xffff;
        if (behind >= MOST_BEHIND && behind < 0x8000) {
            return false;
        }
        long timestamp = (header.timestamp() + timestampOffset) & 0xffffffffL;
        if (((sequence - lastSequence) & 0xffff) < 0x8000) {
            // newer than anything sent (RFC 3550 §A.1 serial number arithmetic): the next switch continues from here
            lastSequence = sequence;
            lastTimestamp = timestamp;
        }
        packets++;
        octets += header.payloadLength();
        int start = packet.position();
        packet.putShort(start + 2, (short) sequence);
        packet.putInt(start + 4, (int) timestamp);
        packet.putInt(start + 8, (int) ssrc);
        return true;
    }
}
