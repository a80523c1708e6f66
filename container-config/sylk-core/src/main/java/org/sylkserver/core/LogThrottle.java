package org.sylkserver.core;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Keeps a warning that a stranger can trigger at will (a refused stanza, a dropped datagram, a refused MESSAGE) to
 * at most one line per interval, and says how many occurrences that line stands for: a flood then costs the log a
 * line every ten seconds instead of one per packet, and the operator still learns its size.
 *
 * <p>Thread-safe. java.util.logging has no rate limit of its own, and this is too small to bring in a logging
 * facade for.
 */
public final class LogThrottle {

    private final long intervalNanos;
    private final LongSupplier clock;
    private long last;
    private boolean logged;
    private long unlogged;

    /** At most one line per {@code interval}, on {@link System#nanoTime()}. */
    public LogThrottle(Duration interval) {
        this(interval, System::nanoTime);
    }

    /** With a clock of its own (nanoseconds), for tests. */
    public LogThrottle(Duration interval, LongSupplier nanoClock) {
        this.intervalNanos = interval.toNanos();
        this.clock = nanoClock;
    }

    /**
     * Counts one occurrence; when a line is due (the first ever, or the interval has passed since the last line)
     * returns how many occurrences it stands for (this one included), else 0: log only when the answer is positive.
     */
    public synchronized long occurred() {
        unlogged++;
        long now = clock.getAsLong();
        if (logged && now - last < intervalNanos) {
            return 0;
        }
        logged = true;
        last = now;
        long count = unlogged;
        unlogged = 0;
        return count;
    }
}
