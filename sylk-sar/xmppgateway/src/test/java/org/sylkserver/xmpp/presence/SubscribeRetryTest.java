package org.sylkserver.xmpp.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The retry rules of a failed presence SUBSCRIBE for an XMPP watcher, spec §5.5.2 step 3. */
class SubscribeRetryTest {

    private final SplittableRandom random = new SplittableRandom(7);

    @Test
    void intervalTooBriefAsksAgainAtOnceWithMinExpires() {
        assertEquals(new SubscribeRetry(0, 3600), SubscribeRetry.afterResponse(423, " 3600 ", 600, random));
    }

    @Test
    void intervalTooBriefWithoutALargerMinExpiresGivesUp() {
        // RFC 3261 §20.23: asking again with the same or a smaller interval would loop
        assertNull(SubscribeRetry.afterResponse(423, null, 600, random));
        assertNull(SubscribeRetry.afterResponse(423, "600", 600, random));
        assertNull(SubscribeRetry.afterResponse(423, "soon", 600, random));
        assertNull(SubscribeRetry.afterResponse(423, "999999", 600, random));
    }

    @Test
    void proxyAuthenticationRequiredIsTriedAgainAfterOneToTwoMinutes() {
        for (int i = 0; i < 1000; i++) {
            SubscribeRetry retry = SubscribeRetry.afterResponse(407, null, 600, random);
            assertTrue(retry.delaySeconds() >= 60 && retry.delaySeconds() <= 120, retry.toString());
            assertEquals(600, retry.expires());
        }
    }

    @Test
    void unreachableDestinationIsTriedAgainAfterFifteenToThirtySeconds() {
        int shortest = Integer.MAX_VALUE;
        int longest = 0;
        for (int i = 0; i < 1000; i++) {
            SubscribeRetry retry = SubscribeRetry.afterUnreachable(600, random);
            shortest = Math.min(shortest, retry.delaySeconds());
            longest = Math.max(longest, retry.delaySeconds());
        }
        assertEquals(15, shortest);
        assertEquals(30, longest);
    }

    @Test
    void refusalsThatWillNotChangeGiveUp() {
        for (int status : new int[] {403, 405, 406, 489, 404, 480, 500, 503}) {
            assertNull(SubscribeRetry.afterResponse(status, "3600", 600, random), "status " + status);
        }
    }
}
