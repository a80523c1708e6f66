package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sylkserver.media.sfu.PayloadDescriptor.VP8;
import static org.sylkserver.media.sfu.PayloadDescriptor.VP9;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

/**
 * {@link PictureRewriter}: one continuous run of picture ids and TL0PICIDX across layer switches, VP8 (RFC 7741 §4.2)
 * and VP9 (RFC 9628 §4.2).
 */
class PictureRewriterTest {

    private final PictureRewriter rewriter = new PictureRewriter(VP8);

    private int[] send(long ssrc, int pictureId, int tl0) {
        ByteBuffer packet = Vp8DescriptorTest.payload(true, pictureId, tl0, 0);
        rewriter.rewrite(ssrc, packet, 4, 12);
        return new int[]{VP8.pictureId(packet, 4, 12), VP8.tl0PicIdx(packet, 4, 12)};
    }

    @Test
    void picturesFollowOnAcrossLayerSwitches_rfc7741_4_2() {
        assertEquals(100, send(1, 100, 5)[0], "the first source as it is");
        send(1, 101, 6);
        int[] switched = send(2, 30000, 250);
        assertEquals(102, switched[0], "the next picture id after a switch");
        assertEquals(7, switched[1], "the next TL0PICIDX");
        assertEquals(103, send(2, 30001, 250)[0]);
        assertEquals(7, send(2, 30001, 250)[1], "a second packet of a picture keeps its id");
        int[] back = send(1, 140, 40);
        assertEquals(104, back[0], "back on the first layer: continuing, not where it was");
        assertEquals(8, back[1]);
    }

    @Test
    void pictureIdsWrapAt2To15_rfc7741_4_2() {
        assertEquals(0x7fff, send(1, 0x7fff, 1)[0]);
        assertEquals(0, send(2, 5, 1)[0], "the picture after 0x7fff is 0");
        assertEquals(1, send(2, 6, 1)[0]);
    }

    /** RFC 9628 §4.2: the VP9 descriptor's picture id and TL0PICIDX (non-flexible mode) go on across a switch too. */
    @Test
    void vp9PicturesFollowOnAcrossLayerSwitches_rfc9628_4_2() {
        PictureRewriter vp9 = new PictureRewriter(VP9);
        int[] first = vp9(vp9, 1, 0x7ffe, 200);
        assertEquals(0x7ffe, first[0]);
        assertEquals(200, first[1]);
        int[] switched = vp9(vp9, 2, 9, 17);
        assertEquals(0x7fff, switched[0], "the next picture id");
        assertEquals(201, switched[1], "the next TL0PICIDX");
        assertEquals(0, vp9(vp9, 2, 10, 18)[0], "wrapping at 2^15");
    }

    private static int[] vp9(PictureRewriter rewriter, long ssrc, int pictureId, int tl0) {
        ByteBuffer packet = Vp9DescriptorTest.payload(true, false, pictureId, 0, tl0);
        rewriter.rewrite(ssrc, packet, 4, 12);
        return new int[]{VP9.pictureId(packet, 4, 12), VP9.tl0PicIdx(packet, 4, 12)};
    }
}
