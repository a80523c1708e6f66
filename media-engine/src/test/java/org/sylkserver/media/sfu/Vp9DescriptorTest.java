package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

/** {@link Vp9Descriptor}: the VP9 payload descriptor of RFC 9628 §4.2. */
class Vp9DescriptorTest {

    /**
     * A payload after 4 bytes of something else, in non-flexible mode: I, L and B set, P as {@code inter}; a 15-bit
     * picture id; TID/U/SID/D with {@code sid}; TL0PICIDX; then payload bytes.
     */
    static ByteBuffer payload(boolean begins, boolean inter, int pictureId, int sid, int tl0) {
        int first = 0x80 | 0x20 | (inter ? 0x40 : 0) | (begins ? 0x08 : 0);
        return ByteBuffer.allocate(16).putInt(0).put((byte) first).putShort((short) (0x8000 | pictureId))
                .put((byte) (0x20 | (sid << 1))).put((byte) tl0).put(new byte[7]).flip();
    }

    @Test
    void pictureIdAndTl0PicIdxAreReadAndWrittenInPlace_rfc9628_4_2() {
        ByteBuffer packet = payload(true, false, 0x1234, 0, 77);
        assertEquals(0x1234, Vp9Descriptor.pictureId(packet, 4, 12));
        assertTrue(Vp9Descriptor.longPictureId(packet, 4, 12), "M: 15 bits");
        assertEquals(77, Vp9Descriptor.tl0PicIdx(packet, 4, 12));
        Vp9Descriptor.pictureId(packet, 4, 12, 0x8001);
        Vp9Descriptor.tl0PicIdx(packet, 4, 12, 256 + 3);
        assertEquals(0x0001, Vp9Descriptor.pictureId(packet, 4, 12), "modulo 2^15");
        assertEquals(3, Vp9Descriptor.tl0PicIdx(packet, 4, 12), "modulo 2^8");
        assertEquals(0x20, packet.get(7), "TID/U/SID/D untouched");

        ByteBuffer shortId = ByteBuffer.wrap(new byte[]{(byte) 0x88, 0x7f, 0x00});
        assertEquals(0x7f, Vp9Descriptor.pictureId(shortId, 0, 3), "7 bits when M is clear");
        Vp9Descriptor.pictureId(shortId, 0, 3, 0x80);
        assertEquals(0, Vp9Descriptor.pictureId(shortId, 0, 3), "modulo 2^7");
        assertEquals(Vp8Descriptor.NONE, Vp9Descriptor.tl0PicIdx(shortId, 0, 3), "no L");
        ByteBuffer flexible = ByteBuffer.wrap(new byte[]{(byte) 0xb8, 0x05, 0x00, 0x42});
        assertEquals(Vp8Descriptor.NONE, Vp9Descriptor.tl0PicIdx(flexible, 0, 4), "F: no TL0PICIDX");
        assertEquals(5, Vp9Descriptor.pictureId(flexible, 0, 4));
        assertEquals(Vp8Descriptor.NONE, Vp9Descriptor.pictureId(ByteBuffer.wrap(new byte[]{0x08, 0}), 0, 2),
                "I clear: no picture id");
    }

    /**
     * §4.2: a key frame begins a picture (B) that is not inter-picture predicted (P clear); of a spatially scalable
     * stream, only its base layer (SID 0) is one a decoder can start with.
     */
    @Test
    void aKeyframeBeginsAPictureWithoutInterPrediction_rfc9628_4_2() {
        assertTrue(Vp9Descriptor.startsKeyframe(payload(true, false, 1, 0, 1), 4, 12));
        assertFalse(Vp9Descriptor.startsKeyframe(payload(true, true, 1, 0, 1), 4, 12), "P set: inter-predicted");
        assertFalse(Vp9Descriptor.startsKeyframe(payload(false, false, 1, 0, 1), 4, 12), "not the picture's start");
        assertFalse(Vp9Descriptor.startsKeyframe(payload(true, false, 1, 1, 1), 4, 12), "a spatial layer above 0");
        assertTrue(Vp9Descriptor.startsKeyframe(ByteBuffer.wrap(new byte[]{0x08, 0x00}), 0, 2),
                "neither picture id nor layer indices");
    }

    /** Bad input: descriptors cut short answer "none", never read past the payload. */
    @Test
    void aTruncatedDescriptorIsNone() {
        ByteBuffer cut = ByteBuffer.wrap(new byte[]{(byte) 0xa8, (byte) 0x80});
        assertEquals(Vp8Descriptor.NONE, Vp9Descriptor.pictureId(cut, 0, 2), "a 15-bit id cut short");
        assertEquals(Vp8Descriptor.NONE, Vp9Descriptor.tl0PicIdx(cut, 0, 2));
        assertFalse(Vp9Descriptor.startsKeyframe(cut, 0, 2));
        assertFalse(Vp9Descriptor.startsKeyframe(cut, 0, 0));
        assertFalse(Vp9Descriptor.startsKeyframe(ByteBuffer.wrap(new byte[]{(byte) 0xa8, 0x01}), 0, 2),
                "layer indices missing");
    }
}
