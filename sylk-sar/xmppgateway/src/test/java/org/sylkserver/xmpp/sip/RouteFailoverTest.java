package org.sylkserver.xmpp.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The walk of a request over its destination's routes (RFC 3263 §4.3) within a budget. */
class RouteFailoverTest {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final BlockingQueue<String> outcomes = new LinkedBlockingQueue<>();
    private final List<RouteFailover.Answer<String>> pending = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    private RouteFailover<String> failover(List<String> routes, Duration budget) {
        return new RouteFailover<>(uri -> routes, budget, timer);
    }

    /** Sends through the routes, every attempt left waiting in {@link #pending}; 2xx ends the walk. */
    private void send(RouteFailover<String> failover) {
        failover.<String>send("sip:alice@sip.example", (route, answer) -> pending.add(answer),
                status -> status >= 200 && status < 300,
                (status, reason, detail) -> outcomes.add(status + " " + reason + " " + detail));
    }

    @Test
    void noRouteIsAnOutcomeOfZero() throws Exception {
        send(failover(List.of(), RouteFailover.BUDGET));
        assertEquals("0 no route to sip:alice@sip.example null", outcomes.poll(1, TimeUnit.SECONDS));
    }

    /** An answer from a route the walk has left (it moved on, or ended) changes nothing. */
    @Test
    void aLateAnswerFromAnAbandonedRouteIsIgnored() throws Exception {
        send(failover(List.of("a", "b"), RouteFailover.BUDGET));
        pending.get(0).answered(503, "a", "first");
        pending.get(0).answered(200, "a again", "late");
        assertNull(outcomes.poll(100, TimeUnit.MILLISECONDS), "b still to answer");
        pending.get(1).answered(200, "b", "second");
        assertEquals("200 b second", outcomes.poll(1, TimeUnit.SECONDS));
        pending.get(1).answered(200, "b again", "twice");
        assertNull(outcomes.poll(100, TimeUnit.MILLISECONDS), "one outcome");
    }

    /** The budget's end abandons the route being tried: outcome 408, its answer afterwards ignored. */
    @Test
    void theBudgetsEndIsA408() throws Exception {
        send(failover(List.of("a"), Duration.ofMillis(200)));
        assertEquals("408 no answer within 200 ms null", outcomes.poll(2, TimeUnit.SECONDS));
        pending.get(0).answered(200, "a", "late");
        assertNull(outcomes.poll(100, TimeUnit.MILLISECONDS));
    }
}
