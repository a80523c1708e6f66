package org.sylkserver.media.webrtc;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

import org.sylkserver.media.dtls.DtlsCertificate;
import org.sylkserver.media.dtls.DtlsRecords;
import org.sylkserver.media.dtls.DtlsRole;
import org.sylkserver.media.dtls.DtlsSession;
import org.sylkserver.media.dtls.DtlsSrtpKeys;
import org.sylkserver.media.dtls.Fingerprint;
import org.sylkserver.media.ice.IceLite;
import org.sylkserver.media.ice.IceChecks;
import org.sylkserver.media.IceThread;
import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.MediaSocket;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Pipeline;
import org.sylkserver.media.pipeline.RtpValidation;
import org.sylkserver.media.pipeline.SrtpDecryption;
import org.sylkserver.media.pipeline.SrtpEncryption;
import org.sylkserver.media.pipeline.Stage;
import org.sylkserver.media.srtp.SrtpTransformer;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;
import org.sylkserver.protocols.sdp.SessionDescription.Line;

/**
 * The transport of one browser PeerConnection that ends at the server (the video rooms' publisher and feed
 * connections): one UDP socket of the media engine for the whole BUNDLE group with RTCP multiplexed (or, with
 * {@code [RTP] webrtc_port}, a leg of the engine's one shared port, told apart by the addresses its ICE checks came
 * from: {@link MediaEngine#openIceSocket}), ICE as a lite
 * agent ({@link IceLite}), DTLS-SRTP as the DTLS server with a certificate of its own checked by the browser and the
 * browser's checked against its {@code a=fingerprint}; the same pieces, with the same rules, as the browser leg of a
 * {@link WebRtcBridge}.
 *
 * <p>What arrives goes through {@link IceChecks}, {@link DtlsRecords}, {@link CheckedMedia}, {@link SrtpDecryption}
 * and {@link RtpValidation}, then through the owner's stages (given at {@link #open}); the owner sends with
 * {@link #encryption()} and {@link #sending()} at the end of its own pipelines.
 *
 * <p>Threading: packets are handled on the {@link IceThread} given at {@link #open} (the engine's I/O thread, or one
 * of the shared port's with {@code webrtc_port}); {@link #remoteDescription} on the owner's thread;
 * the {@link Listener} is called on the DTLS thread ({@code connected}, {@code failed}) or the engine's timer thread
 * ({@code failed} when the browser went silent).
 */
public final class WebRtcTransport implements AutoCloseable {

    /** What the transport reports to its owner. */
    public interface Listener {
        /** ICE and DTLS are done and SRTP is keyed (the spec's {@code webrtcup}). */
        void connected();

        /**
         * DTLS failed, or once media was up nothing at all came from the browser for the engine's RTP timeout, not
         * even its ICE consent checks (RFC 7675 §5.1).
         */
        void failed(String reason);
    }

    private static final Logger LOG = Logger.getLogger("sylk.media.webrtc");

    private final String name;
    private final Listener listener;
    private final IceLite ice = new IceLite();
    private final DtlsCertificate certificate = new DtlsCertificate();
    private final MediaSocket socket;
    private final InetSocketAddress local;
    /** {@code local} as peers reach it ({@link MediaEngine#sdpAddress()}). */
    private final InetSocketAddress advertised;
    private final Pipeline received;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean lost = new AtomicBoolean();
    private volatile DtlsSession dtls;
    private volatile SrtpTransformer fromBrowser;
    private volatile SrtpTransformer toBrowser;
    private Fingerprint browserFingerprint;

    private WebRtcTransport(MediaEngine engine, IceThread thread, String name, List<Stage> delivery, Listener listener)
            throws IOException {
        this.name = name;
        this.listener = listener;
        this.socket = engine.openIceSocket(ice.ufrag(), thread, this::receive, this::browserSilent);
        this.local = new InetSocketAddress(engine.bindAddress(), socket.port());
        this.advertised = new InetSocketAddress(engine.sdpAddress(), socket.port());
        Pipeline.Builder pipeline = Pipeline.named(name + " from browser")
                .then(IceChecks.forSocket(name, ice, socket, local))
                .then(DtlsRecords.fromCheckedPairs(ice, () -> dtls))
                .then(new CheckedMedia(ice)).then(new SrtpDecryption(() -> fromBrowser, true))
                .then(new RtpValidation());
        delivery.forEach(pipeline::then);
        this.received = pipeline.build();
    }

    /**
     * Opens the transport's socket.
     *
     * @param thread   where its packets are handled: another transport's {@link #thread} (transports whose pipelines
     *                 share state share one), or null for the engine's least busy
     *                 ({@link MediaEngine#openIceSocket})
     * @param delivery the owner's stages, which every decrypted and validated RTP and RTCP packet goes through
     * @throws IOException no ports are free, or the engine is closed
     */
    public static WebRtcTransport open(MediaEngine engine, IceThread thread, String name, List<Stage> delivery,
                                       Listener listener) throws IOException {
        return new WebRtcTransport(engine, thread, name, List.copyOf(delivery), listener);
    }

    /**
     * The lines of an m-section of ours that belong to the transport (RFC 8839 §5, RFC 8842 §5.1, RFC 8843):
     * connection address, our host candidates and the end of candidates (a lite agent has no others), ICE
     * credentials, DTLS fingerprint and role, rtcp-mux.
     *
     * @param setup {@code passive} in an answer, {@code actpass} in an offer (we are always the DTLS server)
     */
    public List<Line> mediaLines(String setup) {
        List<Line> lines = new ArrayList<>(BridgeSdp.candidateLines(advertised, local));
        lines.add(new Line('a', "ice-ufrag:" + ice.ufrag()));
        lines.add(new Line('a', "ice-pwd:" + ice.password()));
        lines.add(new Line('a', "fingerprint:" + certificate.fingerprint()));
        lines.add(new Line('a', "setup:" + setup));
        lines.add(new Line('a', "rtcp-mux"));
        return lines;
    }

    /** The thread its packets are handled on. */
    public IceThread thread() {
        return socket.thread();
    }

    /** The port of the transport's socket (what m-lines name). */
    public int port() {
        return local.getPort();
    }

    /**
     * The browser's offer or answer: checks what the transport needs in it (ICE credentials, a fingerprint, a role
     * that leaves us the DTLS server, RFC 5763 §5) and starts DTLS, which the browser then opens.
     *
     * @throws SdpException the SDP lacks one of them, or changes the browser's certificate
     */
    public synchronized void remoteDescription(SessionDescription sdp, boolean offer) throws SdpException {
        Fingerprint fingerprint = BridgeSdp.checkBrowserSdp(sdp, offer);
        if (browserFingerprint != null && !browserFingerprint.equals(fingerprint)) {
            throw new SdpException("the browser changed its DTLS certificate (a=fingerprint);"
                    + " a new DTLS association is not supported");
        }
        browserFingerprint = fingerprint;
        if (dtls == null && !closed.get()) {
            dtls = new DtlsSession(name, DtlsRole.SERVER, socket::send, ice::target, certificate, fingerprint,
                    DtlsSession.HANDSHAKE_TIMEOUT,
                    new DtlsSession.Listener() {
                        @Override
                        public void connected(DtlsSrtpKeys keys) {
                            keyed(keys);
                        }

                        @Override
                        public void failed(String reason, boolean timedOut) {
                            lose(reason);
                        }
                    });
            dtls.start();
        }
    }

    /**
     * A candidate the browser trickled: validated and logged only (a lite agent never checks towards the browser's
     * candidates, RFC 8445 §2.5); null or empty means end of candidates.
     *
     * @throws IllegalArgumentException a candidate line that is not RFC 8839 §5.1 syntax
     */
    public void addBrowserCandidate(String sdpMid, int sdpMLineIndex, String candidate) {
        IceLite.trickled(name, sdpMid, sdpMLineIndex, candidate);
    }

    /** A stage that protects what goes to the browser with the keys of the moment (drops before DTLS is done). */
    public Stage encryption() {
        return new SrtpEncryption(() -> toBrowser);
    }

    /**
     * As {@link #encryption()}, for a pipeline whose packets own their buffers: RTP is protected in the buffer when
     * it has room for the tag ({@link SrtpEncryption}'s {@code inPlace}).
     */
    public Stage encryptionInPlace() {
        return new SrtpEncryption(() -> toBrowser, true);
    }

    /** A stage that sends to the browser's nominated ICE pair (drops before there is one). */
    public Stage sending() {
        return new SendToBrowser(ice, socket);
    }

    /** Whether SRTP is keyed. */
    public boolean isConnected() {
        return toBrowser != null && !closed.get();
    }

    /** What went through the receive pipeline, per stage (for logs). */
    @Override
    public String toString() {
        return received.toString();
    }

    /** Frees the port, ends DTLS and forgets the keys; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (this) {
            if (dtls != null) {
                dtls.shutdown();
            }
        }
        socket.close();
        SrtpTransformer in = fromBrowser;
        SrtpTransformer out = toBrowser;
        if (in != null) {
            in.close();
        }
        if (out != null) {
            out.close();
        }
        LOG.fine(() -> name + ": closed, " + received);
    }

    /**
     * RFC 5764 §4.2: as the DTLS server we send with the server keys and receive with the client keys. A plain
     * sender: what goes out again for a NACK (RFC 4585 §6.2.1) is the very SRTP packet kept by the owner (a feed's
     * retransmission cache), never protected twice, and a publisher's connection carries only our RTCP.
     */
    private void keyed(DtlsSrtpKeys keys) {
        fromBrowser = SrtpTransformer.forReceiving(keys.receiving(DtlsRole.SERVER));
        toBrowser = SrtpTransformer.forSending(keys.sending(DtlsRole.SERVER));
        LOG.info(() -> name + ": media up, " + local + " <-> " + ice.target() + ", SRTP " + keys.suite());
        if (!closed.get()) {
            listener.connected();
        }
    }

    private void lose(String reason) {
        if (!closed.get() && lost.compareAndSet(false, true)) {
            LOG.info(() -> name + ": " + reason);
            listener.failed(reason);
        }
    }

    private void browserSilent() {
        if (fromBrowser != null) {
            lose("no media and no ICE consent from the browser for the RTP timeout");
        }
    }

    private void receive(ByteBuffer datagram, InetSocketAddress source) {
        received.accept(new Packet(datagram, source, System.nanoTime(), false));
    }
}
