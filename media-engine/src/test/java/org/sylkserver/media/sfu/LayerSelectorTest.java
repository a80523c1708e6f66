package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import org.junit.jupiter.api.Test;
import org.sylkserver.media.rtcp.TransportFeedback;

/**
 * {@link LayerSelector}: the simulcast layer (RFC 8853) that fits a feed's bandwidth and its user's wish, and that
 * changes only when the bandwidth changed for good.
 */
class LayerSelectorTest {

    /** Three layers in the order the publisher named them (Chrome's rid order: q, h, f), in bit/s. */
    private static final long[] LAYERS = {150_000, 500_000, 1_700_000};
    private static final long SECOND = 1_000_000_000L;

    @Test
    void theBestLayerWithinTheBudget() {
        assertEquals(LayerSelector.INITIAL_ESTIMATE, new LayerSelector().budget());
        assertEquals(1, new LayerSelector().choose(LAYERS, 0), "the initial estimate");
        assertEquals(2, new LayerSelector().choose(new long[]{1_200_000, 0, 80_000}, 0),
                "layers in any order, by their bitrate");
        assertEquals(1, new LayerSelector().choose(new long[]{150_000, 500_000, 0}, 0),
                "a layer not sending is not chosen");
        assertEquals(-1, new LayerSelector().choose(new long[]{0, 0, 0}, 0));
    }

    /** Spec §4.4: videoroom-session-update {@code bitrate} on a feed caps what it gets, at once. */
    @Test
    void theUsersCapWinsAtOnce() {
        LayerSelector selector = new LayerSelector();
        assertEquals(1, selector.choose(LAYERS, 0));
        selector.cap(200_000);
        assertEquals(0, selector.choose(LAYERS, 1));
        selector.cap(100_000);
        assertEquals(0, selector.choose(LAYERS, 2), "nothing fits: the lowest, never nothing");
        selector.cap(Long.MAX_VALUE);
        assertEquals(1, selector.choose(LAYERS, 3), "lifted: the estimate's layer, without waiting");
    }

    /** draft-ietf-rmcat-gcc-02 §6: more than 10 % loss shrinks the estimate, less than 2 % grows it slowly. */
    @Test
    void theLossOfReceiverReportsMovesTheEstimate_gcc_6() {
        LayerSelector selector = new LayerSelector();
        for (int i = 0; i < 5; i++) {
            selector.lossReport(77, 500_000); // 30 % lost
        }
        assertEquals(0, selector.choose(LAYERS, 0));
        long low = selector.budget();
        selector.lossReport(13, 150_000); // 5 %: unchanged
        assertEquals(low, selector.budget());
        long now = 0;
        for (int i = 0; i < 50; i++) {
            selector.lossReport(0, 150_000);
            now += SECOND;
            selector.choose(LAYERS, now);
        }
        assertTrue(selector.budget() > low);
        assertEquals(2, selector.choose(LAYERS, now), "up to the top layer once the loss is gone");
    }

    /**
     * A REMB below what the feed sends lowers the estimate; one above it does not raise it (a receiver's estimate
     * follows what it receives, draft-alvestrand-rmcat-remb-03 §2).
     */
    @Test
    void aRembOnlyLowersTheEstimate() {
        LayerSelector selector = new LayerSelector();
        selector.remb(5_000_000, 500_000);
        assertEquals(1, selector.choose(LAYERS, 0), "no higher than the estimate");
        selector.remb(300_000, 500_000);
        assertEquals(300_000, selector.budget());
        selector.choose(LAYERS, SECOND);
        assertEquals(0, selector.choose(LAYERS, SECOND + LayerSelector.DOWN_HOLD_NANOS));
    }

    /**
     * A feed whose browser sends transport-wide feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01): the
     * {@link SendSideEstimator}'s estimate is the budget; the receiver reports' loss and a REMB no longer move it.
     * A path that narrows (the estimator's packets queue up) brings the layer down after the hold, one that clears
     * brings it up again.
     */
    @Test
    void theTransportWideEstimateChoosesTheLayer() {
        LayerSelector selector = new LayerSelector();
        selector.transportEstimate(2_500_000);
        assertEquals(2, selector.choose(LAYERS, 0));
        selector.lossReport(128, 1_700_000); // 50 % lost in a receiver report
        selector.remb(200_000, 1_700_000);
        assertEquals(2_500_000, selector.budget(), "the transport-wide estimate only");

        SendSideEstimator estimator = new SendSideEstimator();
        long now = SECOND;
        int sequence = 0;
        long queueFreeAt = 0;
        long firstSwitch = -1;
        for (int feedback = 0; feedback < 40; feedback++) {
            long[] arrivals = new long[50];
            for (int i = 0; i < arrivals.length; i++) {
                long sent = now + i * 2_000_000L; // 1,000 bytes every 2 ms: 4 Mbit/s
                estimator.sent(sequence + i, sent, 1_000);
                queueFreeAt = Math.max(queueFreeAt, sent) + 6_666_667L; // a 1.2 Mbit/s path
                arrivals[i] = queueFreeAt / 1_000;
            }
            now += 100_000_000L;
            selector.transportEstimate(estimator.feedback(TransportFeedback.parse(TransportFeedback.encode(1, 2,
                    sequence, feedback, arrivals)).get(0), now));
            sequence += arrivals.length;
            if (selector.choose(LAYERS, now) != 2 && firstSwitch < 0) {
                firstSwitch = now;
            }
        }
        assertEquals(1, selector.choose(LAYERS, now), "the middle layer fits 85 % of the path: " + selector.budget());
        assertTrue(firstSwitch >= SECOND + LayerSelector.DOWN_HOLD_NANOS, "after the hold: " + firstSwitch);
    }

    /**
     * A path that takes the top layer, with the usual wobble: the top layer's measured bitrate swings by 6 % from
     * one second to the next (key frames), the browser's REMB (RFC 4585 §6.4, draft-alvestrand-rmcat-remb-03 §2)
     * swings 3 % around the path's capacity and so falls below what it receives every other second, while its
     * receiver reports (RFC 3550 §6.4.1, one a second as §6.2's reduced minimum interval gives) show no loss. A
     * minute of it: the feed stays on the top layer, where comparing budget and bitrates afresh each time switched
     * layers every second (60 times in the minute).
     */
    @Test
    void aWobbleAroundTheTopLayerSwitchesNothing() {
        Path path = new Path(1_750_000);
        path.run(26, second -> LAYERS);
        assertEquals(2, path.layer(), "the top layer once the estimate grew to it");
        int before = path.switches();
        path.run(60, second -> new long[]{150_000, 500_000, second % 2 == 0 ? 1_750_000 : 1_650_000});
        assertEquals(before, path.switches(), "no switch in a minute: " + path.history);
        assertEquals(2, path.layer());
    }

    /**
     * The path narrows for good (a REMB well below what the feed sends, second after second): down after
     * {@link LayerSelector#DOWN_HOLD_NANOS}, not at the first report.
     */
    @Test
    void aLastingDropMovesDownAfterTheHold() {
        Path path = new Path(3_000_000);
        path.run(25, second -> LAYERS);
        assertEquals(2, path.layer());
        path.capacity = 1_200_000;
        path.run(1, second -> LAYERS);
        assertEquals(2, path.layer(), "one report under the top layer's bitrate is not a change yet");
        path.run(2, second -> LAYERS);
        assertEquals(1, path.layer(), "two seconds of it are: " + path.history);
    }

    /** A path that falls under half of what the feed sends: down at the first report, a wait would lose more. */
    @Test
    void aCollapseMovesDownAtOnce() {
        Path path = new Path(3_000_000);
        path.run(25, second -> LAYERS);
        assertEquals(2, path.layer());
        path.capacity = 600_000;
        path.run(1, second -> LAYERS);
        assertEquals(1, path.layer(), path.history.toString());
    }

    /**
     * After a loss (draft-ietf-rmcat-gcc-02 §6: 30 % lost halves a good part of the estimate), the estimate grows
     * back by 5 % a report: the feed goes up only once the top layer has fitted with room to spare for
     * {@link LayerSelector#UP_HOLD_NANOS}.
     */
    @Test
    void aLastingRiseMovesUpAfterTheHold() {
        LayerSelector selector = new LayerSelector();
        selector.cap(600_000);
        assertEquals(1, selector.choose(LAYERS, 0));
        selector.cap(Long.MAX_VALUE);
        selector.remb(600_000, 1_000_000);
        assertEquals(1, selector.choose(LAYERS, 0));
        long now = 0;
        long fitsSince = -1;
        while (selector.choose(LAYERS, now) == 1) {
            now += SECOND;
            selector.lossReport(0, 500_000);
            if (fitsSince < 0 && selector.budget() >= LAYERS[2] * LayerSelector.UP_HEADROOM) {
                fitsSince = now;
            }
            assertTrue(now < 60 * SECOND, "never went up");
        }
        assertTrue(fitsSince > 0);
        assertEquals(2, selector.choose(LAYERS, now));
        assertEquals(fitsSince + LayerSelector.UP_HOLD_NANOS, now,
                "up once the top layer fitted for the hold, not before");
    }

    /**
     * A feed that can probe (transport-wide feedback, draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1, and a
     * retransmission stream, RFC 4588 §4) does not move up when the hold is over: it asks for a probe of the higher
     * layer's rate, with room to spare, keeps its layer meanwhile, and moves once the probe was delivered.
     */
    @Test
    void aMoveUpWaitsForADeliveredProbe() {
        LayerSelector selector = new LayerSelector();
        selector.probeFirst(true);
        assertEquals(1, selector.choose(LAYERS, 0), "the first choice, on the initial estimate of 1 Mbit/s");
        selector.transportEstimate(2_000_000); // room for the top layer from now on
        assertEquals(1, selector.choose(LAYERS, 0));
        assertEquals(-1, selector.takeProbeWanted(), "no probe before the hold is over");
        assertEquals(1, selector.choose(LAYERS, LayerSelector.UP_HOLD_NANOS));
        assertEquals(2, selector.takeProbeWanted(), "a probe of the top layer");
        assertEquals(-1, selector.takeProbeWanted(), "one at a time");
        assertEquals(1, selector.choose(LAYERS, LayerSelector.UP_HOLD_NANOS + SECOND / 2), "not before its result");
        assertEquals(-1, selector.takeProbeWanted(), "none asked for while one runs");
        selector.probed(2, true);
        assertEquals(2, selector.choose(LAYERS, LayerSelector.UP_HOLD_NANOS + 2 * SECOND), "delivered: up");
    }

    /**
     * A probe the path did not deliver keeps the layer, and the next one waits for the hold again, twice as long
     * after each failure (up to 2^{@link LayerSelector#MAX_BACKOFF} times); a delivered one resets that.
     */
    @Test
    void aFailedProbeKeepsTheLayerAndTheNextWaitsTwiceAsLong() {
        LayerSelector selector = new LayerSelector();
        selector.probeFirst(true);
        assertEquals(1, selector.choose(LAYERS, 0), "the first choice, on the initial estimate of 1 Mbit/s");
        selector.transportEstimate(2_000_000);
        long now = 0;
        selector.choose(LAYERS, now);
        for (int failures = 0; failures <= LayerSelector.MAX_BACKOFF + 1; failures++) {
            long hold = LayerSelector.UP_HOLD_NANOS << Math.min(failures, LayerSelector.MAX_BACKOFF);
            assertEquals(1, selector.choose(LAYERS, now + hold - 1));
            assertEquals(-1, selector.takeProbeWanted(), "no probe before " + hold / SECOND + " s, failures " + failures);
            now += hold;
            assertEquals(1, selector.choose(LAYERS, now));
            assertEquals(2, selector.takeProbeWanted(), "a probe after " + hold / SECOND + " s");
            selector.probed(2, false);
            assertEquals(1, selector.choose(LAYERS, now), "not delivered: the layer stays");
        }
        now += LayerSelector.UP_HOLD_NANOS << LayerSelector.MAX_BACKOFF;
        selector.choose(LAYERS, now);
        assertEquals(2, selector.takeProbeWanted());
        selector.probed(2, true);
        assertEquals(2, selector.choose(LAYERS, now));
    }

    /**
     * The publisher's layers as they are (RFC 8853: browsers start and stop layers as their own bandwidth allows): one
     * that the feed forwards and that stops is left at once; one that starts is taken only once it has kept sending for the hold,
     * and not at all when it stops again within it.
     */
    @Test
    void onlyLayersThatKeepSendingAreTaken_rfc8853() {
        LayerSelector selector = new LayerSelector();
        for (int i = 0; i < 40; i++) {
            selector.lossReport(0, 500_000); // room for every layer
        }
        long[] twoLayers = {150_000, 500_000, 0};
        assertEquals(1, selector.choose(twoLayers, 0));
        assertEquals(1, selector.choose(LAYERS, SECOND), "the top layer has just started");
        assertEquals(1, selector.choose(twoLayers, 2 * SECOND), "and stopped again");
        assertEquals(1, selector.choose(LAYERS, 3 * SECOND));
        assertEquals(1, selector.choose(LAYERS, 3 * SECOND + LayerSelector.UP_HOLD_NANOS - 1),
                "the hold counts from when it started again");
        assertEquals(2, selector.choose(LAYERS, 3 * SECOND + LayerSelector.UP_HOLD_NANOS));
        assertEquals(1, selector.choose(twoLayers, 9 * SECOND), "the forwarded layer stopped: left at once");
    }

    /**
     * A browser on a path of some capacity, fed by the selector, one RTCP compound a second (RFC 3550 §6.4.1
     * receiver report, then REMB): what it loses of a layer above the capacity, and a REMB of the capacity, swung
     * 3 % by the second, but at most 1.5 x what it received (a receiver's estimate follows what it receives). The
     * feed forwards the layer chosen when each second started; the selector is asked every 20 ms, as each packet of
     * a 50 fps stream would.
     */
    private static final class Path {
        final LayerSelector selector = new LayerSelector();
        final List<Integer> history = new ArrayList<>();
        long capacity;
        long now;
        int second;

        Path(long capacity) {
            this.capacity = capacity;
        }

        void run(int seconds, IntFunction<long[]> layers) {
            for (int i = 0; i < seconds; i++, second++) {
                long[] bitrates = layers.apply(second);
                int forwarded = selector.choose(bitrates, now);
                for (int tick = 0; tick < 50; tick++, now += SECOND / 50) {
                    selector.choose(bitrates, now);
                }
                long sent = bitrates[forwarded];
                int lost = sent > capacity ? (int) (256 * (sent - capacity) / sent) : 0;
                selector.lossReport(lost, sent);
                double swing = second % 2 == 0 ? 0.97 : 1.03;
                selector.remb((long) (Math.min(capacity, 1.5 * Math.min(sent, capacity)) * swing), sent);
                history.add(selector.choose(bitrates, now));
            }
        }

        int layer() {
            return history.get(history.size() - 1);
        }

        int switches() {
            int switches = 0;
            for (int i = 1; i < history.size(); i++) {
                if (!history.get(i).equals(history.get(i - 1))) {
                    switches++;
                }
            }
            return switches;
        }
    }
}
