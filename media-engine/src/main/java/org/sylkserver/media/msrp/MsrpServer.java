package org.sylkserver.media.msrp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The MSRP listening side (RFC 4975 §5.4: the answerer of a session listens and the offerer connects): one TCP
 * port for every session, each session known by the session-id in its URI. A connection's requests go to the
 * session named by the last URI of their To-Path (§7.3 delivers at the final hop), which answers them; unknown
 * sessions get 481, malformed messages 400 (or 413 for an oversized chunk) and lost framing closes the connection
 * (§7.3.1), without disturbing other connections.
 *
 * <p>Over TLS ({@code msrps:} URIs, RFC 4975 §14.2; {@code [MSRP] use_tls}, the default) when built with an
 * {@link javax.net.ssl.SSLContext} holding the server's certificate, else plain TCP.
 *
 * <p>One thread per connection: a participant holds one connection for its whole call, so there are as many
 * threads as chat participants, each mostly blocked in a read.
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

    private static final Logger log = Logger.getLogger(MsrpServer.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ServerSocket socket;
    private final boolean secure;
    private final Map<String, Handler> sessions = new ConcurrentHashMap<>();
    private final Map<Connection, Boolean> connections = new ConcurrentHashMap<>();
    private final AtomicInteger names = new AtomicInteger();
    private final Thread acceptor;
    private volatile java.util.function.BiConsumer<String, byte[]> tracer;

    /** Listens on {@code address:port} (0: any free port) over TCP. */
    public MsrpServer(InetAddress address, int port) throws IOException {
        this(address, port, null);
    }

    /**
     * Listens on {@code address:port} (0: any free port) over TLS with {@code tls}'s certificate, or over TCP when
     * {@code tls} is null.
     */
    public MsrpServer(InetAddress address, int port, javax.net.ssl.SSLContext tls) throws IOException {
        secure = tls != null;
        socket = secure ? tls.getServerSocketFactory().createServerSocket() : new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(address, port));
        acceptor = new Thread(this::accept, "sylk-msrp-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        log.info(() -> "MSRP listening on " + socket.getLocalSocketAddress() + (secure ? " (TLS)" : " (TCP)"));
    }

    /**
     * Traces every message received and sent ({@code trace_msrp}): {@code tracer} gets a heading (direction,
     * peer) and the message's bytes as on the wire.
     */
    public void trace(java.util.function.BiConsumer<String, byte[]> tracer) {
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
        byte[] random = new byte[12];
        RANDOM.nextBytes(random);
        String id = java.util.HexFormat.of().formatHex(random);
        sessions.put(id, Objects.requireNonNull(handler, "handler"));
        return MsrpUri.of(secure, socket.getInetAddress().getHostAddress(), port(), id, "tcp");
    }

    /** Forgets a session; requests for it get 481 from now on. */
    public void close(MsrpUri session) {
        sessions.remove(session.sessionId());
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                Connection connection = new Connection(client);
                connections.put(connection, true);
                Thread reader = new Thread(connection::read, "sylk-msrp-" + names.incrementAndGet());
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    log.log(Level.WARNING, "MSRP accept failed", e);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Connection connection : connections.keySet()) {
            connection.close();
        }
    }

    /** One TCP connection from a peer (or a relay), shared by the sessions that use it. */
    public final class Connection {
        private final Socket client;
        private final OutputStream out;

        Connection(Socket client) throws IOException {
            this.client = client;
            this.out = client.getOutputStream();
        }

        /** Sends a message on this connection (any thread). */
        public synchronized void send(MsrpMessage message) throws IOException {
            byte[] bytes = message.toBytes();
            java.util.function.BiConsumer<String, byte[]> t = tracer;
            if (t != null) {
                t.accept("OUTGOING to " + client.getRemoteSocketAddress(), bytes);
            }
            out.write(bytes);
            out.flush();
        }

        /** Closes the connection (its reader ends); for a session that ended and does not share it. */
        public void close() {
            connections.remove(this);
            try {
                client.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        private void read() {
            MsrpParser parser = new MsrpParser();
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = client.getInputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    java.util.function.BiConsumer<String, byte[]> t = tracer;
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
                        }
                    }
                }
            } catch (SocketException closed) {
                // the peer or close() ended the connection
            } catch (IOException | RuntimeException e) {
                log.log(Level.INFO, "MSRP connection from " + client.getRemoteSocketAddress() + " ended", e);
            } finally {
                close();
            }
        }

        /** Answers a malformed message when its framing allows; false when the connection must close. */
        private boolean refuse(MalformedMsrpException e) throws IOException {
            log.info(() -> "malformed MSRP from " + client.getRemoteSocketAddress() + ": " + e.getMessage());
            if (e.framingLost() || e.transactionId() == null) {
                return false;
            }
            // no usable paths are known for a broken message: answer on the connection it came on (§7.3.1)
            out.write(("MSRP " + e.transactionId() + " " + e.responseCode() + " " + reason(e.responseCode())
                    + "\r\n-------" + e.transactionId() + "$\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.flush();
            return true;
        }

        private void dispatch(MsrpRequest request) throws IOException {
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

    private static String reason(int code) {
        return switch (code) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 413 -> "Message Too Large";
            case 415 -> "Unsupported Media Type";
            case 425 -> "Nickname Already In Use";
            case 481 -> "Session Does Not Exist";
            default -> "Error";
        };
    }
}
