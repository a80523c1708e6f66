package org.sylkserver.media.webrtc;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.MediaSocket;
import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.RtpRelayEndpoint;
import org.sylkserver.media.sdp.AudioAnswerer;
import org.sylkserver.media.srtp.CryptoSuite;
import org.sylkserver.media.srtp.SdesCrypto;
import org.sylkserver.media.srtp.SrtpException;
import org.sylkserver.media.srtp.SrtpTransformer;
import org.sylkserver.media.srtp.UnsupportedCryptoAttributeException;
import org.sylkserver.protocols.sdp.ConnectionData;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription.Line;
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
    /** RFC 8445 §5.1.2.1: type preference 126 for host, local preference 65535, component 1. */
    private static final long HOST_PRIORITY = (126L << 24) | (65535L << 8) | 255;
    /** Transport protocols of a SIP m-line we relay (RFC 3551, 3711, 4585, 5124). */
    private static final Set<String> SIP_PROTOS = Set.of("RTP/AVP", "RTP/AVPF", "RTP/SAVP", "RTP/SAVPF");
    /** Dynamic payload types (RFC 3551 §6, and the range RFC 5761 §4 leaves free of RTCP when muxing). */
    private static final int[][] DYNAMIC_RANGES = {{96, 127}, {35, 63}};

    private final String name;
    private final MediaEngine engine;
    private final Listener listener;
    private final IceLite ice = new IceLite();
    private final BcTlsCrypto crypto = new BcTlsCrypto(RANDOM);
    private final DtlsCertificate certificate = new DtlsCertificate(crypto);
    private final MediaSocket socket;
    private final InetSocketAddress local;
    private final AudioAnswerer.Origin browserOrigin = new AudioAnswerer.Origin();
    private final AudioAnswerer.Origin sipOrigin = new AudioAnswerer.Origin();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean inactivityReported = new AtomicBoolean();
    private final AtomicBoolean browserLost = new AtomicBoolean();

    // signalling state, guarded by this
    private final List<RelayStream> streams = new ArrayList<>();
    private Negotiation negotiation;
    /** The offer (from the browser or from SIP) that waits for the other side's answer. */
    private SessionDescription pendingOffer;
    /** The offer we wrote for the side that has to answer. */
    private SessionDescription sipOfferSdp;
    private SessionDescription browserOfferSdp;
    private SipSrtp sipSrtp = SipSrtp.OFF;
    private Fingerprint browserFingerprint;
    /** Written under the lock, read without it by the I/O thread. */
    private volatile DtlsSession dtls;

    // relay state, read on the I/O thread
    private volatile Map<Integer, RelayStream> byBrowserPayloadType = Map.of();
    private volatile List<RelayStream> relaying = List.of();
    private final Map<Long, RelayStream> browserSsrcs = new ConcurrentHashMap<>();
    private final Map<Long, RelayStream> sipSsrcs = new ConcurrentHashMap<>();
    private volatile SrtpTransformer fromBrowser;
    private volatile SrtpTransformer toBrowser;
    private volatile String srtpProfile;
    private volatile boolean nominationLogged;

    // counters: the I/O thread is their only writer
    private volatile long rtpToSip;
    private volatile long bytesToSip;
    private volatile long rtcpToSip;
    private volatile long rtpToBrowser;
    private volatile long bytesToBrowser;
    private volatile long rtcpToBrowser;
    private final AtomicLong dropped = new AtomicLong();

    private WebRtcBridge(MediaEngine engine, String callId, Listener listener) throws IOException {
        this.name = "webrtc-" + IDS.incrementAndGet() + (callId == null ? "" : " (call " + callId + ")");
        this.engine = engine;
        this.listener = listener;
        this.socket = engine.openSocket(this::receivedFromBrowser, this::browserSilent);
        this.local = new InetSocketAddress(engine.bindAddress(), socket.port());
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
        WebRtcBridge bridge = new WebRtcBridge(engine, callId, listener);
        try {
            synchronized (bridge) {
                bridge.sipSrtp = Objects.requireNonNull(sipSrtp, "sipSrtp");
                bridge.browserFingerprint = checkBrowserSdp(offer, true);
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
        WebRtcBridge bridge = new WebRtcBridge(engine, callId, listener);
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
        checkSameDtls(checkBrowserSdp(offer, true));
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
     * A trickled candidate of the browser (sylkRTC {@code session-trickle}). As a lite agent we never check towards
     * the browser's candidates (the browser checks towards ours, RFC 8445 §2.5), so they are only validated and
     * logged.
     *
     * @param candidate as RTCIceCandidate.candidate ({@code candidate:...}); null or empty means end of candidates
     * @throws IllegalArgumentException a candidate line that is not RFC 8839 §5.1 syntax
     */
    public void addBrowserCandidate(String sdpMid, int sdpMLineIndex, String candidate) {
        if (candidate == null || candidate.isBlank()) {
            LOG.fine(() -> name + ": browser end of candidates");
            return;
        }
        String value = candidate.startsWith("a=") ? candidate.substring(2) : candidate;
        String[] fields = value.trim().split("\\s+");
        if (!fields[0].startsWith("candidate:") || fields.length < 8 || !fields[6].equals("typ")) {
            throw new IllegalArgumentException("not an ICE candidate (RFC 8839 §5.1): '" + candidate + "'");
        }
        LOG.fine(() -> name + ": browser candidate for mid " + sdpMid + " (m-line " + sdpMLineIndex + "): " + value);
    }

    /** The counters and state now. */
    public Stats stats() {
        InetSocketAddress selected = ice.selected();
        DtlsSession session = dtls;
        return new Stats(selected == null ? null : local + " <-> " + selected,
                session == null ? "NEW" : session.state().name(), srtpProfile, rtpToSip, bytesToSip, rtcpToSip,
                rtpToBrowser, bytesToBrowser, rtcpToBrowser, dropped.get());
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
            for (RelayStream stream : streams) {
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
    }

    @Override
    public String toString() {
        return name;
    }

    // ---- negotiation: browser offer -> SIP offer -> SIP answer -> browser answer

    /** Opens SIP endpoints for the relayable streams of the browser's offer and writes the SIP offer. */
    private void offerToSip(SessionDescription offer) throws SdpException, IOException {
        List<MediaDescription> media = offer.media();
        boolean any = false;
        Set<String> bundle = bundleGroup(offer);
        for (int i = 0; i < media.size(); i++) {
            MediaDescription m = media.get(i);
            RelayStream stream = streamAtBrowserIndex(i);
            if (stream == null) {
                stream = new RelayStream(m.media(), mid(m, i));
                stream.browserIndex = i;
                streams.add(stream);
            }
            List<PayloadFormat> formats = relayableFormats(m);
            boolean accepted = m.port() != 0 && isAudioOrVideo(m) && m.proto().contains("SAVPF") && !formats.isEmpty()
                    && (bundle.contains(stream.mid) || media.size() == 1);
            if (accepted && !m.has("rtcp-mux")) {
                throw new SdpException("browser offer without a=rtcp-mux for " + stream + " (RFC 8858 asks for it)");
            }
            stream.offered = accepted ? formats : List.of();
            if (accepted) {
                any = true;
                openSipEndpoint(stream);
                if (stream.sipIndex < 0) {
                    stream.sipIndex = nextSipIndex();
                }
                if (sipSrtp == SipSrtp.SDES && stream.localKey == null) {
                    stream.localKey = SdesCrypto.generate(1, CryptoSuite.AES_CM_128_HMAC_SHA1_80, RANDOM);
                }
                stream.sipProto = sipSrtp == SipSrtp.SDES ? "RTP/SAVP" : "RTP/AVP";
            }
        }
        if (!any) {
            throw new SdpException("No audio or video stream with a codec that can be relayed in the browser offer");
        }
        List<MediaDescription> sipMedia = new ArrayList<>();
        for (RelayStream stream : streamsBy(true)) {
            MediaDescription browserLine = stream.browserIndex >= 0 && stream.browserIndex < media.size()
                    ? media.get(stream.browserIndex) : null;
            if (stream.offered.isEmpty() || browserLine == null) {
                sipMedia.add(disabled(stream.kind, stream.sipProto));
                continue;
            }
            List<Line> lines = new ArrayList<>();
            lines.add(new Line('a', "rtcp:" + (stream.sip.port() + 1)));
            lines.add(new Line('a', "rtcp-mux"));
            formatLines(stream.offered, lines);
            lines.add(new Line('a', offer.direction(browserLine)));
            if (stream.localKey != null) {
                lines.add(new Line('a', "crypto:" + stream.localKey.format()));
            }
            sipMedia.add(new MediaDescription(stream.kind, stream.sip.port(), stream.sipProto,
                    payloadTypes(stream.offered), lines));
        }
        sipOfferSdp = new SessionDescription(AudioAnswerer.sessionLines(sipOrigin, engine.bindAddress()), sipMedia);
        pendingOffer = offer;
        negotiation = Negotiation.AWAITING_SIP_ANSWER;
        LOG.info(() -> name + ": browser offer " + describe(offer) + ", offering to SIP on ports " + sipPorts());
    }

    /** Applies the SIP answer: payload type maps, SIP addresses and keys, then the answer for the browser. */
    private SessionDescription answerToBrowser(SessionDescription answer) throws SdpException {
        SessionDescription offer = pendingOffer;
        List<RelayStream> sipOrder = streamsBy(true);
        if (answer.media().size() != sipOrder.size()) {
            throw new SdpException("SIP answer has " + answer.media().size() + " media lines, the offer had "
                    + sipOrder.size() + " (RFC 3264 §6)");
        }
        List<RelayStream> accepted = new ArrayList<>();
        Map<RelayStream, List<PayloadFormat>> browserFormats = new java.util.HashMap<>();
        Map<RelayStream, String> directions = new java.util.HashMap<>();
        for (RelayStream stream : sipOrder) {
            MediaDescription m = answer.media().get(stream.sipIndex);
            if (stream.offered.isEmpty() || m.port() == 0) {
                stream.unmap();
                continue;
            }
            List<PayloadFormat> browserSide = new ArrayList<>();
            List<Integer> browserTypes = new ArrayList<>();
            List<Integer> sipTypes = new ArrayList<>();
            for (PayloadFormat answered : relayableFormats(m)) {
                PayloadFormat offered = answered.matchIn(stream.offered);
                if (offered != null && !browserTypes.contains(offered.payloadType())) {
                    browserTypes.add(offered.payloadType());
                    sipTypes.add(answered.payloadType());
                    browserSide.add(offered.as(offered.payloadType(),
                            answered.fmtp() != null ? answered.fmtp() : offered.fmtp(), offered.feedback()));
                }
            }
            if (browserSide.isEmpty()) {
                stream.unmap();
                continue;
            }
            applySipTransport(stream, answer, m, stream.localKey);
            stream.map(toArray(browserTypes), toArray(sipTypes));
            String direction = answer.direction(m);
            stream.sip.sendRtp(receives(direction));
            browserFormats.put(stream, browserSide);
            directions.put(stream, direction);
            accepted.add(stream);
        }
        if (accepted.isEmpty()) {
            throw new SdpException("The SIP answer accepts no stream with a codec the browser offered");
        }
        List<MediaDescription> media = new ArrayList<>();
        for (int i = 0; i < offer.media().size(); i++) {
            RelayStream stream = streamAtBrowserIndex(i);
            MediaDescription offered = offer.media().get(i);
            media.add(accepted.contains(stream)
                    ? browserLine(stream, browserFormats.get(stream), directions.get(stream), "passive")
                    : rejected(offered, stream.mid));
        }
        SessionDescription browserAnswer = browserSdp(accepted, media);
        publishRouting();
        negotiation = Negotiation.STABLE;
        pendingOffer = null;
        startDtls();
        LOG.info(() -> name + ": SIP answer " + describe(answer) + ", browser answer " + describe(browserAnswer));
        return browserAnswer;
    }

    // ---- negotiation: SIP offer -> browser offer -> browser answer -> SIP answer

    /** Opens SIP endpoints for the relayable streams of the SIP offer and writes the browser offer. */
    private void offerToBrowser(SessionDescription offer) throws SdpException, IOException {
        List<MediaDescription> media = offer.media();
        boolean any = false;
        Set<Integer> usedTypes = new HashSet<>();
        for (int j = 0; j < media.size(); j++) {
            MediaDescription m = media.get(j);
            RelayStream stream = streamAtSipIndex(j);
            if (stream == null) {
                stream = new RelayStream(m.media(), Integer.toString(streams.size()));
                stream.sipIndex = j;
                streams.add(stream);
            }
            stream.sipProto = m.proto();
            List<PayloadFormat> formats = relayableFormats(m);
            boolean accepted = m.port() != 0 && isAudioOrVideo(m) && SIP_PROTOS.contains(m.proto())
                    && !formats.isEmpty();
            SdesCrypto remoteKey = null;
            if (accepted && m.proto().contains("SAVP")) {
                remoteKey = supportedCrypto(m);
                accepted = remoteKey != null;
            }
            stream.offered = accepted ? formats : List.of();
            if (!accepted) {
                continue;
            }
            any = true;
            openSipEndpoint(stream);
            if (stream.browserIndex < 0) {
                stream.browserIndex = nextBrowserIndex();
            }
            if (remoteKey != null && (stream.localKey == null || stream.localKey.tag() != remoteKey.tag()
                    || stream.localKey.suite() != remoteKey.suite())) {
                stream.localKey = SdesCrypto.generate(remoteKey.tag(), remoteKey.suite(), RANDOM);
            } else if (remoteKey == null) {
                stream.localKey = null;
            }
            applySipTransport(stream, offer, m, stream.localKey);
            stream.sip.sendRtp(receives(offer.direction(m)));
            // each browser payload type must be unique in the bundle (RFC 8843 §9.2): renumber where SIP reused one
            int[] toBrowser = RelayStream.unmapped();
            for (PayloadFormat format : formats) {
                int type = usedTypes.contains(format.payloadType()) ? freeDynamicType(usedTypes) : format.payloadType();
                usedTypes.add(type);
                toBrowser[format.payloadType()] = type;
            }
            stream.offeredToBrowser = toBrowser;
        }
        if (!any) {
            throw new SdpException("No audio or video stream with a codec that can be relayed in the SIP offer");
        }
        List<RelayStream> accepted = new ArrayList<>();
        List<MediaDescription> browserMedia = new ArrayList<>();
        for (RelayStream stream : streamsBy(false)) {
            if (stream.offered.isEmpty()) {
                browserMedia.add(disabled(stream.kind, "UDP/TLS/RTP/SAVPF"));
                continue;
            }
            List<PayloadFormat> formats = new ArrayList<>();
            for (PayloadFormat format : stream.offered) {
                formats.add(format.as(stream.offeredToBrowser[format.payloadType()], format.fmtp(),
                        browserFeedback(stream.kind, format.feedback())));
            }
            browserMedia.add(browserLine(stream, formats, offer.direction(offer.media().get(stream.sipIndex)),
                    "actpass"));
            accepted.add(stream);
        }
        browserOfferSdp = browserSdp(accepted, browserMedia);
        pendingOffer = offer;
        negotiation = Negotiation.AWAITING_BROWSER_ANSWER;
        LOG.info(() -> name + ": SIP offer " + describe(offer) + ", offering to the browser on " + local);
    }

    /** Applies the browser's answer: payload type maps, the browser's fingerprint, then the answer for SIP. */
    private SessionDescription answerToSip(SessionDescription answer) throws SdpException {
        Fingerprint fingerprint = checkBrowserSdp(answer, false);
        if (browserFingerprint == null) {
            browserFingerprint = fingerprint;
        } else {
            checkSameDtls(fingerprint);
        }
        SessionDescription offer = pendingOffer;
        List<RelayStream> browserOrder = streamsBy(false);
        if (answer.media().size() != browserOrder.size()) {
            throw new SdpException("browser answer has " + answer.media().size() + " media lines, the offer had "
                    + browserOrder.size() + " (RFC 3264 §6)");
        }
        List<MediaDescription> sipMedia = new ArrayList<>();
        for (int j = 0; j < offer.media().size(); j++) {
            MediaDescription offered = offer.media().get(j);
            RelayStream stream = streamAtSipIndex(j);
            MediaDescription m = stream == null || stream.browserIndex < 0 ? null
                    : answer.media().get(stream.browserIndex);
            List<Integer> browserTypes = new ArrayList<>();
            List<Integer> sipTypes = new ArrayList<>();
            List<PayloadFormat> sipFormats = new ArrayList<>();
            if (m != null && m.port() != 0 && !stream.offered.isEmpty()) {
                for (PayloadFormat answered : PayloadFormat.of(m)) {
                    for (PayloadFormat format : stream.offered) {
                        if (stream.offeredToBrowser[format.payloadType()] == answered.payloadType()) {
                            browserTypes.add(answered.payloadType());
                            sipTypes.add(format.payloadType());
                            sipFormats.add(format);
                        }
                    }
                }
            }
            if (sipFormats.isEmpty()) {
                if (stream != null) {
                    stream.unmap();
                }
                sipMedia.add(rejected(offered, null));
                continue;
            }
            stream.map(toArray(browserTypes), toArray(sipTypes));
            List<Line> lines = new ArrayList<>();
            if (offered.has("rtcp-mux")) {
                lines.add(new Line('a', "rtcp-mux"));
            } else {
                lines.add(new Line('a', "rtcp:" + (stream.sip.port() + 1)));
            }
            formatLines(sipFormats, lines);
            lines.add(new Line('a', answer.direction(m)));
            if (stream.localKey != null) {
                lines.add(new Line('a', "crypto:" + stream.localKey.format()));
            }
            sipMedia.add(new MediaDescription(stream.kind, stream.sip.port(), offered.proto(), payloadTypes(sipFormats),
                    lines));
        }
        SessionDescription sipAnswer = new SessionDescription(AudioAnswerer.sessionLines(sipOrigin,
                engine.bindAddress()), sipMedia);
        publishRouting();
        negotiation = Negotiation.STABLE;
        pendingOffer = null;
        startDtls();
        LOG.info(() -> name + ": browser answer " + describe(answer) + ", SIP answer " + describe(sipAnswer));
        return sipAnswer;
    }

    // ---- SDP pieces

    /**
     * Checks what the browser leg needs in a browser SDP and returns its fingerprint: ICE credentials, a sha-256
     * fingerprint, and a setup role that leaves us the DTLS server (RFC 5763 §5).
     */
    private static Fingerprint checkBrowserSdp(SessionDescription sdp, boolean offer) throws SdpException {
        String fingerprint = null;
        String setup = null;
        boolean credentials = sdp.attribute("ice-ufrag") != null && sdp.attribute("ice-pwd") != null;
        for (MediaDescription m : sdp.media()) {
            if (m.port() == 0) {
                continue;
            }
            if (fingerprint == null && m.has("fingerprint")) {
                fingerprint = m.attributes("fingerprint").get(0);
            }
            if (setup == null && m.has("setup")) {
                setup = m.attributes("setup").get(0);
            }
            credentials |= m.has("ice-ufrag") && m.has("ice-pwd");
        }
        fingerprint = fingerprint != null ? fingerprint : sdp.attribute("fingerprint");
        setup = setup != null ? setup : sdp.attribute("setup");
        String side = offer ? "browser offer" : "browser answer";
        if (fingerprint == null) {
            throw new SdpException(side + " has no a=fingerprint (RFC 5763 §5 requires it for DTLS-SRTP)");
        }
        if (!credentials) {
            throw new SdpException(side + " has no a=ice-ufrag and a=ice-pwd (RFC 8839 §5.4)");
        }
        String role = setup == null ? (offer ? "actpass" : "active") : setup.trim();
        if (!role.equals("actpass") && !role.equals("active")) {
            throw new SdpException(side + " has a=setup:" + role + ", which would make us the DTLS client;"
                    + " this bridge is always the DTLS server");
        }
        return Fingerprint.parse(fingerprint);
    }

    private void checkSameDtls(Fingerprint fingerprint) throws SdpException {
        if (browserFingerprint != null && !browserFingerprint.equals(fingerprint)) {
            throw new SdpException("the browser changed its DTLS certificate (a=fingerprint) in a re-negotiation;"
                    + " a new DTLS association is not supported");
        }
    }

    /** The session part of an SDP for the browser, with the BUNDLE group of {@code bundled} and ICE lite. */
    private SessionDescription browserSdp(List<RelayStream> bundled, List<MediaDescription> media) {
        List<Line> session = new ArrayList<>(AudioAnswerer.sessionLines(browserOrigin, engine.bindAddress()));
        StringBuilder group = new StringBuilder("group:BUNDLE");
        bundled.stream().sorted(Comparator.comparingInt(s -> s.browserIndex)).forEach(s -> group.append(' ')
                .append(s.mid));
        session.add(new Line('a', group.toString()));
        session.add(new Line('a', "ice-lite"));
        session.add(new Line('a', "msid-semantic: WMS " + msidStream()));
        return new SessionDescription(session, media);
    }

    /** One accepted m-line of the bundle for the browser. */
    private MediaDescription browserLine(RelayStream stream, List<PayloadFormat> formats, String direction,
                                         String setup) {
        List<Line> lines = new ArrayList<>();
        lines.add(new Line('c', "IN " + ipType(local.getAddress()) + " " + local.getAddress().getHostAddress()));
        lines.add(new Line('a', "candidate:1 1 udp " + HOST_PRIORITY + " " + local.getAddress().getHostAddress() + " "
                + local.getPort() + " typ host"));
        lines.add(new Line('a', "end-of-candidates"));
        lines.add(new Line('a', "ice-ufrag:" + ice.ufrag()));
        lines.add(new Line('a', "ice-pwd:" + ice.password()));
        lines.add(new Line('a', "fingerprint:" + certificate.fingerprint()));
        lines.add(new Line('a', "setup:" + setup));
        lines.add(new Line('a', "mid:" + stream.mid));
        lines.add(new Line('a', direction));
        lines.add(new Line('a', "msid:" + msidStream() + " " + stream.kind + "-" + stream.mid));
        lines.add(new Line('a', "rtcp-mux"));
        formatLines(formats, lines);
        return new MediaDescription(stream.kind, local.getPort(), "UDP/TLS/RTP/SAVPF", payloadTypes(formats), lines);
    }

    private String msidStream() {
        return "sylk-" + Integer.toHexString(System.identityHashCode(this));
    }

    /** An m-line refused in an answer (RFC 3264 §6: port 0, the formats of the offer), keeping its mid. */
    private static MediaDescription rejected(MediaDescription offered, String mid) {
        List<Line> lines = mid == null ? List.of() : List.of(new Line('a', "mid:" + mid));
        return new MediaDescription(offered.media(), 0, offered.proto(), offered.formats(), lines);
    }

    /** An m-line disabled in an offer: port 0 (RFC 3264 §8.2). */
    private static MediaDescription disabled(String kind, String proto) {
        return new MediaDescription(kind, 0, proto, List.of("0"), List.of());
    }

    private static void formatLines(List<PayloadFormat> formats, List<Line> lines) {
        for (PayloadFormat format : formats) {
            lines.add(new Line('a', "rtpmap:" + format.rtpmap()));
            if (format.fmtp() != null) {
                lines.add(new Line('a', "fmtp:" + format.payloadType() + " " + format.fmtp()));
            }
            for (String feedback : format.feedback()) {
                lines.add(new Line('a', "rtcp-fb:" + format.payloadType() + " " + feedback));
            }
        }
    }

    private static List<String> payloadTypes(List<PayloadFormat> formats) {
        return formats.stream().map(f -> Integer.toString(f.payloadType())).toList();
    }

    /**
     * The formats of {@code m} that can be relayed, with only the feedback messages the bridge relays end to end
     * (NACK, PLI and FIR, RFC 4585 §4.2 and RFC 5104 §7.1); others need header extensions or local state.
     */
    private static List<PayloadFormat> relayableFormats(MediaDescription m) {
        List<PayloadFormat> formats = new ArrayList<>();
        for (PayloadFormat format : PayloadFormat.of(m)) {
            if (format.relayable()) {
                formats.add(format.as(format.payloadType(), format.fmtp(), relayedFeedback(format.feedback())));
            }
        }
        return formats;
    }

    private static List<String> relayedFeedback(List<String> feedback) {
        return feedback.stream().filter(f -> f.equals("nack") || f.equals("nack pli") || f.equals("ccm fir"))
                .distinct().toList();
    }

    /** For video offered to a browser: PLI and FIR always, so that a SIP peer's picture requests are honoured. */
    private static List<String> browserFeedback(String kind, List<String> feedback) {
        if (!kind.equals("video")) {
            return feedback;
        }
        List<String> all = new ArrayList<>(feedback);
        for (String wanted : List.of("nack pli", "ccm fir")) {
            if (!all.contains(wanted)) {
                all.add(wanted);
            }
        }
        return all;
    }

    private static Set<String> bundleGroup(SessionDescription sdp) {
        Set<String> mids = new HashSet<>();
        for (Line line : sdp.sessionLines()) {
            if (line.type() == 'a' && line.value().startsWith("group:BUNDLE")) {
                String[] parts = line.value().trim().split("\\s+");
                for (int i = 1; i < parts.length; i++) {
                    mids.add(parts[i]);
                }
            }
        }
        return mids;
    }

    private static String mid(MediaDescription m, int index) {
        List<String> mids = m.attributes("mid");
        return mids.isEmpty() ? Integer.toString(index) : mids.get(0).trim();
    }

    private static boolean isAudioOrVideo(MediaDescription m) {
        return m.media().equals("audio") || m.media().equals("video");
    }

    /** Whether a party with this direction attribute receives RTP (RFC 3264 §5.1). */
    private static boolean receives(String direction) {
        return direction.equals("sendrecv") || direction.equals("recvonly");
    }

    /** The first {@code a=crypto} of {@code m} this engine supports (RFC 4568 §7.1.1), or null. */
    private static SdesCrypto supportedCrypto(MediaDescription m) {
        for (String value : m.attributes("crypto")) {
            try {
                return SdesCrypto.parse(value);
            } catch (UnsupportedCryptoAttributeException unsupported) {
                // RFC 4568 §7.1.1: skip it and try the next line
            } catch (RuntimeException malformed) {
                LOG.fine(() -> "skipping malformed a=crypto: " + malformed.getMessage());
            }
        }
        return null;
    }

    /** The SIP peer's address, RTCP port, rtcp-mux and SDES keys for {@code stream} from its SDP. */
    private void applySipTransport(RelayStream stream, SessionDescription sdp, MediaDescription m, SdesCrypto localKey)
            throws SdpException {
        ConnectionData connection = sdp.connection(m);
        InetSocketAddress address = connection.socketAddress(m.port());
        int rtcpPort = m.port() + 1;
        if (m.has("rtcp")) {
            try {
                rtcpPort = Integer.parseInt(m.attributes("rtcp").get(0).trim().split("\\s+")[0]);
            } catch (NumberFormatException malformed) {
                throw new SdpException("malformed a=rtcp '" + m.attributes("rtcp").get(0) + "' (RFC 3605)");
            }
        }
        if (!address.isUnresolved()) {
            stream.sip.admit(address);
            stream.sip.remote(address, rtcpPort, m.has("rtcp-mux"));
        }
        boolean secure = m.proto().contains("SAVP");
        if (secure != (localKey != null)) {
            throw new SdpException("SIP " + (secure ? "RTP/SAVP" : "RTP/AVP") + " for " + stream.kind
                    + " does not match the " + (localKey != null ? "SRTP" : "RTP") + " offer");
        }
        if (secure) {
            SdesCrypto remoteKey = supportedCrypto(m);
            if (remoteKey == null || remoteKey.tag() != localKey.tag() || remoteKey.suite() != localKey.suite()) {
                throw new SdpException("SIP " + stream.kind + " has no a=crypto matching ours (RFC 4568 §7.1.3)");
            }
            stream.sip.secure(remoteKey, localKey);
        }
    }

    private static int freeDynamicType(Set<Integer> used) throws SdpException {
        for (int[] range : DYNAMIC_RANGES) {
            for (int type = range[0]; type <= range[1]; type++) {
                if (!used.contains(type)) {
                    return type;
                }
            }
        }
        throw new SdpException("too many payload types to bundle");
    }

    private static int[] toArray(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String ipType(InetAddress address) {
        return address instanceof Inet6Address ? "IP6" : "IP4";
    }

    private static String describe(SessionDescription sdp) {
        StringBuilder out = new StringBuilder("[");
        for (MediaDescription m : sdp.media()) {
            out.append(out.length() > 1 ? ", " : "").append(m.media()).append(' ').append(m.port()).append(' ')
                    .append(m.proto()).append(' ').append(String.join(" ", m.formats()));
        }
        return out.append(']').toString();
    }

    // ---- streams and transports

    private void openSipEndpoint(RelayStream stream) throws IOException, SdpException {
        if (stream.sip == null) {
            int limit = engine.maxStreamsPerCall();
            if (limit > 0 && streams.stream().filter(s -> s.sip != null).count() >= limit) {
                // an offer of hundreds of m-lines must not take the port range from every other call
                throw new SdpException("Too many media streams in one call (max_streams_per_call " + limit + ")");
            }
            RtpRelayEndpoint endpoint = engine.openRelayEndpoint(e -> reportInactivity());
            // the SIP side's offers and answers reach the bridge without the address their SIP came from, which a
            // peer behind NAT sends its media from: its first source latches, strangers cannot take over later
            endpoint.trustFirstSource();
            stream.sip = endpoint;
            endpoint.relayTo(new RtpRelayEndpoint.Relay() {
                @Override
                public void rtp(RtpHeader header, ByteBuffer packet) {
                    relayRtpToBrowser(stream, header, packet);
                }

                @Override
                public void rtcp(ByteBuffer packet) {
                    relayRtcpToBrowser(packet);
                }
            });
        }
    }

    private RelayStream streamAtBrowserIndex(int index) {
        return streams.stream().filter(s -> s.browserIndex == index).findFirst().orElse(null);
    }

    private RelayStream streamAtSipIndex(int index) {
        return streams.stream().filter(s -> s.sipIndex == index).findFirst().orElse(null);
    }

    private int nextSipIndex() {
        return (int) streams.stream().filter(s -> s.sipIndex >= 0).count();
    }

    private int nextBrowserIndex() {
        return (int) streams.stream().filter(s -> s.browserIndex >= 0).count();
    }

    /** The streams that have an m-line on the SIP ({@code true}) or browser side, in that side's order. */
    private List<RelayStream> streamsBy(boolean sip) {
        return streams.stream().filter(s -> (sip ? s.sipIndex : s.browserIndex) >= 0)
                .sorted(Comparator.comparingInt(s -> sip ? s.sipIndex : s.browserIndex)).toList();
    }

    private String sipPorts() {
        return streams.stream().filter(s -> s.sip != null).map(s -> s.kind + " " + s.sip.port()).toList().toString();
    }

    private void publishRouting() {
        Map<Integer, RelayStream> routes = new java.util.HashMap<>();
        for (RelayStream stream : streams) {
            int[] toSip = stream.toSip;
            for (int type = 0; type < toSip.length; type++) {
                if (toSip[type] >= 0) {
                    routes.put(type, stream);
                }
            }
        }
        byBrowserPayloadType = Map.copyOf(routes);
        relaying = streams.stream().filter(RelayStream::isRelaying).toList();
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

    private synchronized void requireState(Negotiation expected, String otherwise) {
        if (negotiation == Negotiation.CLOSED) {
            throw new IllegalStateException(name + " is closed");
        }
        if (negotiation != expected) {
            throw new IllegalStateException(name + ": " + otherwise + " (state " + negotiation + ")");
        }
    }

    // ---- relaying, on the media engine's I/O thread

    /** RFC 7983 §7: the first byte tells STUN (0-3), DTLS (20-63) and RTP/RTCP (128-191) apart. */
    private void receivedFromBrowser(ByteBuffer datagram, InetSocketAddress source) {
        if (!datagram.hasRemaining()) {
            dropped.incrementAndGet();
            return;
        }
        int first = datagram.get(datagram.position()) & 0xff;
        byte[] bytes = new byte[datagram.remaining()];
        datagram.get(datagram.position(), bytes);
        if (first <= 3) {
            IceLite.Outcome outcome = ice.check(bytes, source, local, response -> sendToBrowser(response, source));
            if (outcome == IceLite.Outcome.DROPPED) {
                dropped.incrementAndGet();
                return;
            }
            socket.mediaReceived(); // a valid check: the browser is there (RFC 7675 consent), media or not
            if (outcome == IceLite.Outcome.NOMINATED && !nominationLogged) {
                nominationLogged = true;
                LOG.info(() -> name + ": ICE pair nominated " + local + " <-> " + source);
            }
        } else if (first >= 20 && first <= 63) {
            DtlsSession session = dtls;
            if (!ice.isChecked(source) || session == null || !session.received(bytes)) {
                dropped.incrementAndGet();
            }
        } else if (first >= 128 && first <= 191 && ice.isChecked(source)) {
            relayFromBrowser(bytes);
        } else {
            dropped.incrementAndGet();
        }
    }

    private void relayFromBrowser(byte[] packet) {
        SrtpTransformer srtp = fromBrowser;
        if (srtp == null) {
            dropped.incrementAndGet();
            return;
        }
        try {
            if (RtpHeader.isRtcp(ByteBuffer.wrap(packet))) {
                byte[] rtcp = srtp.unprotectRtcp(packet, packet.length);
                RelayStream stream = streamOfBrowserRtcp(rtcp);
                if (stream == null || !RtpHeader.isValidRtcp(ByteBuffer.wrap(rtcp))) {
                    dropped.incrementAndGet();
                    return;
                }
                stream.sip.forwardRtcp(ByteBuffer.wrap(rtcp));
                rtcpToSip++;
            } else {
                byte[] rtp = srtp.unprotectRtp(packet, packet.length);
                RtpHeader header = RtpHeader.parse(ByteBuffer.wrap(rtp));
                RelayStream stream = header == null ? null : byBrowserPayloadType.get(header.payloadType());
                int sipType = stream == null ? -1 : stream.toSip[header.payloadType()];
                if (sipType < 0) {
                    dropped.incrementAndGet();
                    return;
                }
                socket.mediaReceived();
                browserSsrcs.putIfAbsent(header.ssrc(), stream);
                rtp[1] = (byte) ((rtp[1] & 0x80) | sipType);
                stream.sip.forwardRtp(ByteBuffer.wrap(rtp));
                rtpToSip++;
                bytesToSip += rtp.length;
            }
        } catch (SrtpException | IOException | RuntimeException e) {
            dropped.incrementAndGet();
            LOG.log(Level.FINEST, e, () -> name + ": dropped a packet from the browser");
        }
    }

    private void relayRtpToBrowser(RelayStream stream, RtpHeader header, ByteBuffer packet) {
        int browserType = stream.toBrowser[header.payloadType()];
        SrtpTransformer srtp = toBrowser;
        InetSocketAddress target = ice.target();
        if (browserType < 0 || srtp == null || target == null) {
            dropped.incrementAndGet();
            return;
        }
        sipSsrcs.putIfAbsent(header.ssrc(), stream);
        byte[] rtp = new byte[packet.remaining()];
        packet.get(packet.position(), rtp);
        rtp[1] = (byte) ((rtp[1] & 0x80) | browserType);
        try {
            sendToBrowser(srtp.protectRtp(rtp, rtp.length), target);
            rtpToBrowser++;
            bytesToBrowser += rtp.length;
        } catch (SrtpException | RuntimeException e) {
            dropped.incrementAndGet();
        }
    }

    private void relayRtcpToBrowser(ByteBuffer packet) {
        SrtpTransformer srtp = toBrowser;
        InetSocketAddress target = ice.target();
        if (srtp == null || target == null) {
            dropped.incrementAndGet();
            return;
        }
        byte[] rtcp = new byte[packet.remaining()];
        packet.get(packet.position(), rtcp);
        try {
            sendToBrowser(srtp.protectRtcp(rtcp, rtcp.length), target);
            rtcpToBrowser++;
        } catch (SrtpException | RuntimeException e) {
            dropped.incrementAndGet();
        }
    }

    private void sendToBrowser(byte[] datagram, InetSocketAddress target) {
        try {
            socket.send(ByteBuffer.wrap(datagram), target);
        } catch (IOException e) {
            dropped.incrementAndGet();
        }
    }

    /**
     * The stream an RTCP compound packet from the browser belongs to: the first SSRC in it that we know, either a
     * browser sender's (SR, SDES, BYE sender SSRC) or a SIP sender's it reports on or asks for (report blocks,
     * RFC 4585 §6.1 media source of NACK and PLI, RFC 5104 FIR); else the first relaying stream.
     */
    private RelayStream streamOfBrowserRtcp(byte[] rtcp) {
        for (int offset = 0; offset + 8 <= rtcp.length; ) {
            int type = rtcp[offset + 1] & 0xff;
            int length = 4 * ((((rtcp[offset + 2] & 0xff) << 8) | (rtcp[offset + 3] & 0xff)) + 1);
            RelayStream stream = browserSsrcs.get(ssrc(rtcp, offset + 4));
            if (stream == null && (type == 205 || type == 206) && offset + 12 <= rtcp.length) {
                stream = sipSsrcs.get(ssrc(rtcp, offset + 8));
            }
            int blocks = type == 200 ? offset + 28 : type == 201 ? offset + 8 : -1;
            for (int block = 0; stream == null && blocks >= 0 && block < (rtcp[offset] & 0x1f)
                    && blocks + 24 * block + 4 <= rtcp.length; block++) {
                stream = sipSsrcs.get(ssrc(rtcp, blocks + 24 * block));
            }
            if (stream != null) {
                return stream;
            }
            offset += length;
        }
        List<RelayStream> candidates = relaying;
        return candidates.isEmpty() ? null : candidates.get(0);
    }

    private static long ssrc(byte[] packet, int offset) {
        return ((packet[offset] & 0xffL) << 24) | ((packet[offset + 1] & 0xffL) << 16)
                | ((packet[offset + 2] & 0xffL) << 8) | (packet[offset + 3] & 0xffL);
    }
}
