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
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
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
 * <p>One thread per connection: a participant holds one connection for its whole call, so there are as many
 * threads as chat participants, each mostly blocked in a read. What a connection's thread sends while it handles
 * the bytes of one read (responses, and the messages its sessions pass on to other connections) is buffered and
 * flushed once that read is handled, so that a burst of messages leaves in a few TLS records and system calls
 * rather than one per message; sends from any other thread are flushed at once.
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

    /** How long a transaction waits for its response before it fails as 408 (the 30 s RFC 4975 suggests). */
    public static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger log = Logger.getLogger(MsrpServer.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int CONNECT_TIMEOUT_MS = 10_000;

    private final ServerSocket socket;
    private final SSLContext tls;
    private final Map<String, Handler> sessions = new ConcurrentHashMap<>();
    private final Map<Connection, Boolean> connections = new ConcurrentHashMap<>();
    /** Messages being sent, by Message-ID, so that their REPORTs reach the sender (RFC 4975 §7.1.2). */
    private final Map<String, OutgoingMessage> outgoing = new ConcurrentHashMap<>();
    private final AtomicInteger names = new AtomicInteger();
    /** The connections the current reader thread wrote to and has not flushed yet; unset on other threads. */
    private static final ThreadLocal<Set<Connection>> UNFLUSHED = new ThreadLocal<>();
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
        this.tls = tls;
        socket = tls != null ? tls.getServerSocketFactory().createServerSocket() : new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(address, port));
        Thread acceptor = new Thread(this::accept, "sylk-msrp-accept");
        acceptor.setDaemon(true);
        acceptor.start();
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
        Socket client;
        if (hop.secure()) {
            try {
                client = (tls != null ? tls : SSLContext.getDefault()).getSocketFactory().createSocket();
            } catch (GeneralSecurityException e) {
                throw new IOException("no TLS for " + hop + ": " + e.getMessage(), e);
            }
        } else {
            client = new Socket();
        }
        try {
            client.connect(new InetSocketAddress(hop.host(), hop.port()), CONNECT_TIMEOUT_MS);
            if (client instanceof SSLSocket ssl) {
                ssl.startHandshake();
            }
        } catch (IOException e) {
            client.close();
            throw new IOException("cannot connect to " + hop + ": " + e.getMessage(), e);
        }
        log.fine(() -> "MSRP connection opened to " + hop);
        return start(client);
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

    private void accept() {
        while (!socket.isClosed()) {
            try {
                start(socket.accept());
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    log.log(Level.WARNING, "MSRP accept failed", e);
                }
            }
        }
    }

    private Connection start(Socket client) throws IOException {
        Connection connection = new Connection(client);
        connections.put(connection, true);
        Thread reader = new Thread(connection::read, "sylk-msrp-" + names.incrementAndGet());
        reader.setDaemon(true);
        reader.start();
        return connection;
    }

    @Override
    public void close() throws IOException {
        socket.close();
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
        private final OutputStream out;
        /** Transactions sent here that wait for their response, by transaction id. */
        private final Map<String, CompletableFuture<MsrpResponse>> pending = new ConcurrentHashMap<>();
        /** What runs once the connection is closed; an action is taken out of the list by whoever runs it. */
        private final List<Runnable> onClose = new CopyOnWriteArrayList<>();
        private final AtomicBoolean closing = new AtomicBoolean();
        private volatile boolean closed;

        Connection(Socket client) throws IOException {
            this.client = client;
            // every message is flushed whole (or its read's batch is): waiting for more data only adds latency
            client.setTcpNoDelay(true);
            this.out = new BufferedOutputStream(client.getOutputStream(), 64 * 1024);
        }

        /**
         * Sends a message on this connection (any thread). On a connection's reader thread it leaves when that
         * thread has handled its current read; elsewhere at once.
         */
        public void send(MsrpMessage message) throws IOException {
            byte[] bytes = message.toBytes();
            synchronized (this) {
                BiConsumer<String, byte[]> t = tracer;
                if (t != null) {
                    t.accept("OUTGOING to " + client.getRemoteSocketAddress(), bytes);
                }
                out.write(bytes);
            }
            Set<Connection> unflushed = UNFLUSHED.get();
            if (unflushed != null) {
                unflushed.add(this);
            } else {
                flush();
            }
        }

        private synchronized void flush() throws IOException {
            out.flush();
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
                flush(); // its caller may wait for the response on this very thread
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
            closed = true;
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
            Set<Connection> unflushed = new HashSet<>();
            UNFLUSHED.set(unflushed);
            try (InputStream in = client.getInputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
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
                    flush(unflushed);
                }
            } catch (SocketException closed) {
                // the peer or close() ended the connection
            } catch (IOException | RuntimeException e) {
                log.log(Level.INFO, "MSRP connection with " + client.getRemoteSocketAddress() + " ended", e);
            } finally {
                // closed first: its close actions may pass messages on to other connections, flushed below
                close();
                unflushed.remove(this);
                try {
                    flush(unflushed); // what was passed on to other connections before this one ended
                } catch (IOException cannot) {
                    // only this connection's failure is thrown, and it was removed
                }
            }
        }

        /**
         * Flushes what this reader thread wrote. Another connection that fails here is left to its own reader to
         * notice and close; this one failing ends its reader.
         */
        private void flush(Set<Connection> unflushed) throws IOException {
            IOException own = null;
            for (Connection connection : unflushed) {
                try {
                    connection.flush();
                } catch (IOException e) {
                    if (connection == this) {
                        own = e;
                    } else {
                        log.log(Level.FINE, "MSRP connection with " + connection.client.getRemoteSocketAddress()
                                + " failed", e);
                    }
                }
            }
            unflushed.clear();
            if (own != null) {
                throw own;
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
            synchronized (this) {
                out.write(("MSRP " + e.transactionId() + " " + e.responseCode() + " " + reason(e.responseCode())
                        + "\r\n-------" + e.transactionId() + "$\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                out.flush();
            }
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
