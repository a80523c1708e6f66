package org.sylkserver.xmpp.muc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Spec §5.6.2: the mediated invitation's REFER tries the room's resolved routes (RFC 3263 §4) within 30 s; 403 and
 * 405 are failures, any other failure moves on to the next route.
 */
class InvitationReferTest {

    private static final String ROOM = "sip:muc1@conference.example.com";
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    /** The routes the REFERs went through, in order. */
    private final List<String> tried = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    /** A sender whose routes answer as {@code statuses} says (a route missing from it never answers). */
    private InvitationRefer<String> refer(Map<String, Integer> statuses, Duration budget) {
        return new InvitationRefer<>(room -> List.of("a", "b", "c"), (route, from, room, target, answer) -> {
            tried.add(route);
            Integer status = statuses.get(route);
            if (status != null) {
                answer.answered(status, "from " + route);
            }
        }, budget, timer);
    }

    private String answer() throws InterruptedException {
        return answers.poll(5, TimeUnit.SECONDS);
    }

    private void invite(InvitationRefer<String> refer) {
        refer.refer("sip:juliet@xmpp.test", ROOM, "sip:romeo@example.com", (s, r) -> answers.add(s + " " + r));
    }

    @Test
    void theFirstRouteThatTakesItAnswers_spec_5_6_2() throws Exception {
        invite(refer(Map.of("a", 202), InvitationRefer.BUDGET));
        assertEquals("202 from a", answer());
        assertEquals(List.of("a"), tried);
    }

    /** Spec §5.6.2: "else next route": a timeout (408) and an unavailable server (503) move on, in order. */
    @Test
    void otherFailuresTryTheNextRoute_spec_5_6_2() throws Exception {
        invite(refer(Map.of("a", 408, "b", 503, "c", 202), InvitationRefer.BUDGET));
        assertEquals("202 from c", answer());
        assertEquals(List.of("a", "b", "c"), tried);
    }

    /** Spec §5.6.2: 403 is a failure: the conference refuses the inviter wherever it is reached. */
    @Test
    void forbiddenStops_spec_5_6_2() throws Exception {
        invite(refer(Map.of("a", 403, "b", 202), InvitationRefer.BUDGET));
        assertEquals("403 from a", answer());
        assertEquals(List.of("a"), tried);
    }

    /** Spec §5.6.2: so is 405 (the room takes no REFER), after a route that moved on. */
    @Test
    void methodNotAllowedStops_spec_5_6_2() throws Exception {
        invite(refer(Map.of("a", 0, "b", 405, "c", 202), InvitationRefer.BUDGET));
        assertEquals("405 from b", answer());
        assertEquals(List.of("a", "b"), tried);
    }

    /** Every route failed: the answer is the last failure. */
    @Test
    void theLastFailureIsTheAnswerWhenNoRouteIsLeft() throws Exception {
        invite(refer(Map.of("a", 503, "b", 480, "c", 500), InvitationRefer.BUDGET));
        assertEquals("500 from c", answer());
        assertEquals(List.of("a", "b", "c"), tried);
    }

    /**
     * Spec §5.6.2 "within 30 s": a route that stays silent past the budget ends the REFER with 408, no further route
     * is tried, and its late answer is not heard.
     */
    @Test
    void theBudgetsEndStops_spec_5_6_2() throws Exception {
        java.util.concurrent.atomic.AtomicReference<org.sylkserver.xmpp.muc.ConferenceCall.ReferAnswer> late =
                new java.util.concurrent.atomic.AtomicReference<>();
        InvitationRefer<String> refer = new InvitationRefer<>(room -> List.of("a", "b"),
                (route, from, room, target, answer) -> {
                    tried.add(route);
                    late.set(answer);
                }, Duration.ofMillis(200), timer);
        invite(refer);
        assertEquals("408 no answer within 200 ms", answer());
        late.get().answered(503, "too late");
        assertNull(answers.poll(300, TimeUnit.MILLISECONDS), "nothing after the budget's end");
        assertEquals(List.of("a"), tried, "no route tried after the budget");
    }

    /** Nowhere to send it (the room's domain does not resolve): not sent. */
    @Test
    void noRouteIsNotSent() throws Exception {
        new InvitationRefer<String>(room -> List.of(), (route, from, room, target, answer) -> tried.add(route),
                InvitationRefer.BUDGET, timer)
                .refer("sip:juliet@xmpp.test", ROOM, "sip:romeo@example.com", (s, r) -> answers.add(s + " " + r));
        assertEquals("0 no route to " + ROOM, answer());
        assertEquals(List.of(), tried);
    }
}
