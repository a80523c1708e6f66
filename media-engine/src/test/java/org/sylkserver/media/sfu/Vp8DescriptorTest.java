package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sylkserver.media.sfu.PayloadDescriptor.VP8;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

/** {@link Vp8Descriptor}: the VP8 payload descriptor of RFC 7741 §4.2 and the key frame flag of §4.3. */
class Vp8DescriptorTest {

    /**
     * A payload after 4 bytes of something else: X and S set, PID 0; I, L and T; a 15-bit picture id; TL0PICIDX;
     * TID/Y/KEYIDX; then the first byte of the VP8 payload header ({@code frameHeader}).
     */
    static ByteBuffer payload(boolean start, int pictureId, int tl0, int frameHeader) {
        return ByteBuffer.allocate(16).putInt(0).put((byte) (0x80 | (start ? 0x10 : 0))).put((byte) 0xe0)
                .putShort((short) (0x8000 | pictureId)).put((byte) tl0).put((byte) 0x40).put((byte) frameHeader)
                .put(new byte[5]).flip();
    }

    @Test
    void pictureIdAndTl0PicIdxAreReadAndWrittenInPlace_rfc7741_4_2() {
        ByteBuffer packet = payload(true, 0x1234, 77, 0x00);
        assertEquals(0x1234, VP8.pictureId(packet, 4, 12));
        assertTrue(VP8.longPictureId(packet, 4, 12), "M: 15 bits");
        assertEquals(77, VP8.tl0PicIdx(packet, 4, 12));
        VP8.pictureId(packet, 4, 12, 0x8001);
        VP8.tl0PicIdx(packet, 4, 12, 256 + 3);
        assertEquals(0x0001, VP8.pictureId(packet, 4, 12), "modulo 2^15");
        assertEquals(3, VP8.tl0PicIdx(packet, 4, 12), "modulo 2^8");
        assertEquals(0x40, packet.get(9), "TID/Y/KEYIDX untouched");

        ByteBuffer shortId = ByteBuffer.wrap(new byte[]{(byte) 0x90, (byte) 0x80, 0x7f, 0x00});
        assertEquals(0x7f, VP8.pictureId(shortId, 0, 4), "7 bits when M is clear");
        VP8.pictureId(shortId, 0, 4, 0x80);
        assertEquals(0, VP8.pictureId(shortId, 0, 4), "modulo 2^7");
        assertEquals(PayloadDescriptor.NONE, VP8.tl0PicIdx(shortId, 0, 4), "no L");
    }

    /** §4.3: P, the inverse key frame flag, in the payload header of the first packet of partition 0. */
    @Test
    void aKeyframeStartsPartitionZeroWithPClear_rfc7741_4_3() {
        assertTrue(VP8.startsKeyframe(payload(true, 1, 1, 0x10), 4, 12));
        assertFalse(VP8.startsKeyframe(payload(true, 1, 1, 0x11), 4, 12), "P set: an interframe");
        assertFalse(VP8.startsKeyframe(payload(false, 1, 1, 0x10), 4, 12), "not the partition's start");
        ByteBuffer plain = ByteBuffer.wrap(new byte[]{0x10, 0x10, 0x00});
        assertTrue(VP8.startsKeyframe(plain, 0, 3), "without X the payload header comes second");
    }

    /** Bad input: descriptors cut short answer "none", never read past the payload. */
    @Test
    void aTruncatedDescriptorIsNone() {
        ByteBuffer cut = ByteBuffer.wrap(new byte[]{(byte) 0x90, (byte) 0xe0, (byte) 0x80});
        assertEquals(PayloadDescriptor.NONE, VP8.pictureId(cut, 0, 3));
        assertEquals(PayloadDescriptor.NONE, VP8.tl0PicIdx(cut, 0, 2));
        assertFalse(VP8.startsKeyframe(cut, 0, 3));
        assertFalse(VP8.startsKeyframe(cut, 0, 0));
    }
}
