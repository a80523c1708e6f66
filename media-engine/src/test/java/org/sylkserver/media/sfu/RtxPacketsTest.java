package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.sylkserver.media.RtpHeader;

/** {@link RtxPackets}: the RFC 4588 §4 retransmission payload format, both ways. */
class RtxPacketsTest {

    private static final byte[] PAYLOAD = {0x10, 0x20, 0x30, 0x40, 0x50};

    /**
     * An original packet: marker set, one CSRC, a one-byte header extension (RFC 8285 §4.2) of one word, the payload,
     * and three octets of padding when asked.
     */
    private static ByteBuffer original(boolean padding) {
        ByteBuffer packet = ByteBuffer.allocate(64);
        packet.put((byte) (0x80 | (padding ? 0x20 : 0) | 0x10 | 1)).put((byte) (0x80 | 96)).putShort((short) 4660)
                .putInt(0x01020304).putInt(0xaabbccdd).putInt(0x11111111)
                .putShort((short) 0xbede).putShort((short) 1).putInt(0x10ff0000)
                .put(PAYLOAD);
        if (padding) {
            packet.put((byte) 0).put((byte) 0).put((byte) 3);
        }
        return packet.flip();
    }

    /**
     * RFC 4588 §4: the retransmission packet has its own payload type, sequence number and SSRC; the original's
     * timestamp, marker, CSRC list and header extension; and as payload the OSN then the original payload, without
     * the original's padding.
     */
    @Test
    void aRetransmissionCarriesTheOsnThenTheOriginalPayload_rfc4588_4() {
        ByteBuffer original = original(true);
        RtpHeader header = RtpHeader.parse(original);
        byte[] out = new byte[80];
        int length = RtxPackets.wrap(original, header, 97, 0x33333333L, 9, out);

        ByteBuffer rtx = ByteBuffer.wrap(out, 0, length);
        RtpHeader wrapped = RtpHeader.parse(rtx);
        assertEquals(97, wrapped.payloadType(), "the rtx payload type (§8.1)");
        assertEquals(9, wrapped.sequence(), "the retransmission stream's own sequence number");
        assertEquals(0x33333333L, wrapped.ssrc(), "the retransmission stream's SSRC (§5.2, SSRC-multiplexing)");
        assertEquals(0x01020304L, wrapped.timestamp(), "the original timestamp");
        assertTrue(wrapped.marker(), "the original marker");
        assertEquals(1, wrapped.csrcCount());
        assertEquals(0x11111111, rtx.getInt(12), "the original CSRC list");
        assertEquals(0xbede, rtx.getShort(16) & 0xffff, "the original header extension");
        assertFalse(wrapped.padding(), "the original's padding is not retransmitted");
        assertEquals(4660, rtx.getShort(header.headerLength()) & 0xffff, "the OSN first");
        assertArrayEquals(PAYLOAD, Arrays.copyOfRange(out, header.headerLength() + 2, length),
                "then the original payload");
    }

    /** RFC 4588 §4: the receiver restores the original from the OSN and the stream the retransmission repairs. */
    @Test
    void theOriginalIsRestoredFromTheOsn_rfc4588_4() {
        ByteBuffer original = original(false);
        RtpHeader header = RtpHeader.parse(original);
        byte[] rtx = new byte[80];
        int rtxLength = RtxPackets.wrap(original, header, 97, 0x33333333L, 9, rtx);

        ByteBuffer wrapped = ByteBuffer.wrap(rtx, 0, rtxLength);
        byte[] out = new byte[80];
        int length = RtxPackets.unwrap(wrapped, RtpHeader.parse(wrapped), 96, 0xaabbccddL, out);
        byte[] expected = new byte[original.remaining()];
        original.get(original.position(), expected);
        assertArrayEquals(expected, Arrays.copyOf(out, length), "byte for byte the original");
    }

    /**
     * A sender may pad its retransmission stream with packets that carry no OSN (browsers probe bandwidth so): they
     * repair nothing.
     */
    @Test
    void aPacketWithoutOsnRepairsNothing_rfc4588_4() {
        ByteBuffer padding = ByteBuffer.allocate(16).put((byte) 0xa0).put((byte) 97).putShort((short) 1).putInt(0)
                .putInt(0x33333333).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 4).flip();
        assertEquals(-1, RtxPackets.unwrap(padding, RtpHeader.parse(padding), 96, 1, new byte[16]));
    }
}
