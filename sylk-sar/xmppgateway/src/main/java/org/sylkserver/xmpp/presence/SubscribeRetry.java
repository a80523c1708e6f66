package org.sylkserver.xmpp.presence;

import java.util.random.RandomGenerator;

/**
 * What the gateway does when a presence SUBSCRIBE it sent for an XMPP watcher fails (spec §5.5.2 step 3): a 423 asks
 * again at once with the server's {@code Min-Expires}; a 407 (the gateway has no credentials for an XMPP user, but a
 * proxy may let the request through later) and an unreachable destination are tried again after a random pause, so
 * that many watchers of one SIP user do not come back in step; 403, 405, 406 and 489 say the subscription will never
 * be accepted. The container resolves the destination (RFC 3263) and fails over between its addresses itself, so
 * there is no further route to try for the other codes: the flow gives up on them.
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
     * The retry after an error response, or {@code null} when the flow gives up.
     *
     * @param status     the response's status code
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
        return null;
    }

    /** The retry after the SUBSCRIBE could not be sent because its destination did not resolve. */
    public static SubscribeRetry afterUnreachable(int expires, RandomGenerator random) {
        return new SubscribeRetry(random.nextInt(UNREACHABLE_MIN, UNREACHABLE_MAX + 1), expires);
    }
}
