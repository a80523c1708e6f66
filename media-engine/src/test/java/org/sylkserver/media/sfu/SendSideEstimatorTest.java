package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;
import org.sylkserver.media.rtcp.TransportFeedback;

/**
 * {@link SendSideEstimator}: a feed's bandwidth estimate from its browser's transport-wide feedback
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1; the controller after draft-ietf-rmcat-gcc-02 §5.5 and §6).
 */
class SendSideEstimatorTest {

    private static final long MS = 1_000_000L;

    /**
     * A simulated path: the feed sends 1,000-byte packets every {@code gapNanos}; each arrives after a fixed 30 ms plus
     * the queue the path builds when the feed sends faster than {@code capacity} bit/s, or is lost with probability
     * {@code loss} (every n-th); the browser reports every 100 ms, its clock 7 s ahead of ours.
     */
    private static final class Path {
        final SendSideEstimator estimator = new SendSideEstimator();
        long now = 1_000 * MS;
        int sequence = 65_000;
        long queueFreeAt;
        int feedbackCount;
        long referenceOffsetMicros = 7_000_000;
        /** Packets sent before this arrive {@code lateMicros} late (a receiver too busy to read them). */
        long lateUntil;
        long lateMicros;

        long run(long seconds, long gapNanos, long capacity, int lossEvery) {
            long end = now + seconds * 1_000 * MS;
            while (now < end) {
                int first = sequence;
                long[] arrivals = new long[(int) (100 * MS / gapNanos)];
                for (int i = 0; i < arrivals.length; i++) {
                    estimator.sent(sequence, now, 1_000);
                    long service = 1_000 * 8 * 1_000_000_000L / capacity;
                    queueFreeAt = Math.max(queueFreeAt, now) + service;
                    boolean lost = lossEvery > 0 && sequence % lossEvery == 0;
                    arrivals[i] = lost ? TransportFeedback.NOT_RECEIVED
                            : (queueFreeAt + 30 * MS) / 1000 + referenceOffsetMicros + (now < lateUntil ? lateMicros : 0);
                    sequence = (sequence + 1) & 0xffff;
                    now += gapNanos;
                }
                ByteBuffer message = TransportFeedback.encode(1, 2, first, feedbackCount++, arrivals);
                estimator.feedback(TransportFeedback.parse(message).get(0), now + 30 * MS);
            }
            return estimator.estimate();
        }
    }

    /** A clear path (no queue, no loss): the estimate grows by 8 % a second (gcc-02 §5.5's increase). */
    @Test
    void aClearPathGrowsTheEstimate() {
        Path path = new Path();
        long after = path.run(10, 2 * MS, 10_000_000, 0); // 4 Mbit/s sent on a 10 Mbit/s path
        assertTrue(after > SendSideEstimator.INITIAL * 2 && after < SendSideEstimator.INITIAL * 2.5,
                "1.08^10 of the initial estimate: " + after);
    }

    /**
     * Sending faster than the path carries builds a queue: the one-way delay grows over its minimum, and the estimate
     * falls to 85 % of what arrived (gcc-02 §5.5's decrease), under the path's capacity.
     */
    @Test
    void aGrowingQueueLowersTheEstimateUnderTheCapacity() {
        Path path = new Path();
        path.run(2, 10 * MS, 2_000_000, 0); // 800 kbit/s on 2 Mbit/s: clear
        long estimate = path.run(3, 2 * MS, 2_000_000, 0); // 4 Mbit/s on 2 Mbit/s: the queue grows
        assertTrue(estimate < 2_000_000 && estimate > 1_000_000, "85 % of about 2 Mbit/s: " + estimate);
        assertTrue(path.estimator.queuingMicros() > SendSideEstimator.OVERUSE_MICROS);
    }

    /**
     * A feed sending a low layer (150 kbit/s) under an estimate of 1 Mbit/s meets one burst of queuing (a busy
     * receiver): the estimate loses 15 %, and does not fall to 85 % of the feed's own rate, from which growing back
     * to the higher layers would take about 25 s at 8 % a second.
     */
    @Test
    void anApplicationLimitedFeedIsNotCutToItsOwnRate() {
        Path path = new Path();
        path.run(2, 53 * MS, 100_000_000, 0); // 1,000 bytes every 53 ms: 150 kbit/s
        long before = path.estimator.estimate();
        path.lateUntil = path.now + 100 * MS; // one feedback's packets arrive 200 ms late
        path.lateMicros = 200_000;
        long after = path.run(1, 53 * MS, 100_000_000, 0);
        assertTrue(after >= before * 0.8 && after < before, "once 15 % less, then growing: " + before + " -> "
                + after);
        assertTrue(path.estimator.receivedRate() < 200_000, "the feed's own rate: " + path.estimator.receivedRate());
    }

    /**
     * An estimate that grew far above what the feed sends (a clear path, gcc-02 §5.5's increase, 20 s) meets a link
     * that narrowed to 300 kbit/s under the feed's 1.5 Mbit/s: the packets arrive at a fifth of the rate they were
     * sent at, so the path is the limit and the estimate falls to 85 % of what arrives within a second, not by 15 %
     * steps from far above (which took 7 s down to the layer under it in FeedBandwidthTest's link).
     */
    @Test
    void aLinkThatNarrowsUnderAHighEstimateIsFoundAtOnce() {
        Path path = new Path();
        long grown = path.run(20, 5_300_000, 100_000_000, 0); // 1,000 bytes every 5.3 ms: 1.5 Mbit/s
        assertTrue(grown > 4_000_000, "grown while clear: " + grown);
        long after = path.run(1, 5_300_000, 300_000, 0);
        assertTrue(after < 300_000 && after > 200_000, "85 % of the 300 kbit/s that arrive: " + after);
    }

    /** gcc-02 §6: more than 10 % of the packets reported lost lowers the estimate; 2-10 % holds it. */
    @Test
    void lossLowersOrHoldsTheEstimate_gcc_6() {
        Path lossy = new Path();
        long before = lossy.run(2, 2 * MS, 100_000_000, 0);
        long after = lossy.run(3, 2 * MS, 100_000_000, 5); // 20 % lost, no queue
        assertTrue(after < before * 0.7, before + " -> " + after);

        Path some = new Path();
        long held = some.run(2, 2 * MS, 100_000_000, 20); // 5 %
        assertEquals(held, some.run(3, 2 * MS, 100_000_000, 20), "5 % lost: held");
    }

    /**
     * §3.1: the reference time is 24 bits of 64 ms and wraps; the arrivals go on across it, so the wrap is neither a
     * queue nor a jump of the baseline.
     */
    @Test
    void theReferenceTimeWrappingIsNoDelay_3_1() {
        Path path = new Path();
        path.referenceOffsetMicros = (1L << 24) * 64_000 - 1_500_000 - (1_000 * MS + 30 * MS) / 1000;
        long estimate = path.run(4, 2 * MS, 10_000_000, 0); // wraps after 1.5 s
        assertTrue(path.estimator.queuingMicros() < SendSideEstimator.CLEAR_MICROS,
                "queuing " + path.estimator.queuingMicros());
        assertTrue(estimate > SendSideEstimator.INITIAL, "still growing: " + estimate);
    }

    /** Feedback about packets the feed never numbered (or too long ago) says nothing. */
    @Test
    void feedbackAboutUnknownPacketsIsIgnored() {
        SendSideEstimator estimator = new SendSideEstimator();
        long[] allLost = new long[50];
        java.util.Arrays.fill(allLost, TransportFeedback.NOT_RECEIVED);
        allLost[0] = 64_000;
        estimator.feedback(TransportFeedback.parse(TransportFeedback.encode(1, 2, 100, 0, allLost)).get(0), MS);
        assertEquals(SendSideEstimator.INITIAL, estimator.estimate());
    }
}
