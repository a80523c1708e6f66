package org.sylkserver.media.msrp;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.sylkserver.protocols.msrp.Continuation;
import org.sylkserver.protocols.msrp.Headers;
import org.sylkserver.protocols.msrp.MalformedMsrpException;
import org.sylkserver.protocols.msrp.MsrpHeader;
import org.sylkserver.protocols.msrp.MsrpMessage;
import org.sylkserver.protocols.msrp.MsrpParser;
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
 * {@linkplain Connection#transaction transactions} sent on the connection; REPORTs for a message being
 * {@linkplain Connection#sendMessage sent in chunks} go to its listener.
 *
 * <p>Over TLS ({@code msrps:} URIs, RFC 4975 §14.2; {@code [MSRP] use_tls}, the default) when built with an
 * {@link SSLContext} holding the server's certificate, else plain TCP. Opened connections follow the scheme of the
 * URI they go to; their peers are checked by that context's trust managers (the JDK's when there is none).
 *
 * <p>One reader thread per connection: a participant holds one connection for its whole call, so there are as
 * many readers as chat participants, each mostly blocked in a read. Nothing is written on the thread that sends:
 * {@link Connection#send} puts the message in the connection's send queue and a writer thread (taken from a shared
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
        int request(MsrpRequest request, Connection connection);
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

    /** Writes the connections' send queues: a thread per connection that has something to write. */
    private static final ExecutorService WRITERS = Executors.newCachedThreadPool(daemons("sylk-msrp-writer"));

    private final ServerSocket socket;
    private final SSLContext tls;
    private final Limits limits;
    /** Closes the connections that outlive a {@link Limits} timeout. */
    private final ScheduledExecutorService watchdog;
    /** When a refused connection was last logged (nanoTime), so that a flood logs one line a second. */
    private volatile long refusalLogged;
    private final Map<String, Handler> sessions = new ConcurrentHashMap<>();
    private final Map<Connection, Boolean> connections = new ConcurrentHashMap<>();
    /** Messages being sent, by Message-ID, so that their REPORTs reach the sender (RFC 4975 §7.1.2). */
    private final Map<String, OutgoingMessage> outgoing = new ConcurrentHashMap<>();
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
        Thread acceptor = new Thread(this::accept, "sylk-msrp-accept");
        acceptor.setDaemon(true);
        acceptor.start();
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
        sessions.put(id, Objects.requireNonNull(handler, "handler"));
        return uri(id);
    }

    /** This endpoint's URI for a session-id. */
    MsrpUri uri(String sessionId) {
        return MsrpUri.of(tls != null, socket.getInetAddress().getHostAddress(), port(), sessionId, "tcp");
    }

    /** Forgets a session; requests for it get 481 from now on. */
    public void close(MsrpUri session) {
        sessions.remove(session.sessionId());
    }

    /**
     * Opens a connection to {@code hop}, over TLS for {@code msrps} and TCP for {@code msrp} (RFC 4975 §6). Its
     * requests are delivered to the sessions like those of accepted connections.
     *
     * @throws IOException when the hop cannot be reached (the message says which and why)
     */
    public Connection connect(MsrpUri hop) throws IOException {
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
        Connection connection = start(client, false);
        connection.bound = true; // ours: it carries the sessions we open it for
        return connection;
    }

    /**
     * The active side of a session (RFC 4975 §5.4): connects to the first hop of {@code toPath} and binds the
     * session with an empty SEND, which must be answered 200.
     *
     * @param local  our session's URI, from {@link #open}
     * @param toPath the peer's {@code a=path}
     */
    public Connection connect(MsrpUri local, List<MsrpUri> toPath) throws IOException {
        Connection connection = connect(toPath.get(0));
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
    private void handshake(SSLSocket ssl) throws IOException {
        ssl.setSoTimeout((int) Math.min(Integer.MAX_VALUE, limits.handshakeTimeout().toMillis()));
        ssl.startHandshake();
        ssl.setSoTimeout(0);
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                String refusal = refusal(client.getInetAddress());
                if (refusal != null) {
                    client.setSoLinger(true, 0);
                    client.close();
                    long now = System.nanoTime();
                    if (now - refusalLogged > TimeUnit.SECONDS.toNanos(1)) {
                        refusalLogged = now;
                        log.warning(() -> "MSRP connection from " + client.getRemoteSocketAddress() + " refused: "
                                + refusal);
                    }
                    continue;
                }
                start(client, true);
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    log.log(Level.WARNING, "MSRP accept failed", e);
                }
            }
        }
    }

    /** Why a connection from {@code peer} may not be accepted now ({@link Limits}), or null. */
    private String refusal(InetAddress peer) {
        int all = 0;
        int fromPeer = 0;
        for (Connection connection : connections.keySet()) {
            if (connection.accepted) {
                all++;
                if (peer.equals(connection.client.getInetAddress())) {
                    fromPeer++;
                }
            }
        }
        if (all >= limits.maxConnections()) {
            return all + " connections are open, the limit (max_connections)";
        }
        if (fromPeer >= limits.maxConnectionsPerAddress()) {
            return fromPeer + " connections from " + peer.getHostAddress()
                    + " are open, the limit (max_connections_per_address)";
        }
        return null;
    }

    /** Closes the connections that outlived a timeout of {@link Limits}; runs every second. */
    private void enforceTimeouts() {
        long now = System.nanoTime();
        for (Connection connection : connections.keySet()) {
            try {
                String expired = connection.expired(now);
                if (expired != null) {
                    log.warning(() -> "MSRP connection with " + connection.client.getRemoteSocketAddress()
                            + " closed: " + expired);
                    connection.abort();
                }
            } catch (RuntimeException e) {
                log.log(Level.WARNING, "MSRP timeouts of " + connection.client.getRemoteSocketAddress(), e);
            }
        }
    }

    private static ThreadFactory daemons(String name) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private Connection start(Socket client, boolean accepted) throws IOException {
        Connection connection = new Connection(client, accepted);
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
        for (Connection connection : connections.keySet()) {
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

    /** One TCP or TLS connection with a peer (or a relay), shared by the sessions that use it. */
    public final class Connection {
        private final Socket client;
        /** Accepted by the listener (counted against its {@link Limits}), not opened by us. */
        private final boolean accepted;
        private final OutputStream out;
        /** Transactions sent here that wait for their response, by transaction id. */
        private final Map<String, CompletableFuture<MsrpResponse>> pending = new ConcurrentHashMap<>();
        /** What runs once the connection is closed; an action is taken out of the list by whoever runs it. */
        private final List<Runnable> onClose = new CopyOnWriteArrayList<>();
        private final AtomicBoolean closing = new AtomicBoolean();
        private volatile boolean closed;
        /** Messages waiting for the writer, whole, in order; guards the fields below it. */
        private final Deque<byte[]> queue = new ArrayDeque<>();
        private long queuedBytes;
        /** A writer is at work on this connection (at most one at a time, so that messages stay whole). */
        private boolean writing;
        /** Written but not flushed yet. */
        private boolean unflushed;
        private final long opened = System.nanoTime();
        /** A request for one of our sessions came (or we opened it): it is not an idle squatter. */
        private volatile boolean bound;
        private volatile long lastReceived = opened;
        /** When the write in progress began (nanoTime), 0 when none is. */
        private volatile long writeStarted;

        Connection(Socket client, boolean accepted) throws IOException {
            this.client = client;
            this.accepted = accepted;
            // every message is flushed whole (or its burst is): waiting for more data only adds latency
            client.setTcpNoDelay(true);
            this.out = new BufferedOutputStream(client.getOutputStream(), 64 * 1024);
        }

        /**
         * Sends a message on this connection (any thread, never blocking): it is queued for the connection's
         * writer. When the queue already holds more than {@link Limits#sendQueueBytes} the peer does not keep up,
         * and the connection is closed.
         *
         * @throws IOException when the connection is closed, or is closed now for its full queue
         */
        public void send(MsrpMessage message) throws IOException {
            enqueue(message.toBytes());
        }

        private void enqueue(byte[] bytes) throws IOException {
            boolean startWriter = false;
            long backlog;
            synchronized (queue) {
                if (closed) {
                    throw new IOException("connection to " + client.getRemoteSocketAddress() + " is closed");
                }
                backlog = queuedBytes;
                // one message always fits in an empty queue, whatever its size
                if (backlog == 0 || backlog + bytes.length <= limits.sendQueueBytes()) {
                    BiConsumer<String, byte[]> t = tracer;
                    if (t != null) {
                        t.accept("OUTGOING to " + client.getRemoteSocketAddress(), bytes);
                    }
                    queue.add(bytes);
                    queuedBytes += bytes.length;
                    startWriter = !writing;
                    writing = true;
                    backlog = -1;
                }
            }
            if (startWriter) {
                WRITERS.execute(this::write);
            }
            if (backlog >= 0) {
                long waiting = backlog;
                log.warning(() -> "MSRP connection with " + client.getRemoteSocketAddress() + " closed: " + waiting
                        + " bytes wait to be sent to it, over the limit of " + limits.sendQueueBytes()
                        + " (send_queue_size): the peer does not read");
                abort();
                throw new IOException("connection to " + client.getRemoteSocketAddress() + " closed: its peer does "
                        + "not read what is sent to it");
            }
        }

        /**
         * Blocks the calling thread until {@code bytes} more fit in half of the send queue (or it is empty), so that a
         * message sent in chunks (on a thread of its own, never a room's) is paced by the peer's reading instead of
         * filling the queue, as a blocking write paced it before.
         *
         * @throws IOException when the connection is closed meanwhile
         */
        void awaitRoom(int bytes) throws IOException, InterruptedException {
            synchronized (queue) {
                while (!closed && queuedBytes > 0 && queuedBytes + bytes > limits.sendQueueBytes() / 2) {
                    queue.wait(1000);
                }
                if (closed) {
                    throw new IOException("connection to " + client.getRemoteSocketAddress() + " is closed");
                }
            }
        }

        /** The writer: writes the queue in order and flushes when it is empty; a failure closes the connection. */
        private void write() {
            try {
                while (true) {
                    byte[] next;
                    synchronized (queue) {
                        next = queue.poll();
                        if (next == null && !unflushed) {
                            writing = false;
                            return;
                        }
                        if (next != null) {
                            queuedBytes -= next.length;
                            queue.notifyAll(); // a sender in awaitRoom
                        }
                        unflushed = next != null;
                    }
                    writeStarted = System.nanoTime() | 1;
                    if (next != null) {
                        out.write(next);
                    } else {
                        out.flush();
                    }
                    writeStarted = 0;
                }
            } catch (IOException | RuntimeException e) {
                writeStarted = 0;
                synchronized (queue) {
                    writing = false;
                }
                if (!closed) {
                    log.log(Level.FINE, "MSRP connection with " + client.getRemoteSocketAddress()
                            + ": cannot write", e);
                }
                close();
            }
        }

        /** Why this connection must close at {@code now} (nanoTime) for a {@link Limits} timeout, or null. */
        String expired(long now) {
            long writing = writeStarted;
            if (writing != 0 && now - writing > limits.writeTimeout().toNanos()) {
                return "a write has been blocked for over " + limits.writeTimeout().toSeconds()
                        + " s (write_timeout): the peer does not read";
            }
            if (accepted && !bound && now - opened > limits.bindTimeout().toNanos()) {
                return "no request for a session within " + limits.bindTimeout().toSeconds() + " s (bind_timeout)";
            }
            if (!limits.idleTimeout().isZero() && now - lastReceived > limits.idleTimeout().toNanos()) {
                return "nothing received for " + limits.idleTimeout().toSeconds() + " s (idle_timeout)";
            }
            return null;
        }

        /** Bytes waiting to be written (for tests and diagnostics). */
        long queuedBytes() {
            synchronized (queue) {
                return queuedBytes;
            }
        }

        /**
         * Sends a request and returns its response to come, matched by transaction id (RFC 4975 §7.2). The future
         * fails with {@link TimeoutException} after {@link #TRANSACTION_TIMEOUT}, and with {@link IOException}
         * when the request cannot be written or the connection closes first.
         */
        public CompletableFuture<MsrpResponse> transaction(MsrpRequest request) {
            CompletableFuture<MsrpResponse> response = new CompletableFuture<>();
            String id = request.transactionId();
            if (pending.putIfAbsent(id, response) != null) {
                throw new IllegalArgumentException("transaction '" + id + "' is already waiting on this connection");
            }
            response.whenComplete((r, e) -> pending.remove(id, response));
            response.orTimeout(TRANSACTION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            try {
                if (closed) {
                    throw new IOException("connection to " + client.getRemoteSocketAddress() + " is closed");
                }
                send(request);
            } catch (IOException e) {
                response.completeExceptionally(e);
            }
            return response;
        }

        /**
         * Binds a session to this connection (RFC 4975 §5.4): the active party's first SEND, empty, To-Path
         * {@code toPath}, From-Path {@code local}; it must be answered 200.
         *
         * @throws IOException when it is refused, unanswered or the connection fails
         */
        public void bind(MsrpUri local, List<MsrpUri> toPath) throws IOException {
            MsrpRequest send = new MsrpRequest(randomId(8), MsrpRequest.SEND, toPath, List.of(local),
                    List.of(new MsrpHeader(Headers.MESSAGE_ID, randomId(8))), null, Continuation.COMPLETE);
            String what = "binding " + local + " to " + Headers.path(toPath);
            MsrpResponse response = await(transaction(send), what);
            if (response.code() != 200) {
                throw new IOException(what + ": refused with " + response.code()
                        + (response.comment() == null ? "" : " " + response.comment()));
            }
        }

        /**
         * Starts sending a message in chunks (RFC 4975 §5.1, §7.1.1) on a thread of its own; see
         * {@link OutgoingMessage}.
         *
         * @param reports gets the REPORTs for the message (RFC 4975 §7.1.2), on the connection's thread
         */
        public OutgoingMessage sendMessage(List<MsrpUri> toPath, List<MsrpUri> fromPath, MessageBody body,
                                           SendOptions options, OutgoingMessage.ReportListener reports) {
            OutgoingMessage message = new OutgoingMessage(this, toPath, fromPath, body, options, reports);
            outgoing.put(message.messageId(), message);
            // late REPORTs may follow the last response; forget the message once they had time to come
            message.outcome().whenComplete((o, e) -> CompletableFuture.runAsync(
                    () -> outgoing.remove(message.messageId(), message),
                    CompletableFuture.delayedExecutor(TRANSACTION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)));
            message.start();
            return message;
        }

        /** False once the connection is closed, by either side. */
        public boolean isOpen() {
            return !closed;
        }

        /**
         * Runs {@code action} once, when the connection is closed by either side (at once when it already is), on
         * the thread that closes it: for sessions that must end when their connection is lost.
         */
        public void whenClosed(Runnable action) {
            onClose.add(action);
            if (closing.get() && onClose.remove(action)) {
                runClosed(action);
            }
        }

        private void runClosed(Runnable action) {
            try {
                action.run();
            } catch (RuntimeException e) {
                log.log(Level.WARNING, "MSRP connection with " + client.getRemoteSocketAddress()
                        + ": an action on its close failed", e);
            }
        }

        /** Closes the connection (its reader ends, waiting transactions fail); for a session that ended. */
        public void close() {
            if (writeStarted != 0) {
                abort();
                return;
            }
            closeGracefully();
        }

        /**
         * Closes at once, with a reset: for a peer that does not read. Over TLS a graceful close waits for the
         * blocked writer's lock to send close_notify, which would hold the closing thread (maybe a room's) for as
         * long as the peer likes; with SO_LINGER 0 it gives up the alert instead.
         */
        private void abort() {
            try {
                client.setSoLinger(true, 0);
            } catch (IOException ignored) {
                // closing anyway
            }
            closeGracefully();
        }

        private void closeGracefully() {
            synchronized (queue) {
                closed = true;
                queue.clear();
                queuedBytes = 0;
                queue.notifyAll();
            }
            connections.remove(this);
            try {
                client.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            IOException gone = new IOException("connection to " + client.getRemoteSocketAddress() + " closed");
            pending.values().forEach(response -> response.completeExceptionally(gone));
            if (closing.compareAndSet(false, true)) {
                for (Runnable action : onClose) {
                    if (onClose.remove(action)) {
                        runClosed(action);
                    }
                }
            }
        }

        private void read() {
            MsrpParser parser = new MsrpParser();
            // large reads: a file chunk (1 MiB by default) then takes few calls into the kernel and the parser
            byte[] buffer = new byte[256 * 1024];
            try (InputStream in = client.getInputStream()) {
                if (accepted && client instanceof SSLSocket ssl) {
                    handshake(ssl);
                }
                int n;
                while ((n = in.read(buffer)) > 0) {
                    lastReceived = System.nanoTime();
                    BiConsumer<String, byte[]> t = tracer;
                    if (t != null) {
                        t.accept("INCOMING from " + client.getRemoteSocketAddress(),
                                java.util.Arrays.copyOf(buffer, n));
                    }
                    parser.feed(buffer, 0, n);
                    while (true) {
                        MsrpMessage message;
                        try {
                            message = parser.next();
                        } catch (MalformedMsrpException e) {
                            if (!refuse(e)) {
                                return;
                            }
                            continue;
                        }
                        if (message == null) {
                            break;
                        }
                        if (message instanceof MsrpRequest request) {
                            dispatch(request);
                        } else {
                            answered((MsrpResponse) message);
                        }
                    }
                }
            } catch (SocketException closed) {
                // the peer or close() ended the connection
            } catch (IOException | RuntimeException e) {
                if (!closed) { // else closed on purpose (a session's end, a limit) while a request was handled
                    log.log(Level.INFO, "MSRP connection with " + client.getRemoteSocketAddress() + " ended", e);
                }
            } finally {
                close();
            }
        }

        private void answered(MsrpResponse response) {
            CompletableFuture<MsrpResponse> waiting = pending.get(response.transactionId());
            if (waiting == null) {
                log.fine(() -> "MSRP response to no waiting transaction: " + response.transactionId() + " "
                        + response.code());
                return;
            }
            waiting.complete(response);
        }

        /** Answers a malformed message when its framing allows; false when the connection must close. */
        private boolean refuse(MalformedMsrpException e) throws IOException {
            log.info(() -> "malformed MSRP from " + client.getRemoteSocketAddress() + ": " + e.getMessage());
            if (e.framingLost() || e.transactionId() == null) {
                return false;
            }
            // no usable paths are known for a broken message: answer on the connection it came on (§7.3.1)
            enqueue(("MSRP " + e.transactionId() + " " + e.responseCode() + " " + reason(e.responseCode())
                    + "\r\n-------" + e.transactionId() + "$\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return true;
        }

        private void dispatch(MsrpRequest request) throws IOException {
            if (request.method().equals(MsrpRequest.REPORT)) {
                OutgoingMessage sent = request.messageId().map(outgoing::get).orElse(null);
                if (sent != null) {
                    sent.reported(request);
                    return; // §7.1.2: REPORT requests are never answered
                }
            }
            MsrpUri target = request.toPath().get(request.toPath().size() - 1);
            Handler handler = target.sessionId() == null ? null : sessions.get(target.sessionId());
            bound |= handler != null;
            int code = handler == null ? 481 : handler.request(request, this);
            if (request.method().equals(MsrpRequest.REPORT)) {
                return; // §7.1.2: REPORT requests are never answered
            }
            if (request.failureReport().map(v -> v.equalsIgnoreCase("no")).orElse(false)
                    || (code == 200 && request.failureReport().map(v -> v.equalsIgnoreCase("partial")).orElse(false))) {
                return; // §7.2: Failure-Report no (or partial and success) means no response
            }
            send(new MsrpResponse(request.transactionId(), code, reason(code), List.of(request.fromPath().get(0)),
                    List.of(target)));
        }
    }

    static String reason(int code) {
        return switch (code) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 408 -> "Request Timeout";
            case 413 -> "Message Too Large";
            case 415 -> "Unsupported Media Type";
            case 425 -> "Nickname Already In Use";
            case 481 -> "Session Does Not Exist";
            default -> "Error";
        };
    }
}
