package org.sylkserver.xmpp.s2s;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The transport of one S2S stream: a socket with its own reader thread (feeding a {@link StreamParser} and the
 * link's state machine, which runs on that thread only) and its own writer thread behind a bounded queue, so a
 * remote server that stops reading blocks only this connection's writer, never the thread that sends (a SIP
 * servlet thread, another link's reader). A full queue gives the link up. STARTTLS (RFC 6120 §5) replaces the
 * socket in place; a new stream then starts with a new parser.
 */
final class XmppConnection {

    private static final Logger LOG = Logger.getLogger("sylk.xmpp");
    private static final String CLOSE = "\0close";
    /** Queued elements written at once at most. */
    private static final int WRITE_BATCH = 256;

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
    private volatile Socket socket;
    private volatile InputStream in;
    private volatile OutputStream out;
    private volatile boolean closed;
    private Handler handler;
    private StreamParser parser;
    private Thread writer;

    XmppConnection(Socket socket, String description, int maxElementSize, int queueLimit, XmppTrace trace)
            throws IOException {
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
     * Queues XML to send; {@code false} (and the connection closes) when the peer has not read the
     * {@code send_queue_limit} elements queued before.
     */
    boolean send(String xml) {
        if (closed) {
            return false;
        }
        if (!outgoing.offer(xml)) {
            LOG.warning("XMPP stream " + description + ": the peer does not read; send queue full, closing");
            closeNow();
            return false;
        }
        return true;
    }

    /** Sends a stream error and the end of the stream (RFC 6120 §4.9.1.1), then closes. */
    void fail(StreamError error) {
        send(error.toXml() + "</stream:stream>");
        closeAfterSending();
    }

    /** Closes once what is queued has been written. */
    void closeAfterSending() {
        if (!outgoing.offer(CLOSE)) {
            closeNow();
        }
    }

    /**
     * Sends {@code xml} (e.g. {@code <proceed/>}) and waits until it is written; for the reader thread before it
     * replaces the socket with a TLS one.
     */
    void sendNow(String xml) throws IOException {
        CountDownLatch written = new CountDownLatch(1);
        if (!send(xml) || !outgoing.offer(written)) {
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

    /** Closes at once, dropping what is queued. */
    void close() {
        closeNow();
    }

    private void closeNow() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
        outgoing.clear();
        outgoing.offer(CLOSE);
    }

    /**
     * Writes what is queued: everything waiting at the time goes out in one write and one flush (one TLS record, one
     * system call) rather than one per stanza, so a busy link costs less per stanza the busier it is.
     */
    private void writeLoop() {
        List<Object> batch = new ArrayList<>();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192);
        try {
            while (true) {
                batch.add(outgoing.take());
                outgoing.drainTo(batch, WRITE_BATCH - 1);
                for (Object item : batch) {
                    if (item instanceof String xml && item != CLOSE) {
                        trace.sent(description, xml);
                        bytes.write(xml.getBytes(StandardCharsets.UTF_8));
                        continue;
                    }
                    // a latch or the end: what comes before it is written first
                    flush(bytes);
                    if (item instanceof CountDownLatch latch) {
                        latch.countDown();
                    } else {
                        closeNow();
                        return;
                    }
                }
                batch.clear();
                flush(bytes);
            }
        } catch (IOException e) {
            LOG.fine(() -> "XMPP stream " + description + ": write failed: " + e.getMessage());
            closeNow();
        } catch (InterruptedException e) {
            closeNow();
        }
    }

    private void flush(ByteArrayOutputStream bytes) throws IOException {
        if (bytes.size() > 0) {
            OutputStream stream = out;
            bytes.writeTo(stream);
            stream.flush();
            bytes.reset();
        }
    }
}
