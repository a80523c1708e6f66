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
 * <p>A feed that can probe its path ({@link #probeFirst}: transport-wide feedback and a retransmission stream) moves
 * up only after a probe at the higher layer's rate was delivered ({@link BandwidthProbe}): when the hold is over the
 * selector asks for one ({@link #probeWanted}) and keeps the layer until {@link #probed} says the path carried it.
 * An estimate grows while the path is clear, and a low layer keeps a narrow path clear, so without a probe a feed on a
 * 300 kbit/s path would move up to a 500 kbit/s layer, fill the path, move down and do it again every half minute.
 * Each failed probe doubles the hold before the next (up to {@link #MAX_BACKOFF} doublings); a delivered one resets
 * it.
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
    /** The most times a failed probe doubles the hold before the next one (5 s to 40 s). */
    static final int MAX_BACKOFF = 3;

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
    /** Whether a move up waits for a delivered probe (I/O thread). */
    private boolean probeFirst;
    /** The layer a probe is wanted for, -1 for none; the layer whose probe was delivered, -1 for none. */
    private int probeWanted = -1;
    private int probeDelivered = -1;
    private boolean probing;
    private int failedProbes;

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
            notUp();
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
            notUp();
            return chosen;
        }
        if (!up) {
            up = true;
            upSince = nowNanos;
        }
        if (nowNanos - upSince < UP_HOLD_NANOS << Math.min(failedProbes, MAX_BACKOFF)) {
            return chosen;
        }
        if (!probeFirst || probeDelivered == higher) {
            return switchTo(higher);
        }
        if (!probing) {
            probeWanted = higher;
        }
        return chosen;
    }

    /**
     * Whether a move up waits for a delivered probe of the higher layer's rate: set when the feed can probe (it gets
     * transport-wide feedback and has a retransmission stream to probe with).
     */
    void probeFirst(boolean probeFirst) {
        this.probeFirst = probeFirst;
    }

    /**
     * The layer whose rate (with {@link #UP_HEADROOM}) the feed should probe now, -1 for none; taking it marks the
     * probe as started, and no other is asked for until {@link #probed} says how it went.
     */
    int takeProbeWanted() {
        int layer = probeWanted;
        if (layer >= 0) {
            probeWanted = -1;
            probing = true;
        }
        return layer;
    }

    /**
     * How the probe for {@code layer} went: delivered, the next choice moves up to it if it still fits; not, the
     * hold starts again, twice as long as before.
     */
    void probed(int layer, boolean delivered) {
        probing = false;
        if (delivered) {
            probeDelivered = layer;
            failedProbes = 0;
        } else {
            probeDelivered = -1;
            failedProbes++;
            up = false;
        }
    }

    /** Moves up are no longer due: a probe delivered for one is of no use for the next. */
    private void notUp() {
        up = false;
        probeDelivered = -1;
    }

    private int switchTo(int layer) {
        chosen = layer;
        notUp();
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
