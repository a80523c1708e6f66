package org.sylkserver.media;

import java.nio.ByteBuffer;

/**
 * The fixed RTP header (RFC 3550 §5.1), read from a packet without copying it.
 *
 * @param padding       P bit
 * @param extension     X bit
 * @param csrcCount     CC
 * @param marker        M bit
 * @param payloadType   PT
 * @param sequence      sequence number
 * @param timestamp     timestamp
 * @param ssrc          synchronization source
 * @param headerLength  bytes before the payload (fixed header, CSRCs and header extension)
 * @param payloadLength bytes of payload (without padding)
 */
public record RtpHeader(boolean padding, boolean extension, int csrcCount, boolean marker, int payloadType,
                        int sequence, long timestamp, long ssrc, int headerLength, int payloadLength) {

    /** Minimum length of an RTP packet: the fixed header. */
    public static final int FIXED_LENGTH = 12;

    /**
     * Parses the header of the packet between {@code packet.position()} and its limit, checking what RFC 3550
     * Appendix A.1 asks of a valid packet: version 2, CSRC list and header extension within the packet, padding
     * count neither zero nor longer than what follows the header. The buffer's position is left unchanged.
     *
     * @return the header, or {@code null} if this is not a valid RTP version 2 packet
     */
    public static RtpHeader parse(ByteBuffer packet) {
        int start = packet.position();
        int length = packet.remaining();
        if (length < FIXED_LENGTH) {
            return null;
        }
        int first = packet.get(start) & 0xff;
        if ((first >> 6) != 2) {
            return null;
        }
        int second = packet.get(start + 1) & 0xff;
        int csrcCount = first & 0x0f;
        boolean extension = (first & 0x10) != 0;
        boolean padding = (first & 0x20) != 0;
        int headerLength = FIXED_LENGTH + 4 * csrcCount;
        if (extension) {
            if (length < headerLength + 4) {
                return null;
            }
            headerLength += 4 + 4 * (packet.getShort(start + headerLength + 2) & 0xffff);
        }
        if (length < headerLength) {
            return null;
        }
        int paddingLength = padding ? packet.get(start + length - 1) & 0xff : 0;
        if (padding && (paddingLength == 0 || headerLength + paddingLength > length)) {
            return null;
        }
        return new RtpHeader(padding, extension, csrcCount, (second & 0x80) != 0, second & 0x7f,
                packet.getShort(start + 2) & 0xffff, packet.getInt(start + 4) & 0xffffffffL,
                packet.getInt(start + 8) & 0xffffffffL, headerLength, length - headerLength - paddingLength);
    }
}
