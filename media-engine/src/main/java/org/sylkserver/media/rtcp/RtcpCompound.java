package org.sylkserver.media.rtcp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a received RTCP compound packet (RFC 3550 §6.1: RTCP packets stacked in one datagram, each with its own
 * common header), the one RTCP parser of the media engine: the validity check of a receive path, the sender report
 * an audio endpoint's reception statistics need, the SSRCs a relay routes by.
 *
 * <p>What it reads of each packet: the common header (version, count, type, length, §6.4.1), the sender's SSRC, a
 * sender report's NTP timestamp (§6.4.1), the report blocks of SR and RR (§6.4.1, §6.4.2), and the media source of
 * RFC 4585 feedback (§6.1: transport layer, PT 205, and payload-specific, PT 206). Other packet types (SDES, BYE,
 * APP, XR) are listed with their sender SSRC only.
 */
public final class RtcpCompound {

    /** RFC 3550 §12.1 and RFC 4585 §6.1 packet types. */
    public static final int SR = 200;
    public static final int RR = 201;
    public static final int SDES = 202;
    public static final int BYE = 203;
    public static final int RTPFB = 205;
    public static final int PSFB = 206;

    private static final int REPORT_BLOCK_LENGTH = 24;

    /**
     * One packet of the compound.
     *
     * @param type         packet type (PT)
     * @param count        the five-bit count field (report blocks for SR/RR, FMT for feedback)
     * @param senderSsrc   the SSRC of its sender (the first word after the common header)
     * @param ntpTimestamp a sender report's 64-bit NTP timestamp, else 0
     * @param reports      a sender or receiver report's blocks, else empty
     * @param mediaSource  the SSRC that RFC 4585 feedback is about, else -1
     */
    public record Packet(int type, int count, long senderSsrc, long ntpTimestamp, List<ReportBlock> reports,
                         long mediaSource) {

        /** The middle 32 bits of a sender report's NTP timestamp (what a later report block returns as LSR). */
        public long ntpMiddle32() {
            return (ntpTimestamp >>> 16) & 0xffffffffL;
        }
    }

    /**
     * One packet a generic NACK asks for again (RFC 4585 §6.2.1).
     *
     * @param mediaSource the SSRC of the stream the packet belongs to
     * @param sequence    its RTP sequence number
     */
    public record Nack(long mediaSource, int sequence) {
    }

    /** RFC 4585 §6.1: FMT of a generic NACK (transport layer feedback) and of a PLI (payload-specific). */
    public static final int FMT_NACK = 1;
    public static final int FMT_PLI = 1;
    /** RFC 5104 §4.3.1: FMT of a Full Intra Request (payload-specific). */
    public static final int FMT_FIR = 4;
    /** RFC 4585 §6.4: FMT of application layer feedback (payload-specific), which carries REMB. */
    public static final int FMT_AFB = 15;

    private RtcpCompound() {
    }

    /**
     * The packets the generic NACKs of a compound ask for (RFC 4585 §6.2.1): each FCI entry names a lost packet
     * (PID) and, in its bitmask BLP, which of the 16 following ones are lost too (bit i for PID + i + 1).
     */
    public static List<Nack> genericNacks(ByteBuffer datagram) {
        List<Nack> nacks = new ArrayList<>();
        int end = datagram.limit();
        for (int offset = datagram.position(); offset + 8 <= end; ) {
            int first = datagram.get(offset) & 0xff;
            int type = datagram.get(offset + 1) & 0xff;
            int length = 4 * ((datagram.getShort(offset + 2) & 0xffff) + 1);
            int packetEnd = Math.min(end, offset + length);
            if (type == RTPFB && (first & 0x1f) == FMT_NACK && offset + 12 <= packetEnd) {
                long media = word(datagram, offset + 8);
                for (int fci = offset + 12; fci + 4 <= packetEnd; fci += 4) {
                    int pid = datagram.getShort(fci) & 0xffff;
                    int mask = datagram.getShort(fci + 2) & 0xffff;
                    nacks.add(new Nack(media, pid));
                    for (int bit = 0; bit < 16; bit++) {
                        if ((mask & (1 << bit)) != 0) {
                            nacks.add(new Nack(media, (pid + bit + 1) & 0xffff));
                        }
                    }
                }
            }
            offset += length;
        }
        return nacks;
    }

    /**
     * The bitrate of the first Receiver Estimated Maximum Bitrate message of a compound
     * (draft-alvestrand-rmcat-remb-03 §2.2: PSFB, FMT 15, media source 0, {@code REMB}, the SSRC count, a 6-bit
     * exponent and an 18-bit mantissa), in bit/s, or -1 when it has none.
     */
    public static long receiverEstimatedMaximumBitrate(ByteBuffer datagram) {
        int end = datagram.limit();
        for (int offset = datagram.position(); offset + 8 <= end; ) {
            int first = datagram.get(offset) & 0xff;
            int type = datagram.get(offset + 1) & 0xff;
            int length = 4 * ((datagram.getShort(offset + 2) & 0xffff) + 1);
            if (type == PSFB && (first & 0x1f) == FMT_AFB && length >= 20 && offset + 20 <= end
                    && datagram.getInt(offset + 12) == 0x52454d42) {
                int field = datagram.getInt(offset + 16);
                int exponent = (field >>> 18) & 0x3f;
                long mantissa = field & 0x3ffff;
                return exponent > 45 ? Long.MAX_VALUE : mantissa << exponent;
            }
            offset += length;
        }
        return -1;
    }

    /**
     * Whether the datagram starts like a valid RTCP compound packet (RFC 3550 Appendix A.2, loosened as RFC 5506
     * allows for reduced-size RTCP): version 2, an RTCP packet type (RFC 5761 §4: 192-223), and a first packet
     * whose length fits in the datagram. Later packets are not checked: {@link #parse} stops where they end.
     */
    public static boolean isValid(ByteBuffer datagram) {
        int start = datagram.position();
        if (datagram.remaining() < 8 || (datagram.get(start) & 0xc0) != 0x80 || !isRtcpType(datagram)) {
            return false;
        }
        return 4 * ((datagram.getShort(start + 2) & 0xffff) + 1) <= datagram.remaining();
    }

    /**
     * Whether a datagram on a port that carries RTP and RTCP is RTCP (RFC 5761 §4: the second octet, the RTCP
     * packet type, is in 192-223, which RTP payload types avoid).
     */
    public static boolean isRtcpType(ByteBuffer datagram) {
        if (datagram.remaining() < 2) {
            return false;
        }
        int type = datagram.get(datagram.position() + 1) & 0xff;
        return type >= 192 && type <= 223;
    }

    /**
     * The packets of the compound from {@code datagram}'s position to its limit, in order; the buffer's position is
     * left alone. A packet too short for its sender SSRC ends the list; report blocks that do not fit are left out.
     */
    public static List<Packet> parse(ByteBuffer datagram) {
        List<Packet> packets = new ArrayList<>(3);
        int start = datagram.position();
        int end = datagram.limit();
        for (int offset = start; offset + 8 <= end; ) {
            int first = datagram.get(offset) & 0xff;
            int type = datagram.get(offset + 1) & 0xff;
            int count = first & 0x1f;
            int length = 4 * ((datagram.getShort(offset + 2) & 0xffff) + 1);
            long sender = word(datagram, offset + 4);
            long ntp = 0;
            long mediaSource = -1;
            List<ReportBlock> reports = List.of();
            if (type == SR && offset + 28 <= end) {
                ntp = datagram.getLong(offset + 8);
                reports = reportBlocks(datagram, offset + 28, count, end);
            } else if (type == RR) {
                reports = reportBlocks(datagram, offset + 8, count, end);
            } else if ((type == RTPFB || type == PSFB) && offset + 12 <= end) {
                mediaSource = word(datagram, offset + 8);
            }
            packets.add(new Packet(type, count, sender, ntp, reports, mediaSource));
            offset += length;
        }
        return packets;
    }

    /**
     * The sender report at the start of a compound, if it starts with one (RFC 3550 §6.1 puts SR or RR first).
     *
     * @return the SR, or null if the compound does not start with a complete SR header
     */
    public static Packet leadingSenderReport(ByteBuffer datagram) {
        if (datagram.remaining() < 28 || (datagram.get(datagram.position() + 1) & 0xff) != SR) {
            return null;
        }
        return parse(datagram).get(0);
    }

    /** RFC 3550 §6.4.1: each block is six words, {@code count} of them after the sender or receiver info. */
    private static List<ReportBlock> reportBlocks(ByteBuffer datagram, int at, int count, int end) {
        List<ReportBlock> blocks = new ArrayList<>(count);
        for (int i = 0; i < count && at + REPORT_BLOCK_LENGTH <= end; i++, at += REPORT_BLOCK_LENGTH) {
            int lost = datagram.getInt(at + 4);
            blocks.add(new ReportBlock(word(datagram, at), lost >>> 24, (lost << 8) >> 8, word(datagram, at + 8),
                    word(datagram, at + 12), word(datagram, at + 16), word(datagram, at + 20)));
        }
        return blocks;
    }

    private static long word(ByteBuffer datagram, int at) {
        return datagram.getInt(at) & 0xffffffffL;
    }
}
