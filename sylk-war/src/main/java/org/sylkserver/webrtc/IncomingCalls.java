package org.sylkserver.webrtc;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Where incoming SIP calls meet the sylkRTC connections (spec §4.5.4): it knows on which connections each account is
 * authenticated (a successful registration, spec §4.4 {@code auth_state}), and offers each call to all of them. A
 * connection that only added the account gets nothing. Thread-safe.
 */
public final class IncomingCalls {

    /**
     * How long an incoming call rings before it is declined as missed. The original left this to Janus and the
     * caller; a bound keeps a call whose browsers never answer from holding media. Below the proxies' Timer C
     * (RFC 3261 §16.6, more than 3 minutes) so that the gateway, not the proxy, ends it.
     */
    public static final Duration RING_TIMEOUT = Duration.ofSeconds(120);
    private static final Logger LOG = Logger.getLogger("webrtcgateway.session");

    private final Map<String, Set<SylkRtcConnection>> connections = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private final Duration ringTimeout;

    /**
     * @param timer       runs the no-answer timeouts
     * @param ringTimeout how long a call rings, normally {@link #RING_TIMEOUT}
     */
    public IncomingCalls(ScheduledExecutorService timer, Duration ringTimeout) {
        this.timer = timer;
        this.ringTimeout = ringTimeout;
    }

    /** Account {@code aor} is authenticated on {@code connection}. */
    void authenticated(String aor, SylkRtcConnection connection) {
        connections.computeIfAbsent(aor, key -> new CopyOnWriteArraySet<>()).add(connection);
    }

    /** The connections where account {@code aor} is authenticated now (also where its room invitations go). */
    List<SylkRtcConnection> connectionsOf(String aor) {
        return List.copyOf(connections.getOrDefault(aor, Set.of()));
    }

    /** {@code connection} removed account {@code aor}, or closed. */
    void removed(String aor, SylkRtcConnection connection) {
        connections.computeIfPresent(aor, (key, set) -> {
            set.remove(connection);
            return set.isEmpty() ? null : set;
        });
    }

    /** The connections where {@code aor} is authenticated: where its calls and account events go. */
    List<SylkRtcConnection> connections(String aor) {
        return List.copyOf(connections.getOrDefault(aor, Set.of()));
    }

    /**
     * Offers a call for {@code aor} to every connection where the account is authenticated and rings (180).
     *
     * @param declineCode the final response when nobody answers ({@code decline_code}, spec §8.3)
     * @return where the call's SIP events go, or null when no connection has the account authenticated (the caller
     *         answers the INVITE itself then)
     */
    public SipCall.Listener offer(String aor, IncomingInvite invite, SipCall call, int declineCode) {
        List<SylkRtcConnection> targets = connections(aor);
        if (targets.isEmpty()) {
            return null;
        }
        IncomingCall incoming = new IncomingCall(invite, call, declineCode);
        incoming.offering(targets.size(),
                timer.schedule(incoming::noAnswer, ringTimeout.toMillis(), TimeUnit.MILLISECONDS));
        LOG.info(() -> "incoming call " + invite.callId() + " for " + aor + " offered to " + targets.size()
                + " connection(s)");
        for (SylkRtcConnection connection : targets) {
            connection.later(() -> connection.sessions().incoming(aor, incoming));
        }
        call.ringing();
        return incoming;
    }
}
