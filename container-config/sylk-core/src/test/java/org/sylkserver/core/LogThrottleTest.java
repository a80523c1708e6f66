package org.sylkserver.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class LogThrottleTest {

    private final AtomicLong now = new AtomicLong(5_000_000_000L);
    private final LogThrottle throttle = new LogThrottle(Duration.ofSeconds(10), now::get);

    @Test
    void theFirstOccurrenceIsLoggedAtOnce() {
        assertEquals(1, throttle.occurred());
    }

    @Test
    void aFloodGetsOneLinePerIntervalCountingWhatItStandsFor() {
        assertEquals(1, throttle.occurred());
        for (int i = 0; i < 999; i++) {
            now.addAndGet(1_000_000); // 1 ms apart: 999 ms in all
            assertEquals(0, throttle.occurred());
        }
        now.addAndGet(Duration.ofSeconds(9).toNanos());
        assertEquals(0, throttle.occurred());
        now.addAndGet(Duration.ofMillis(2).toNanos());
        assertEquals(1001, throttle.occurred(), "the 999 held back, the one at 9.999 s and this one");
        assertEquals(0, throttle.occurred());
    }

    @Test
    void aRareEventIsLoggedEachTime() {
        for (int i = 0; i < 3; i++) {
            assertEquals(1, throttle.occurred());
            now.addAndGet(Duration.ofSeconds(11).toNanos());
        }
    }
}
