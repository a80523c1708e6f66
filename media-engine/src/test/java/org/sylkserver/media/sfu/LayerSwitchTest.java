package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
