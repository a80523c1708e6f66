package org.sylkserver.media.sfu;

import java.nio.ByteBuffer;

import org.sylkserver.media.RtpHeader;

/**
 * The RTP retransmission payload format (RFC 4588 §4): a retransmission packet is sent on a stream of its own (the
 * session-multiplexed case, §5.2, SSRCs paired by {@code a=ssrc-group:FID}), with its own payload type, SSRC and
 * sequence numbers; the original's timestamp, marker, CSRCs and header extension; and a payload that is the original
 * sequence number (OSN, two octets) followed by the original payload. Padding is the sender's own and is not carried
 * from one to the other.
 *
 * <p>Both directions write into a caller's array (no allocation: the caller keeps one per stream).
 */
final class RtxPackets {

    /** The OSN before the original payload (RFC 4588 §4). */
    static final int OSN_LENGTH = 2;

    private RtxPackets() {
    }

    /**
     * Wraps the original packet {@code original} (from its position, with its parsed {@code header}) into a
     * retransmission packet in {@code out}.
     *
     * @return the retransmission packet's length
     * @throws IndexOutOfBoundsException {@code out} is shorter than the original plus two
     */
    static int wrap(ByteBuffer original, RtpHeader header, int rtxPayloadType, long rtxSsrc, int rtxSequence,
                    byte[] out) {
        int start = original.position();
        int headerLength = header.headerLength();
        original.get(start, out, 0, headerLength);
        out[0] &= (byte) ~0x20; // no padding
        out[1] = (byte) ((out[1] & 0x80) | rtxPayloadType);
        putShort(out, 2, rtxSequence);
        putInt(out, 8, rtxSsrc);
        putShort(out, headerLength, header.sequence());
        original.get(start + headerLength, out, headerLength + OSN_LENGTH, header.payloadLength());
        return headerLength + OSN_LENGTH + header.payloadLength();
    }

    /**
     * Unwraps a retransmission packet {@code rtx} (from its position, with its parsed {@code header}) into the
     * original packet in {@code out}: payload type {@code payloadType} (the format that the rtx format's {@code apt}
     * names, §8.1), SSRC {@code ssrc}, the OSN as sequence number.
     *
     * @return the original's length, or -1 when the packet carries no OSN (a sender's padding-only packet on the
     *         retransmission stream, which repairs nothing)
     * @throws IndexOutOfBoundsException {@code out} is shorter than the packet
     */
    static int unwrap(ByteBuffer rtx, RtpHeader header, int payloadType, long ssrc, byte[] out) {
        if (header.payloadLength() < OSN_LENGTH) {
            return -1;
        }
        int start = rtx.position();
        int headerLength = header.headerLength();
        rtx.get(start, out, 0, headerLength);
        out[0] &= (byte) ~0x20;
        out[1] = (byte) ((out[1] & 0x80) | payloadType);
        putShort(out, 2, rtx.getShort(start + headerLength) & 0xffff);
        putInt(out, 8, ssrc);
        int payloadLength = header.payloadLength() - OSN_LENGTH;
        rtx.get(start + headerLength + OSN_LENGTH, out, headerLength, payloadLength);
        return headerLength + payloadLength;
    }

    private static void putShort(byte[] out, int at, int value) {
        out[at] = (byte) (value >>> 8);
        out[at + 1] = (byte) value;
    }

    private static void putInt(byte[] out, int at, long value) {
        putShort(out, at, (int) (value >>> 16));
        putShort(out, at + 2, (int) value);
    }
}
