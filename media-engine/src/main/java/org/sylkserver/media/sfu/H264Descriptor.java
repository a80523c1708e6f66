package org.sylkserver.media.sfu;

import java.nio.ByteBuffer;

/**
 * Where H.264 key frames start in RTP payloads of RFC 6184's non-interleaved packetization (what browsers send,
 * packetization modes 0 and 1), read in place from the NAL unit headers (§5.3: F, NRI, type) of:
 *
 * <pre>
 *  type 1-23   single NAL unit packet (§5.6): the NAL unit itself
 *  type 24     STAP-A (§5.7.1): 16-bit size, NAL unit, repeated
 *  type 28     FU-A (§5.8): FU indicator, FU header S|E|R|type, a fragment of the NAL unit
 * </pre>
 *
 * A key frame starts with a sequence or picture parameter set (NAL types 7 and 8, which come before the first slice
 * of an access unit, H.264 §7.4.1.2.3) or with the first slice of an IDR picture (type 5 whose first_mb_in_slice is
 * 0, H.264 §7.3.3: the slice header's first Exp-Golomb code, 0 being the single bit 1); a later slice of the same IDR
 * picture is not a start, the decoder would miss the picture's first macroblocks. Chrome sends the parameter sets
 * ahead of every IDR picture, aggregated in one STAP-A, so a feed switches there and the subscriber's decoder gets
 * the new layer's resolution with them. H.264 numbers no pictures: the picture id methods are the defaults.
 * Interleaved mode packets (STAP-B, MTAP, FU-B) start no key frame here.
 */
final class H264Descriptor implements PayloadDescriptor {

    private static final int IDR = 5;
    private static final int SEI = 6;
    private static final int SPS = 7;
    private static final int PPS = 8;
    private static final int ACCESS_UNIT_DELIMITER = 9;
    private static final int STAP_A = 24;
    private static final int FU_A = 28;

    /**
     * Whether the payload starts a key frame: a single NAL unit packet or an FU-A with its S bit set whose NAL unit
     * starts one, or a STAP-A whose first NAL unit after any access unit delimiter and SEI starts one.
     */
    @Override
    public boolean startsKeyframe(ByteBuffer packet, int at, int length) {
        if (length < 1 || (packet.get(at) & 0x80) != 0) {
            return false; // §5.3: F set, the NAL unit may hold bit errors
        }
        int type = packet.get(at) & 0x1f;
        int end = at + length;
        if (type < STAP_A) {
            return type != 0 && startsKeyframe(type, packet, at + 1, end);
        }
        if (type == STAP_A) {
            for (int unit = at + 1; unit + 2 < end; ) {
                int size = packet.getShort(unit) & 0xffff;
                int start = unit + 2;
                if (size == 0 || start + size > end) {
                    return false;
                }
                int unitType = packet.get(start) & 0x1f;
                if (unitType != ACCESS_UNIT_DELIMITER && unitType != SEI) {
                    return startsKeyframe(unitType, packet, start + 1, start + size);
                }
                unit = start + size;
            }
            return false;
        }
        if (type == FU_A && length >= 3) {
            int header = packet.get(at + 1) & 0xff;
            return (header & 0x80) != 0 && startsKeyframe(header & 0x1f, packet, at + 2, end);
        }
        return false;
    }

    /** Whether a NAL unit of {@code type}, its bytes after its header from {@code body} to {@code end}, starts one. */
    private static boolean startsKeyframe(int type, ByteBuffer packet, int body, int end) {
        return switch (type) {
            case SPS, PPS -> true;
            case IDR -> body < end && (packet.get(body) & 0x80) != 0;
            default -> false;
        };
    }
}
