package org.sylkserver.xmpp.sip;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.logging.Logger;

/**
 * An out-of-dialog SIP request walking its destination's routes (RFC 3263 §4.3): the destination (or the outbound
 * proxy) resolves to routes in order of preference and the request goes out on the first; an answer that ends the
 * walk (a success, or a refusal that would be the same on every route: the caller says which) is the outcome; any
 * other failure (a 503, a timeout, 0 for a request that could not be sent) moves on to the next route. All of it
 * within a budget, after which a route still silent is abandoned (its late answer ignored) and the outcome is 408;
 * with no route left, the last failure is the outcome. Used by the presence SUBSCRIBEs of XMPP watchers (spec
 * §5.5.2) and the REFERs of mediated MUC invitations (spec §5.6.2), which both try their routes within 30 s.
 *
 * <p>Threads: each walk's state is guarded by its own monitor; answers come on the container's threads, the budget's
 * end on {@code timer}.
 *
 * @param <R> a route, as the sender understands it
 */
public final class RouteFailover<R> {

    /** Spec §5.5.2, §5.6.2: the routes are tried within 30 s. */
    public static final Duration BUDGET = Duration.ofSeconds(30);

    private static final Logger LOG = Logger.getLogger("sylk.xmpp");

    /** The answer to one attempt, or the walk's outcome: a final status (0: not sent) and what came with it. */
    @FunctionalInterface
    public interface Answer<P> {
        void answered(int status, String reason, P detail);
    }

    /** Sends the request once through {@code route}; {@code answer} hears its final status once. */
    @FunctionalInterface
    public interface Attempt<R, P> {
        void send(R route, Answer<P> answer);
    }

    private final Function<String, List<R>> resolver;
    private final Duration budget;
    private final ScheduledExecutorService timer;

    /**
     * @param resolver the routes of a destination URI, best first (none: the request is not sent, outcome 0)
     * @param budget   how long all the routes together may take ({@link #BUDGET})
     */
    public RouteFailover(Function<String, List<R>> resolver, Duration budget, ScheduledExecutorService timer) {
        this.resolver = resolver;
        this.budget = budget;
        this.timer = timer;
    }

    /**
     * Sends a request to {@code destination} through its routes in turn; {@code outcome} hears the result once
     * ({@code detail} null for the budget's end and for no route at all).
     *
     * @param ends whether a final status ends the walk (else the next route is tried)
     */
    public <P> void send(String destination, Attempt<R, P> attempt, IntPredicate ends, Answer<P> outcome) {
        List<R> routes;
        try {
            routes = List.copyOf(resolver.apply(destination));
        } catch (RuntimeException e) {
            LOG.info(() -> "routes of " + destination + ": " + e);
            routes = List.of();
        }
        if (routes.isEmpty()) {
            outcome.answered(0, "no route to " + destination, null);
            return;
        }
        new Walk<>(routes, destination, attempt, ends, outcome).start();
    }

    /** One request's walk over its routes. */
    private final class Walk<P> {
        private final List<R> routes;
        private final String destination;
        private final Attempt<R, P> attempt;
        private final IntPredicate ends;
        private final Answer<P> outcome;
        /** The route being tried; an answer from another one is late and ignored. */
        private int current = -1;
        private boolean done;
        private ScheduledFuture<?> deadline;

        Walk(List<R> routes, String destination, Attempt<R, P> attempt, IntPredicate ends, Answer<P> outcome) {
            this.routes = routes;
            this.destination = destination;
            this.attempt = attempt;
            this.ends = ends;
            this.outcome = outcome;
        }

        void start() {
            synchronized (this) {
                deadline = timer.schedule(() -> finish(-1, 408, "no answer within " + budget.toMillis() + " ms", null),
                        budget.toMillis(), TimeUnit.MILLISECONDS);
            }
            next(0, 0, null, null);
        }

        /** Tries route {@code index}, or ends with the last failure when there is none. */
        private void next(int index, int lastStatus, String lastReason, P lastDetail) {
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
                finish(index - 1, lastStatus, lastReason, lastDetail);
                return;
            }
            attempt.send(route, (status, reason, detail) -> answered(index, status, reason, detail));
        }

        private void answered(int index, int status, String reason, P detail) {
            synchronized (this) {
                if (done || index != current) {
                    return;
                }
            }
            if (ends.test(status)) {
                finish(index, status, reason, detail);
                return;
            }
            LOG.info(() -> destination + " via " + routes.get(index) + ": " + status + " " + reason
                    + (index + 1 < routes.size() ? "; trying the next route" : "; no route left"));
            next(index + 1, status, reason, detail);
        }

        /** The outcome, once: {@code index} the route it came from (-1: the budget's end, whatever is pending). */
        private void finish(int index, int status, String reason, P detail) {
            synchronized (this) {
                if (done || index >= 0 && index != current) {
                    return;
                }
                done = true;
                if (deadline != null) {
                    deadline.cancel(false);
                }
            }
            outcome.answered(status, reason, detail);
        }
    }
}
