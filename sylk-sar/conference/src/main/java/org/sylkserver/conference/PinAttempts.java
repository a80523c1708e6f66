package org.sylkserver.conference;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Wrong PINs per source address (issue 11): a PIN of a few digits falls to anyone who may try often enough, and a
 * caller can hang up after two wrong tries and call again. An address with {@code limit} wrong PINs within the last
 * minute may try no more ({@code pin_failures_per_minute} in {@code conference.ini}; 0: no limit) until the oldest of
 * them is a minute old. Memory is bounded: the addresses heard from least recently are forgotten first beyond
 * {@value #MAX_SOURCES}.
 *
 * <p>Threads: shared by design, not one room's state: every room's executor counts wrong PINs here and the SIP
 * threads ask before letting a caller try, since one address may call many rooms; hence its monitor.
 */
final class PinAttempts {

    /** How many addresses are remembered at most. */
    static final int MAX_SOURCES = 10_000;
    private static final long WINDOW = TimeUnit.MINUTES.toNanos(1);

    private final int limit;
    private final LongSupplier nanoTime;
    private final Map<String, Deque<Long>> failures = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Deque<Long>> eldest) {
            return size() > MAX_SOURCES;
        }
    };

    /** With {@code limit} wrong PINs a minute per address (0: no limit), on the system's clock. */
    PinAttempts(int limit) {
        this(limit, System::nanoTime);
    }

    PinAttempts(int limit, LongSupplier nanoTime) {
        this.limit = limit;
        this.nanoTime = nanoTime;
    }

    /** Whether {@code source} (an IP address; null for calls the room placed itself) may try a PIN now. */
    // synchronized: the SIP threads and every room's executor ask (see the class comment)
    synchronized boolean allows(String source) {
        if (limit == 0 || source == null) {
            return true;
        }
        Deque<Long> recent = recent(source);
        return recent == null || recent.size() < limit;
    }

    /** {@code source} typed a wrong PIN. */
    // synchronized: every room's executor counts here (see the class comment)
    synchronized void failed(String source) {
        if (limit == 0 || source == null) {
            return;
        }
        Deque<Long> recent = recent(source);
        if (recent == null) {
            recent = new ArrayDeque<>();
            failures.put(source, recent);
        }
        recent.addLast(nanoTime.getAsLong());
        while (recent.size() > limit) {
            recent.removeFirst();
        }
    }

    /** The failures of {@code source} within the last minute (older ones dropped), or null when there are none. */
    private Deque<Long> recent(String source) {
        Deque<Long> recent = failures.get(source);
        if (recent == null) {
            return null;
        }
        long now = nanoTime.getAsLong();
        while (!recent.isEmpty() && now - recent.peekFirst() >= WINDOW) {
            recent.removeFirst();
        }
        if (recent.isEmpty()) {
            failures.remove(source);
            return null;
        }
        return recent;
    }
}
