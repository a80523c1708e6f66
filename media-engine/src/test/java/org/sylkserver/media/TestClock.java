package org.sylkserver.media;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clock of tests that depend on time passing (latching, RTP inactivity): an engine made on it sees time move
 * only when the test moves it, and checks its RTP timeout when the test asks, so that a busy machine cannot make a
 * silence look longer or shorter than it was, and no test waits for the wall clock.
 */
public final class TestClock {

    private final AtomicLong nanos = new AtomicLong();

    /** Moves the clock {@code millis} on. */
    public void advance(long millis) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    /** A media engine on this clock (its timer still runs, but reads this clock). */
    public MediaEngine engine(InetAddress bindAddress, int portStart, int portEnd, Duration timeout, RtpPolicy policy)
            throws IOException {
        return new MediaEngine(bindAddress, portStart, portEnd, timeout, policy, nanos::get);
    }

    /** Checks {@code engine}'s RTP timeout now, as its timer does every quarter of the timeout. */
    public static void checkInactivity(MediaEngine engine) {
        engine.checkInactivity();
    }
}
