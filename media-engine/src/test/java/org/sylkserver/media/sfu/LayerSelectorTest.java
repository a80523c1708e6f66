package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link LayerSelector}: the simulcast layer (RFC 8853) that fits a feed's bandwidth and its user's wish. */
class LayerSelectorTest {

    /** Three layers in the order the publisher named them (Chrome's rid order: q, h, f), in bit/s. */
    private static final long[] LAYERS = {150_000, 500_000, 1_700_000};

    @Test
    void theBestLayerWithinTheBudget() {
        LayerSelector selector = new LayerSelector();
        assertEquals(LayerSelector.INITIAL_ESTIMATE, selector.budget());
        assertEquals(1, selector.choose(LAYERS), "the initial estimate");
        assertEquals(2, selector.choose(new long[]{1_200_000, 0, 80_000}), "layers in any order, by their bitrate");
        assertEquals(1, selector.choose(new long[]{150_000, 500_000, 0}), "a layer not sending is not chosen");
        assertEquals(-1, selector.choose(new long[]{0, 0, 0}));
    }

    /** Spec §4.4: videoroom-session-update {@code bitrate} on a feed caps what it gets. */
    @Test
    void theUsersCapWins() {
        LayerSelector selector = new LayerSelector();
        selector.cap(200_000);
        assertEquals(0, selector.choose(LAYERS));
        selector.cap(100_000);
        assertEquals(0, selector.choose(LAYERS), "nothing fits: the lowest, never nothing");
        selector.cap(Long.MAX_VALUE);
        assertEquals(1, selector.choose(LAYERS));
    }

    /** draft-ietf-rmcat-gcc-02 §6: more than 10 % loss shrinks the estimate, less than 2 % grows it slowly. */
    @Test
    void theLossOfReceiverReportsMovesTheEstimate_gcc_6() {
        LayerSelector selector = new LayerSelector();
        for (int i = 0; i < 5; i++) {
            selector.lossReport(77, 500_000); // 30 % lost
        }
        assertEquals(0, selector.choose(LAYERS));
        long low = selector.budget();
        selector.lossReport(13, 150_000); // 5 %: unchanged
        assertEquals(low, selector.budget());
        for (int i = 0; i < 50; i++) {
            selector.lossReport(0, 150_000);
        }
        assertTrue(selector.budget() > low);
        assertEquals(2, selector.choose(LAYERS), "up to the top layer once the loss is gone");
    }

    /**
     * A REMB below what the feed sends lowers the estimate; one above it does not raise it (a receiver's estimate
     * follows what it receives, draft-alvestrand-rmcat-remb-03 §2).
     */
    @Test
    void aRembOnlyLowersTheEstimate() {
        LayerSelector selector = new LayerSelector();
        selector.remb(5_000_000, 500_000);
        assertEquals(1, selector.choose(LAYERS), "no higher than the estimate");
        selector.remb(300_000, 500_000);
        assertEquals(300_000, selector.budget());
        assertEquals(0, selector.choose(LAYERS));
    }
}
