package org.sylkserver.media.dtls;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsTimeoutException;

/**
 * One DTLS-SRTP association over a media socket, in either role ({@link DtlsRole}). The handshake of BouncyCastle's
 * DTLS protocol blocks and runs its own retransmission timers (RFC 6347 §4.2.4), so it runs on a thread of its own
 * and reads the records the media engine's I/O thread queues for it: relaying is never held up by a handshake. After
 * the handshake the thread keeps reading, so that a lost last flight is sent again when the peer retransmits its own
 * (RFC 6347 §4.2.4) and an alert from the peer is noticed; application data is not used. A handshake that is not done
 * within the given time fails (BouncyCastle's handshake timeout, from the first record on; and ours from the start,
 * which also covers a peer that never sends one).
 *
 * <p>States: {@link State#CONNECTING} until the handshake ends, then {@link State#CONNECTED} or {@link State#FAILED};
 * {@link State#CLOSED} after {@link #shutdown()} or a close_notify from the peer. Each transition is logged.
 */
public final class DtlsSession implements DatagramTransport {

    private static final Logger LOG = Logger.getLogger("sylk.media.dtls");
    /** Records queued for the handshake thread at most; more is a flood and dropped. */
    private static final int QUEUE = 64;
    /** A DTLS record must fit an unfragmented datagram over a path MTU of 1280 (IPv6 minimum). */
    private static final int MTU = 1200;

    /**
     * How long a handshake may take once both ends have what they need: seconds on any path where media can flow
     * (a few round trips and RFC 6347 §4.2.4.1 retransmissions), with room for a peer that checks ICE first.
     */
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(20);

    public enum State { CONNECTING, CONNECTED, FAILED, CLOSED }

    /** Learns the outcome, on the DTLS thread. */
    public interface Listener {
        void connected(DtlsSrtpKeys keys);

        /**
         * The handshake failed: {@code timedOut} when it was not done in time (the peer never answered, or stopped),
         * else refused (a certificate that does not match its fingerprint, an alert, no common SRTP profile).
         */
        void failed(String reason, boolean timedOut);
    }

    /** Sends one datagram from the association's socket. */
    @FunctionalInterface
    public interface Sender {
        void send(ByteBuffer datagram, SocketAddress target) throws IOException;
    }

    private final String name;
    private final DtlsRole role;
    private final Sender socket;
    private final Supplier<SocketAddress> peer;
    private final SrtpDtlsPeer endpoint;
    private final Listener listener;
    private final long timeoutNanos;
    private volatile long deadline;
    private final BlockingQueue<byte[]> records = new ArrayBlockingQueue<>(QUEUE);
    private final Thread thread;
    private volatile State state = State.CONNECTING;
    private volatile DTLSTransport transport;

    /**
     * @param socket           sends from the media socket
     * @param peer             where the peer is now (the ICE pair, or the latched address); null while unknown
     * @param certificate      ours, presented in the handshake
     * @param peerFingerprint  what the peer's certificate must match (RFC 5763 §5)
     * @param handshakeTimeout how long the handshake may take from {@link #start()}
     */
    public DtlsSession(String name, DtlsRole role, Sender socket, Supplier<SocketAddress> peer,
                       DtlsCertificate certificate, Fingerprint peerFingerprint, Duration handshakeTimeout,
                       Listener listener) {
        this.name = name;
        this.role = role;
        this.socket = socket;
        this.peer = peer;
        int timeout = (int) Math.min(Integer.MAX_VALUE, handshakeTimeout.toMillis());
        this.endpoint = role == DtlsRole.SERVER ? new SrtpDtlsServer(certificate, peerFingerprint, timeout)
                : new SrtpDtlsClient(certificate, peerFingerprint, timeout);
        this.listener = listener;
        this.timeoutNanos = handshakeTimeout.toNanos();
        this.thread = new Thread(this::run, "sylk-dtls-" + name);
        this.thread.setDaemon(true);
        this.thread.setContextClassLoader(DtlsSession.class.getClassLoader());
    }

    /** Starts the handshake thread; nothing once {@link #shutdown()} came first. */
    public synchronized void start() {
        if (state == State.CLOSED) {
            return;
        }
        deadline = System.nanoTime() + timeoutNanos;
        thread.start();
    }

    public State state() {
        return state;
    }

    /** Whether the handshake thread is still running (for tests: none is left behind). */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /** Queues a record from the peer (I/O thread); false when the queue is full and it was dropped. */
    public boolean received(byte[] record) {
        return state != State.CLOSED && state != State.FAILED && records.offer(record);
    }

    private void run() {
        try {
            DTLSTransport connected = role == DtlsRole.SERVER
                    ? new DTLSServerProtocol().accept((SrtpDtlsServer) endpoint, this)
                    : new DTLSClientProtocol().connect((SrtpDtlsClient) endpoint, this);
            transport = connected;
            if (state == State.CLOSED) {
                return;
            }
            state = State.CONNECTED;
            LOG.info(() -> "DTLS " + name + ": connected as " + role + ", SRTP profile " + endpoint.keys().suite()
                    + ", the peer's certificate matches its fingerprint");
            listener.connected(endpoint.keys());
            byte[] buffer = new byte[connected.getReceiveLimit()];
            while (state == State.CONNECTED) {
                connected.receive(buffer, 0, buffer.length, 1000);
            }
        } catch (TlsFatalAlertReceived alert) {
            end("alert from the peer: " + alert.getMessage(), false);
        } catch (TlsFatalAlert alert) {
            end("handshake failed: " + alert.getMessage(), false);
        } catch (TlsTimeoutException | HandshakeTimeout timeout) {
            end("handshake not done in time: " + timeout.getMessage(), true);
        } catch (InterruptedIOException closing) {
            // shutdown() interrupts the thread
        } catch (IOException | RuntimeException e) {
            end(e.toString(), false);
        }
    }

    private void end(String reason, boolean timedOut) {
        State before = state;
        if (before == State.CLOSED) {
            return;
        }
        state = before == State.CONNECTED ? State.CLOSED : State.FAILED;
        LOG.log(before == State.CONNECTED ? Level.FINE : Level.WARNING, () -> "DTLS " + name + ": "
                + (before == State.CONNECTED ? "closed" : "failed") + ", " + reason);
        if (before != State.CONNECTED) {
            listener.failed("DTLS " + reason, timedOut);
        }
    }

    /** Our own handshake deadline passed (BouncyCastle's counts from the first record only). */
    private static final class HandshakeTimeout extends IOException {
        HandshakeTimeout(String message) {
            super(message);
        }
    }

    /** Ends the association (close_notify when connected) and the thread; idempotent. */
    public synchronized void shutdown() {
        State before = state;
        state = State.CLOSED;
        DTLSTransport connected = transport;
        if (before == State.CONNECTED && connected != null) {
            try {
                connected.close();
            } catch (IOException ignored) {
                // the browser learns of the end from the signalling anyway
            }
        }
        thread.interrupt();
    }

    // DatagramTransport, used by the DTLS thread only

    @Override
    public int getReceiveLimit() {
        return MTU;
    }

    @Override
    public int getSendLimit() {
        return MTU;
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        long left = deadline - System.nanoTime();
        if (state == State.CONNECTING && left <= 0) {
            throw new HandshakeTimeout("no handshake from the peer");
        }
        try {
            long wait = state == State.CONNECTING ? Math.min(waitMillis, TimeUnit.NANOSECONDS.toMillis(left) + 1)
                    : waitMillis;
            byte[] record = records.poll(wait, TimeUnit.MILLISECONDS);
            if (record == null) {
                return -1;
            }
            int length = Math.min(len, record.length);
            System.arraycopy(record, 0, buf, off, length);
            return length;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("DTLS session closed");
        }
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
        SocketAddress target = peer.get();
        if (target != null) {
            socket.send(ByteBuffer.wrap(buf, off, len), target);
        }
    }

    /** What BouncyCastle calls when the association ends: the socket belongs to its owner and stays open. */
    @Override
    public void close() {
    }
}
