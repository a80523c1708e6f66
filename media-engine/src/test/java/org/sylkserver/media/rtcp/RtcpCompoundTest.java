package org.sylkserver.media.rtcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The one compound-RTCP reader of the engine, against packets laid out as RFC 3550 §6 and RFC 4585 §6 draw them. */
class RtcpCompoundTest {

    /** RFC 3550 §6.4.2: RR with one report block (V=2, RC=1, PT=201, length 7 words - 1). */
    private static ByteBuffer receiverReport(long sender, long source) {
        return ByteBuffer.allocate(32).put((byte) 0x81).put((byte) 201).putShort((short) 7).putInt((int) sender)
                .putInt((int) source).putInt((0x40 << 24) | 0xfffffe).putInt(0x0001_0203).putInt(77)
                .putInt(0x1234_5678).putInt(0x0002_0000).flip();
    }

    /** RFC 4585 §6.3.1: PLI, a payload-specific feedback message (PT=206, FMT=1) with no FCI. */
    private static ByteBuffer pictureLossIndication(long sender, long mediaSource) {
        return ByteBuffer.allocate(12).put((byte) 0x81).put((byte) 206).putShort((short) 2).putInt((int) sender)
                .putInt((int) mediaSource).flip();
    }

    private static ByteBuffer concat(ByteBuffer... packets) {
        ByteBuffer out = ByteBuffer.allocate(List.of(packets).stream().mapToInt(ByteBuffer::remaining).sum());
        for (ByteBuffer packet : packets) {
            out.put(packet.duplicate());
        }
        return out.flip();
    }

    @Test
    void rfc3550_s6_1_compoundIsReadPacketByPacket() {
        ByteBuffer compound = RtcpPackets.compound(0xaabbccddL, 0x0123456789abcdefL, 1000, 10, 1600,
                new ReportBlock(0x11L, 3, 5, 0x10005L, 40, 0x456789abL, 65536), "alice@example.com", true);
        List<RtcpCompound.Packet> packets = RtcpCompound.parse(compound);
        assertEquals(List.of(RtcpCompound.SR, RtcpCompound.SDES, RtcpCompound.BYE),
                packets.stream().map(RtcpCompound.Packet::type).toList());
        packets.forEach(p -> assertEquals(0xaabbccddL, p.senderSsrc()));
        assertEquals(0, compound.position(), "the buffer is read in place");
    }

    @Test
    void rfc3550_s6_4_1_senderReportNtpAndReportBlock() {
        ByteBuffer compound = RtcpPackets.compound(0x55L, 0x0123456789abcdefL, 1000, 10, 1600,
                new ReportBlock(0x11L, 3, -2, 0x10005L, 40, 0x456789abL, 65536), "x", false);
        RtcpCompound.Packet sr = RtcpCompound.leadingSenderReport(compound);
        assertEquals(0x0123456789abcdefL, sr.ntpTimestamp());
        assertEquals(0x456789abL, sr.ntpMiddle32(), "LSR is the middle 32 bits of the NTP timestamp");
        assertEquals(List.of(new ReportBlock(0x11L, 3, -2, 0x10005L, 40, 0x456789abL, 65536)), sr.reports(),
                "cumulative lost is a signed 24-bit field");
    }

    @Test
    void rfc3550_s6_4_2_receiverReportBlocks() {
        RtcpCompound.Packet rr = RtcpCompound.parse(receiverReport(0x22L, 0x33L)).get(0);
        assertEquals(RtcpCompound.RR, rr.type());
        assertEquals(1, rr.count());
        assertEquals(new ReportBlock(0x33L, 0x40, -2, 0x0001_0203L, 77, 0x1234_5678L, 0x0002_0000L),
                rr.reports().get(0));
        assertNull(RtcpCompound.leadingSenderReport(receiverReport(0x22L, 0x33L)), "an RR is no sender report");
    }

    @Test
    void rfc4585_s6_1_feedbackNamesItsMediaSource() {
        List<RtcpCompound.Packet> packets = RtcpCompound.parse(concat(receiverReport(1, 2),
                pictureLossIndication(1, 0xfeedL)));
        assertEquals(RtcpCompound.PSFB, packets.get(1).type());
        assertEquals(1, packets.get(1).count(), "FMT 1: PLI");
        assertEquals(0xfeedL, packets.get(1).mediaSource());
        assertEquals(-1, packets.get(0).mediaSource(), "only feedback has a media source");
    }

    @Test
    void rfc3550_appendixA2_validityLoosenedAsRfc5506Allows() {
        assertTrue(RtcpCompound.isValid(receiverReport(1, 2)));
        assertTrue(RtcpCompound.isValid(pictureLossIndication(1, 2)), "reduced-size RTCP may start with feedback");
        assertFalse(RtcpCompound.isValid(ByteBuffer.wrap(new byte[] {(byte) 0x80, (byte) 201, 0, 1})), "too short");
        assertFalse(RtcpCompound.isValid(ByteBuffer.wrap(new byte[] {0x40, (byte) 201, 0, 1, 0, 0, 0, 1})),
                "version 1");
        assertFalse(RtcpCompound.isValid(ByteBuffer.wrap(new byte[] {(byte) 0x80, (byte) 201, 0, 6, 0, 0, 0, 1})),
                "first packet longer than the datagram");
        assertFalse(RtcpCompound.isValid(ByteBuffer.wrap(new byte[] {(byte) 0x80, 8, 0, 1, 0, 0, 0, 1})), "RTP");
    }

    @Test
    void rfc5761_s4_rtcpPacketTypesAreTheSecondOctet192To223() {
        assertTrue(RtcpCompound.isRtcpType(ByteBuffer.wrap(new byte[] {(byte) 0x80, (byte) 192})));
        assertTrue(RtcpCompound.isRtcpType(ByteBuffer.wrap(new byte[] {(byte) 0x80, (byte) 223})));
        assertFalse(RtcpCompound.isRtcpType(ByteBuffer.wrap(new byte[] {(byte) 0x80, (byte) (0x80 | 96)})),
                "RTP with the marker bit, payload type 96");
    }

    @Test
    void truncatedPacketsEndTheListWithoutFailing() {
        ByteBuffer cut = concat(receiverReport(1, 2), ByteBuffer.wrap(new byte[] {(byte) 0x81, (byte) 206, 0, 2}));
        assertEquals(1, RtcpCompound.parse(cut).size(), "a packet without its sender SSRC is not listed");
        ByteBuffer blockCut = receiverReport(1, 2).limit(20);
        assertEquals(List.of(), RtcpCompound.parse(blockCut).get(0).reports(), "a report block cut short is left out");
    }

    /** RFC 4585 §6.2.1: a generic NACK's PID and bitmask BLP (bit i: PID + i + 1 lost too), after an RR. */
    @Test
    void genericNacks_rfc4585_6_2_1() {
        ByteBuffer compound = ByteBuffer.allocate(28).put((byte) 0x80).put((byte) 201).putShort((short) 1).putInt(1)
                .put((byte) 0x81).put((byte) 205).putShort((short) 4).putInt(1).putInt(0x55)
                .putShort((short) 65535).putShort((short) 0b101).putShort((short) 10).putShort((short) 0).flip();
        assertEquals(List.of(new RtcpCompound.Nack(0x55, 65535), new RtcpCompound.Nack(0x55, 0),
                new RtcpCompound.Nack(0x55, 2), new RtcpCompound.Nack(0x55, 10)), RtcpCompound.genericNacks(compound));
    }

    /** draft-alvestrand-rmcat-remb-03 §2.2: the bitrate of a REMB, as written by {@link RtcpPackets}. */
    @Test
    void rembBitrateIsRead() {
        ByteBuffer compound = RtcpPackets.concat(RtcpPackets.compound(1, 0, 0, 0, 0, null, "c", false),
                RtcpPackets.receiverEstimatedMaximumBitrate(1, 1_500_000, 7, 8));
        assertEquals(1_500_000, RtcpCompound.receiverEstimatedMaximumBitrate(compound),
                "187500 x 2^3: an 18-bit mantissa and a 6-bit exponent");
        assertEquals(-1, RtcpCompound.receiverEstimatedMaximumBitrate(
                RtcpPackets.compound(1, 0, 0, 0, 0, null, "c", false)), "no REMB");
    }
}
