package org.sylkserver.media.sfu;

/**
 * Which simulcast layer (RFC 8853) of a publisher's video a feed forwards: the best one that fits the feed's budget,
 * the smaller of what its browser can take (an estimate from its RTCP) and what its user asked for
 * ({@code videoroom-session-update} {@code bitrate} on the feed, spec §4.4, the one knob the sylkRTC clients have).
 *
 * <p>The estimate follows the loss controller of Google congestion control (draft-ietf-rmcat-gcc-02 §6) on the
 * receiver reports: above 10 % loss it shrinks by half the loss fraction, below 2 % it grows by 5 %, in between it
 * stays. A browser's REMB only lowers it: a receiver estimates at most a little more than what it receives (so a
 * REMB above what is sent says nothing of the next layer up), but one below what is sent says the path is full. Not
 * thread-safe: the feed's RTCP (I/O thread) and the signalling thread's cap meet through volatile fields.
 */
final class LayerSelector {

    /** What a browser is assumed to take before it said anything (bit/s): a middle layer of Chrome's defaults. */
    static final long INITIAL_ESTIMATE = 1_000_000;
    /** Never below this (bit/s): the lowest layer is always forwarded, whatever the loss. */
    private static final long FLOOR = 50_000;
    /** Above this (bit/s) the estimate does not grow: more than any layer a browser sends. */
    private static final long CEILING = 20_000_000;
    /** An estimate that grows no faster than this per report (draft-ietf-rmcat-gcc-02 §6: 5 %). */
    private static final double GROWTH = 1.05;

    private volatile long estimate = INITIAL_ESTIMATE;
    private volatile long cap = Long.MAX_VALUE;

    /**
     * The browser's REMB (bit/s) while the feed sends {@code sendingRate} (bit/s): below it, it becomes the
     * estimate.
     */
    void remb(long bitsPerSecond, long sendingRate) {
        if (bitsPerSecond < sendingRate) {
            estimate = Math.max(FLOOR, bitsPerSecond);
        }
    }

    /**
     * A report block of the browser about the feed's video (RFC 3550 §6.4.1): its fraction lost,
     * of 256, shrinks the estimate from what the feed sent lately ({@code sendingRate}, bit/s) when above 10 %, and
     * grows the estimate by 5 % when below 2 %, up to {@link #CEILING}.
     */
    void lossReport(int fractionLost, long sendingRate) {
        double loss = fractionLost / 256.0;
        if (loss > 0.10) {
            long base = Math.min(estimate, Math.max(sendingRate, FLOOR));
            estimate = Math.max(FLOOR, (long) (base * (1 - 0.5 * loss)));
        } else if (loss < 0.02) {
            estimate = Math.min(CEILING, (long) (estimate * GROWTH));
        }
    }

    /** The most the feed's user wants (bit/s), {@code Long.MAX_VALUE} for no limit. */
    void cap(long bitsPerSecond) {
        cap = bitsPerSecond;
    }

    /** The feed's budget now (bit/s). */
    long budget() {
        return Math.min(estimate, cap);
    }

    /**
     * The layer to forward: of the layers that are sending ({@code bitrates[i] > 0}, bit/s), the one with the highest
     * bitrate within the budget, else the one with the lowest; -1 when none is sending.
     */
    int choose(long[] bitrates) {
        long budget = budget();
        int best = -1;
        int lowest = -1;
        for (int layer = 0; layer < bitrates.length; layer++) {
            long rate = bitrates[layer];
            if (rate <= 0) {
                continue;
            }
            if (lowest < 0 || rate < bitrates[lowest]) {
                lowest = layer;
            }
            if (rate <= budget && (best < 0 || rate > bitrates[best])) {
                best = layer;
            }
        }
        return best >= 0 ? best : lowest;
    }
}
