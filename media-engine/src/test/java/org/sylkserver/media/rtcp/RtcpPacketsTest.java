package org.sylkserver.media.rtcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class RtcpPacketsTest {

    private static final ReportBlock BLOCK = new ReportBlock(0x11223344L, 64, 5, 0x10005, 80, 0xabcd1234L, 32768);

    @Test
    void ntpTimestampCountsFrom1900_rfc3550_s4() {
        assertEquals(2_208_988_800L << 32, RtcpPackets.ntpTimestamp(0));
        assertEquals((2_208_988_801L << 32) | 0x80000000L, RtcpPackets.ntpTimestamp(1500));
    }

    /** RFC 3550 §6.4.1: SR header, sender info, one report block; then SDES CNAME (§6.5) padded to 32 bits. */
    @Test
    void senderReportWithBlockAndCname_rfc3550_s6_4_1_s6_5() {
        long ntp = RtcpPackets.ntpTimestamp(1_700_000_000_123L);
        ByteBuffer packet = RtcpPackets.compound(0xcafebabeL, ntp, 123456, 50, 8000, BLOCK, "ab@1", false);
        assertTrue(RtcpCompound.isValid(packet));
        assertEquals(0x81, packet.get(0) & 0xff, "V=2, RC=1");
        assertEquals(200, packet.get(1) & 0xff);
        assertEquals(12, packet.getShort(2), "length: 13 words minus one");
        assertEquals(0xcafebabe, packet.getInt(4));
        assertEquals(ntp, packet.getLong(8));
        assertEquals(123456, packet.getInt(16));
        assertEquals(50, packet.getInt(20));
        assertEquals(8000, packet.getInt(24));
        assertEquals(0x11223344, packet.getInt(28));
        assertEquals((64 << 24) | 5, packet.getInt(32));
        assertEquals(0x10005, packet.getInt(36));
        assertEquals(80, packet.getInt(40));
        assertEquals(0xabcd1234, packet.getInt(44));
        assertEquals(32768, packet.getInt(48));
        // SDES at 52: header, SSRC, CNAME item "ab@1" (6 bytes), null end, padding to 12 bytes of chunk
        assertEquals(0x81, packet.get(52) & 0xff);
        assertEquals(202, packet.get(53) & 0xff);
        assertEquals(3, packet.getShort(54));
        assertEquals(0xcafebabe, packet.getInt(56));
        assertEquals(1, packet.get(60));
        assertEquals(4, packet.get(61));
        byte[] name = new byte[4];
        packet.get(62, name);
        assertArrayEquals("ab@1".getBytes(StandardCharsets.UTF_8), name);
        assertEquals(0, packet.get(66));
        assertEquals(68, packet.remaining(), "every packet a multiple of 32 bits");
    }

    /** RFC 3550 §6.4.2: before sending anything the report is an RR; a BYE (§6.6) may close the compound. */
    @Test
    void receiverReportWithoutBlockAndBye_rfc3550_s6_4_2_s6_6() {
        ByteBuffer packet = RtcpPackets.compound(0x01020304L, 0, 0, 0, 0, null, "x", true);
        assertTrue(RtcpCompound.isValid(packet));
        assertEquals(0x80, packet.get(0) & 0xff, "RC=0");
        assertEquals(201, packet.get(1) & 0xff);
        assertEquals(1, packet.getShort(2));
        int bye = packet.remaining() - 8;
        assertEquals(0x81, packet.get(bye) & 0xff);
        assertEquals(203, packet.get(bye + 1) & 0xff);
        assertEquals(0x01020304, packet.getInt(bye + 4));
        assertEquals(0, packet.remaining() % 4);
    }

    @Test
    void senderReportIsReadBackForLsr_rfc3550_s6_4_1() {
        long ntp = 0x0123456789abcdefL;
        ByteBuffer packet = RtcpPackets.compound(0x55L, ntp, 1, 1, 1, null, "x", false);
        RtcpCompound.Packet sr = RtcpCompound.leadingSenderReport(packet);
        assertEquals(0x55, sr.senderSsrc());
        assertEquals(0x456789abL, sr.ntpMiddle32(), "middle 32 bits of the NTP timestamp");
        assertNull(RtcpCompound.leadingSenderReport(RtcpPackets.compound(0x55L, 0, 0, 0, 0, null, "x", false)));
        assertNull(RtcpCompound.leadingSenderReport(ByteBuffer.wrap(new byte[] {(byte) 0x80, (byte) 200, 0, 6})));
    }

    /** draft-alvestrand-rmcat-remb-03 §2.2: PSFB FMT 15, "REMB", the bitrate as mantissa and exponent. */
    @Test
    void receiverEstimatedMaximumBitrate_remb_2_2() {
        ByteBuffer remb = RtcpPackets.receiverEstimatedMaximumBitrate(0x01020304L, 2_016_000, 0xaabbccddL);
        assertEquals(24, remb.remaining());
        assertEquals(0x80 | 15, remb.get(0) & 0xff);
        assertEquals(206, remb.get(1) & 0xff);
        assertEquals(5, remb.getShort(2), "length in words minus one");
        assertEquals(0x01020304, remb.getInt(4));
        assertEquals(0, remb.getInt(8), "media source unused");
        assertEquals("REMB", new String(new byte[]{remb.get(12), remb.get(13), remb.get(14), remb.get(15)}));
        assertEquals(1, remb.get(16), "one SSRC");
        int exponent = (remb.get(17) & 0xff) >> 2;
        long mantissa = ((remb.get(17) & 0x03L) << 16) | (remb.getShort(18) & 0xffff);
        assertEquals(3, exponent);
        assertEquals(2_016_000, mantissa << exponent, "2016000 = 252000 * 2^3, exact");
        assertEquals((int) 0xaabbccddL, remb.getInt(20));
        List<RtcpCompound.Packet> parsed = RtcpCompound.parse(remb);
        assertEquals(RtcpCompound.PSFB, parsed.get(0).type());
        assertEquals(RtcpCompound.FMT_AFB, parsed.get(0).count());
    }

    /** RFC 4585 §6.3.1: a PLI is PSFB FMT 1 with the sender and the media source. */
    @Test
    void pictureLossIndication_rfc4585_6_3_1() {
        ByteBuffer pli = RtcpPackets.pictureLossIndication(7, 9);
        RtcpCompound.Packet parsed = RtcpCompound.parse(pli).get(0);
        assertEquals(RtcpCompound.PSFB, parsed.type());
        assertEquals(RtcpCompound.FMT_PLI, parsed.count());
        assertEquals(7, parsed.senderSsrc());
        assertEquals(9, parsed.mediaSource());
    }

    /**
     * RFC 4585 §6.2.1: a generic NACK for 20 packets is two FCI entries, the first naming its PID and the 16 after
     * it in BLP, the second the last three; the receiver reads back the same 20 sequence numbers, across the wrap.
     */
    @Test
    void genericNackCoversTheAskedPackets_rfc4585_6_2_1() {
        ByteBuffer nack = RtcpPackets.genericNack(7, 9, 65530, 20);
        assertTrue(RtcpCompound.isValid(nack));
        assertEquals(0x81, nack.get(0) & 0xff, "V=2, FMT=1");
        assertEquals(RtcpCompound.RTPFB, nack.get(1) & 0xff);
        assertEquals(4, nack.getShort(2), "two FCI entries: 2 + 2 words after the first");
        assertEquals(0xffff, nack.getShort(14) & 0xffff, "the first BLP: all 16 following lost");
        assertEquals(0x0003, nack.getShort(18) & 0xffff, "the second: two following lost");
        List<RtcpCompound.Nack> asked = RtcpCompound.genericNacks(nack);
        assertEquals(20, asked.size());
        for (int i = 0; i < 20; i++) {
            assertEquals(new RtcpCompound.Nack(9, (65530 + i) & 0xffff), asked.get(i));
        }
    }
}
