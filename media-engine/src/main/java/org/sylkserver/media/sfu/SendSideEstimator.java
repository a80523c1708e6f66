package org.sylkserver.media.sfu;

import java.util.Arrays;

import org.sylkserver.media.rtcp.TransportFeedback;

/**
 * A feed's estimate of what the path to its browser carries, from the browser's transport-wide feedback
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01): the feed numbers every packet it sends ({@link #sent}), the
 * browser says which arrived and when ({@link #feedback}).
 *
 * <p>A deliberately simple delay- and loss-based controller in the spirit of Google congestion control
 * (draft-ietf-rmcat-gcc-02), not its Kalman/trendline filter:
 * <ul>
 * <li>Queuing delay: each received packet's one-way delay (its arrival on the browser's clock minus its sending on
 * ours, an unknown but fixed offset) minus the least one-way delay seen over the last {@link #BASE_WINDOW_NANOS} to
 * {@code 2 ×} that (two windows, so that the baseline follows clock drift). A feedback message's queuing delay is
 * the mean over its received packets.</li>
 * <li>Loss: the packets a message reports as not received, of those it reports (§3.1.1), over the messages of about
 * the last second.</li>
 * <li>Received rate: the bytes of the packets reported received over the span of their arrival times, per
 * {@link #RATE_WINDOW_NANOS} of them.</li>
 * </ul>
 * Each message then, at most once per {@link #DECREASE_INTERVAL_NANOS} for a decrease: a queuing delay above
 * {@link #OVERUSE_MICROS} sets the estimate to 85 % of the received rate (gcc-02 §5.5's decrease), or to 85 % of
 * itself when the feed sends less than half of it (an application-limited sender, a low simulcast layer: its own
 * rate says nothing of the path's) unless the packets arrive at under half the rate they were sent at (then the
 * path limits them: a link that narrowed under an estimate grown far above it, with nothing sent to test it,
 * is found at once, not by 15 % steps); loss above 10 %
 * shrinks it by half the loss fraction (gcc-02 §6); a clear path
 * (queuing delay under {@link #CLEAR_MICROS} and loss under 2 %) raises it by 8 % per second (§5.5's multiplicative
 * increase); in between it holds. Between {@link #FLOOR} and {@link #CEILING}.
 *
 * <p>Bounded: the last {@link #HISTORY} packets sent are remembered (a fixed ring); feedback about older or unknown
 * packets is ignored. Not thread-safe: the I/O thread owns it.
 */
final class SendSideEstimator {

    /** What a browser is assumed to take before it said anything (bit/s), as {@link LayerSelector} starts. */
    static final long INITIAL = LayerSelector.INITIAL_ESTIMATE;
    static final long FLOOR = 50_000;
    static final long CEILING = 20_000_000;
    /** Queuing delay above which the path is overused (µs). */
    static final long OVERUSE_MICROS = 60_000;
    /** Queuing delay under which the path is clear (µs). */
    static final long CLEAR_MICROS = 20_000;
    static final long BASE_WINDOW_NANOS = 5_000_000_000L;
    static final long RATE_WINDOW_NANOS = 500_000_000L;
    static final long DECREASE_INTERVAL_NANOS = 300_000_000L;
    static final int HISTORY = 2048;
    private static final double DECREASE = 0.85;
    private static final double INCREASE_PER_SECOND = 1.08;
    private static final long LOSS_WINDOW_NANOS = 1_000_000_000L;
    /**
     * Packets arriving at under this share of the rate they were sent at: the path, not the sender, limits what
     * arrives, however far above it the estimate is.
     */
    private static final double PATH_LIMITED = 0.5;

    /** Per transport-wide sequence number modulo {@link #HISTORY}: the number, sending time and size. */
    private final int[] sequences = new int[HISTORY];
    private final long[] sentNanos = new long[HISTORY];
    private final int[] sizes = new int[HISTORY];

    private long estimate = INITIAL;
    private long baseDelay = Long.MAX_VALUE;
    private long windowDelay = Long.MAX_VALUE;
    private long windowStart;
    private long queuingMicros;
    /** The reference time of the previous message, unwrapped (§3.1: 24 bits of 64 ms that wrap), -1 before any. */
    private long reference = -1;
    private long rateBytes;
    private long rateFirstMicros = Long.MAX_VALUE;
    private long rateLastMicros = Long.MIN_VALUE;
    private long receivedRate;
    /**
     * The packets reported (received or not) since the received rate's window opened: their bytes, when they were
     * sent, and so the rate they were sent at (bit/s).
     */
    private long sentBytes;
    private long rateSentFirstNanos = Long.MAX_VALUE;
    private long rateSentLastNanos = Long.MIN_VALUE;
    private long sentRate;
    private int lossReported;
    private int lossMissing;
    private long lossStart;
    private double lossFraction;
    private long lastUpdate = -1;
    private long lastDecrease = Long.MIN_VALUE / 2;

    SendSideEstimator() {
        Arrays.fill(sequences, -1);
    }

    /** The feed sent a packet of {@code size} bytes with transport-wide sequence number {@code sequence}. */
    void sent(int sequence, long nowNanos, int size) {
        int slot = sequence & (HISTORY - 1);
        sequences[slot] = sequence;
        sentNanos[slot] = nowNanos;
        sizes[slot] = size;
    }

    /** The estimate now, in bit/s. */
    long estimate() {
        return estimate;
    }

    /** The queuing delay of the last message (µs); the loss fraction; the received rate (bit/s); for logs. */
    long queuingMicros() {
        return queuingMicros;
    }

    double lossFraction() {
        return lossFraction;
    }

    long receivedRate() {
        return receivedRate;
    }

    /**
     * What a {@link BandwidthProbe} found: a path that delivered the probe carries at least the rate that arrived, one
     * that did not carries no more than it (a probe nothing was reported of says nothing).
     */
    void probed(BandwidthProbe.Result result) {
        long received = result.receivedRate();
        if (received <= 0) {
            return;
        }
        estimate = result.delivered() ? Math.max(estimate, Math.min(CEILING, received))
                : Math.max(FLOOR, Math.min(estimate, received));
    }

    /** The browser's feedback, received at {@code nowNanos}; returns the new estimate. */
    long feedback(TransportFeedback message, long nowNanos) {
        long offset = unwrapReference(message.referenceTime()) - message.referenceTime();
        long offsetMicros = offset * TransportFeedback.REFERENCE_UNIT_MICROS;
        long delaySum = 0;
        int delays = 0;
        int reported = 0;
        int missing = 0;
        long[] arrivals = message.arrivalMicros();
        for (int i = 0; i < arrivals.length; i++) {
            int sequence = (message.baseSequence() + i) & 0xffff;
            int slot = sequence & (HISTORY - 1);
            if (sequences[slot] != sequence) {
                continue; // not ours, or too old
            }
            reported++;
            sentBytes += sizes[slot];
            rateSentFirstNanos = Math.min(rateSentFirstNanos, sentNanos[slot]);
            rateSentLastNanos = Math.max(rateSentLastNanos, sentNanos[slot]);
            if (arrivals[i] == TransportFeedback.NOT_RECEIVED) {
                missing++;
                continue;
            }
            long arrival = arrivals[i] + offsetMicros;
            long delay = arrival - sentNanos[slot] / 1000;
            windowDelay = Math.min(windowDelay, delay);
            baseDelay = Math.min(baseDelay, delay);
            delaySum += delay;
            delays++;
            rate(arrival, sizes[slot]);
        }
        if (nowNanos - windowStart >= BASE_WINDOW_NANOS) {
            // the baseline is the least of this window and the one before
            baseDelay = windowDelay;
            windowDelay = Long.MAX_VALUE;
            windowStart = nowNanos;
        }
        if (reported == 0) {
            return estimate;
        }
        queuingMicros = delays == 0 ? queuingMicros : delaySum / delays - baseDelay;
        lossReported += reported;
        lossMissing += missing;
        if (nowNanos - lossStart >= LOSS_WINDOW_NANOS || lossReported >= 100) {
            lossFraction = (double) lossMissing / lossReported;
            lossReported = 0;
            lossMissing = 0;
            lossStart = nowNanos;
        }
        update(nowNanos);
        return estimate;
    }

    private void update(long now) {
        long elapsed = lastUpdate < 0 ? 0 : now - lastUpdate;
        lastUpdate = now;
        if (queuingMicros > OVERUSE_MICROS || lossFraction > 0.10) {
            if (now - lastDecrease >= DECREASE_INTERVAL_NANOS) {
                lastDecrease = now;
                boolean pathLimited = receivedRate > 0
                        && (receivedRate * 2 >= estimate || receivedRate < PATH_LIMITED * sentRate);
                if (queuingMicros > OVERUSE_MICROS && pathLimited) {
                    estimate = (long) (receivedRate * DECREASE); // what arrives, less than it: the queue drains
                } else if (queuingMicros > OVERUSE_MICROS) {
                    // a feed sending under half its estimate (a low layer) did not fill the path: falling to its
                    // own rate would take the higher layers away for many seconds (seen with Chromium)
                    estimate = (long) (estimate * DECREASE);
                } else {
                    estimate = (long) (estimate * (1 - 0.5 * lossFraction)); // gcc-02 §6
                }
                estimate = Math.max(FLOOR, estimate);
            }
        } else if (queuingMicros < CLEAR_MICROS && lossFraction < 0.02) {
            double growth = Math.pow(INCREASE_PER_SECOND, Math.min(elapsed, 1_000_000_000L) / 1e9);
            estimate = Math.min(CEILING, Math.max(estimate + 1, (long) (estimate * growth)));
        }
    }

    /**
     * Adds a received packet to the received rate: bytes over the browser's arrival times from the earliest to the
     * latest of the window (arrivals go back and forth with reordering), per {@link #RATE_WINDOW_NANOS} of them.
     */
    private void rate(long arrivalMicros, int size) {
        rateBytes += size;
        rateFirstMicros = Math.min(rateFirstMicros, arrivalMicros);
        rateLastMicros = Math.max(rateLastMicros, arrivalMicros);
        long span = rateLastMicros - rateFirstMicros;
        if (span >= RATE_WINDOW_NANOS / 1000) {
            receivedRate = rateBytes * 8 * 1_000_000 / span;
            long sentSpan = rateSentLastNanos - rateSentFirstNanos;
            sentRate = sentSpan <= 0 ? 0 : sentBytes * 8 * 1_000_000_000L / sentSpan;
            sentBytes = 0;
            rateBytes = 0;
            rateFirstMicros = Long.MAX_VALUE;
            rateLastMicros = Long.MIN_VALUE;
            rateSentFirstNanos = Long.MAX_VALUE;
            rateSentLastNanos = Long.MIN_VALUE;
        }
    }

    /** The message's reference time counted on from the previous one's (it wraps at 2^24). */
    private long unwrapReference(int referenceTime) {
        if (reference < 0) {
            reference = referenceTime;
            return reference;
        }
        long difference = ((referenceTime - reference) << 40) >> 40; // signed 24-bit step
        reference += difference;
        return reference;
    }
}
