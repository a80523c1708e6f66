package org.sylkserver.media.rtcp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Builds the RTCP compound packets the media engine sends (RFC 3550 §6.1: every compound packet starts with an SR
 * or RR and carries an SDES CNAME); {@link RtcpCompound} reads those it receives. Written by hand: the RTCP packets a
 * sender needs are a few fixed layouts, and the RTP libraries on Maven Central bring whole media stacks with them.
 */
public final class RtcpPackets {

    /** Seconds from 1900 (NTP epoch) to 1970 (Unix epoch). */
    private static final long NTP_UNIX_OFFSET = 2_208_988_800L;
    private static final int CNAME = 1;

    private RtcpPackets() {
    }

    /** The 64-bit NTP timestamp (RFC 3550 §4) of a wall-clock time in milliseconds since 1970. */
    public static long ntpTimestamp(long unixMillis) {
        long seconds = unixMillis / 1000 + NTP_UNIX_OFFSET;
        long fraction = ((unixMillis % 1000) << 32) / 1000;
        return (seconds << 32) | fraction;
    }

    /**
     * A compound packet: a sender report (RFC 3550 §6.4.1) when {@code packetsSent > 0}, else a receiver report
     * (§6.4.2), with at most one report block, then an SDES with the CNAME (§6.5), then a BYE (§6.6) if
     * {@code bye}.
     */
    public static ByteBuffer compound(long ssrc, long ntpTimestamp, long rtpTimestamp, long packetsSent,
                                      long octetsSent, ReportBlock block, String cname, boolean bye) {
        byte[] name = cname.getBytes(StandardCharsets.UTF_8);
        if (name.length > 255) {
            throw new IllegalArgumentException("CNAME longer than 255 bytes");
        }
        ByteBuffer out = ByteBuffer.allocate(28 + 24 + 12 + name.length + 4 + 8);
        boolean sender = packetsSent > 0;
        int blocks = block == null ? 0 : 1;
        int words = (sender ? 6 : 1) + 6 * blocks; // length in 32-bit words minus one
        out.put((byte) (0x80 | blocks)).put((byte) (sender ? RtcpCompound.SR : RtcpCompound.RR)).putShort((short) words).putInt((int) ssrc);
        if (sender) {
            out.putLong(ntpTimestamp).putInt((int) rtpTimestamp).putInt((int) packetsSent).putInt((int) octetsSent);
        }
        if (block != null) {
            out.putInt((int) block.ssrc());
            out.putInt((block.fractionLost() << 24) | (block.cumulativeLost() & 0xffffff));
            out.putInt((int) block.extendedHighestSeq()).putInt((int) block.jitter());
            out.putInt((int) block.lastSenderReport()).putInt((int) block.delaySinceLastReport());
        }
        // SDES: one chunk (SSRC, CNAME item), ended by at least one null octet up to a 32-bit boundary (§6.5)
        int items = 2 + name.length;
        int padded = (4 + items + 1 + 3) & ~3;
        out.put((byte) 0x81).put((byte) RtcpCompound.SDES).putShort((short) (padded / 4)).putInt((int) ssrc);
        out.put((byte) CNAME).put((byte) name.length).put(name);
        for (int i = 4 + items; i < padded; i++) {
            out.put((byte) 0);
        }
        if (bye) {
            out.put((byte) 0x81).put((byte) RtcpCompound.BYE).putShort((short) 1).putInt((int) ssrc);
        }
        return out.flip();
    }

    /** A Picture Loss Indication (RFC 4585 §6.3.1): {@code sender} asks the sender of {@code media} for a keyframe. */
    public static ByteBuffer pictureLossIndication(long sender, long media) {
        ByteBuffer out = ByteBuffer.allocate(12);
        out.put((byte) (0x80 | RtcpCompound.FMT_PLI)).put((byte) RtcpCompound.PSFB).putShort((short) 2);
        return out.putInt((int) sender).putInt((int) media).flip();
    }

    /** {@code first} followed by {@code second} in one compound packet (RFC 3550 §6.1). */
    public static ByteBuffer concat(ByteBuffer first, ByteBuffer second) {
        ByteBuffer out = ByteBuffer.allocate(first.remaining() + second.remaining());
        return out.put(first.duplicate()).put(second.duplicate()).flip();
    }

    /**
     * A Receiver Estimated Maximum Bitrate message (draft-alvestrand-rmcat-remb-03 §2.2, an application layer
     * feedback of RFC 4585 §6.4: PSFB with FMT 15, media source 0, the identifier {@code REMB}): {@code sender} tells
     * the sender of {@code ssrcs} to send at most {@code bitsPerSecond} in all, as an 18-bit mantissa and a 6-bit
     * exponent.
     */
    public static ByteBuffer receiverEstimatedMaximumBitrate(long sender, long bitsPerSecond, long... ssrcs) {
        if (bitsPerSecond < 0 || ssrcs.length == 0 || ssrcs.length > 255) {
            throw new IllegalArgumentException("REMB needs a bitrate >= 0 and 1-255 SSRCs");
        }
        int exponent = 0;
        long mantissa = bitsPerSecond;
        while (mantissa >= (1 << 18)) {
            mantissa >>= 1;
            exponent++;
        }
        ByteBuffer out = ByteBuffer.allocate(20 + 4 * ssrcs.length);
        out.put((byte) (0x80 | RtcpCompound.FMT_AFB)).put((byte) RtcpCompound.PSFB)
                .putShort((short) (4 + ssrcs.length));
        out.putInt((int) sender).putInt(0).put((byte) 'R').put((byte) 'E').put((byte) 'M').put((byte) 'B');
        out.put((byte) ssrcs.length).put((byte) ((exponent << 2) | (int) (mantissa >> 16)))
                .putShort((short) mantissa);
        for (long ssrc : ssrcs) {
            out.putInt((int) ssrc);
        }
        return out.flip();
    }

    /**
     * A generic NACK (RFC 4585 §6.2.1, transport layer feedback): {@code sender} asks the sender of {@code media}
     * for the {@code count} packets from sequence number {@code first} on, each FCI naming one packet (PID) and the
     * lost ones of the 16 after it (BLP).
     */
    public static ByteBuffer genericNack(long sender, long media, int first, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("a NACK asks for at least one packet: " + count);
        }
        int entries = (count + 16) / 17;
        ByteBuffer out = ByteBuffer.allocate(12 + 4 * entries);
        out.put((byte) (0x80 | RtcpCompound.FMT_NACK)).put((byte) RtcpCompound.RTPFB)
                .putShort((short) (2 + entries)).putInt((int) sender).putInt((int) media);
        for (int asked = 0; asked < count; asked += 17) {
            int following = Math.min(16, count - asked - 1);
            out.putShort((short) (first + asked)).putShort((short) ((1 << following) - 1));
        }
        return out.flip();
    }
}
