package org.sylkserver.media.msrp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.sylkserver.protocols.digest.DigestChallenge;
import org.sylkserver.protocols.msrp.Continuation;
import org.sylkserver.protocols.msrp.Headers;
import org.sylkserver.protocols.msrp.MalformedMsrpException;
import org.sylkserver.protocols.msrp.MsrpHeader;
import org.sylkserver.protocols.msrp.MsrpRequest;
import org.sylkserver.protocols.msrp.MsrpResponse;
import org.sylkserver.protocols.msrp.MsrpUri;
import org.sylkserver.protocols.msrp.Syntax;

/**
 * Our side of an MSRP relay (RFC 4976): a connection to the configured relay, authenticated with AUTH requests
 * (§7.1: an AUTH, a 401 with a Digest challenge, an AUTH with the Authorization, a 200 with Use-Path and Expires).
 * Our sessions then go through the relay: the path to a peer starts with the Use-Path (§5.2), our own path in the
 * SDP is the Use-Path followed by our session's URI, and the relay forwards what comes back on this connection.
 * The authorization is renewed after three quarters of its Expires (§7.1 lets it lapse otherwise); a failed
 * renewal is logged and tried again.
 *
 * <p>The connection and Use-Path are replaced by a renewal; the scheduler's thread does renewals, callers read.
 */
public final class MsrpRelayClient implements AutoCloseable {

    /** Lifetime assumed when a relay's 200 has no Expires. */
    static final long DEFAULT_EXPIRES_SECONDS = 3600;
    private static final long RETRY_SECONDS = 5;

    private static final Logger log = Logger.getLogger(MsrpRelayClient.class.getName());

    private final MsrpServer endpoint;
    private final RelayConfig config;
    /** The From-Path of our AUTH requests: this endpoint, under a session-id of its own. */
    private final MsrpUri self;
    private final ScheduledExecutorService renewals;
    private volatile MsrpConnection connection;
    private volatile List<MsrpUri> usePath;
    private volatile boolean closed;

    private MsrpRelayClient(MsrpServer endpoint, RelayConfig config) {
        this.endpoint = endpoint;
        this.config = config;
        this.self = endpoint.uri(MsrpServer.randomId(12));
        this.renewals = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sylk-msrp-relay-auth");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Connects to the relay and authenticates.
     *
     * @throws IOException when the relay cannot be reached, refuses the credentials (403) or answers in a way
     *                     RFC 4976 does not allow; the message says which
     */
    public static MsrpRelayClient authenticate(MsrpServer endpoint, RelayConfig config) throws IOException {
        MsrpRelayClient client = new MsrpRelayClient(endpoint, config);
        try {
            client.renewals.schedule(client::renew, client.authorize(), TimeUnit.SECONDS);
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
        return client;
    }

    /** The relay's Use-Path: how our messages reach the relay, the start of every path through it. */
    public List<MsrpUri> usePath() {
        return usePath;
    }

    /** Our path for the SDP {@code a=path} of a session: the Use-Path, then the session's URI. */
    public List<MsrpUri> localPath(MsrpUri session) {
        List<MsrpUri> path = new ArrayList<>(usePath);
        path.add(session);
        return path;
    }

    /** The To-Path to a peer through the relay: the Use-Path, then the peer's {@code a=path}. */
    public List<MsrpUri> toPath(List<MsrpUri> remotePath) {
        List<MsrpUri> path = new ArrayList<>(usePath);
        path.addAll(remotePath);
        return path;
    }

    /** The authenticated connection to the relay. */
    public MsrpConnection connection() {
        return connection;
    }

    /**
     * The active side of a session through the relay: binds {@code session} to the peer with the first SEND (RFC
     * 4975 §5.4) on the relay's connection.
     */
    public MsrpConnection connect(MsrpUri session, List<MsrpUri> remotePath) throws IOException {
        MsrpConnection relay = connection;
        relay.bind(session, toPath(remotePath));
        return relay;
    }

    /** Runs the AUTH exchange; returns the seconds until the next one. */
    private long authorize() throws IOException {
        MsrpConnection relay = connection;
        if (relay == null || !relay.isOpen()) {
            relay = endpoint.connect(config.relay());
            connection = relay;
        }
        String what = "AUTH at relay " + config.relay();
        MsrpResponse response = MsrpServer.await(relay.transaction(auth(null)), what);
        if (response.code() == 401) {
            String header = response.header(Headers.WWW_AUTHENTICATE).orElseThrow(() -> new IOException(what
                    + ": 401 without WWW-Authenticate (RFC 4976 §7.1)"));
            DigestChallenge challenge;
            try {
                challenge = DigestChallenge.parse(header);
            } catch (IllegalArgumentException e) {
                throw new IOException(what + ": " + e.getMessage() + " (RFC 4976 §7.1)", e);
            }
            String authorization = challenge.authorization(config.username(),
                    DigestChallenge.ha1(config.username(), challenge.realm(), config.password()), "AUTH",
                    config.relay().toString(), MsrpServer.randomId(8), 1);
            response = MsrpServer.await(relay.transaction(auth(authorization)), what);
        }
        if (response.code() != 200) {
            throw new IOException(what + ": refused with " + response.code()
                    + (response.comment() == null ? "" : " " + response.comment()));
        }
        usePath = usePath(response, what);
        long expires = expires(response, what);
        log.info(() -> "authenticated at MSRP relay " + config.relay() + ", Use-Path " + Headers.path(usePath)
                + ", for " + expires + " s");
        return Math.max(1, expires * 3 / 4);
    }

    private MsrpRequest auth(String authorization) {
        List<MsrpHeader> headers = authorization == null ? List.of()
                : List.of(new MsrpHeader(Headers.AUTHORIZATION, authorization));
        return new MsrpRequest(MsrpServer.randomId(8), "AUTH", List.of(config.relay()), List.of(self), headers,
                null, Continuation.COMPLETE);
    }

    private static List<MsrpUri> usePath(MsrpResponse response, String what) throws IOException {
        String value = response.header(Headers.USE_PATH).orElseThrow(() -> new IOException(what
                + ": 200 without Use-Path (RFC 4976 §7.1)"));
        List<MsrpUri> path = new ArrayList<>();
        try {
            for (String uri : value.strip().split("[ \t]+")) {
                path.add(MsrpUri.parse(uri));
            }
        } catch (MalformedMsrpException e) {
            throw new IOException(what + ": bad Use-Path: " + e.getMessage(), e);
        }
        return List.copyOf(path);
    }

    private static long expires(MsrpResponse response, String what) throws IOException {
        String value = response.header(Headers.EXPIRES).orElse(null);
        if (value == null) {
            return DEFAULT_EXPIRES_SECONDS;
        }
        if (!Syntax.isDigits(value) || value.length() > 9) {
            throw new IOException(what + ": bad Expires " + Syntax.show(value) + " (seconds)");
        }
        return Long.parseLong(value);
    }

    private void renew() {
        if (closed) {
            return;
        }
        long next;
        try {
            next = authorize();
        } catch (IOException | RuntimeException e) {
            log.log(Level.WARNING, "renewing the authorization at MSRP relay " + config.relay() + " failed", e);
            next = RETRY_SECONDS;
        }
        if (!closed) {
            renewals.schedule(this::renew, next, TimeUnit.SECONDS);
        }
    }

    /** Stops renewing and closes the connection to the relay. */
    @Override
    public void close() {
        closed = true;
        renewals.shutdownNow();
        MsrpConnection relay = connection;
        if (relay != null) {
            relay.close();
        }
    }
}
