package org.sylkserver.media.msrp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.sylkserver.protocols.msrp.MsrpRequest;
import org.sylkserver.protocols.msrp.MsrpResponse;
import org.sylkserver.protocols.msrp.MsrpUri;

/**
 * The MSRP endpoint of the server: one TCP port for every session, each session known by the session-id in its URI,
 * and the connections it opens itself when it is the active party (RFC 4975 §5.4 by default the offerer connects;
 * RFC 6135, see {@link ConnectionModel}, lets either side do it). Accepted and opened connections behave alike: a
 * connection's requests go to the session named by the last URI of their To-Path (§7.3 delivers at the final
 * hop), which answers them; unknown sessions get 481, malformed messages 400 (or 413 for an oversized chunk) and
 * lost framing closes the connection (§7.3.1), without disturbing other connections. Responses complete the
 * {@linkplain MsrpConnection#transaction transactions} sent on the connection; REPORTs for a message being
 * {@linkplain MsrpConnection#sendMessage sent in chunks} go to its listener.
 *
 * <p>Over TLS ({@code msrps:} URIs, RFC 4975 §14.2; {@code [MSRP] use_tls}, the default) when built with an
 * {@link SSLContext} holding the server's certificate, else plain TCP. Opened connections follow the scheme of the
 * URI they go to; their peers are checked by that context's trust managers (the JDK's when there is none).
 *
 * <p>One reader thread per connection: a participant holds one connection for its whole call, so there are as
 * many readers as chat participants, each mostly blocked in a read. Nothing is written on the thread that sends:
 * {@link MsrpConnection#send} puts the message in the connection's send queue and a writer thread (taken from a shared
 * pool only while the queue has something) writes it and flushes once the queue is empty, so that a burst leaves
 * in a few TLS records and system calls. A peer that stops reading therefore never blocks whoever sends to it (a
 * room passing a message on to everyone, another participant's reader): its queue grows until it holds more than
 * {@link Limits#sendQueueBytes} or a write has been blocked for {@link Limits#writeTimeout}, and then that
 * connection alone is closed, with a log line naming the peer.
 *
 * <p>The listener defends itself ({@link Limits}): at most so many accepted connections in all and from one
 * address, a TLS handshake that must end within a timeout, a connection that must carry a request for one of our
 * sessions soon after it opens (a connection that never binds a session is closed) and, when configured, an idle
 * timeout.
 *
 * <p>The roles apart: {@link MsrpConnection} (one connection: its reader, send queue and transactions),
 * {@link MsrpAcceptor} (the listener and its connection limits), {@link MsrpRouting} (which session a request goes
 * to, and what is answered) and {@link MsrpRefusals} (the answer to a malformed message).
 */
public final class MsrpServer implements AutoCloseable {

    /** What a session does with the requests that reach it. */
    @FunctionalInterface
    public interface Handler {
        /**
         * A request for this session; returns the status code of the response (200 to accept, 4xx to refuse).
         *
         * @param connection where it came from, to send requests back on (§5.4: the session reuses it)
         */
        int request(MsrpRequest request, MsrpConnection connection);
    }

    /**
     * What one peer may cost the endpoint ({@code [MSRP]} in config.ini).
     *
     * @param maxConnections           accepted connections at once; more are closed as they come
     * @param maxConnectionsPerAddress accepted connections at once from one IP address
     * @param handshakeTimeout         a TLS handshake (accepted or opened) must end within it
     * @param bindTimeout              an accepted connection must carry a request for one of our sessions within it
     * @param idleTimeout              a connection on which nothing arrives for this long is closed; zero: never
     * @param sendQueueBytes           bytes waiting to be written to one connection, beyond which it is closed
     * @param writeTimeout             a write blocked this long (the peer does not read) closes the connection
     */
    public record Limits(int maxConnections, int maxConnectionsPerAddress, Duration handshakeTimeout,
                         Duration bindTimeout, Duration idleTimeout, int sendQueueBytes, Duration writeTimeout) {

        /** The defaults of config.ini's {@code [MSRP]}. */
        public static final Limits DEFAULTS = new Limits(1000, 50, Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ZERO, 16 * 1024 * 1024, Duration.ofSeconds(30));

        public Limits {
            if (maxConnections < 1 || maxConnectionsPerAddress < 1 || sendQueueBytes < 1
                    || handshakeTimeout.isNegative() || handshakeTimeout.isZero() || bindTimeout.isNegative()
                    || bindTimeout.isZero() || idleTimeout.isNegative() || writeTimeout.isNegative()
                    || writeTimeout.isZero()) {
                throw new IllegalArgumentException("MSRP limits must be positive: " + this);
            }
        }
    }

    /** How long a transaction waits for its response before it fails as 408 (the 30 s RFC 4975 suggests). */
    public static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger log = Logger.getLogger(MsrpServer.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int CONNECT_TIMEOUT_MS = 10_000;

    private final ServerSocket socket;
    private final SSLContext tls;
    private final Limits limits;
    /** Closes the connections that outlive a {@link Limits} timeout. */
    private final ScheduledExecutorService watchdog;
    private final MsrpRouting routing = new MsrpRouting();
    private final Map<MsrpConnection, Boolean> connections = new ConcurrentHashMap<>();
    private final AtomicInteger names = new AtomicInteger();
    private volatile BiConsumer<String, byte[]> tracer;

    /** Listens on {@code address:port} (0: any free port) over TCP. */
    public MsrpServer(InetAddress address, int port) throws IOException {
        this(address, port, null);
    }

    /**
     * Listens on {@code address:port} (0: any free port) over TLS with {@code tls}'s certificate, or over TCP when
     * {@code tls} is null. {@code tls} also opens the {@code msrps:} connections this endpoint makes.
     */
    public MsrpServer(InetAddress address, int port, SSLContext tls) throws IOException {
        this(address, port, tls, Limits.DEFAULTS);
    }

    /** As {@link #MsrpServer(InetAddress, int, SSLContext)}, with {@code limits} instead of the defaults. */
    public MsrpServer(InetAddress address, int port, SSLContext tls, Limits limits) throws IOException {
        this.tls = tls;
        this.limits = Objects.requireNonNull(limits, "limits");
        socket = tls != null ? tls.getServerSocketFactory().createServerSocket() : new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(address, port));
        new MsrpAcceptor(socket, limits, connections::keySet, client -> start(client, true)).start();
        watchdog = Executors.newSingleThreadScheduledExecutor(daemons("sylk-msrp-watchdog"));
        watchdog.scheduleWithFixedDelay(this::enforceTimeouts, 1, 1, TimeUnit.SECONDS);
        log.info(() -> "MSRP listening on " + socket.getLocalSocketAddress() + (tls != null ? " (TLS)" : " (TCP)"));
    }

    /**
     * Traces every message received and sent ({@code trace_msrp}): {@code tracer} gets a heading (direction,
     * peer) and the message's bytes as on the wire.
     */
    public void trace(BiConsumer<String, byte[]> tracer) {
        this.tracer = tracer;
    }

    BiConsumer<String, byte[]> tracer() {
        return tracer;
    }

    Limits limits() {
        return limits;
    }

    MsrpRouting routing() {
        return routing;
    }

    /** A connection closed: it no longer counts. */
    void forget(MsrpConnection connection) {
        connections.remove(connection);
    }

    /** The port it listens on. */
    public int port() {
        return socket.getLocalPort();
    }

    /**
     * Registers a session with a fresh random session-id (§14.1: at least 80 bits of randomness) and returns its
     * URI for the SDP {@code a=path}.
     */
    public MsrpUri open(Handler handler) {
        String id = randomId(12);
        routing.open(id, Objects.requireNonNull(handler, "handler"));
        return uri(id);
    }

    /** This endpoint's URI for a session-id. */
    MsrpUri uri(String sessionId) {
        return MsrpUri.of(tls != null, socket.getInetAddress().getHostAddress(), port(), sessionId, "tcp");
    }

    /** Forgets a session; requests for it get 481 from now on. */
    public void close(MsrpUri session) {
        routing.close(session.sessionId());
    }

    /**
     * Opens a connection to {@code hop}, over TLS for {@code msrps} and TCP for {@code msrp} (RFC 4975 §6). Its
     * requests are delivered to the sessions like those of accepted connections.
     *
     * @throws IOException when the hop cannot be reached (the message says which and why)
     */
    public MsrpConnection connect(MsrpUri hop) throws IOException {
        if (hop.port() < 0) {
            throw new IOException("cannot connect to " + hop + ": it has no port");
        }
        Socket client = new Socket();
        try {
            client.connect(new InetSocketAddress(hop.host(), hop.port()), CONNECT_TIMEOUT_MS);
            if (hop.secure()) {
                client = secure(client, hop);
            }
        } catch (IOException e) {
            client.close();
            throw new IOException("cannot connect to " + hop + ": " + e.getMessage(), e);
        }
        log.fine(() -> "MSRP connection opened to " + hop);
        MsrpConnection connection = start(client, false);
        connection.markBound(); // ours: it carries the sessions we open it for
        return connection;
    }

    /**
     * The active side of a session (RFC 4975 §5.4): connects to the first hop of {@code toPath} and binds the
     * session with an empty SEND, which must be answered 200.
     *
     * @param local  our session's URI, from {@link #open}
     * @param toPath the peer's {@code a=path}
     */
    public MsrpConnection connect(MsrpUri local, List<MsrpUri> toPath) throws IOException {
        MsrpConnection connection = connect(toPath.get(0));
        try {
            connection.bind(local, toPath);
        } catch (IOException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    /**
     * TLS over the connected {@code plain} socket to {@code hop}. The peer's certificate must also name the host of
     * the URI we connect to (RFC 4975 §14.2; names and addresses matched as for HTTPS, RFC 2818 §3.1): the check is
     * done by the context's trust manager, so a context that trusts any peer ({@code verify_server = false}) skips
     * it along with the chain.
     */
    private Socket secure(Socket plain, MsrpUri hop) throws IOException {
        SSLSocket ssl;
        try {
            ssl = (SSLSocket) (tls != null ? tls : SSLContext.getDefault()).getSocketFactory()
                    .createSocket(plain, hop.host(), hop.port(), true);
        } catch (GeneralSecurityException e) {
            throw new IOException("no TLS for " + hop + ": " + e.getMessage(), e);
        }
        javax.net.ssl.SSLParameters parameters = ssl.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(parameters);
        try {
            handshake(ssl);
        } catch (IOException e) {
            ssl.close();
            throw e;
        }
        return ssl;
    }

    /** A TLS handshake within {@link Limits#handshakeTimeout}: a peer that stalls it costs a thread no longer. */
    void handshake(SSLSocket ssl) throws IOException {
        ssl.setSoTimeout((int) Math.min(Integer.MAX_VALUE, limits.handshakeTimeout().toMillis()));
        ssl.startHandshake();
        ssl.setSoTimeout(0);
    }


    /** Closes the connections that outlived a timeout of {@link Limits}; runs every second. */
    private void enforceTimeouts() {
        long now = System.nanoTime();
        for (MsrpConnection connection : connections.keySet()) {
            try {
                String expired = connection.expired(now);
                if (expired != null) {
                    log.warning(() -> "MSRP connection with " + connection.peer() + " closed: " + expired);
                    connection.abort();
                }
            } catch (RuntimeException e) {
                log.log(Level.WARNING, "MSRP timeouts of " + connection.peer(), e);
            }
        }
    }

    static ThreadFactory daemons(String name) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private MsrpConnection start(Socket client, boolean accepted) throws IOException {
        MsrpConnection connection = new MsrpConnection(this, client, accepted);
        connections.put(connection, true);
        Thread reader = new Thread(connection::read, "sylk-msrp-" + names.incrementAndGet());
        reader.setDaemon(true);
        reader.start();
        return connection;
    }

    @Override
    public void close() throws IOException {
        socket.close();
        watchdog.shutdownNow();
        for (MsrpConnection connection : connections.keySet()) {
            connection.close();
        }
    }

    /** Random hex for transaction ids, Message-IDs and session-ids: RFC 4975 idents. */
    static String randomId(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    /** Waits for a transaction's response; a timeout, a closed connection or an interrupt become IOException. */
    static MsrpResponse await(CompletableFuture<MsrpResponse> transaction, String what) throws IOException {
        try {
            return transaction.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimeoutException) {
                throw new IOException(what + ": no response within " + TRANSACTION_TIMEOUT.toSeconds() + " s");
            }
            throw new IOException(what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(what + ": interrupted", e);
        }
    }
}
