package org.sylkserver.xmpp.muc;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The REFER of a mediated invitation (spec §5.6.2) walking the room's routes: the room URI (or the outbound proxy)
 * resolves to routes in order of preference (RFC 3263 §4), the REFER goes out on the first; a 2xx is the answer, a
 * 403 or 405 says the conference will not take it from anywhere (the answer too), any other failure (408, 503, 0 for
 * not sent, ...) tries the next route; all of it within {@link #BUDGET} (30 s), after which a route still silent is
 * abandoned (its late answer ignored) and the answer is 408. With no route left, the last failure is the answer.
 *
 * <p>Threads: each REFER's state is guarded by its own monitor; answers come on the container's threads, the budget's
 * end on {@code timer}.
 *
 * @param <R> a route, as the sender understands it
 */
public final class InvitationRefer<R> {

    /** Spec §5.6.2: the routes are tried within 30 s. */
    public static final Duration BUDGET = Duration.ofSeconds(30);

    private static final Logger LOG = Logger.getLogger("sylk.xmpp.muc");

    /** Sends one REFER through one route; {@code answer} hears its final status once (0: not sent). */
    @FunctionalInterface
    public interface Sender<R> {
        void send(R route, String fromUri, String roomUri, String targetUri, ConferenceCall.ReferAnswer answer);
    }

    private final Function<String, List<R>> resolver;
    private final Sender<R> sender;
    private final Duration budget;
    private final ScheduledExecutorService timer;

    /**
     * @param resolver the routes of a room URI, best first (none: the REFER is not sent, answer 0)
     * @param budget   how long all the routes together may take ({@link #BUDGET})
     */
    public InvitationRefer(Function<String, List<R>> resolver, Sender<R> sender, Duration budget,
                           ScheduledExecutorService timer) {
        this.resolver = resolver;
        this.sender = sender;
        this.budget = budget;
        this.timer = timer;
    }

    /** Asks the conference {@code roomUri} to call {@code targetUri}; {@code answer} hears the outcome once. */
    public void refer(String fromUri, String roomUri, String targetUri, ConferenceCall.ReferAnswer answer) {
        List<R> routes;
        try {
            routes = List.copyOf(resolver.apply(roomUri));
        } catch (RuntimeException e) {
            LOG.info(() -> "REFER to " + roomUri + ": no route: " + e);
            routes = List.of();
        }
        if (routes.isEmpty()) {
            answer.answered(0, "no route to " + roomUri);
            return;
        }
        new Attempts(routes, fromUri, roomUri, targetUri, answer).start();
    }

    /** One REFER's walk over its routes. */
    private final class Attempts {
        private final List<R> routes;
        private final String fromUri;
        private final String roomUri;
        private final String targetUri;
        private final ConferenceCall.ReferAnswer answer;
        /** The route being tried; an answer from another one is late and ignored. */
        private int current = -1;
        private boolean done;
        private ScheduledFuture<?> deadline;

        Attempts(List<R> routes, String fromUri, String roomUri, String targetUri, ConferenceCall.ReferAnswer answer) {
            this.routes = routes;
            this.fromUri = fromUri;
            this.roomUri = roomUri;
            this.targetUri = targetUri;
            this.answer = answer;
        }

        void start() {
            synchronized (this) {
                deadline = timer.schedule(() -> finish(-1, 408, "no answer within " + budget.toMillis() + " ms"),
                        budget.toMillis(), TimeUnit.MILLISECONDS);
            }
            next(0, 0, null);
        }

        /** Tries route {@code index}, or ends with the last failure when there is none. */
        private void next(int index, int lastStatus, String lastReason) {
            R route;
            synchronized (this) {
                if (done) {
                    return;
                }
                if (index >= routes.size()) {
                    route = null;
                } else {
                    current = index;
                    route = routes.get(index);
                }
            }
            if (route == null) {
                finish(index - 1, lastStatus, lastReason);
                return;
            }
            sender.send(route, fromUri, roomUri, targetUri, (status, reason) -> answered(index, status, reason));
        }

        private void answered(int index, int status, String reason) {
            synchronized (this) {
                if (done || index != current) {
                    return;
                }
            }
            if (status >= 200 && status < 300 || status == 403 || status == 405) {
                finish(index, status, reason);
                return;
            }
            LOG.info(() -> "REFER to " + roomUri + " via " + routes.get(index) + ": " + status + " " + reason
                    + (index + 1 < routes.size() ? "; trying the next route" : ""));
            next(index + 1, status, reason);
        }

        /** The outcome, once: {@code index} the route it came from (-1: the budget's end, whatever is pending). */
        private void finish(int index, int status, String reason) {
            synchronized (this) {
                if (done || index >= 0 && index != current) {
                    return;
                }
                done = true;
                if (deadline != null) {
                    deadline.cancel(false);
                }
            }
            answer.answered(status, reason);
        }
    }
}
