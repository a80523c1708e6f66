package org.sylkserver.media.msrp;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

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

/** One TCP or TLS connection with a peer (or a relay), shared by the sessions that use it. */
public final class MsrpConnection {

    private static final Logger log = Logger.getLogger(MsrpConnection.class.getName());
    /** Writes the connections' send queues: a thread per connection that has something to write. */
    private static final ExecutorService WRITERS = Executors.newCachedThreadPool(MsrpServer.daemons("sylk-msrp-writer"));

    private final MsrpServer server;
    private final MsrpServer.Limits limits;
    private final Socket client;
    /** Accepted by the listener (counted against its {@link MsrpServer.Limits}), not opened by us. */
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

    MsrpConnection(MsrpServer server, Socket client, boolean accepted) throws IOException {
        this.server = server;
        this.limits = server.limits();
        this.client = client;
        this.accepted = accepted;
        // every message is flushed whole (or its burst is): waiting for more data only adds latency
        client.setTcpNoDelay(true);
        this.out = new BufferedOutputStream(client.getOutputStream(), 64 * 1024);
    }

    /**
     * Sends a message on this connection (any thread, never blocking): it is queued for the connection's
     * writer. When the queue already holds more than {@link MsrpServer.Limits#sendQueueBytes} the peer does not keep up,
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
                BiConsumer<String, byte[]> t = server.tracer();
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

    /** Why this connection must close at {@code now} (nanoTime) for a {@link MsrpServer.Limits} timeout, or null. */
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
     * fails with {@link TimeoutException} after {@link MsrpServer#TRANSACTION_TIMEOUT}, and with {@link IOException}
     * when the request cannot be written or the connection closes first.
     */
    public CompletableFuture<MsrpResponse> transaction(MsrpRequest request) {
        CompletableFuture<MsrpResponse> response = new CompletableFuture<>();
        String id = request.transactionId();
        if (pending.putIfAbsent(id, response) != null) {
            throw new IllegalArgumentException("transaction '" + id + "' is already waiting on this connection");
        }
        response.whenComplete((r, e) -> pending.remove(id, response));
        response.orTimeout(MsrpServer.TRANSACTION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
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
        MsrpRequest send = new MsrpRequest(MsrpServer.randomId(8), MsrpRequest.SEND, toPath, List.of(local),
                List.of(new MsrpHeader(Headers.MESSAGE_ID, MsrpServer.randomId(8))), null, Continuation.COMPLETE);
        String what = "binding " + local + " to " + Headers.path(toPath);
        MsrpResponse response = MsrpServer.await(transaction(send), what);
        if (response.code() != 200) {
            throw new IOException(what + ": refused with " + response.code()
                    + (response.comment() == null ? "" : " " + response.comment()));
        }
    }

    /** Guards {@link #lastStarted}. */
    private final Object startOrder = new Object();
    /** Completes once the last message sent on this connection has written its first chunk (or ended). */
    private CompletableFuture<Void> lastStarted = CompletableFuture.completedFuture(null);

    /**
     * Starts sending a message in chunks (RFC 4975 §5.1, §7.1.1) on a thread of its own; see
     * {@link OutgoingMessage}. Messages start in the order of the calls: a message's first chunk goes out after the
     * first chunk of the one sent before it on this connection (chat text must arrive in the order it was written;
     * their later chunks may interleave).
     *
     * @param reports gets the REPORTs for the message (RFC 4975 §7.1.2), on the connection's thread
     */
    public OutgoingMessage sendMessage(List<MsrpUri> toPath, List<MsrpUri> fromPath, MessageBody body,
                                       SendOptions options, OutgoingMessage.ReportListener reports) {
        OutgoingMessage message;
        synchronized (startOrder) {
            message = new OutgoingMessage(this, toPath, fromPath, body, options, reports, lastStarted);
            lastStarted = message.started();
        }
        server.routing().sending(message);
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
    void abort() {
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
        server.forget(this);
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

    void read() {
        MsrpParser parser = new MsrpParser();
        // large reads: a file chunk (1 MiB by default) then takes few calls into the kernel and the parser
        byte[] buffer = new byte[256 * 1024];
        try (InputStream in = client.getInputStream()) {
            if (accepted && client instanceof SSLSocket ssl) {
                server.handshake(ssl);
            }
            int n;
            while ((n = in.read(buffer)) > 0) {
                lastReceived = System.nanoTime();
                BiConsumer<String, byte[]> t = server.tracer();
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
        byte[] refusal = MsrpRefusals.answerTo(e);
        if (refusal == null) {
            return false;
        }
        enqueue(refusal);
        return true;
    }

    private void dispatch(MsrpRequest request) throws IOException {
        MsrpResponse response = server.routing().deliver(request, this);
        if (response != null) {
            send(response);
        }
    }

    /** A request for one of our sessions came on it (or we opened it): it is not an idle squatter. */
    void markBound() {
        bound = true;
    }

    /** Accepted by the listener (counted against its limits), not opened by us. */
    boolean accepted() {
        return accepted;
    }

    /** The peer's address and port. */
    SocketAddress peer() {
        return client.getRemoteSocketAddress();
    }

    /** The peer's IP address. */
    InetAddress peerAddress() {
        return client.getInetAddress();
    }
}
