package org.sylkserver.xmpp.muc;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

import org.sylkserver.xmpp.sip.RouteFailover;

/**
 * The REFER of a mediated invitation (spec §5.6.2) walking the room's routes ({@link RouteFailover}): a 2xx is the
 * answer, a 403 or 405 says the conference will not take it from anywhere (the answer too), any other failure (408,
 * 503, 0 for not sent, ...) tries the next route; all of it within {@link #BUDGET} (30 s), after which the answer is
 * 408. With no route left, the last failure is the answer.
 *
 * @param <R> a route, as the sender understands it
 */
public final class InvitationRefer<R> {

    /** Spec §5.6.2: the routes are tried within 30 s. */
    public static final Duration BUDGET = RouteFailover.BUDGET;

    /** Sends one REFER through one route; {@code answer} hears its final status once (0: not sent). */
    @FunctionalInterface
    public interface Sender<R> {
        void send(R route, String fromUri, String roomUri, String targetUri, ConferenceCall.ReferAnswer answer);
    }

    private final RouteFailover<R> routes;
    private final Sender<R> sender;

    /**
     * @param resolver the routes of a room URI, best first (none: the REFER is not sent, answer 0)
     * @param budget   how long all the routes together may take ({@link #BUDGET})
     */
    public InvitationRefer(Function<String, List<R>> resolver, Sender<R> sender, Duration budget,
                           ScheduledExecutorService timer) {
        this.routes = new RouteFailover<>(resolver, budget, timer);
        this.sender = sender;
    }

    /** Asks the conference {@code roomUri} to call {@code targetUri}; {@code answer} hears the outcome once. */
    public void refer(String fromUri, String roomUri, String targetUri, ConferenceCall.ReferAnswer answer) {
        routes.<Void>send(roomUri,
                (route, attempt) -> sender.send(route, fromUri, roomUri, targetUri,
                        (status, reason) -> attempt.answered(status, reason, null)),
                InvitationRefer::ends, (status, reason, none) -> answer.answered(status, reason));
    }

    /** Spec §5.6.2: a success, or 403/405 (the conference refuses it wherever it is reached), ends the walk. */
    static boolean ends(int status) {
        return status >= 200 && status < 300 || status == 403 || status == 405;
    }
}
