package org.sylkserver.conference;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Issue 11: wrong PINs are limited per source address and minute. */
class PinAttemptsTest {

    private long now;

    @Test
    void anAddressWithTooManyWrongPinsWaitsAMinute() {
        PinAttempts attempts = new PinAttempts(3, () -> now);
        for (int i = 0; i < 3; i++) {
            assertTrue(attempts.allows("192.0.2.1"), "attempt " + i);
            attempts.failed("192.0.2.1");
            now += TimeUnit.SECONDS.toNanos(10);
        }
        assertFalse(attempts.allows("192.0.2.1"));
        assertTrue(attempts.allows("192.0.2.2"), "other addresses are not concerned");
        now = TimeUnit.SECONDS.toNanos(59);
        assertFalse(attempts.allows("192.0.2.1"));
        now = TimeUnit.SECONDS.toNanos(60);
        assertTrue(attempts.allows("192.0.2.1"), "the first failure is a minute old");
    }

    @Test
    void noLimitAndCallsTheRoomPlacedAreNotCounted() {
        PinAttempts none = new PinAttempts(0, () -> now);
        PinAttempts one = new PinAttempts(1, () -> now);
        for (int i = 0; i < 10; i++) {
            none.failed("192.0.2.1");
            one.failed(null);
        }
        assertTrue(none.allows("192.0.2.1"));
        assertTrue(one.allows(null));
    }

    @Test
    void memoryIsBounded() {
        PinAttempts attempts = new PinAttempts(1, () -> now);
        attempts.failed("192.0.2.1");
        for (int i = 0; i < PinAttempts.MAX_SOURCES; i++) {
            attempts.failed("10.0." + (i >> 8) + "." + (i & 255));
        }
        assertTrue(attempts.allows("192.0.2.1"), "the oldest address is forgotten first");
        assertFalse(attempts.allows("10.0.0.5"));
    }
}
