package org.sylkserver.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

/** RTP fixed header (RFC 3550 §5.1) and RTP/RTCP demultiplexing (RFC 5761 §4). */
class RtpHeaderTest {

    @Test
    void fixedHeaderFields_rfc3550_s5_1() {
        ByteBuffer packet = ByteBuffer.allocate(12 + 160);
        packet.put((byte) 0x80).put((byte) (0x80 | 8)).putShort((short) 0xfffe).putInt(0xdeadbeef).putInt(0x12345678);
        packet.flip().limit(172);
        RtpHeader header = RtpHeader.parse(packet);
        assertEquals(8, header.payloadType());
        assertTrue(header.marker());
        assertEquals(0xfffe, header.sequence());
        assertEquals(0xdeadbeefL, header.timestamp());
        assertEquals(0x12345678L, header.ssrc());
        assertEquals(12, header.headerLength());
    }

    @Test
    void csrcsAndExtensionAreCountedInTheHeaderLength_rfc3550_s5_3_1() {
        ByteBuffer packet = ByteBuffer.allocate(12 + 8 + 4 + 8 + 10);
        packet.put((byte) (0x80 | 0x10 | 2)).put((byte) 0).putShort((short) 1).putInt(0).putInt(1);
        packet.putInt(11).putInt(22);
        packet.putShort((short) 0xbede).putShort((short) 2).putLong(0);
        packet.flip().limit(packet.capacity());
        RtpHeader header = RtpHeader.parse(packet);
        assertEquals(2, header.csrcCount());
        assertTrue(header.extension());
        assertEquals(12 + 8 + 4 + 8, header.headerLength());
    }

    @Test
    void notRtpOrTruncatedIsNull() {
        assertNull(RtpHeader.parse(ByteBuffer.wrap(new byte[11])));
        byte[] versionOne = new byte[20];
        versionOne[0] = 0x40;
        assertNull(RtpHeader.parse(ByteBuffer.wrap(versionOne)));
        byte[] truncatedCsrc = new byte[14];
        truncatedCsrc[0] = (byte) 0x83;
        assertNull(RtpHeader.parse(ByteBuffer.wrap(truncatedCsrc)));
        byte[] truncatedExtension = new byte[14];
        truncatedExtension[0] = (byte) 0x90;
        assertNull(RtpHeader.parse(ByteBuffer.wrap(truncatedExtension)));
    }

    @Test
    void rtcpIsRecognisedByItsPacketType_rfc5761_s4() {
        assertTrue(RtpHeader.isRtcp(ByteBuffer.wrap(new byte[] {(byte) 0x80, (byte) 200, 0, 6})));
        assertFalse(RtpHeader.isRtcp(ByteBuffer.wrap(new byte[] {(byte) 0x80, 0, 0, 6})));
    }
}
