package org.sylkserver.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;
import org.sylkserver.media.rtcp.RtcpCompound;

/** RTP fixed header (RFC 3550 §5.1, validity checks of Appendix A.1) and RTP/RTCP demultiplexing (RFC 5761 §4). */
class RtpHeaderTest {

    @Test
    void fixedHeaderFields_rfc3550_s5_1() {
        ByteBuffer packet = ByteBuffer.allocate(12 + 160);
        packet.put((byte) 0x80).put((byte) (0x80 | 8)).putShort((short) 0xfffe).putInt(0xdeadbeef).putInt(0x12345678);
        packet.position(0);
        RtpHeader header = RtpHeader.parse(packet);
        assertFalse(header.padding());
        assertFalse(header.extension());
        assertEquals(0, header.csrcCount());
        assertTrue(header.marker());
        assertEquals(8, header.payloadType());
        assertEquals(0xfffe, header.sequence());
        assertEquals(0xdeadbeefL, header.timestamp());
        assertEquals(0x12345678L, header.ssrc());
        assertEquals(12, header.headerLength());
        assertEquals(160, header.payloadLength());
        assertEquals(0, packet.position(), "parsing does not move the buffer");
    }

    @Test
    void csrcsAndExtensionAreCountedInTheHeaderLength_rfc3550_s5_1_s5_3_1() {
        ByteBuffer packet = ByteBuffer.allocate(12 + 8 + 4 + 8 + 10);
        packet.put((byte) (0x80 | 0x10 | 2)).put((byte) 0).putShort((short) 1).putInt(0).putInt(1);
        packet.putInt(11).putInt(22);
        packet.putShort((short) 0xbede).putShort((short) 2).putLong(0);
        packet.position(0);
        RtpHeader header = RtpHeader.parse(packet);
        assertEquals(2, header.csrcCount());
        assertTrue(header.extension());
        assertEquals(12 + 8 + 4 + 8, header.headerLength());
        assertEquals(10, header.payloadLength());
    }

    @Test
    void paddingIsExcludedFromThePayload_rfc3550_s5_1() {
        byte[] packet = new byte[12 + 20 + 4];
        packet[0] = (byte) 0xa0;
        packet[packet.length - 1] = 4;
        RtpHeader header = RtpHeader.parse(ByteBuffer.wrap(packet));
        assertTrue(header.padding());
        assertEquals(20, header.payloadLength());
    }

    @Test
    void headerIsReadAtTheBufferPosition() {
        ByteBuffer packet = ByteBuffer.allocate(4 + 12);
        packet.position(4);
        packet.put((byte) 0x80).put((byte) 0).putShort((short) 7);
        packet.position(4);
        assertEquals(7, RtpHeader.parse(packet).sequence());
    }

    @Test
    void malformedPacketsAreNotRtp_rfc3550_appendixA1() {
        assertNull(RtpHeader.parse(ByteBuffer.wrap(new byte[11])), "shorter than the fixed header");
        byte[] versionOne = new byte[20];
        versionOne[0] = 0x40;
        assertNull(RtpHeader.parse(ByteBuffer.wrap(versionOne)), "version 1");
        assertNull(RtpHeader.parse(ByteBuffer.wrap(new byte[20])), "version 0 (e.g. STUN)");
        byte[] truncatedCsrc = new byte[14];
        truncatedCsrc[0] = (byte) 0x83;
        assertNull(RtpHeader.parse(ByteBuffer.wrap(truncatedCsrc)), "CSRC list beyond the end");
        byte[] truncatedExtensionHeader = new byte[14];
        truncatedExtensionHeader[0] = (byte) 0x90;
        assertNull(RtpHeader.parse(ByteBuffer.wrap(truncatedExtensionHeader)), "extension header beyond the end");
        byte[] truncatedExtension = new byte[20];
        truncatedExtension[0] = (byte) 0x90;
        truncatedExtension[15] = 5;
        assertNull(RtpHeader.parse(ByteBuffer.wrap(truncatedExtension)), "extension of 5 words in 4 bytes");
        byte[] zeroPadding = new byte[20];
        zeroPadding[0] = (byte) 0xa0;
        assertNull(RtpHeader.parse(ByteBuffer.wrap(zeroPadding)), "padding bit with a zero padding count");
        byte[] overlongPadding = new byte[20];
        overlongPadding[0] = (byte) 0xa0;
        overlongPadding[19] = 9;
        assertNull(RtpHeader.parse(ByteBuffer.wrap(overlongPadding)), "padding longer than what follows the header");
    }

    @Test
    void rtcpIsRecognisedByItsPacketType_rfc5761_s4() {
        assertTrue(RtcpCompound.isRtcpType(ByteBuffer.wrap(new byte[] {(byte) 0x80, (byte) 200, 0, 6})));
        assertTrue(RtcpCompound.isRtcpType(ByteBuffer.wrap(new byte[] {(byte) 0x81, (byte) 223, 0, 1})));
        assertFalse(RtcpCompound.isRtcpType(ByteBuffer.wrap(new byte[] {(byte) 0x80, 0, 0, 6})));
        assertFalse(RtcpCompound.isRtcpType(ByteBuffer.wrap(new byte[] {(byte) 0x80, (byte) (0x80 | 96), 0, 6})),
                "dynamic payload type 96 with the marker set is RTP");
    }

    @Test
    void rtcpValidity_rfc3550_appendixA2() {
        byte[] receiverReport = {(byte) 0x80, (byte) 201, 0, 1, 0, 0, 0, 1};
        assertTrue(RtcpCompound.isValid(ByteBuffer.wrap(receiverReport)));
        assertFalse(RtcpCompound.isValid(ByteBuffer.wrap(new byte[] {(byte) 0x80, (byte) 201, 0, 1})), "too short");
        assertFalse(RtcpCompound.isValid(ByteBuffer.wrap(new byte[] {0x40, (byte) 201, 0, 1, 0, 0, 0, 1})), "version 1");
        assertFalse(RtcpCompound.isValid(ByteBuffer.wrap(new byte[] {(byte) 0x80, (byte) 201, 0, 6, 0, 0, 0, 1})),
                "length field beyond the datagram");
        assertFalse(RtcpCompound.isValid(ByteBuffer.wrap(new byte[] {(byte) 0x80, 8, 0, 1, 0, 0, 0, 1})), "an RTP packet");
    }
}
