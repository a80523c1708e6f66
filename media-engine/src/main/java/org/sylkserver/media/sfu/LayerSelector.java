package org.sylkserver.media.sfu;

/**
 * Which simulcast layer (RFC 8853) of a publisher's video a feed forwards: the best one that fits the feed's budget,
 * the smaller of what its browser can take (an estimate from its RTCP) and what its user asked for
 * ({@code videoroom-session-update} {@code bitrate} on the feed, spec §4.4, the one knob the sylkRTC clients have).
 *
 * <p>The estimate follows the loss controller of Google congestion control (draft-ietf-rmcat-gcc-02 §6) on the
 * receiver reports: above 10 % loss it shrinks by half the loss fraction, below 2 % it grows by 5 %, in between it
 * stays. A browser's REMB only lowers it: a receiver estimates at most a little more than what it receives (so a
 * REMB above what is sent says nothing of the next layer up), but one below what is sent says the path is full.
 *
 * <p>A browser that gets the feed's packets with transport-wide sequence numbers sends transport-wide feedback and no
 * REMB (draft-holmer-rmcat-transport-wide-cc-extensions-01): the feed's {@link SendSideEstimator} then makes the
 * estimate ({@link #transportEstimate}), which takes loss and delay into account, and the receiver reports' loss and
 * a REMB no longer move it.
 *
 * <p>The layer changes only on a sustained change (hysteresis): the estimate moves with every report (about one a
 * second) and the layers' measured bitrates with every second's key frames, so comparing them afresh would switch
 * layers about once a second, each switch costing the browser a key frame and a jump in resolution. Down: the
 * chosen layer must have stayed above the budget for {@link #DOWN_HOLD_NANOS} (at once when the budget is under half
 * of it: a path that full loses more in the wait than a switch costs). Up: a higher layer must have fitted with
 * {@link #UP_HEADROOM} to spare, and been sending, for {@link #UP_HOLD_NANOS}. The chosen layer going silent, the
 * first choice and a new cap of the user take effect at once.
 *
 * <p>Threads: the I/O thread reports and chooses; the signalling thread's {@link #cap} meets it through volatile
 * fields. The hysteresis' state is the I/O thread's alone.
 */
final class LayerSelector {

    /** What a browser is assumed to take before it said anything (bit/s): a middle layer of Chrome's defaults. */
    static final long INITIAL_ESTIMATE = 1_000_000;
    /** How long the chosen layer must stay above the budget before a feed moves down: two browser reports. */
    static final long DOWN_HOLD_NANOS = 2_000_000_000L;
    /** How long a higher layer must fit before a feed moves up: five browser reports. */
    static final long UP_HOLD_NANOS = 5_000_000_000L;
    /** A higher layer fits when the budget exceeds its bitrate by this factor (its bitrate varies by second). */
    static final double UP_HEADROOM = 1.15;
    /** Never below this (bit/s): the lowest layer is always forwarded, whatever the loss. */
    private static final long FLOOR = 50_000;
    /** Above this (bit/s) the estimate does not grow: more than any layer a browser sends. */
    private static final long CEILING = 20_000_000;
    /** An estimate that grows no faster than this per report (draft-ietf-rmcat-gcc-02 §6: 5 %). */
    private static final double GROWTH = 1.05;

    private volatile long estimate = INITIAL_ESTIMATE;
    private volatile long cap = Long.MAX_VALUE;
    /** Whether the estimate comes from transport-wide feedback (I/O thread). */
    private boolean fromTransportFeedback;
    private volatile boolean capChanged;
    /** The layer chosen last, -1 before the first choice. */
    private int chosen = -1;
    /** Since when (nanos) the chosen layer has been above the budget, or a higher layer fitted; valid when set. */
    private long downSince;
    private boolean down;
    private long upSince;
    private boolean up;

    /**
     * The browser's REMB (bit/s) while the feed sends {@code sendingRate} (bit/s): below it, it becomes the
     * estimate.
     */
    void remb(long bitsPerSecond, long sendingRate) {
        if (!fromTransportFeedback && bitsPerSecond < sendingRate) {
            estimate = Math.max(FLOOR, bitsPerSecond);
        }
    }

    /**
     * A report block of the browser about the feed's video (RFC 3550 §6.4.1): its fraction lost,
     * of 256, shrinks the estimate from what the feed sent lately ({@code sendingRate}, bit/s) when above 10 %, and
     * grows the estimate by 5 % when below 2 %, up to {@link #CEILING}.
     */
    void lossReport(int fractionLost, long sendingRate) {
        if (fromTransportFeedback) {
            return;
        }
        double loss = fractionLost / 256.0;
        if (loss > 0.10) {
            long base = Math.min(estimate, Math.max(sendingRate, FLOOR));
            estimate = Math.max(FLOOR, (long) (base * (1 - 0.5 * loss)));
        } else if (loss < 0.02) {
            estimate = Math.min(CEILING, (long) (estimate * GROWTH));
        }
    }

    /**
     * The estimate of the feed's {@link SendSideEstimator} (bit/s), from the browser's transport-wide feedback: it
     * replaces the estimate from then on, the receiver reports' loss and REMB are no longer taken.
     */
    void transportEstimate(long bitsPerSecond) {
        fromTransportFeedback = true;
        estimate = Math.max(FLOOR, Math.min(CEILING, bitsPerSecond));
    }

    /** The most the feed's user wants (bit/s), {@code Long.MAX_VALUE} for no limit; applies at the next choice. */
    void cap(long bitsPerSecond) {
        cap = bitsPerSecond;
        capChanged = true;
    }

    /** The feed's budget now (bit/s). */
    long budget() {
        return Math.min(estimate, cap);
    }

    /**
     * The layer to forward at {@code nowNanos}, given the layers' bitrates ({@code bitrates[i] > 0} for a layer that
     * is sending, bit/s): the layer chosen before unless the hysteresis lets it change, else the one with the highest
     * bitrate within the budget, or the lowest when none fits; -1 when no layer is sending.
     */
    int choose(long[] bitrates, long nowNanos) {
        long budget = budget();
        int fitting = best(bitrates, budget, 1.0);
        if (fitting < 0) {
            return -1;
        }
        boolean userSaid = capChanged;
        capChanged = false;
        if (userSaid || chosen < 0 || chosen >= bitrates.length || bitrates[chosen] <= 0) {
            return switchTo(fitting);
        }
        long rate = bitrates[chosen];
        if (rate > budget) {
            up = false;
            if (!down) {
                down = true;
                downSince = nowNanos;
            }
            if (rate / 2 > budget || nowNanos - downSince >= DOWN_HOLD_NANOS) {
                return switchTo(fitting);
            }
            return chosen;
        }
        down = false;
        int higher = best(bitrates, budget, UP_HEADROOM);
        if (higher < 0 || bitrates[higher] <= rate) {
            up = false;
            return chosen;
        }
        if (!up) {
            up = true;
            upSince = nowNanos;
        }
        return nowNanos - upSince >= UP_HOLD_NANOS ? switchTo(higher) : chosen;
    }

    private int switchTo(int layer) {
        chosen = layer;
        up = false;
        down = false;
        return layer;
    }

    /**
     * Of the layers sending, the one with the highest bitrate that fits {@code budget} with {@code headroom} to
     * spare, else the one with the lowest bitrate; -1 when none is sending.
     */
    private static int best(long[] bitrates, long budget, double headroom) {
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
            if (rate * headroom <= budget && (best < 0 || rate > bitrates[best])) {
                best = layer;
            }
        }
        return best >= 0 ? best : lowest;
    }
}
