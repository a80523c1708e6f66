package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sylkserver.media.sfu.PayloadDescriptor.VP9;

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
        assertEquals(0x1234, VP9.pictureId(packet, 4, 12));
        assertTrue(VP9.longPictureId(packet, 4, 12), "M: 15 bits");
        assertEquals(77, VP9.tl0PicIdx(packet, 4, 12));
        VP9.pictureId(packet, 4, 12, 0x8001);
        VP9.tl0PicIdx(packet, 4, 12, 256 + 3);
        assertEquals(0x0001, VP9.pictureId(packet, 4, 12), "modulo 2^15");
        assertEquals(3, VP9.tl0PicIdx(packet, 4, 12), "modulo 2^8");
        assertEquals(0x20, packet.get(7), "TID/U/SID/D untouched");

        ByteBuffer shortId = ByteBuffer.wrap(new byte[]{(byte) 0x88, 0x7f, 0x00});
        assertEquals(0x7f, VP9.pictureId(shortId, 0, 3), "7 bits when M is clear");
        VP9.pictureId(shortId, 0, 3, 0x80);
        assertEquals(0, VP9.pictureId(shortId, 0, 3), "modulo 2^7");
        assertEquals(PayloadDescriptor.NONE, VP9.tl0PicIdx(shortId, 0, 3), "no L");
        ByteBuffer flexible = ByteBuffer.wrap(new byte[]{(byte) 0xb8, 0x05, 0x00, 0x42});
        assertEquals(PayloadDescriptor.NONE, VP9.tl0PicIdx(flexible, 0, 4), "F: no TL0PICIDX");
        assertEquals(5, VP9.pictureId(flexible, 0, 4));
        assertEquals(PayloadDescriptor.NONE, VP9.pictureId(ByteBuffer.wrap(new byte[]{0x08, 0}), 0, 2),
                "I clear: no picture id");
    }

    /**
     * §4.2: a key frame begins a picture (B) that is not inter-picture predicted (P clear); of a spatially scalable
     * stream, only its base layer (SID 0) is one a decoder can start with.
     */
    @Test
    void aKeyframeBeginsAPictureWithoutInterPrediction_rfc9628_4_2() {
        assertTrue(VP9.startsKeyframe(payload(true, false, 1, 0, 1), 4, 12));
        assertFalse(VP9.startsKeyframe(payload(true, true, 1, 0, 1), 4, 12), "P set: inter-predicted");
        assertFalse(VP9.startsKeyframe(payload(false, false, 1, 0, 1), 4, 12), "not the picture's start");
        assertFalse(VP9.startsKeyframe(payload(true, false, 1, 1, 1), 4, 12), "a spatial layer above 0");
        assertTrue(VP9.startsKeyframe(ByteBuffer.wrap(new byte[]{0x08, 0x00}), 0, 2),
                "neither picture id nor layer indices");
    }

    /** Bad input: descriptors cut short answer "none", never read past the payload. */
    @Test
    void aTruncatedDescriptorIsNone() {
        ByteBuffer cut = ByteBuffer.wrap(new byte[]{(byte) 0xa8, (byte) 0x80});
        assertEquals(PayloadDescriptor.NONE, VP9.pictureId(cut, 0, 2), "a 15-bit id cut short");
        assertEquals(PayloadDescriptor.NONE, VP9.tl0PicIdx(cut, 0, 2));
        assertFalse(VP9.startsKeyframe(cut, 0, 2));
        assertFalse(VP9.startsKeyframe(cut, 0, 0));
        assertFalse(VP9.startsKeyframe(ByteBuffer.wrap(new byte[]{(byte) 0xa8, 0x01}), 0, 2),
                "layer indices missing");
    }
}
