package org.sylkserver.media.sfu;

import org.sylkserver.media.rtcp.TransportFeedback;

/**
 * What a feed's path to its browser carries and which simulcast layer fits it: the {@link SendSideEstimator} of the
 * browser's transport-wide feedback (or the receiver reports' loss and REMB without it), the user's cap, the
 * {@link LayerSelector}'s hysteresis and the {@link BandwidthProbe} that a move up waits for. The feed tells it what it
 * sends and what the browser says; it tells the feed which layer to forward and how many probe bytes to add.
 *
 * <p>Not thread-safe but for {@link #cap}: the feed's I/O thread owns it.
 */
final class FeedBandwidth {

    private final LayerSelector selector = new LayerSelector();
    private final SendSideEstimator estimator = new SendSideEstimator();
    private final BandwidthProbe probe = new BandwidthProbe();
    /** The layer being probed, -1 for none. */
    private int probedLayer = -1;

    /** Whether moves up wait for a delivered probe: the feed has transport-wide feedback and something to probe with. */
    void probeFirst(boolean probeFirst) {
        selector.probeFirst(probeFirst);
    }

    /**
     * The layer to forward at {@code nowNanos} of layers sending at {@code bitrates} (bit/s, 0 for a layer not sending;
     * see {@link LayerSelector#choose}); starts the probe the selector asks for.
     */
    int choose(long[] bitrates, long nowNanos) {
        finishProbe(nowNanos);
        int layer = selector.choose(bitrates, nowNanos);
        int wanted = selector.takeProbeWanted();
        if (wanted >= 0) {
            probedLayer = wanted;
            probe.start((long) (bitrates[wanted] * LayerSelector.UP_HEADROOM), nowNanos);
        }
        return layer;
    }

    /** The feed sent a packet with transport-wide number {@code sequence} of {@code size} bytes at {@code nowNanos}. */
    void sent(int sequence, long nowNanos, int size) {
        estimator.sent(sequence, nowNanos, size);
        probe.sent(sequence, nowNanos, size);
    }

    /** Probe bytes due now: what the feed should send on top of its media to keep the probe's rate. */
    long probeBytesDue(long nowNanos) {
        return probe.bytesDue(nowNanos);
    }

    /** The browser's transport-wide feedback, received at {@code nowNanos}. */
    void feedback(TransportFeedback message, long nowNanos) {
        estimator.feedback(message, nowNanos);
        probe.feedback(message);
        finishProbe(nowNanos);
        selector.transportEstimate(estimator.estimate());
    }

    private void finishProbe(long nowNanos) {
        if (!probe.running()) {
            return;
        }
        BandwidthProbe.Result result = probe.result(nowNanos);
        if (result != null) {
            estimator.probed(result);
            selector.transportEstimate(estimator.estimate());
            selector.probed(probedLayer, result.delivered());
            probedLayer = -1;
        }
    }

    /** A REMB of the browser while the feed sends {@code sendingRate} (see {@link LayerSelector#remb}). */
    void remb(long bitsPerSecond, long sendingRate) {
        selector.remb(bitsPerSecond, sendingRate);
    }

    /** A receiver report's fraction lost (see {@link LayerSelector#lossReport}). */
    void lossReport(int fractionLost, long sendingRate) {
        selector.lossReport(fractionLost, sendingRate);
    }

    /** The user's cap (bit/s; any thread). */
    void cap(long bitsPerSecond) {
        selector.cap(bitsPerSecond);
    }

    long budget() {
        return selector.budget();
    }

    /** For the layer-switch log line: the estimator's view of the path. */
    @Override
    public String toString() {
        return String.format("queuing %d ms, loss %.1f %%, received %d bit/s", estimator.queuingMicros() / 1000,
                100 * estimator.lossFraction(), estimator.receivedRate());
    }
}
