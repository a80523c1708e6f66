package org.sylkserver.media.webrtc;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.sylkserver.media.ice.IceLite;
import org.sylkserver.media.ice.IceChecks;
import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.MediaSocket;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.PacketCounter;
import org.sylkserver.media.pipeline.Pipeline;
import org.sylkserver.media.pipeline.RtpValidation;
import org.sylkserver.media.pipeline.SrtpDecryption;
import org.sylkserver.media.pipeline.SrtpEncryption;
import org.sylkserver.media.srtp.SdesCrypto;
import org.sylkserver.media.srtp.SrtpTransformer;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;


/**
 * One call's media between a browser and a SIP peer, relayed without transcoding.
 *
 * <p><b>Browser leg</b>: one UDP socket of the media engine for every stream (BUNDLE, RFC 8843; RTCP multiplexed,
 * RFC 5761), with ICE as a lite agent ({@code a=ice-lite}, RFC 8445 §2.5, see {@link IceLite}: our host candidate
 * is in every SDP we write, followed by {@code a=end-of-candidates}, RFC 8840), DTLS-SRTP (RFC 5763/5764) with a
 * self-signed ECDSA certificate per bridge and the browser's certificate checked against its {@code a=fingerprint}.
 * We are always the DTLS server: we answer a browser offer with {@code a=setup:passive} (its offer is
 * {@code actpass} or {@code active}) and offer {@code actpass} to a browser, which then answers {@code active}; a
 * browser that wants us to be the DTLS client gets an {@link SdpException}. Only the AES-CM SRTP profiles are
 * negotiated (the engine's SRTP transformer does not do AEAD).
 *
 * <p><b>SIP leg</b>: one RTP endpoint (port pair) per m-line, plain RTP/AVP or RTP/SAVP keyed with SDES (RFC 4568),
 * like a SIP phone. RTCP on its own port or multiplexed when the SIP peer agrees to {@code a=rtcp-mux}.
 *
 * <p><b>Relaying</b>: RTP and RTCP pass with their SSRCs, sequence numbers and timestamps; only the payload type is
 * rewritten, so that each side receives the numbers it declared (codecs matched by name, clock rate, channels and,
 * for H.264, packetization mode and profile). Packets from the browser are sorted into streams by payload type, which
 * RFC 8843 §9.2 requires to be unique across a bundle; RTCP from the browser goes to the stream of the first SSRC in
 * it that is known (its senders' SSRCs, or the SIP SSRCs its reports and feedback are about). Retransmission (rtx),
 * RED and FEC formats are not offered to SIP: they would refer to payload types of the other leg. No RTP header
 * extension is negotiated on either leg and extension blocks are relayed untouched: the identifiers of one leg would
 * mean nothing on the other, and without negotiation the peers send none. Feedback other than NACK, PLI and FIR
 * (transport-cc, REMB) is not negotiated, because it would need header extensions the SIP leg lacks.
 *
 * <p><b>Pipelines</b>: a datagram from the browser goes through {@link IceChecks}, {@link DtlsRecords},
 * {@link CheckedMedia}, {@link SrtpDecryption}, {@link RtpValidation}, {@link RelayToSip} and a {@link PacketCounter};
 * a packet of a stream's SIP endpoint through {@link RelayToBrowser}, {@link SrtpEncryption}, {@link SendToBrowser}
 * and a {@link PacketCounter}. The SDP of both legs is translated by an {@link SdpTranslator}.
 *
 * <p><b>Threading</b>: the signalling methods are called by one thread at a time (they are synchronized); packets
 * are relayed on the media engine's I/O thread; the DTLS handshake runs on its own thread ({@link DtlsSession}). The
 * {@link Listener} is called on the DTLS thread ({@code connected}, {@code failed}) or on the engine's timer thread
 * ({@code inactive}).
 *
 * <p><b>Negotiation states</b> ({@link Negotiation}): a bridge starts with an offer from one side waiting for the
 * other side's answer; once answered it is {@code STABLE} and either side may offer again (re-INVITE or
 * session-update), reusing the transports.
 */
public final class WebRtcBridge implements AutoCloseable {

    /** How the SIP leg is offered when the browser places the call. */
    public enum SipSrtp {
        /** Plain RTP/AVP. */
        OFF,
        /** RTP/SAVP with an SDES key (RFC 4568, AES_CM_128_HMAC_SHA1_80). */
        SDES
    }

    /** What the bridge reports to its owner. */
    public interface Listener {
        /** ICE and DTLS are done and SRTP is keyed: media flows (the "webrtcup" of the spec, §4.5.3). */
        default void connected(WebRtcBridge bridge) {
        }

        /**
         * The browser leg failed: DTLS (wrong fingerprint, alert, timeout), or, once media was up, nothing at all
         * came from the browser for the engine's RTP timeout, not even its ICE consent checks (RFC 7675 §5.1: a
         * browser sends them every few seconds, on hold too), so it is gone.
         */
        default void failed(WebRtcBridge bridge, String reason) {
        }

        /** No media arrived from the SIP leg for the engine's RTP timeout (a held call may do so); reported once. */
        default void inactive(WebRtcBridge bridge) {
        }
    }

    /**
     * Counters and state, as a snapshot.
     *
     * @param selectedPair   local and remote transport address of the nominated ICE pair, or null
     * @param dtlsState      {@code NEW} (no answer yet), {@code CONNECTING}, {@code CONNECTED}, {@code FAILED} or
     *                       {@code CLOSED}
     * @param srtpProfile    the SRTP protection profile agreed with the browser, or null
     * @param rtpToSip       RTP packets relayed from the browser to SIP
     * @param bytesToSip     their size (decrypted)
     * @param rtcpToSip      RTCP compound packets relayed from the browser to SIP
     * @param rtpToBrowser   RTP packets relayed from SIP to the browser
     * @param bytesToBrowser their size (before encryption)
     * @param rtcpToBrowser  RTCP compound packets relayed from SIP to the browser
     * @param dropped        datagrams dropped on the browser socket or between the legs: garbage, unchecked
     *                       sources, failed SRTP, unknown payload types, media before DTLS was done
     */
    public record Stats(String selectedPair, String dtlsState, String srtpProfile, long rtpToSip, long bytesToSip,
                        long rtcpToSip, long rtpToBrowser, long bytesToBrowser, long rtcpToBrowser, long dropped) {
    }

    private enum Negotiation {
        /** Our offer to SIP is out (from a browser offer); waiting for the SIP answer. */
        AWAITING_SIP_ANSWER,
        /** Our offer to the browser is out (from a SIP offer); waiting for the browser answer. */
        AWAITING_BROWSER_ANSWER,
        STABLE,
        CLOSED
    }

    private static final Logger LOG = Logger.getLogger("sylk.media.webrtc");
    private static final AtomicLong IDS = new AtomicLong();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name;
    private final MediaEngine engine;
    private final Listener listener;
    private final IceLite ice = new IceLite();
    private final BcTlsCrypto crypto = new BcTlsCrypto(RANDOM);
    private final DtlsCertificate certificate = new DtlsCertificate(crypto);
    private final MediaSocket socket;
    private final InetSocketAddress local;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean inactivityReported = new AtomicBoolean();
    private final AtomicBoolean browserLost = new AtomicBoolean();

    // signalling state, guarded by this
    private final SdpTranslator translator;
    private Negotiation negotiation;
    /** The offer (from the browser or from SIP) that waits for the other side's answer. */
    private SessionDescription pendingOffer;
    /** The offer we wrote for the side that has to answer. */
    private SessionDescription sipOfferSdp;
    private SessionDescription browserOfferSdp;
    private Fingerprint browserFingerprint;
    /** Written under the lock, read without it by the I/O thread. */
    private volatile DtlsSession dtls;

    // relay state, read on the I/O thread
    private final Routing routing = new Routing();
    private volatile SrtpTransformer fromBrowser;
    private volatile SrtpTransformer toBrowser;
    private volatile String srtpProfile;

    // the pipelines (see the class comment), run on the I/O thread
    private final IceChecks iceChecks;
    private final Pipeline browserToSip;
    private final PacketCounter relayedToSip = new PacketCounter("relayed-to-sip", false);
    private final SipEndpoints sipLeg;

    private WebRtcBridge(MediaEngine engine, String callId, SipSrtp sipSrtp, Listener listener) throws IOException {
        this.name = "webrtc-" + IDS.incrementAndGet() + (callId == null ? "" : " (call " + callId + ")");
        this.engine = engine;
        this.listener = listener;
        this.socket = engine.openSocket(this::receivedFromBrowser, this::browserSilent);
        this.local = new InetSocketAddress(engine.bindAddress(), socket.port());
        this.sipLeg = new SipEndpoints(engine, routing, new SrtpEncryption(() -> toBrowser),
                new SendToBrowser(ice, socket), this::reportInactivity);
        this.translator = new SdpTranslator(engine.sdpAddress(), engine.maxStreamsPerCall(),
                Objects.requireNonNull(sipSrtp, "sipSrtp"), new SdpTranslator.BrowserTransport(
                new InetSocketAddress(engine.sdpAddress(), socket.port()), local, ice.ufrag(),
                ice.password(), certificate.fingerprint().toString(),
                "sylk-" + Integer.toHexString(System.identityHashCode(this))), sipLeg);
        this.iceChecks = IceChecks.forSocket(name, ice, socket, local);
        this.browserToSip = Pipeline.named("browser-to-sip").then(iceChecks).then(new DtlsRecords(ice, () -> dtls))
                .then(new CheckedMedia(ice)).then(new SrtpDecryption(() -> fromBrowser, true))
                .then(new RtpValidation()).then(new RelayToSip(name, routing, socket)).then(relayedToSip).build();
    }

    /**
     * A call placed by the browser: takes its offer and prepares the offer for the SIP side ({@link #sipOffer()}).
     *
     * @param callId          for the logs (the SIP Call-ID or the sylkRTC session id), may be null
     * @param browserOfferSdp the browser's offer (RTCPeerConnection.createOffer)
     * @param sipSrtp         whether the SIP leg is offered SDES-SRTP
     * @throws SdpException the offer is malformed or has nothing we can relay (no fingerprint, no ICE credentials, no
     *                      audio or video with a codec that can be relayed, or wants us to be the DTLS client)
     * @throws IOException  no ports are free, or the engine is closed
     */
    public static WebRtcBridge fromBrowserOffer(MediaEngine engine, String callId, String browserOfferSdp,
                                                SipSrtp sipSrtp, Listener listener) throws SdpException, IOException {
        SessionDescription offer = SessionDescription.parse(browserOfferSdp);
        WebRtcBridge bridge = new WebRtcBridge(engine, callId, sipSrtp, listener);
        try {
            synchronized (bridge) {
                bridge.browserFingerprint = BridgeSdp.checkBrowserSdp(offer, true);
                bridge.offerToSip(offer);
            }
            return bridge;
        } catch (SdpException | IOException | RuntimeException e) {
            bridge.close();
            throw e;
        }
    }

    /**
     * A call received from SIP: takes its offer and prepares the offer for the browser ({@link #browserOffer()}).
     *
     * @throws SdpException the offer is malformed or has no audio or video stream that can be relayed
     * @throws IOException  no ports are free, or the engine is closed
     */
    public static WebRtcBridge fromSipOffer(MediaEngine engine, String callId, String sipOfferSdp, Listener listener)
            throws SdpException, IOException {
        SessionDescription offer = SessionDescription.parse(sipOfferSdp);
        WebRtcBridge bridge = new WebRtcBridge(engine, callId, SipSrtp.OFF, listener);
        try {
            synchronized (bridge) {
                bridge.offerToBrowser(offer);
            }
            return bridge;
        } catch (SdpException | IOException | RuntimeException e) {
            bridge.close();
            throw e;
        }
    }

    /** The offer for the SIP side, after {@link #fromBrowserOffer} or {@link #sipReoffer}. */
    public synchronized String sipOffer() {
        requireState(Negotiation.AWAITING_SIP_ANSWER, "no offer for SIP is pending");
        return sipOfferSdp.toString();
    }

    /** The offer for the browser, after {@link #fromSipOffer} or {@link #browserReoffer}. */
    public synchronized String browserOffer() {
        requireState(Negotiation.AWAITING_BROWSER_ANSWER, "no offer for the browser is pending");
        return browserOfferSdp.toString();
    }

    /**
     * Applies the SIP side's answer to our SIP offer and returns the answer for the browser; starts DTLS on the
     * first answer.
     *
     * @throws SdpException the answer is malformed, does not fit the offer or accepts nothing we can relay
     */
    public synchronized String browserAnswer(String sipAnswerSdp) throws SdpException {
        requireState(Negotiation.AWAITING_SIP_ANSWER, "no offer to SIP is waiting for an answer");
        return answerToBrowser(SessionDescription.parse(sipAnswerSdp)).toString();
    }

    /**
     * Applies the browser's answer to our browser offer and returns the answer for the SIP side; starts DTLS on the
     * first answer.
     *
     * @throws SdpException the answer is malformed (no fingerprint, no ICE credentials), wants us to be the DTLS
     *                      client, or does not fit the offer
     */
    public synchronized String sipAnswer(String browserAnswerSdp) throws SdpException {
        requireState(Negotiation.AWAITING_BROWSER_ANSWER, "no offer to the browser is waiting for an answer");
        return answerToSip(SessionDescription.parse(browserAnswerSdp)).toString();
    }

    /** A re-offer from the browser (session-update): returns the re-offer for SIP; transports are kept. */
    public synchronized String sipReoffer(String browserOfferSdp) throws SdpException, IOException {
        requireState(Negotiation.STABLE, "cannot re-offer while an offer is pending");
        SessionDescription offer = SessionDescription.parse(browserOfferSdp);
        checkSameDtls(BridgeSdp.checkBrowserSdp(offer, true));
        offerToSip(offer);
        return sipOfferSdp.toString();
    }

    /** The SIP answer to {@link #sipReoffer}: returns the answer for the browser. */
    public synchronized String browserReanswer(String sipAnswerSdp) throws SdpException {
        return browserAnswer(sipAnswerSdp);
    }

    /** A re-offer from SIP (re-INVITE): returns the re-offer for the browser; transports are kept. */
    public synchronized String browserReoffer(String sipOfferSdp) throws SdpException, IOException {
        requireState(Negotiation.STABLE, "cannot re-offer while an offer is pending");
        offerToBrowser(SessionDescription.parse(sipOfferSdp));
        return browserOfferSdp.toString();
    }

    /** The browser answer to {@link #browserReoffer}: returns the answer for SIP. */
    public synchronized String sipReanswer(String browserAnswerSdp) throws SdpException {
        return sipAnswer(browserAnswerSdp);
    }

    /**
     * The IP address the SIP peer's signalling comes from (the INVITE we received, or the responses to ours): its
     * media may latch the SIP leg from there, as from the address its SDP gives (RFC 4961 symmetric RTP with a peer
     * behind NAT); packets from anywhere else are dropped. Null while unknown.
     */
    public synchronized void sipSignallingSource(InetAddress source) {
        sipLeg.signallingSource(source);
    }

    /**
     * A trickled candidate of the browser (sylkRTC {@code session-trickle}). As a lite agent we never check towards
     * the browser's candidates (the browser checks towards ours, RFC 8445 §2.5), so they are only validated and
     * logged.
     *
     * @param candidate as RTCIceCandidate.candidate ({@code candidate:...}); null or empty means end of candidates
     * @throws IllegalArgumentException a candidate line that is not RFC 8839 §5.1 syntax
     */
    public void addBrowserCandidate(String sdpMid, int sdpMLineIndex, String candidate) {
        IceLite.trickled(name, sdpMid, sdpMLineIndex, candidate);
    }

    /** The counters and state now. */
    public Stats stats() {
        InetSocketAddress selected = ice.selected();
        DtlsSession session = dtls;
        PacketCounter toBrowser = sipLeg.relayed();
        return new Stats(selected == null ? null : local + " <-> " + selected,
                session == null ? "NEW" : session.state().name(), srtpProfile, relayedToSip.rtpPackets(),
                relayedToSip.rtpBytes(), relayedToSip.rtcpPackets(), toBrowser.rtpPackets(), toBrowser.rtpBytes(),
                toBrowser.rtcpPackets(), browserToSip.dropped() + iceChecks.unsentResponses() + sipLeg.dropped());
    }

    /** Frees the ports, ends DTLS (close_notify) and forgets the keys; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (this) {
            negotiation = Negotiation.CLOSED;
            if (dtls != null) {
                dtls.shutdown();
            }
            for (RelayStream stream : translator.streams()) {
                if (stream.sip != null) {
                    stream.sip.close();
                }
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
        LOG.info(() -> name + ": closed, " + stats());
        LOG.fine(() -> name + ": " + browserToSip);
    }

    @Override
    public String toString() {
        return name;
    }

    // ---- negotiation, under the lock: the translator writes the SDP, the bridge keeps the state

    private void offerToSip(SessionDescription offer) throws SdpException, IOException {
        sipOfferSdp = translator.offerToSip(offer);
        pendingOffer = offer;
        negotiation = Negotiation.AWAITING_SIP_ANSWER;
        LOG.info(() -> name + ": browser offer " + BridgeSdp.describe(offer) + ", offering to SIP on ports "
                + translator.sipPorts());
    }

    private SessionDescription answerToBrowser(SessionDescription answer) throws SdpException {
        SessionDescription browserAnswer = translator.answerToBrowser(pendingOffer, answer);
        answered();
        LOG.info(() -> name + ": SIP answer " + BridgeSdp.describe(answer) + ", browser answer "
                + BridgeSdp.describe(browserAnswer));
        return browserAnswer;
    }

    private void offerToBrowser(SessionDescription offer) throws SdpException, IOException {
        browserOfferSdp = translator.offerToBrowser(offer);
        pendingOffer = offer;
        negotiation = Negotiation.AWAITING_BROWSER_ANSWER;
        LOG.info(() -> name + ": SIP offer " + BridgeSdp.describe(offer) + ", offering to the browser on " + local);
    }

    private SessionDescription answerToSip(SessionDescription answer) throws SdpException {
        Fingerprint fingerprint = BridgeSdp.checkBrowserSdp(answer, false);
        if (browserFingerprint == null) {
            browserFingerprint = fingerprint;
        } else {
            checkSameDtls(fingerprint);
        }
        SessionDescription sipAnswer = translator.answerToSip(pendingOffer, answer);
        answered();
        LOG.info(() -> name + ": browser answer " + BridgeSdp.describe(answer) + ", SIP answer "
                + BridgeSdp.describe(sipAnswer));
        return sipAnswer;
    }

    /** An answer was applied: the new routes go live, and DTLS starts on the first. */
    private void answered() {
        routing.publish(translator.routes(), translator.relaying());
        negotiation = Negotiation.STABLE;
        pendingOffer = null;
        startDtls();
    }

    private void checkSameDtls(Fingerprint fingerprint) throws SdpException {
        if (browserFingerprint != null && !browserFingerprint.equals(fingerprint)) {
            throw new SdpException("the browser changed its DTLS certificate (a=fingerprint) in a re-negotiation;"
                    + " a new DTLS association is not supported");
        }
    }

    private synchronized void requireState(Negotiation expected, String otherwise) {
        if (negotiation == Negotiation.CLOSED) {
            throw new IllegalStateException(name + " is closed");
        }
        if (negotiation != expected) {
            throw new IllegalStateException(name + ": " + otherwise + " (state " + negotiation + ")");
        }
    }

    private void startDtls() {
        if (dtls != null) {
            return;
        }
        dtls = new DtlsSession(name, socket, ice::target, crypto, certificate, browserFingerprint,
                new DtlsSession.Listener() {
                    @Override
                    public void connected(SrtpDtlsServer.Keys keys) {
                        keyed(keys);
                    }

                    @Override
                    public void failed(String reason) {
                        listener.failed(WebRtcBridge.this, reason);
                    }
                });
        dtls.start();
    }

    /** RFC 5764 §4.2: as the DTLS server we send with the server keys and receive with the client keys. */
    private void keyed(SrtpDtlsServer.Keys keys) {
        fromBrowser = SrtpTransformer.forReceiving(new SdesCrypto(0, keys.suite(), keys.clientKey(),
                keys.clientSalt(), "", List.of()));
        toBrowser = SrtpTransformer.forRelaying(new SdesCrypto(0, keys.suite(), keys.serverKey(), keys.serverSalt(),
                "", List.of()));
        srtpProfile = keys.suite().name();
        LOG.info(() -> name + ": media up, selected pair " + local + " <-> " + ice.target() + ", SRTP "
                + srtpProfile);
        listener.connected(this);
    }

    /** The browser's socket got nothing for the RTP timeout (re-armed by the next packet). */
    private void browserSilent() {
        if (!closed.get() && fromBrowser != null && browserLost.compareAndSet(false, true)) {
            LOG.info(() -> name + ": nothing from the browser for the RTP timeout, not even ICE consent checks");
            listener.failed(this, "no media and no ICE consent from the browser for the RTP timeout");
        }
    }

    private void reportInactivity() {
        if (!closed.get() && inactivityReported.compareAndSet(false, true)) {
            LOG.info(() -> name + ": no media for the RTP timeout");
            listener.inactive(this);
        }
    }

    /** A datagram on the browser socket, on the I/O thread (RFC 7983 §7 tells its kind apart, stage by stage). */
    private void receivedFromBrowser(ByteBuffer datagram, InetSocketAddress source) {
        browserToSip.accept(new Packet(datagram, source, System.nanoTime(), false));
    }
}
