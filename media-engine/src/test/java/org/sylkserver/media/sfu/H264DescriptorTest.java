package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sylkserver.media.sfu.PayloadDescriptor.H264;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/**
 * {@link H264Descriptor}: where H.264 key frames start in RFC 6184 payloads (NAL unit header §5.3: F|NRI|type).
 * The NAL units are Chrome's (OpenH264, Constrained Baseline): an SPS and a PPS, then slices whose header begins with
 * first_mb_in_slice as an Exp-Golomb code (H.264 §7.3.3, §9.1: 0 is the bit 1, 1 is the bits 010).
 */
class H264DescriptorTest {

    /** SPS (type 7, NRI 3): profile_idc 66, constraints, level 3.1, then the rest of the set. */
    static final byte[] SPS = bytes(0x67, 0x42, 0xc0, 0x1f, 0x8c, 0x8d, 0x40);
    /** PPS (type 8, NRI 3). */
    static final byte[] PPS = bytes(0x68, 0xce, 0x3c, 0x80);
    /** The first slice of an IDR picture (type 5): first_mb_in_slice 0, slice_type 7 (I), the data. */
    static final byte[] IDR = bytes(0x65, 0x88, 0x84, 0x00, 0x33, 0xff);
    /** A later slice of the same IDR picture: first_mb_in_slice 1. */
    static final byte[] IDR_SECOND_SLICE = bytes(0x65, 0x48, 0x84, 0x00, 0x33, 0xff);
    /** The first slice of a non-IDR picture (type 1, NRI 2): first_mb_in_slice 0, slice_type 5 (P). */
    static final byte[] NON_IDR = bytes(0x41, 0x9a, 0x02, 0x0c, 0x1e);

    static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    /** A single NAL unit packet (§5.6): the NAL unit is the payload. */
    static byte[] single(byte[] unit) {
        return unit.clone();
    }

    /** A STAP-A (§5.7.1): its NAL header (type 24, the highest NRI of its units), then size and unit for each. */
    static byte[] stapA(byte[]... units) {
        ByteBuffer payload = ByteBuffer.allocate(1 + Arrays.stream(units).mapToInt(u -> 2 + u.length).sum());
        payload.put((byte) 0x78);
        for (byte[] unit : units) {
            payload.putShort((short) unit.length).put(unit);
        }
        return payload.array();
    }

    /**
     * The FU-A packets (§5.8) of {@code unit} in fragments of {@code size} bytes: the FU indicator (the unit's F and
     * NRI, type 28), the FU header (S on the first, E on the last, the unit's type), the fragment (the unit without
     * its header).
     */
    static byte[][] fuA(byte[] unit, int size) {
        int fragments = (unit.length - 1 + size - 1) / size;
        byte[][] packets = new byte[fragments][];
        for (int i = 0; i < fragments; i++) {
            int from = 1 + i * size;
            int to = Math.min(unit.length, from + size);
            ByteBuffer packet = ByteBuffer.allocate(2 + to - from);
            packet.put((byte) ((unit[0] & 0xe0) | 28));
            packet.put((byte) ((i == 0 ? 0x80 : 0) | (i == fragments - 1 ? 0x40 : 0) | (unit[0] & 0x1f)));
            packet.put(unit, from, to - from);
            packets[i] = packet.array();
        }
        return packets;
    }

    /** Whether {@code payload}, put at offset 4 of a larger buffer (an RTP header before, bytes after), starts one. */
    private static boolean startsKeyframe(byte[] payload) {
        ByteBuffer packet = ByteBuffer.allocate(4 + payload.length + 8);
        packet.position(4);
        packet.put(payload);
        // what follows is not the payload's: read as a slice header or a STAP-A size, it would make a key frame
        packet.put(bytes(0x88, 0x00, 0x05, 0x65, 0x88, 0x84, 0x00, 0x00));
        return H264.startsKeyframe(packet, 4, payload.length);
    }

    @Test
    void singleNalUnitPackets_rfc6184_5_6() {
        assertTrue(startsKeyframe(single(IDR)), "an IDR picture's first slice");
        assertTrue(startsKeyframe(single(SPS)), "a sequence parameter set: before the IDR picture");
        assertTrue(startsKeyframe(single(PPS)), "a picture parameter set: before the IDR picture");
        assertFalse(startsKeyframe(single(NON_IDR)), "a non-IDR slice refers to pictures the subscriber lacks");
        assertFalse(startsKeyframe(single(IDR_SECOND_SLICE)), "the IDR picture's first macroblocks came before");
        assertFalse(startsKeyframe(bytes(0x06, 0x05, 0x01, 0x80)), "SEI");
        assertFalse(startsKeyframe(bytes(0x09, 0xf0)), "access unit delimiter");
        assertFalse(startsKeyframe(bytes(0x65)), "an IDR slice with no slice header");
    }

    /** §5.7.1 (Figure 7's shape): Chrome aggregates the parameter sets, and the IDR slice when it fits, in one. */
    @Test
    void aStapAWithTheParameterSets_rfc6184_5_7_1() {
        assertTrue(startsKeyframe(stapA(SPS, PPS, IDR)));
        assertTrue(startsKeyframe(stapA(SPS, PPS)), "the IDR slice follows in FU-As");
        assertTrue(startsKeyframe(stapA(bytes(0x09, 0xf0), bytes(0x06, 0x05, 0x01, 0x80), SPS, PPS)),
                "an access unit delimiter and SEI come first in an access unit (H.264 §7.4.1.2.3)");
        assertFalse(startsKeyframe(stapA(NON_IDR, NON_IDR)), "slices of a non-IDR picture");
        assertFalse(startsKeyframe(stapA(bytes(0x06, 0x05, 0x01, 0x80))), "SEI alone");
    }

    /** §5.8: the S bit marks the fragment that begins the NAL unit; only there is the slice header. */
    @Test
    void fuAStartMiddleAndEnd_rfc6184_5_8() {
        byte[] idr = new byte[40];
        System.arraycopy(IDR, 0, idr, 0, IDR.length);
        byte[][] fragments = fuA(idr, 13);
        assertEquals(3, fragments.length);
        assertEquals((byte) 0x7c, fragments[0][0], "FU indicator: NRI 3, type 28");
        assertEquals((byte) 0x85, fragments[0][1], "FU header: S, type 5");
        assertTrue(startsKeyframe(fragments[0]), "start of an IDR slice");
        assertFalse(startsKeyframe(fragments[1]), "middle");
        assertFalse(startsKeyframe(fragments[2]), "end");
        byte[] nonIdr = new byte[40];
        System.arraycopy(NON_IDR, 0, nonIdr, 0, NON_IDR.length);
        assertFalse(startsKeyframe(fuA(nonIdr, 13)[0]), "start of a non-IDR slice");
        byte[] second = new byte[40];
        System.arraycopy(IDR_SECOND_SLICE, 0, second, 0, IDR_SECOND_SLICE.length);
        assertFalse(startsKeyframe(fuA(second, 13)[0]), "start of an IDR picture's second slice");
    }

    /** Malformed or other packets start nothing, and nothing is read beyond the payload. */
    @Test
    void brokenAndInterleavedPacketsStartNothing_rfc6184_5_3() {
        assertFalse(startsKeyframe(new byte[0]));
        assertFalse(startsKeyframe(bytes(0xe5, 0x88, 0x84)), "F set: the unit may hold bit errors (§5.3)");
        assertFalse(startsKeyframe(bytes(0x00, 0x88)), "type 0 is unspecified");
        assertFalse(startsKeyframe(bytes(0x7c, 0x85)), "an FU-A with no fragment");
        assertFalse(startsKeyframe(bytes(0x78, 0x00, 0x09, 0x67, 0x42)), "a STAP-A unit longer than the payload");
        assertFalse(startsKeyframe(bytes(0x78, 0x00, 0x00, 0x67, 0x42)), "a STAP-A unit of size 0");
        assertFalse(startsKeyframe(bytes(0x78, 0x00)), "a STAP-A cut in its first size");
        byte[] stapB = stapA(SPS, PPS);
        stapB[0] = 0x79;
        assertFalse(startsKeyframe(stapB), "STAP-B: interleaved mode, not negotiated");
        byte[] fuB = fuA(IDR, 3)[0];
        fuB[0] = (byte) 0x7d;
        assertFalse(startsKeyframe(fuB), "FU-B: interleaved mode, not negotiated");
    }

    /** H.264 numbers no pictures (RFC 6184 has no payload descriptor): nothing to read, nothing written. */
    @Test
    void noPictureIds() {
        ByteBuffer packet = ByteBuffer.wrap(stapA(SPS, PPS, IDR));
        byte[] before = packet.array().clone();
        assertEquals(PayloadDescriptor.NONE, H264.pictureId(packet, 0, before.length));
        assertEquals(PayloadDescriptor.NONE, H264.tl0PicIdx(packet, 0, before.length));
        new PictureRewriter(H264).rewrite(1, packet, 0, before.length);
        H264.pictureId(packet, 0, before.length, 5);
        assertEquals(ByteBuffer.wrap(before), packet);
    }
}
