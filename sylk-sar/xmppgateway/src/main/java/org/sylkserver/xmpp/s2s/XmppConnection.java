package org.sylkserver.xmpp.s2s;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The transport of one S2S stream: a socket with its own reader thread (feeding a {@link StreamParser} and the
 * link's state machine, which runs on that thread only) and its own writer thread behind a bounded queue, so a
 * remote server that stops reading blocks only this connection's writer, never the thread that sends (a SIP
 * servlet thread, another link's reader). A full queue while the peer takes our writes means it reads more slowly
 * than we send: what does not fit is refused (the sender hears it) and the connection stays. A full queue while
 * one write has waited for the peer for {@code send_timeout} means it stopped reading: the connection ends with the
 * stream error {@code connection-timeout} (RFC 6120 §4.9.3.4; written if the peer reads again within
 * {@link #STALL_GRACE_MILLIS}, the socket closed after it anyway). Stanzas ({@link Outgoing}) queued but not written when
 * the connection ends are kept for the link ({@link #takeUnsent}), never silently dropped. STARTTLS (RFC 6120 §5)
 * replaces the socket in place; a new stream then starts with a new parser.
 */
final class XmppConnection {

    private static final Logger LOG = Logger.getLogger("sylk.xmpp");
    private static final String CLOSE = "\0close";
    /** Queued elements written at once at most. */
    private static final int WRITE_BATCH = 256;
    /** How long a peer that stopped reading has to take our stream error before the socket is closed. */
    static final long STALL_GRACE_MILLIS = 5000;
    private static final long NOT_WRITING = Long.MIN_VALUE;
    /**
     * How long the writer waits for more stanzas before writing one that came while the link is busy (less than
     * this after the previous write ended), so that one write carries several: one TLS record, one system call and
     * one wake-up of the writer per write rather than per stanza, on our side and for the peer's read. A stanza after
     * a quiet spell goes out at once. At 5,000 stanzas/s (one every 0.2 ms) a write carries about three, each
     * waiting at most this long more.
     */
    static final Duration COALESCE = Duration.ofNanos(500_000);

    /** The link's side: what its reader thread finds. */
    interface Handler extends StreamParser.Listener {
        /** The stream broke a rule; the handler sends the stream error (after its header if none was sent). */
        void streamFailed(StreamError error);

        /** The connection ended (peer closed, error, or {@link #close}); called once, on the reader thread. */
        void connectionLost(String reason);
    }

    private final String description;
    private final int maxElementSize;
    private final XmppTrace trace;
    private final BlockingQueue<Object> outgoing;
    private final long sendTimeoutNanos;
    private final long coalesceNanos;
    private final ScheduledExecutorService timer;
    /** When the writer's write now under way began ({@link System#nanoTime}); {@link #NOT_WRITING} between writes. */
    private volatile long writeSince = NOT_WRITING;
    private volatile Socket socket;
    private volatile InputStream in;
    private volatile OutputStream out;
    /** Guarded by {@code outgoing}: nothing more is queued, and what is still queued is no longer written. */
    private volatile boolean closed;
    /** Guarded by {@code outgoing}: nothing more is queued; what is queued goes out, then the end. */
    private boolean closing;
    private volatile boolean stalled;
    /** Stanzas queued but not written, gathered when the connection ends; guarded by {@code outgoing}. */
    private final List<Outgoing> unsent = new ArrayList<>();
    private Handler handler;
    private StreamParser parser;
    private Thread writer;

    /**
     * @param queueLimit  elements that may wait for the writer ({@code send_queue_limit})
     * @param sendTimeout how long one write may wait for the peer to read while the queue is full before the
     *                    connection ends ({@code send_timeout})
     * @param coalesce    how long a stanza of a busy link waits for more to share its write ({@link #COALESCE})
     */
    XmppConnection(Socket socket, String description, int maxElementSize, int queueLimit, Duration sendTimeout,
                   Duration coalesce, XmppTrace trace, ScheduledExecutorService timer) throws IOException {
        this.timer = timer;
        this.sendTimeoutNanos = sendTimeout.toNanos();
        this.coalesceNanos = coalesce.toNanos();
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.description = description;
        this.maxElementSize = maxElementSize;
        this.trace = trace;
        this.outgoing = new ArrayBlockingQueue<>(queueLimit);
    }

    String description() {
        return description;
    }

    boolean secure() {
        return socket instanceof SSLSocket;
    }

    /** Runs the reader on the calling thread until the connection ends (the writer gets a thread of its own). */
    void run(Handler linkHandler) {
        this.handler = linkHandler;
        this.parser = new StreamParser(handler, maxElementSize);
        writer = new Thread(this::writeLoop, "xmpp-out " + description);
        writer.setDaemon(true);
        writer.start();
        String reason = "closed by the peer";
        byte[] buffer = new byte[16384];
        try {
            while (!closed) {
                int read = in.read(buffer);
                if (read < 0) {
                    break;
                }
                if (trace.on()) {
                    trace.received(description, new String(buffer, 0, read, StandardCharsets.UTF_8));
                }
                try {
                    parser.feed(buffer, 0, read);
                } catch (StreamError e) {
                    LOG.info(() -> "XMPP stream " + description + ": " + e.getMessage());
                    handler.streamFailed(e);
                    reason = e.getMessage();
                    awaitWriter();
                    break;
                }
            }
        } catch (IOException e) {
            reason = closed ? "closed" : e.getMessage();
        } catch (RuntimeException e) {
            // a bug in one link's handling ends that link only
            LOG.log(Level.WARNING, "XMPP stream " + description + " failed", e);
            reason = e.toString();
        } finally {
            close();
            awaitWriter(); // a write it fails now adds its stanzas to the unsent ones the link takes
            handler.connectionLost(reason);
        }
    }

    /** Lets the writer send what is queued (a stream error) before the socket closes; bounded by its queue. */
    private void awaitWriter() {
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Queues stream-level XML to send; {@code false} when the connection is ending, or when {@code send_queue_limit}
     * elements wait already: then the connection stays if the peer takes our writes (it reads more slowly than we
     * send), and ends ({@link #stalled}) if a write has waited for it for {@code send_timeout}.
     */
    boolean send(String xml) {
        return queue(xml);
    }

    /** Queues a stanza to send, as {@link #send}; one not written when the connection ends is {@link #takeUnsent}. */
    boolean send(Outgoing stanza) {
        return queue(stanza);
    }

    private boolean queue(Object item) {
        synchronized (outgoing) {
            if (closed || closing) {
                return false;
            }
            if (outgoing.offer(item)) {
                return true;
            }
            long since = writeSince;
            if (since == NOT_WRITING || System.nanoTime() - since < sendTimeoutNanos) {
                return false; // a slow reader, not a stopped one: this element is refused, the link stays
            }
        }
        stall();
        return false;
    }

    /**
     * The peer has not read what we queued for it: the queued stanzas are taken out (the link bounces them), the
     * stream error and the end of the stream queued in their place, and the socket closed after
     * {@link #STALL_GRACE_MILLIS} whether or not the peer took them.
     */
    private void stall() {
        int taken;
        synchronized (outgoing) {
            if (closed || closing) {
                return;
            }
            stalled = true;
            closing = true;
            takeStanzas(unsent);
            taken = unsent.size();
            outgoing.clear();
            outgoing.offer(new StreamError("connection-timeout", "the peer does not read").toXml()
                    + "</stream:stream>");
            outgoing.offer(CLOSE);
        }
        LOG.warning("XMPP stream " + description + ": the peer does not read; send queue full (" + taken
                + " stanza(s) not written), closing");
        try {
            timer.schedule(this::closeNow, STALL_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            closeNow(); // the gateway stops: no grace
        }
    }

    /** Whether the connection is ending or ended: it takes nothing more. */
    boolean ending() {
        synchronized (outgoing) {
            return closed || closing;
        }
    }

    /** Whether the connection ended because the peer stopped reading (its send queue filled, a write waiting). */
    boolean stalled() {
        return stalled;
    }

    /** Moves the stanzas still queued into {@code into}, oldest first; the rest of the queue stays. */
    private void takeStanzas(List<Outgoing> into) {
        List<Object> all = new ArrayList<>(outgoing);
        outgoing.clear();
        for (Object item : all) {
            if (item instanceof Outgoing stanza) {
                into.add(stanza);
            } else {
                outgoing.offer(item);
            }
        }
    }

    /**
     * Ends the stream on our side (RFC 6120 §4.4) without the stanzas queued and not yet written, which it returns
     * (for another link to send): the peer ended its stream and may not take them.
     */
    List<Outgoing> endStream() {
        List<Outgoing> taken = new ArrayList<>();
        synchronized (outgoing) {
            if (closed || closing) {
                return taken;
            }
            takeStanzas(taken);
        }
        send("</stream:stream>");
        closeAfterSending();
        return taken;
    }

    /**
     * Takes the stanzas found queued and not written when the connection started to end (none while it is open),
     * oldest first; each is taken once.
     */
    List<Outgoing> takeUnsent() {
        synchronized (outgoing) {
            List<Outgoing> taken = List.copyOf(unsent);
            unsent.clear();
            return taken;
        }
    }

    /** Sends a stream error and the end of the stream (RFC 6120 §4.9.1.1), then closes. */
    void fail(StreamError error) {
        send(error.toXml() + "</stream:stream>");
        closeAfterSending();
    }

    /** Closes once what is queued has been written; nothing more is queued. */
    void closeAfterSending() {
        synchronized (outgoing) {
            if (closed || closing) {
                return;
            }
            closing = true;
            if (outgoing.offer(CLOSE)) {
                return;
            }
        }
        closeNow();
    }

    /**
     * Sends {@code xml} (e.g. {@code <proceed/>}) and waits until it is written; for the reader thread before it
     * replaces the socket with a TLS one.
     */
    void sendNow(String xml) throws IOException {
        CountDownLatch written = new CountDownLatch(1);
        if (!send(xml) || !queue(written)) {
            throw new IOException("send queue full");
        }
        try {
            if (!written.await(10, TimeUnit.SECONDS)) {
                throw new IOException("the peer does not read");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    /**
     * Replaces the socket by a TLS one over it (RFC 6120 §5.4.3.3) and starts a new parser: the next bytes are a
     * new stream. On the reader thread, after {@code <proceed/>} was sent or received.
     */
    void startTls(SSLContext context, boolean client, String peerName) throws IOException {
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, peerName, socket.getPort(), true);
        tls.setUseClientMode(client);
        tls.startHandshake();
        socket = tls;
        in = tls.getInputStream();
        out = tls.getOutputStream();
        parser = new StreamParser(handler, maxElementSize);
    }

    /** Closes at once; what is queued is not written (its stanzas are {@link #takeUnsent}). */
    void close() {
        closeNow();
    }

    private void closeNow() {
        synchronized (outgoing) {
            if (closed) {
                return;
            }
            closed = true;
            takeStanzas(unsent);
            outgoing.clear();
            outgoing.offer(CLOSE);
        }
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }

    /**
     * Writes what is queued: everything waiting at the time goes out in one write and one flush (one TLS record, one
     * system call) rather than one per stanza, so a busy link costs less per stanza the busier it is. A stanza that
     * comes soon after the previous write waits {@link #coalesceNanos} for others to join it.
     */
    private void writeLoop() {
        List<Object> batch = new ArrayList<>();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192);
        // the stanzas in bytes, not yet flushed
        List<Outgoing> writing = new ArrayList<>();
        long lastWritten = System.nanoTime() - coalesceNanos;
        try {
            while (true) {
                Object first = outgoing.take();
                if (first instanceof Outgoing && outgoing.isEmpty() && System.nanoTime() - lastWritten < coalesceNanos) {
                    awaitOthers();
                }
                batch.add(first);
                outgoing.drainTo(batch, WRITE_BATCH - 1);
                for (Object item : batch) {
                    String xml = item instanceof Outgoing stanza ? stanza.xml()
                            : item instanceof String text && item != CLOSE ? text : null;
                    if (item instanceof Outgoing stanza) {
                        writing.add(stanza);
                    }
                    if (xml != null) {
                        trace.sent(description, xml);
                        bytes.write(xml.getBytes(StandardCharsets.UTF_8));
                        continue;
                    }
                    // a latch or the end: what comes before it is written first
                    flush(bytes);
                    writing.clear();
                    if (item instanceof CountDownLatch latch) {
                        latch.countDown();
                    } else {
                        closeNow();
                        return;
                    }
                }
                batch.clear();
                flush(bytes);
                writing.clear();
                lastWritten = System.nanoTime();
            }
        } catch (IOException e) {
            LOG.fine(() -> "XMPP stream " + description + ": write failed: " + e.getMessage());
            // the stanzas of the failed write may not have reached the peer (TCP cannot say): the link sends them
            // again; they are older than any still queued
            synchronized (outgoing) {
                unsent.addAll(0, writing);
            }
            closeNow();
        } catch (InterruptedException e) {
            closeNow();
        }
    }

    /** Waits {@link #coalesceNanos}; a park may return early (a permit left by the queue's last wake-up). */
    private void awaitOthers() throws InterruptedException {
        long until = System.nanoTime() + coalesceNanos;
        for (long left = coalesceNanos; left > 0; left = until - System.nanoTime()) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    private void flush(ByteArrayOutputStream bytes) throws IOException {
        if (bytes.size() > 0) {
            OutputStream stream = out;
            writeSince = System.nanoTime();
            try {
                bytes.writeTo(stream);
                stream.flush();
            } finally {
                writeSince = NOT_WRITING;
            }
            bytes.reset();
        }
    }
}
