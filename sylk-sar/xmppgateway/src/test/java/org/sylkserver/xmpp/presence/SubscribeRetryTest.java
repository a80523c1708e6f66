package org.sylkserver.xmpp.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sylkserver.xmpp.sip.RouteFailover;

/**
 * The retry rules of a failed presence SUBSCRIBE for an XMPP watcher, spec §5.5.2 step 3, and its walk over the SIP
 * user's routes (RFC 3263 §4.3) within 30 s.
 */
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
        for (int status : new int[] {403, 405, 406, 489, 404, 480}) {
            assertNull(SubscribeRetry.afterResponse(status, "3600", 600, random), "status " + status);
        }
    }

    /**
     * RFC 3263 §4.3: a timeout, a 503 or a transport failure (0: not sent) on the last route means the SIP user's
     * domain was not reached: as after a DNS failure, tried again after 15-30 s (spec §5.5.2 step 3).
     */
    @Test
    void theLastRouteUnreachableIsTriedAgainLater_rfc3263_4_3() {
        for (int status : new int[] {0, 408, 500, 503, 504}) {
            SubscribeRetry retry = SubscribeRetry.afterResponse(status, null, 600, random);
            assertTrue(retry != null && retry.delaySeconds() >= 15 && retry.delaySeconds() <= 30, "status " + status);
        }
    }

    // ---- the walk over the SIP user's routes (spec §5.5.2 steps 1 and 3) ----

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    /** The routes the SUBSCRIBEs went through, in order. */
    private final List<String> tried = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> outcomes = new LinkedBlockingQueue<>();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    /**
     * A SUBSCRIBE over routes a, b, c, d answering as {@code statuses} says (a route missing from it never answers),
     * each answer's detail its Min-Expires; the outcome as "status detail".
     */
    private void subscribe(Map<String, Integer> statuses, Duration budget) {
        new RouteFailover<String>(uri -> List.of("a", "b", "c", "d"), budget, timer).<String>send(
                "sip:alice@sip.example", (route, answer) -> {
                    tried.add(route);
                    Integer status = statuses.get(route);
                    if (status != null) {
                        answer.answered(status, "from " + route, status == 423 ? "3600" : null);
                    }
                }, SubscribeRetry::endsRouteWalk, (status, reason, minExpires) -> outcomes.add(status + " " + minExpires));
    }

    private String outcome() throws InterruptedException {
        return outcomes.poll(5, TimeUnit.SECONDS);
    }

    /**
     * RFC 3263 §4.3: a timeout (408), a 503 and a transport failure (0) move the SUBSCRIBE on to the next route;
     * spec §5.5.2 step 3 ("other codes → next route") a 404 too; the first success is the outcome.
     */
    @Test
    void failuresTryTheNextRoute_5_5_2_rfc3263_4_3() throws Exception {
        subscribe(Map.of("a", 408, "b", 503, "c", 0, "d", 202), RouteFailover.BUDGET);
        assertEquals("202 null", outcome());
        assertEquals(List.of("a", "b", "c", "d"), tried);
        tried.clear();
        subscribe(Map.of("a", 404, "b", 480, "c", 200), RouteFailover.BUDGET);
        assertEquals("200 null", outcome());
        assertEquals(List.of("a", "b", "c"), tried);
    }

    /** Spec §5.5.2 step 3: 403, 405, 406, 407, 423 and 489 have rules of their own: no other route is tried. */
    @Test
    void refusalsWithARuleOfTheirOwnEndTheWalk_5_5_2() throws Exception {
        for (int status : new int[] {403, 405, 406, 407, 423, 489}) {
            tried.clear();
            subscribe(Map.of("a", 503, "b", status, "c", 200), RouteFailover.BUDGET);
            assertEquals(status + (status == 423 ? " 3600" : " null"), outcome(), "status " + status);
            assertEquals(List.of("a", "b"), tried, "status " + status);
        }
    }

    /** Every route failing: the last failure is the outcome, and a 503 there is tried again later. */
    @Test
    void everyRouteFailingEndsWithTheLastFailure_5_5_2() throws Exception {
        subscribe(Map.of("a", 503, "b", 408, "c", 500, "d", 503), RouteFailover.BUDGET);
        assertEquals("503 null", outcome());
        assertEquals(List.of("a", "b", "c", "d"), tried);
        assertTrue(SubscribeRetry.afterResponse(503, null, 600, random).delaySeconds() >= 15);
    }

    /** Spec §5.5.2 step 1: the routes are tried within 30 s (here 300 ms): a silent route ends the walk with 408. */
    @Test
    void aSilentRouteEndsTheWalkWithTimeoutWithinTheBudget_5_5_2() throws Exception {
        subscribe(Map.of("a", 503), Duration.ofMillis(300));
        assertEquals("408 null", outcome());
        assertEquals(List.of("a", "b"), tried);
    }
}
