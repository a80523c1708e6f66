package org.sylkserver.xmpp.presence;

import java.util.random.RandomGenerator;

/**
 * What the gateway does when a presence SUBSCRIBE it sent for an XMPP watcher fails (spec §5.5.2 step 3). A new
 * SUBSCRIBE first tries the SIP user's routes in turn (RFC 3263 §4.3): any failure but those below moves on to the
 * next route ({@link #endsRouteWalk}). Then: a 423 asks again at once with the server's {@code Min-Expires}; a 407
 * (the gateway has no credentials for an XMPP user, but a proxy may let the request through later) and an unreachable
 * destination (no route resolved or none could be sent on, or the last route too timed out or answered 5xx) are
 * tried again after a random pause, so that many watchers of one SIP user do not come back in step; 403, 405, 406
 * and 489 say the subscription will never be accepted, and so does any other failure on the last route.
 *
 * @param delaySeconds how long to wait before subscribing again (0: at once)
 * @param expires      the {@code Expires} of the next SUBSCRIBE
 */
public record SubscribeRetry(int delaySeconds, int expires) {

    /** Spec §5.5.2: after a 407, 60-120 s. */
    static final int AUTHENTICATION_MIN = 60;
    static final int AUTHENTICATION_MAX = 120;
    /** Spec §5.5.2: after a DNS failure, 15-30 s. */
    static final int UNREACHABLE_MIN = 15;
    static final int UNREACHABLE_MAX = 30;
    /** The largest Min-Expires followed: a day, as a server that asks for more is broken. */
    static final int MAX_EXPIRES = 86_400;

    /**
     * Whether a SUBSCRIBE's final status ends its walk over the routes (spec §5.5.2 step 3: "other codes → next
     * route"): a success, and the failures that have their own rule.
     */
    public static boolean endsRouteWalk(int status) {
        return status >= 200 && status < 300 || switch (status) {
            case 403, 405, 406, 407, 423, 489 -> true;
            default -> false;
        };
    }

    /**
     * The retry after an error response, or {@code null} when the flow gives up.
     *
     * @param status     the response's status code (0: the request could not be sent)
     * @param minExpires the response's {@code Min-Expires} header, or {@code null}
     * @param expires    the {@code Expires} of the request that failed
     */
    public static SubscribeRetry afterResponse(int status, String minExpires, int expires, RandomGenerator random) {
        if (status == 423) {
            int wanted = minExpires == null || !minExpires.strip().matches("\\d{1,6}") ? -1
                    : Integer.parseInt(minExpires.strip());
            // RFC 3261 §20.23: only a larger interval than the one refused makes sense
            return wanted > expires && wanted <= MAX_EXPIRES ? new SubscribeRetry(0, wanted) : null;
        }
        if (status == 407) {
            return new SubscribeRetry(random.nextInt(AUTHENTICATION_MIN, AUTHENTICATION_MAX + 1), expires);
        }
        if (status == 0 || status == 408 || status >= 500) {
            // RFC 3263 §4.3's failures, on the last route: nothing reached the SIP user's domain
            return afterUnreachable(expires, random);
        }
        return null;
    }

    /** The retry after the SUBSCRIBE could not reach its destination (spec §5.5.2: "DNS failure", 15-30 s). */
    public static SubscribeRetry afterUnreachable(int expires, RandomGenerator random) {
        return new SubscribeRetry(random.nextInt(UNREACHABLE_MIN, UNREACHABLE_MAX + 1), expires);
    }
}
