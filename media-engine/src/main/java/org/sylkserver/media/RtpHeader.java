package org.sylkserver.media;

import java.nio.ByteBuffer;

/**
 * The fixed RTP header (RFC 3550 §5.1), read from a packet without copying it.
 *
 * @param padding     P bit
 * @param extension   X bit
 * @param csrcCount   CC
 * @param marker      M bit
 * @param payloadType PT
 * @param sequence    sequence number
 * @param timestamp   timestamp
 * @param ssrc        synchronization source
 * @param headerLength bytes before the payload (fixed header, CSRCs and extension)
 */
public record RtpHeader(boolean padding, boolean extension, int csrcCount, boolean marker, int payloadType,
                        int sequence, long timestamp, long ssrc, int headerLength) {

    /** Minimum length of an RTP packet: the fixed header. */
    public static final int FIXED_LENGTH = 12;

    /**
     * Parses the header of the packet between {@code packet.position()} and its limit.
     *
     * @return the header, or {@code null} if this is not an RTP version 2 packet or is truncated
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
        return new RtpHeader((first & 0x20) != 0, extension, csrcCount, (second & 0x80) != 0, second & 0x7f,
                packet.getShort(start + 2) & 0xffff, packet.getInt(start + 4) & 0xffffffffL,
                packet.getInt(start + 8) & 0xffffffffL, headerLength);
    }

    /**
     * Whether an RTP/RTCP packet on a multiplexed port is RTCP (RFC 5761 §4: payload type byte 192-223).
     */
    public static boolean isRtcp(ByteBuffer packet) {
        if (packet.remaining() < 2) {
            return false;
        }
        int type = packet.get(packet.position() + 1) & 0xff;
        return type >= 192 && type <= 223;
    }
}
