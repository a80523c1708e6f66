package org.sylkserver.media.webrtc;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.sylkserver.media.MediaSocket;

/**
 * One DTLS association over the browser leg's socket, as the DTLS server ({@code a=setup:passive}). The handshake of
 * BouncyCastle's DTLS protocol blocks and runs its own retransmission timers (RFC 6347 §4.2.4), so it runs on a
 * thread of its own and reads the records the media engine's I/O thread queues for it: relaying is never held up by a
 * handshake. After the handshake the thread keeps reading, so that a lost last flight is sent again when the browser
 * retransmits its own (RFC 6347 §4.2.4) and an alert from the browser is noticed; application data is not used.
 *
 * <p>States: {@link State#CONNECTING} until the handshake ends, then {@link State#CONNECTED} or {@link State#FAILED};
 * {@link State#CLOSED} after {@link #shutdown()} or a close_notify from the browser. Each transition is logged.
 */
final class DtlsSession implements DatagramTransport {

    private static final Logger LOG = Logger.getLogger("sylk.media.webrtc");
    /** Records queued for the handshake thread at most; more is a flood and dropped. */
    private static final int QUEUE = 64;
    /** A DTLS record must fit an unfragmented datagram over a path MTU of 1280 (IPv6 minimum). */
    private static final int MTU = 1200;

    enum State { CONNECTING, CONNECTED, FAILED, CLOSED }

    /** Learns the outcome, on the DTLS thread. */
    interface Listener {
        void connected(SrtpDtlsServer.Keys keys);

        void failed(String reason);
    }

    private final String name;
    private final MediaSocket socket;
    private final Supplier<SocketAddress> peer;
    private final SrtpDtlsServer server;
    private final Listener listener;
    private final BlockingQueue<byte[]> records = new ArrayBlockingQueue<>(QUEUE);
    private final Thread thread;
    private volatile State state = State.CONNECTING;
    private volatile DTLSTransport transport;

    DtlsSession(String name, MediaSocket socket, Supplier<SocketAddress> peer, BcTlsCrypto crypto,
                DtlsCertificate certificate, Fingerprint peerFingerprint, Listener listener) {
        this.name = name;
        this.socket = socket;
        this.peer = peer;
        this.server = new SrtpDtlsServer(crypto, certificate, peerFingerprint);
        this.listener = listener;
        this.thread = new Thread(this::run, "sylk-dtls-" + name);
        this.thread.setDaemon(true);
        this.thread.setContextClassLoader(DtlsSession.class.getClassLoader());
    }

    void start() {
        thread.start();
    }

    State state() {
        return state;
    }

    /** Queues a record from the browser (I/O thread); false when the queue is full and it was dropped. */
    boolean received(byte[] record) {
        return state != State.CLOSED && state != State.FAILED && records.offer(record);
    }

    private void run() {
        try {
            DTLSServerProtocol protocol = new DTLSServerProtocol();
            DTLSTransport connected = protocol.accept(server, this);
            transport = connected;
            if (state == State.CLOSED) {
                return;
            }
            state = State.CONNECTED;
            LOG.info(() -> "DTLS " + name + ": connected, SRTP profile " + server.keys().suite()
                    + ", browser certificate matches its fingerprint");
            listener.connected(server.keys());
            byte[] buffer = new byte[connected.getReceiveLimit()];
            while (state == State.CONNECTED) {
                connected.receive(buffer, 0, buffer.length, 1000);
            }
        } catch (TlsFatalAlertReceived alert) {
            end("alert from the browser: " + alert.getMessage());
        } catch (TlsFatalAlert alert) {
            end("handshake failed: " + alert.getMessage());
        } catch (InterruptedIOException closing) {
            // shutdown() interrupts the thread
        } catch (IOException | RuntimeException e) {
            end(e.toString());
        }
    }

    private void end(String reason) {
        State before = state;
        if (before == State.CLOSED) {
            return;
        }
        state = before == State.CONNECTED ? State.CLOSED : State.FAILED;
        LOG.log(before == State.CONNECTED ? Level.FINE : Level.WARNING, () -> "DTLS " + name + ": "
                + (before == State.CONNECTED ? "closed" : "failed") + ", " + reason);
        if (before != State.CONNECTED) {
            listener.failed("DTLS " + reason);
        }
    }

    /** Ends the association (close_notify when connected) and the thread; idempotent. */
    void shutdown() {
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
        try {
            byte[] record = records.poll(waitMillis, TimeUnit.MILLISECONDS);
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

    /** What BouncyCastle calls when the association ends: the socket belongs to the bridge and stays open. */
    @Override
    public void close() {
    }
}
