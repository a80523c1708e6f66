package org.sylkserver.media;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The media engine's one RTP inactivity watcher ({@code [RTP] timeout}): whoever owns a stream says when the peer
 * showed it is alive, the engine's timer thread asks every watch whether the silence has lasted the timeout, and a
 * silence is reported once. What ends the report depends on the owner: an RTP endpoint reports once until it is
 * {@link #watch watched} afresh (a re-INVITE), a bare socket reports each silence that follows media again.
 *
 * <p>Threading: {@link #alive} on the I/O thread, {@link #check} on the timer thread, {@link #watch} and
 * {@link #stop} from any thread.
 */
final class InactivityWatch {

    private final Runnable onInactivity;
    private final boolean rearmedByMedia;
    private final AtomicBoolean reported = new AtomicBoolean();
    private volatile long lastAliveNanos;
    private volatile boolean watching = true;

    /**
     * @param nowNanos       the engine's clock now: the silence is counted from here
     * @param onInactivity   called on the timer thread when the timeout passes in silence
     * @param rearmedByMedia whether media after a reported silence lets the next silence be reported too
     */
    InactivityWatch(long nowNanos, Runnable onInactivity, boolean rearmedByMedia) {
        this.lastAliveNanos = nowNanos;
        this.onInactivity = onInactivity;
        this.rearmedByMedia = rearmedByMedia;
    }

    /** The peer showed it is alive at {@code nowNanos}. */
    void alive(long nowNanos) {
        lastAliveNanos = nowNanos;
        if (rearmedByMedia && reported.get()) {
            reported.set(false);
        }
    }

    /** Starts or stops watching; watching again after a pause starts a fresh timeout (and a fresh report). */
    void watch(boolean watch, long nowNanos) {
        if (watch && !watching) {
            lastAliveNanos = nowNanos;
            reported.set(false);
        }
        watching = watch;
    }

    /** Stops for good (the stream is closed). */
    void stop() {
        watching = false;
    }

    /** On the timer thread: reports the silence once it has lasted {@code timeoutNanos}. */
    void check(long nowNanos, long timeoutNanos) {
        if (watching && nowNanos - lastAliveNanos >= timeoutNanos && reported.compareAndSet(false, true)) {
            onInactivity.run();
        }
    }
}
