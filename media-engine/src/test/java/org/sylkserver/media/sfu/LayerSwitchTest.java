package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sylkserver.media.sfu.H264DescriptorTest.IDR;
import static org.sylkserver.media.sfu.H264DescriptorTest.IDR_SECOND_SLICE;
import static org.sylkserver.media.sfu.H264DescriptorTest.NON_IDR;
import static org.sylkserver.media.sfu.H264DescriptorTest.PPS;
import static org.sylkserver.media.sfu.H264DescriptorTest.SPS;
import static org.sylkserver.media.sfu.H264DescriptorTest.fuA;
import static org.sylkserver.media.sfu.H264DescriptorTest.stapA;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** {@link LayerSwitch}: a feed changes simulcast layer (RFC 8853) only at a key frame of the layer it moves to. */
class LayerSwitchTest {

    @Test
    void switchesOnlyOnAKeyframeOfTheTarget_rfc7667_3_7() {
        LayerSwitch layers = new LayerSwitch();
        assertFalse(layers.forwards(0, false), "nothing before a target");
        layers.target(0);
        assertTrue(layers.wantsKeyframe());
        assertFalse(layers.forwards(0, false), "no key frame yet: the browser could not decode");
        assertFalse(layers.forwards(1, true), "a key frame of another layer");
        assertTrue(layers.forwards(0, true));
        assertTrue(layers.switched());
        assertFalse(layers.wantsKeyframe());
        assertTrue(layers.forwards(0, false));

        layers.target(2);
        assertTrue(layers.wantsKeyframe(), "ask the publisher for a key frame of layer 2");
        assertTrue(layers.forwards(0, false), "the current layer goes on until then");
        assertFalse(layers.forwards(2, false));
        assertFalse(layers.switched());
        assertTrue(layers.forwards(2, true));
        assertTrue(layers.switched());
        assertEquals(2, layers.current());
        assertFalse(layers.forwards(0, true), "the old layer is dropped");
        layers.target(-1);
        assertEquals(2, layers.current(), "no layer sending: stay");
    }

    /**
     * RFC 6184 payloads of an H.264 publisher's two layers: a feed starts, and moves to the other layer, only at a
     * key frame (the STAP-A with the parameter sets, or an IDR picture's first slice), never at a non-IDR slice nor
     * in the middle of an IDR picture; the layer it leaves goes on until then.
     */
    @Test
    void h264LayersSwitchOnlyAtAKeyframe_rfc6184() {
        byte[] idr = Arrays.copyOf(IDR, 3000);
        byte[][] idrFragments = fuA(idr, 1100);
        byte[] secondSlice = fuA(Arrays.copyOf(IDR_SECOND_SLICE, 3000), 1100)[0];
        LayerSwitch layers = new LayerSwitch();
        layers.target(0);
        assertFalse(forwards(layers, 0, idrFragments[1]), "joined in the middle of an IDR picture");
        assertFalse(forwards(layers, 0, NON_IDR));
        assertTrue(forwards(layers, 0, stapA(SPS, PPS)), "the parameter sets start the key frame");
        assertTrue(layers.switched());
        for (byte[] fragment : idrFragments) {
            assertTrue(forwards(layers, 0, fragment), "the rest of the IDR picture");
        }
        assertTrue(forwards(layers, 0, NON_IDR));

        layers.target(1);
        assertFalse(forwards(layers, 1, NON_IDR), "a non-IDR slice of the target");
        assertFalse(forwards(layers, 1, secondSlice), "an IDR picture's second slice");
        assertFalse(forwards(layers, 1, idrFragments[2]), "the end of an IDR slice");
        assertTrue(forwards(layers, 0, NON_IDR), "the current layer goes on meanwhile");
        assertFalse(layers.switched());
        assertTrue(forwards(layers, 1, stapA(SPS, PPS, IDR)), "one STAP-A with the whole key frame");
        assertTrue(layers.switched());
        assertEquals(1, layers.current());
        assertFalse(forwards(layers, 0, stapA(SPS, PPS, IDR)), "the old layer is dropped, key frame or not");
        assertTrue(forwards(layers, 1, NON_IDR));
    }

    /** What the feed does with a video packet (Feed.forwardsLayer): the descriptor is read while a switch waits. */
    private static boolean forwards(LayerSwitch layers, int layer, byte[] payload) {
        boolean keyframe = layers.wantsKeyframe()
                && PayloadDescriptor.H264.startsKeyframe(ByteBuffer.wrap(payload), 0, payload.length);
        return layers.forwards(layer, keyframe);
    }
}
