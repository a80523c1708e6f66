package org.sylkserver.webrtc.sip;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import org.sylkserver.protocols.digest.DigestChallenge;

/**
 * The SIP registration of one sylkRTC account (spec §4.5.2): REGISTER to the account's registrar, answering a
 * digest challenge from the account's HA1 (RFC 3261 §22.2), refreshing before the binding expires (RFC 3261
 * §10.2.4) and removing the binding with {@code Expires: 0} on unregister (§10.2.2; the original left it to expire).
 *
 * <p>States, and the sylkRTC {@code registration-state} each one is reported as (only on change):
 * {@code IDLE} → {@code REGISTERING} ("registering") → {@code REGISTERED} ("registered") or {@code FAILED}
 * ("failed" with {@code "<code> <reason>"}); {@code REGISTERED} → {@code UNREGISTERING} → {@code ENDED} (no event:
 * the client expects none, spec §4.5.2). Every transition is logged.
 *
 * <p>Threading: responses arrive on the SIP stack's threads, refreshes on the timer, requests from the connection;
 * all methods are synchronized on the registration, which is small and never waits while holding its lock except
 * to hand a request to the SIP stack.
 */
public final class SipRegistration {

    /** The registration's state; see the class description. */
    public enum State { IDLE, REGISTERING, REGISTERED, FAILED, UNREGISTERING, ENDED }

    /** Sends REGISTER requests of one registration (same Call-ID, rising CSeq, RFC 3261 §10.2). */
    public interface RegisterChannel {
        /** The Request-URI, for the digest {@code uri} parameter. */
        String requestUri();

        /**
         * Sends a REGISTER asking for {@code expires} seconds (0: remove the binding).
         *
         * @param authorization the {@code Authorization} header value, or {@code null}
         */
        void send(int expires, String authorization) throws IOException;

        /** The registration has ended or failed: what its requests kept (a dialog-less SIP session) may go. */
        default void close() {
        }
    }

    /** Told of every change of the reported state, e.g. to send a sylkRTC {@code account-event}. */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param state  {@code registering}, {@code registered} or {@code failed}
         * @param reason {@code "<code> <reason phrase>"} for {@code failed}, else {@code null}
         */
        void registrationState(String state, String reason);
    }

    /** What the registration asks the registrar for (RFC 3261 §10.2.1.1 leaves it to the UA). */
    public static final int REQUESTED_EXPIRES = 600;
    /** A refresh goes out this long before the granted expiry, and never sooner than {@link #MIN_REFRESH}. */
    private static final int REFRESH_MARGIN = 30;
    private static final int MIN_REFRESH = 10;
    private static final Logger LOG = Logger.getLogger("webrtcgateway.registration");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String aor;
    private final String username;
    private final String ha1;
    private final CredentialRealms realms;
    private final RegisterChannel channel;
    private final Listener listener;
    private final ScheduledExecutorService timer;

    private State state = State.IDLE;
    private String reported;
    /** The challenge answered by the request in flight, so that a second challenge for it is a failure. */
    private DigestChallenge answered;
    private DigestChallenge challenge;
    private int nonceCount;
    private String cnonce;
    private ScheduledFuture<?> refresh;

    /**
     * @param aor      the account, {@code user@domain}
     * @param ha1      {@code MD5(user:realm:password)} from {@code account-add}
     * @param realms   whose challenges are answered with credentials
     * @param channel  where the REGISTER requests go
     * @param listener told of state changes
     * @param timer    runs the refreshes
     */
    public SipRegistration(String aor, String ha1, CredentialRealms realms, RegisterChannel channel, Listener listener,
                           ScheduledExecutorService timer) {
        this.aor = aor;
        this.username = aor.substring(0, aor.indexOf('@'));
        this.ha1 = ha1;
        this.realms = realms;
        this.channel = channel;
        this.listener = listener;
        this.timer = timer;
    }

    public synchronized State state() {
        return state;
    }

    /** Starts (or restarts) registering. */
    public synchronized void register() {
        cancelRefresh();
        answered = null;
        moveTo(State.REGISTERING, null);
        send(REQUESTED_EXPIRES);
    }

    /** Removes the binding if there is one; the registration ends either way. */
    public synchronized void unregister() {
        cancelRefresh();
        if (state == State.REGISTERED || state == State.REGISTERING) {
            answered = null;
            moveTo(State.UNREGISTERING, null);
            send(0);
        } else {
            moveTo(State.ENDED, null);
        }
    }

    /**
     * A final response to the last REGISTER.
     *
     * @param status    the status code
     * @param reason    the reason phrase
     * @param challenge the {@code WWW-Authenticate} (or {@code Proxy-Authenticate}) value of a 401/407, else null
     * @param expires   the expiry the registrar granted our contact (from its Contact or Expires), or -1
     */
    public synchronized void response(int status, String reason, String challenge, int expires) {
        if (status < 200 || state == State.ENDED || state == State.IDLE || state == State.FAILED) {
            return;
        }
        boolean removing = state == State.UNREGISTERING;
        if ((status == 401 || status == 407) && challenge != null) {
            if (retryWithCredentials(challenge, status, reason, removing)) {
                return;
            }
            if (!removing) {
                moveTo(State.FAILED, status + " " + reason);
            } else {
                moveTo(State.ENDED, null);
            }
            return;
        }
        if (removing) {
            moveTo(State.ENDED, null);
        } else if (status >= 200 && status < 300) {
            int granted = expires > 0 ? expires : REQUESTED_EXPIRES;
            moveTo(State.REGISTERED, null);
            scheduleRefresh(granted);
        } else {
            moveTo(State.FAILED, status + " " + reason);
        }
    }

    /** The request could not be sent or got no final response (transaction timeout, RFC 3261 §17.1.2.2). */
    public synchronized void failure(String reason) {
        if (state == State.UNREGISTERING) {
            moveTo(State.ENDED, null);
        } else if (state == State.REGISTERING || state == State.REGISTERED) {
            cancelRefresh();
            moveTo(State.FAILED, reason);
        }
    }

    private boolean retryWithCredentials(String header, int status, String reason, boolean removing) {
        DigestChallenge parsed;
        try {
            parsed = DigestChallenge.parse(header);
        } catch (IllegalArgumentException e) {
            LOG.warning(() -> aor + ": cannot answer the registrar's challenge: " + e.getMessage());
            return false;
        }
        if (!realms.allows(parsed.realm())) {
            LOG.warning(() -> aor + ": no credentials for realm \"" + parsed.realm() + "\", neither the account's domain"
                    + " nor the outbound proxy's: " + status + " " + reason);
            return false;
        }
        // a second challenge for the request that already answered one means the credentials are wrong, unless the
        // registrar says only the nonce was stale (RFC 2617 §3.2.1)
        if (answered != null && !parsed.stale()) {
            LOG.info(() -> aor + ": registrar refused the credentials: " + status + " " + reason);
            return false;
        }
        challenge = parsed;
        nonceCount = 0;
        cnonce = HexFormat.of().formatHex(RANDOM.generateSeed(8));
        answered = parsed;
        send(removing ? 0 : REQUESTED_EXPIRES);
        return true;
    }

    private void send(int expires) {
        String authorization = null;
        if (challenge != null) {
            nonceCount++;
            authorization = challenge.authorization(username, ha1, "REGISTER", channel.requestUri(), cnonce,
                    nonceCount);
        }
        try {
            channel.send(expires, authorization);
        } catch (IOException | RuntimeException e) {
            LOG.warning(() -> aor + ": REGISTER could not be sent: " + e.getMessage());
            if (expires == 0) {
                moveTo(State.ENDED, null);
            } else {
                moveTo(State.FAILED, "408 " + e.getMessage());
            }
        }
    }

    private void scheduleRefresh(int granted) {
        cancelRefresh();
        int delay = Math.max(MIN_REFRESH, granted - REFRESH_MARGIN);
        refresh = timer.schedule(this::refreshNow, delay, TimeUnit.SECONDS);
    }

    private synchronized void refreshNow() {
        if (state == State.REGISTERED) {
            answered = null;
            LOG.fine(() -> aor + ": refreshing the registration");
            send(REQUESTED_EXPIRES);
        }
    }

    private void cancelRefresh() {
        if (refresh != null) {
            refresh.cancel(false);
            refresh = null;
        }
    }

    private void moveTo(State next, String reason) {
        if (state != next) {
            State previous = state;
            state = next;
            LOG.info(() -> aor + ": registration " + previous + " -> " + next + (reason == null ? "" : " (" + reason + ")"));
            if (next == State.ENDED || next == State.FAILED) {
                channel.close();
            }
        }
        String report = switch (next) {
            case REGISTERING -> "registering";
            case REGISTERED -> "registered";
            case FAILED -> "failed";
            default -> null;
        };
        if (report != null && !report.equals(reported)) {
            reported = report;
            listener.registrationState(report, reason);
        }
    }
}
