package org.sylkserver.xmpp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.jivesoftware.smackx.jingle.element.JingleReason;
import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.RtpRelayEndpoint;
import org.sylkserver.media.RtpTranscoder;
import org.sylkserver.media.dtls.DtlsRole;
import org.sylkserver.media.dtls.DtlsSession;
import org.sylkserver.media.dtls.DtlsSrtpKeys;
import org.sylkserver.media.dtls.Fingerprint;
import org.sylkserver.media.ice.IceLite;
import org.sylkserver.media.srtp.MalformedCryptoAttributeException;
import org.sylkserver.media.srtp.CryptoSuite;
import org.sylkserver.media.srtp.SdesCrypto;
import org.sylkserver.media.srtp.SrtpPolicy;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;
import org.sylkserver.xmpp.jingle.DtlsFingerprint;
import org.sylkserver.xmpp.jingle.JingleCalls;
import org.sylkserver.xmpp.jingle.JingleSdp;
import org.sylkserver.xmpp.jingle.JingleTransport;
import org.sylkserver.xmpp.jingle.MalformedJingleException;
import org.sylkserver.xmpp.jingle.RtpDescription;

/**
 * The media of Jingle calls (spec §5.7) on the media engine: two relay endpoints of ours, one facing the Jingle
 * party (raw UDP, XEP-0177), one facing the SIP party, each passing the other's RTP on. Each party is
 * offered the other's payload types followed by those we can transcode to ({@link CodecChoice}); a codec of the
 * offerer's that the answerer takes is relayed as it is, its payload type number rewritten where the two sides
 * numbered it differently (RFC 3264 §6.1 lets an answerer do so); an answer that took only one of ours is transcoded
 * ({@link RtpTranscoder}, one per direction). RTCP is passed on when relaying, not when transcoding (the reports
 * would describe streams the other party never sees).
 * <p>
 * A Jingle party that offers ICE-UDP (XEP-0176) gets our credentials and host candidate(s) in the answer; the relay
 * endpoint's lite agent (RFC 8445 §2.5) answers its connectivity checks and sends media to the pair it nominates. A
 * SIP party's call goes to a Jingle client that lists ICE-UDP over ICE-UDP: the client answers as the controlled
 * agent, so our agent nominates the pair the client's first passed check came on (see {@code IceLite.controlling}).
 * <p>
 * DTLS-SRTP (XEP-0320 over ICE-UDP): a Jingle offer with a fingerprint is answered with ours and the role of
 * {@link DtlsRole#answering} (passive to actpass: we are the DTLS server), and the Jingle endpoint keys SRTP by the
 * handshake over the ICE pair (RFC 5763, RFC 5764); our ICE-UDP offers carry our fingerprint with actpass, and the
 * answer's role decides ours ({@link DtlsRole#offering}), or, without a fingerprint in the answer, the call stays plain
 * RTP. A handshake not done in time ends the call with failed-transport, a refused one with security-error.
 * <p>
 * SDES-SRTP (RFC 4568) on either leg, each keyed on its own (the media is decrypted and encrypted again in the server,
 * as the spec's relaying always did), as {@code [RTP] srtp_encryption} says ({@link SrtpPolicy}): a party's offer with
 * keys (a SIP {@code a=crypto}, a Jingle {@code <encryption/>}, XEP-0167 §7) is answered with a key of ours of the
 * first usable line's tag and suite ({@link #sdesKeys}); our own offers (to the SIP party of an XMPP user's call, to
 * the raw-UDP Jingle party of a SIP user's call) carry a key on {@code RTP/AVP} when the policy offers SDES
 * ("SDES optional", spec §1.3), and the answer takes SRTP or plain RTP ({@link #answeredKey}). A Jingle offer whose
 * required encryption we cannot meet, or a plain one where the policy allows only SRTP, is refused with
 * security-error (XEP-0167 §7). A DTLS fingerprint wins over SDES keys in the same Jingle offer.
 * <p>
 * A fingerprint may also come in a transport-info ({@link Bridge#transportInfo}). DTLS-SRTP without rtcp-mux is
 * refused with incompatible-parameters: RTCP on ICE component 2 would need a handshake of its own, which the relay
 * endpoint does not run.
 */
final class RelayAudioBridges implements JingleCalls.AudioBridges {

    private static final Logger LOG = Logger.getLogger("sylk.xmpp.jingle");
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * Why DTLS-SRTP needs rtcp-mux here: RTCP on an ICE component of its own would need a DTLS association of its
     * own (RFC 5764 keys each transport flow by its own handshake), which the relay endpoint does not run.
     */
    private static final String DTLS_WITHOUT_MUX = "DTLS-SRTP without rtcp-mux (RFC 5761) is not supported: RTCP on"
            + " ICE component 2 would need a DTLS handshake of its own";

    private final MediaEngine engine;
    private final InetAddress address;
    private final SrtpPolicy policy;

    /**
     * @param address the address our SDP and candidates name (the server's SDP address)
     * @param policy  {@code [RTP] srtp_encryption}
     */
    RelayAudioBridges(MediaEngine engine, InetAddress address, SrtpPolicy policy) {
        this.engine = engine;
        this.address = address;
        this.policy = policy;
    }

    /**
     * A Jingle party's offer; SDES keys in it (XEP-0167 §7) key the Jingle leg unless it has a DTLS fingerprint. The
     * SIP party is offered a key of ours when the policy says so. An offer whose encryption we cannot meet tells
     * {@code failure} security-error before returning null.
     */
    @Override
    public JingleCalls.AudioBridge open(JingleSdp.Media offer, JingleCalls.MediaFailure failure) {
        boolean dtls = offer.transport() instanceof JingleTransport.IceUdp ice && ice.fingerprint() != null;
        if (dtls && !offer.description().rtcpMux()) {
            LOG.info("Jingle offer refused (incompatible-parameters): " + DTLS_WITHOUT_MUX);
            failure.failed(JingleReason.Reason.incompatible_parameters);
            return null;
        }
        SdesCrypto[] keys;
        try {
            keys = dtls ? null : jingleKeys(offer.description());
        } catch (SdpException e) {
            LOG.info("Jingle offer refused (security-error): " + e.getMessage());
            failure.failed(JingleReason.Reason.security_error);
            return null;
        }
        Bridge bridge;
        if (offer.transport() instanceof JingleTransport.IceUdp ice) {
            bridge = openIce(offer, ice, failure);
        } else {
            RtpTarget target = RtpTarget.of((JingleTransport.RawUdp) offer.transport());
            if (target == null) {
                return null;
            }
            bridge = bridge(failure, (jingle, sip) -> {
                jingle.admit(target.rtp());
                jingle.remote(target.rtp(), target.rtcpPort(), false);
                return new Bridge(offer.description().payloadTypes(), offer.direction(), jingle, sip, failure);
            });
        }
        if (bridge != null) {
            if (keys != null) {
                bridge.jingle.secure(keys[0], keys[1]);
                bridge.jingleKey = keys[1];
            }
            bridge.sipKey = offerKey();
        }
        return bridge;
    }

    /**
     * XEP-0167 §7 under our policy: the keys of a Jingle offer without DTLS (the party's and ours), or null for plain
     * RTP (no keys, none usable where not required, or SRTP disabled where not required).
     *
     * @throws SdpException when the offer's encryption cannot be met: required, and no key we can use (or SRTP is
     *                      disabled)
     */
    private SdesCrypto[] jingleKeys(RtpDescription offer) throws SdpException {
        SdesCrypto[] keys = policy.acceptsSrtp() ? sdesKeys(offer) : null;
        if (keys == null && offer.encryptionRequired()) {
            throw new SdpException("encryption required, but srtp_encryption = " + policy.configName());
        }
        return keys;
    }

    /**
     * Our key for an offer when the policy offers SDES (RFC 4568 §7.1.1): tag 1, the default suite of RFC 4568
     * §6.2.1; else null.
     */
    private SdesCrypto offerKey() {
        return policy.offersSdes() ? SdesCrypto.generate(1, CryptoSuite.AES_CM_128_HMAC_SHA1_80, RANDOM) : null;
    }

    /**
     * An ICE-UDP offer (XEP-0176 §5.4): the Jingle party's address is the one its checks come from (our endpoint's
     * lite agent answers them); its default candidate, where it is an address, counts for the per-address limit.
     * With a fingerprint (XEP-0320 §1) the call is DTLS-SRTP, our role chosen now and the handshake started with our
     * answer.
     */
    private Bridge openIce(JingleSdp.Media offer, JingleTransport.IceUdp ice, JingleCalls.MediaFailure failure) {
        if (ice.ufrag() == null || ice.pwd() == null) {
            LOG.info("Jingle ICE-UDP offer refused: no ufrag or pwd (XEP-0176 §5.3)");
            return null;
        }
        boolean rtcpMux = offer.description().rtcpMux();
        return bridge(failure, (jingle, sip) -> {
            admitDefaultCandidate(jingle, ice);
            Bridge bridge = new Bridge(offer.description().payloadTypes(), offer.direction(), jingle, sip, failure);
            bridge.jingleIce = jingle.remoteByIce(rtcpMux);
            bridge.jingleRtcpMux = rtcpMux;
            if (ice.fingerprint() != null) {
                bridge.dtlsOffered(ice.fingerprint());
            }
            return bridge;
        });
    }

    /**
     * Media for a SIP party's offer (spec §5.7, SIP → XMPP): RTP over UDP without ICE towards the SIP party, plain or
     * SDES-keyed SRTP (RFC 4568: the first a=crypto we can use, answered with a key of ours of the same tag and suite;
     * an RTP/SAVP offer with none is refused), its codecs offered to the Jingle party as they are.
     */
    @Override
    public JingleCalls.SipOfferBridge open(SessionDescription sipOffer, InetAddress source,
                                           JingleCalls.MediaFailure failure) {
        JingleSdp.Media offer;
        try {
            offer = JingleSdp.fromSdp(sipOffer);
        } catch (SdpException e) {
            LOG.info("SIP offer for a Jingle call refused: " + e.getMessage());
            return null;
        }
        if (!(offer.transport() instanceof JingleTransport.RawUdp raw)) {
            LOG.info("SIP offer for a Jingle call refused: only RTP without ICE is relayed");
            return null;
        }
        SdesCrypto[] keys;
        try {
            keys = sdesKeys(offer.description());
        } catch (SdpException e) {
            LOG.info("SIP offer for a Jingle call refused: " + e.getMessage());
            return null;
        }
        RtpTarget target = RtpTarget.of(raw);
        if (target == null) {
            return null;
        }
        return bridge(failure, (jingle, sip) -> {
            sip.admit(target.rtp());
            if (source != null) {
                sip.signallingSource(source); // a phone behind NAT sends from where its INVITE came
            }
            sip.remote(target.rtp(), target.rtcpPort(), offer.description().rtcpMux());
            Bridge bridge = new Bridge(offer.description().payloadTypes(), offer.direction(), jingle, sip, failure);
            bridge.sipRemote = target.rtp();
            if (keys != null) {
                sip.secure(keys[0], keys[1]);
                bridge.sipKey = keys[1];
                bridge.sipSavp = offer.description().encryptionRequired();
            }
            return bridge;
        });
    }

    /**
     * RFC 4568 §6.1: the SIP offer's first SDES key we can use (its tag, suite and key) and ours for the answer (same
     * tag and suite, RFC 4568 §7.1.2); null for a plain offer.
     *
     * @throws SdpException for an RTP/SAVP offer without a usable key
     */
    private static SdesCrypto[] sdesKeys(RtpDescription offer) throws SdpException {
        String problem = "no a=crypto line";
        for (RtpDescription.Crypto c : offer.crypto()) {
            try {
                SdesCrypto remote = parse(c);
                return new SdesCrypto[] {remote, SdesCrypto.generate(remote.tag(), remote.suite(), RANDOM)};
            } catch (MalformedCryptoAttributeException e) {
                problem = e.getMessage();
            }
        }
        if (offer.encryptionRequired()) {
            throw new SdpException("no usable SDES key in an offer that requires encryption (" + problem + ")");
        }
        return null;
    }

    /**
     * RFC 4568 §7.1.3: the answerer's key to our offered {@code ours}, the line with our tag, which must name our
     * suite; null when the answer keeps to plain RTP (no line), or we offered no key (a line then is ignored).
     *
     * @throws SdpException for a line with another tag or suite, or one that cannot be read: the answer is unusable
     */
    private static SdesCrypto answeredKey(RtpDescription answer, SdesCrypto ours) throws SdpException {
        if (ours == null || answer.crypto().isEmpty()) {
            return null;
        }
        SdesCrypto theirs;
        try {
            theirs = parse(answer.crypto().get(0));
        } catch (MalformedCryptoAttributeException e) {
            throw new SdpException("unusable key in the answer: " + e.getMessage());
        }
        if (theirs.tag() != ours.tag() || theirs.suite() != ours.suite()) {
            throw new SdpException("the answer's key (tag " + theirs.tag() + ", " + theirs.suite()
                    + ") is not for the one offered (tag " + ours.tag() + ", " + ours.suite() + "), RFC 4568 §7.1.3");
        }
        return theirs;
    }

    private static SdesCrypto parse(RtpDescription.Crypto c) {
        return SdesCrypto.parse(c.tag() + " " + c.suite() + " " + c.keyParams()
                + (c.sessionParams() != null ? " " + c.sessionParams() : ""));
    }

    /** {@code key} as the one line of an offer or answer, or none without a key. */
    private static List<RtpDescription.Crypto> cryptoLines(SdesCrypto key) {
        return key == null ? List.of() : List.of(crypto(key));
    }

    /** Our SDES key as the answer's a=crypto (RFC 4568 §9.1). */
    private static RtpDescription.Crypto crypto(SdesCrypto key) {
        String[] parts = key.format().split(" ", 4);
        return new RtpDescription.Crypto(parts[0], parts[1], parts[2], parts.length == 4 ? parts[3] : null);
    }

    /** Connects a call's two fresh endpoints to the party that made the offer; returns its bridge. */
    private interface Wiring {
        Bridge connect(RtpRelayEndpoint jingle, RtpRelayEndpoint sip) throws IOException, SdpException;
    }

    /**
     * A call's two relay endpoints, each ending the call when silent (nobody need send while the other party is rung,
     * up to 90 s), connected by {@code wiring}; null, with both endpoints closed, when any step fails.
     */
    private Bridge bridge(JingleCalls.MediaFailure failure, Wiring wiring) {
        RtpRelayEndpoint jingle = null;
        RtpRelayEndpoint sip = null;
        try {
            jingle = engine.openRelayEndpoint(e -> failure.failed(JingleReason.Reason.connectivity_error));
            jingle.watchInactivity("inactive");
            sip = engine.openRelayEndpoint(e -> failure.failed(JingleReason.Reason.connectivity_error));
            sip.watchInactivity("inactive");
            return wiring.connect(jingle, sip);
        } catch (IOException | SdpException | RuntimeException e) {
            LOG.info("no media for a Jingle call: " + e.getMessage());
            if (jingle != null) {
                jingle.close();
            }
            if (sip != null) {
                sip.close();
            }
            return null;
        }
    }

    /**
     * Where a raw-UDP transport's media goes (XEP-0177 §4.2): its component-1 candidate, which must name an address
     * and a port, and the component-2 candidate's port for RTCP, else the RTP port + 1; null without a usable one.
     */
    private record RtpTarget(InetSocketAddress rtp, int rtcpPort) {
        static RtpTarget of(JingleTransport.RawUdp raw) {
            JingleTransport.RawCandidate rtp = raw.candidates().stream().filter(c -> c.component() == 1).findFirst()
                    .orElse(null);
            if (rtp == null || !isIpLiteral(rtp.ip()) || rtp.port() == 0) {
                return null;
            }
            int rtcpPort = raw.candidates().stream().filter(c -> c.component() == 2).mapToInt(c -> c.port())
                    .findFirst().orElse(rtp.port() + 1);
            try {
                return new RtpTarget(new InetSocketAddress(InetAddress.getByName(rtp.ip()), rtp.port()), rtcpPort);
            } catch (UnknownHostException e) {
                return null; // an address literal out of range, such as 300.1.2.3
            }
        }
    }

    /**
     * Counts the Jingle party's default candidate (its component-1 candidate of highest priority, RFC 8839 §4.2.1.1),
     * where it names an address, towards {@code [RTP] max_streams_per_address}: with ICE its media may come from
     * another of its candidates, but one address cannot hold more streams by offering ICE.
     */
    private static void admitDefaultCandidate(RtpRelayEndpoint jingle, JingleTransport.IceUdp ice)
            throws SdpException {
        JingleTransport.IceCandidate preferred = ice.candidates().stream().filter(c -> c.component() == 1)
                .max(java.util.Comparator.comparingLong(JingleTransport.IceCandidate::priority)).orElse(null);
        if (preferred != null && isIpLiteral(preferred.ip())) {
            try {
                jingle.admit(new InetSocketAddress(InetAddress.getByName(preferred.ip()), preferred.port()));
            } catch (UnknownHostException e) {
                throw new SdpException("ICE candidate address " + preferred.ip() + ": " + e.getMessage());
            }
        }
    }

    /** Whether a candidate's {@code ip} is an address, not a name to look up (XEP-0177 §4.2 wants an address). */
    static boolean isIpLiteral(String ip) {
        return ip.matches("\\d{1,3}(\\.\\d{1,3}){3}") || ip.contains(":") && ip.matches("[0-9a-fA-F:.]+");
    }

    /**
     * One call's two endpoints, for either side's offer (the Jingle party's: {@link JingleCalls.AudioBridge}, the SIP
     * party's: {@link JingleCalls.SipOfferBridge}); the payload type maps are set once the answer is in.
     */
    private final class Bridge implements JingleCalls.AudioBridge, JingleCalls.SipOfferBridge {
        /** The offerer's codecs, as it numbered them, and its direction. */
        private final List<RtpDescription.PayloadType> offered;
        /** What the answerer is offered: the offerer's codecs, then those we transcode to. */
        private final List<RtpDescription.PayloadType> extended;
        private final String offeredDirection;
        private final RtpRelayEndpoint jingle;
        private final RtpRelayEndpoint sip;
        private final long sessionId = ThreadLocalRandom.current().nextLong(1, 1L << 40);
        /** The o= version of our next SDP to the SIP party (RFC 3264 §8: one more for each new one). */
        private long version = sessionId;
        /**
         * Our SDES key towards the SIP party (RFC 4568), in each of our SDPs to it, else null; and whether they say
         * {@code RTP/SAVP} (it offered or answered so) rather than {@code RTP/AVP}.
         */
        private volatile SdesCrypto sipKey;
        private volatile boolean sipSavp;
        /** Our SDES key towards the Jingle party (XEP-0167 §7), else null. */
        private volatile SdesCrypto jingleKey;
        /** Once answered: the codecs as the SIP party numbered them, and where it receives. */
        private List<RtpDescription.PayloadType> sipAgreed;
        private InetSocketAddress sipRemote;
        /** The two directions' transcoders when the parties share no codec, else none; and whether closed. */
        private List<RtpTranscoder> transcoders = List.of();
        private boolean closed;
        /** The Jingle side's ICE agent when the Jingle side is ICE-UDP (whoever offered), else null (raw UDP). */
        private volatile IceLite jingleIce;
        private volatile boolean jingleRtcpMux;
        /** The setup role our ICE-UDP transport names with our fingerprint (XEP-0320 §1), or null for plain RTP. */
        private volatile String dtlsSetup;
        /** The handshake to start with our answer to a Jingle DTLS offer, or null. */
        private volatile Runnable pendingDtls;
        /** Whether our offer to the Jingle party proposed DTLS-SRTP (our fingerprint, actpass). */
        private volatile boolean dtlsProposed;
        /**
         * Whether the Jingle leg's answer is done (the party's, or ours to it): a fingerprint the party trickles after
         * it can only start DTLS where we proposed it.
         */
        private volatile boolean jingleAnswered;
        /** A fingerprint the called Jingle party sent in a transport-info before its session-accept, or null. */
        private volatile DtlsFingerprint trickled;
        private final JingleCalls.MediaFailure failure;

        /** @throws SdpException when the offer has no codec at all (only telephone-event or comfort noise) */
        Bridge(List<RtpDescription.PayloadType> offered, String offeredDirection, RtpRelayEndpoint jingle,
               RtpRelayEndpoint sip, JingleCalls.MediaFailure failure) throws SdpException {
            this.failure = failure;
            if (offered.stream().noneMatch(CodecChoice::isAudioCodec)) {
                throw new SdpException("the offer has no audio codec");
            }
            this.offered = offered;
            this.extended = CodecChoice.extend(offered);
            this.offeredDirection = offeredDirection;
            this.jingle = jingle;
            this.sip = sip;
        }

        @Override
        public synchronized SessionDescription sipOffer() {
            return sdp(extended, "sendrecv");
        }

        /**
         * Our offer to the Jingle party: over ICE-UDP (our credentials and host candidates, rtcp-mux offered, which
         * WebRTC-based clients require, DTLS-SRTP proposed) when {@code iceUdp}, else raw UDP with our SDES key when
         * the policy offers one (XEP-0167 §7, not required: the party may answer plain RTP).
         */
        @Override
        public synchronized JingleSdp.Media jingleOffer(boolean iceUdp) {
            if (iceUdp) {
                jingleIce = jingle.remoteByIce(false);
                dtlsSetup = "actpass"; // XEP-0320 §1: an offerer leaves the DTLS role to the answerer (RFC 8842 §5.3)
                dtlsProposed = true;
                return new JingleSdp.Media(new RtpDescription("audio", extended, List.of(), false, true),
                        iceCandidates(), offeredDirection);
            }
            jingleKey = offerKey();
            return new JingleSdp.Media(new RtpDescription("audio", extended, cryptoLines(jingleKey), false, false),
                    ours(jingle), offeredDirection);
        }

        /**
         * The Jingle party's session-accept to the SIP party's offer: the codecs it took, where it receives; our
         * SDP answer names our SIP-side endpoint, the agreed codecs as the SIP party numbered them, and the Jingle
         * party's direction (we answer for it, RFC 3264 §6.1).
         */
        @Override
        public SessionDescription answer(JingleSdp.Media jingleAnswer) throws SdpException {
            Negotiated negotiated;
            if (jingleIce != null) {
                if (!(jingleAnswer.transport() instanceof JingleTransport.IceUdp ice) || ice.ufrag() == null
                        || ice.pwd() == null) {
                    throw new SdpException("the Jingle answer to our ICE-UDP offer has no ICE credentials");
                }
                DtlsFingerprint fingerprint;
                synchronized (this) { // orders it with a fingerprint trickled meanwhile (transportInfo)
                    fingerprint = ice.fingerprint() != null ? ice.fingerprint() : trickled;
                    if (fingerprint != null && !jingleAnswer.description().rtcpMux()) {
                        throw new SdpException(DTLS_WITHOUT_MUX);
                    }
                    jingleRtcpMux = jingleAnswer.description().rtcpMux();
                    jingleAnswered = true;
                }
                negotiated = connect(jingleAnswer.description().payloadTypes(), sip, jingle);
                admitDefaultCandidate(jingle, ice);
                // the Jingle party answered: it is the controlled agent, waiting for our nomination (XEP-0176 §5.6)
                jingle.remoteByIce(jingleRtcpMux);
                jingleIce.controlling(ice.ufrag(), ice.pwd());
                if (fingerprint != null) {
                    // XEP-0320 §1: it takes DTLS-SRTP; its role decides ours
                    startDtls(DtlsRole.offering(fingerprint.setup()), fingerprint.fingerprint());
                } else {
                    dtlsSetup = null; // an answer without a fingerprint keeps to plain RTP
                    LOG.info(() -> "Jingle answer without a DTLS fingerprint: plain RTP");
                }
            } else {
                SdesCrypto theirs = answeredKey(jingleAnswer.description(), jingleKey);
                if (theirs != null) {
                    jingle.secure(theirs, jingleKey);
                } else {
                    jingleKey = null;
                }
                connectRaw(jingleAnswer);
                negotiated = connect(jingleAnswer.description().payloadTypes(), sip, jingle);
            }
            synchronized (this) {
                sipAgreed = negotiated.offererSide();
            }
            String direction = jingleAnswer.direction();
            sip.watchInactivity(direction);
            jingle.watchInactivity(reversed(direction));
            logNegotiated(negotiated);
            synchronized (this) {
                return sdp(negotiated.offererSide(), direction);
            }
        }

        /**
         * XEP-0320 §1, the Jingle party's DTLS offer (in its session-initiate, or a transport-info before our answer):
         * our answer takes DTLS-SRTP in the role {@link DtlsRole#answering} gives, the handshake starting with it.
         *
         * @throws SdpException for a fingerprint we cannot check (RFC 8122 §5) or a setup we cannot answer
         */
        private synchronized void dtlsOffered(DtlsFingerprint offered) throws SdpException {
            Fingerprint peer = offered.fingerprint();
            DtlsRole role = DtlsRole.answering(offered.setup());
            dtlsSetup = role.setup();
            pendingDtls = () -> startDtls(role, peer);
        }

        /**
         * A fingerprint the Jingle party sends in a transport-info (XEP-0176 §5.5 carries its ICE-UDP transport, of
         * which XEP-0320 §1 makes the fingerprint a child) rather than with its offer or answer. An XMPP user's call:
         * taken as its DTLS offer while our answer is still to go out. A SIP user's call to which we proposed DTLS:
         * the handshake starts now if its session-accept had no fingerprint, else with the accept. Otherwise (DTLS
         * under way, our plain answer sent) it changes nothing. One we cannot check ends the call with
         * security-error, one on RTCP's own component with incompatible-parameters.
         */
        @Override
        public void transportInfo(JingleTransport transport) {
            if (!(transport instanceof JingleTransport.IceUdp ice) || ice.fingerprint() == null || jingleIce == null) {
                return;
            }
            DtlsFingerprint fingerprint = ice.fingerprint();
            JingleReason.Reason refusal = null;
            synchronized (this) {
                boolean ourAnswerPending = !dtlsProposed && !jingleAnswered; // an XMPP user's call, not answered yet
                if (closed || jingle.dtlsState() != null || pendingDtls != null || !ourAnswerPending && !dtlsProposed) {
                    LOG.fine(() -> "Jingle media on port " + jingle.port() + ": fingerprint in transport-info ignored");
                    return;
                }
                if (dtlsProposed && !jingleAnswered) {
                    trickled = fingerprint; // the session-accept decides: its own fingerprint first, its rtcp-mux
                } else if (!jingleRtcpMux) {
                    LOG.info("Jingle media on port " + jingle.port() + ": " + DTLS_WITHOUT_MUX);
                    refusal = JingleReason.Reason.incompatible_parameters;
                } else {
                    try {
                        if (ourAnswerPending) {
                            dtlsOffered(fingerprint);
                        } else {
                            startDtls(DtlsRole.offering(fingerprint.setup()), fingerprint.fingerprint());
                        }
                        LOG.info(() -> "Jingle media on port " + jingle.port() + ": DTLS fingerprint from a "
                                + "transport-info");
                    } catch (SdpException e) {
                        LOG.info("Jingle media on port " + jingle.port() + ": fingerprint in transport-info refused: "
                                + e.getMessage());
                        refusal = JingleReason.Reason.security_error;
                    }
                }
            }
            if (refusal != null) {
                failure.failed(refusal);
            }
        }

        /**
         * Keys the Jingle side by DTLS-SRTP as {@code role}, the party's certificate checked against {@code peer}
         * (RFC 5763 §5); a failure ends the call: failed-transport when not done in time, else security-error.
         */
        void startDtls(DtlsRole role, Fingerprint peer) {
            jingle.dtls(role, peer, DtlsSession.HANDSHAKE_TIMEOUT, new DtlsSession.Listener() {
                @Override
                public void connected(DtlsSrtpKeys keys) {
                    LOG.info(() -> "Jingle media on port " + jingle.port() + ": DTLS-SRTP up as " + role + ", "
                            + keys.suite());
                }

                @Override
                public void failed(String reason, boolean timedOut) {
                    LOG.info(() -> "Jingle media on port " + jingle.port() + ": " + reason);
                    failure.failed(timedOut ? JingleReason.Reason.failed_transport
                            : JingleReason.Reason.security_error);
                }
            });
        }

        /** The Jingle party's raw-UDP answer (XEP-0177 §4.2): where it receives RTP and RTCP. */
        private void connectRaw(JingleSdp.Media jingleAnswer) throws SdpException {
            if (!(jingleAnswer.transport() instanceof JingleTransport.RawUdp raw)) {
                throw new SdpException("the Jingle answer to our raw-UDP offer is not raw UDP");
            }
            JingleTransport.RawCandidate rtp = raw.candidates().stream().filter(c -> c.component() == 1)
                    .findFirst().orElseThrow(() -> new SdpException("Jingle answer without an RTP candidate"));
            if (!isIpLiteral(rtp.ip()) || rtp.port() == 0) {
                throw new SdpException("Jingle answer candidate " + rtp.ip() + ":" + rtp.port() + " unusable");
            }
            int rtcpPort = raw.candidates().stream().filter(c -> c.component() == 2)
                    .mapToInt(JingleTransport.RawCandidate::port).findFirst().orElse(rtp.port() + 1);
            InetSocketAddress jingleRtp;
            try {
                jingleRtp = new InetSocketAddress(InetAddress.getByName(rtp.ip()), rtp.port()); // a literal: no lookup
            } catch (IOException e) {
                throw new SdpException("Jingle answer address " + rtp.ip() + ": " + e.getMessage());
            }
            jingle.admit(jingleRtp);
            jingle.remote(jingleRtp, rtcpPort, jingleAnswer.description().rtcpMux());
        }

        /**
         * Connects the offerer's endpoint to the answerer's for {@code answer}: relayed when it took a codec of the
         * offerer's, else transcoded between the offerer's and the one of ours it took.
         *
         * @throws SdpException when the answer has no codec of the offer
         */
        private Negotiated connect(List<RtpDescription.PayloadType> answer, RtpRelayEndpoint offerer,
                                   RtpRelayEndpoint answerer) throws SdpException {
            Agreement agreement = agree(answer);
            if (agreement != null) {
                offerer.relayTo(relay(agreement.toAnswerer(), answerer));
                answerer.relayTo(relay(agreement.toOfferer(), offerer));
                return new Negotiated(agreement.agreed(), agreement.answered(), "relays");
            }
            CodecChoice.Transcoding codecs = CodecChoice.transcoding(offered, answer);
            if (codecs == null) {
                throw new SdpException("the answer has none of the offered codecs");
            }
            RtpTranscoder toAnswerer = new RtpTranscoder(codecs.offererFormat(), codecs.answererFormat(),
                    engine.codecWorkers(), answerer::forwardRtp);
            RtpTranscoder toOfferer;
            try {
                toOfferer = new RtpTranscoder(codecs.answererFormat(), codecs.offererFormat(), engine.codecWorkers(),
                        offerer::forwardRtp);
            } catch (RuntimeException e) {
                toAnswerer.close();
                throw e;
            }
            synchronized (this) {
                if (closed) { // the call ended while its answer was being handled
                    toAnswerer.close();
                    toOfferer.close();
                    throw new SdpException("the call is over");
                }
                transcoders = List.of(toAnswerer, toOfferer);
            }
            // each party's receiver reports, which reach the transcoder of its media, describe the other direction's
            toAnswerer.reportsFor(toOfferer);
            toOfferer.reportsFor(toAnswerer);
            offerer.relayTo(toAnswerer);
            answerer.relayTo(toOfferer);
            return new Negotiated(codecs.offererSide(), codecs.answererSide(), "transcodes");
        }

        /**
         * The codecs of an answer that were offered (same name and rate, RFC 3264 §6.1): the offerer's numbers to the
         * answerer's and back; {@code agreed} in the offerer's numbering, {@code answered} in the answerer's; null
         * when the answer took no codec of the offerer's (telephone-event or comfort noise alone carry no audio).
         */
        private Agreement agree(List<RtpDescription.PayloadType> answer) {
            int[] toAnswerer = unmapped();
            int[] toOfferer = unmapped();
            List<RtpDescription.PayloadType> agreed = new ArrayList<>();
            List<RtpDescription.PayloadType> answered = new ArrayList<>();
            for (RtpDescription.PayloadType type : answer) {
                RtpDescription.PayloadType match = offered.stream().filter(o -> CodecChoice.same(o, type))
                        .findFirst().orElse(null);
                if (match != null && toAnswerer[match.id()] < 0 && type.id() >= 0 && type.id() < 128) {
                    toAnswerer[match.id()] = type.id();
                    toOfferer[type.id()] = match.id();
                    agreed.add(match);
                    answered.add(type);
                }
            }
            if (agreed.stream().noneMatch(CodecChoice::isAudioCodec)) {
                return null;
            }
            return new Agreement(agreed, answered, toAnswerer, toOfferer);
        }

        /** Our SDP to the SIP party with {@code types} and {@code direction}, under the next o= version. */
        private SessionDescription sdp(List<RtpDescription.PayloadType> types, String direction) {
            try {
                SessionDescription sdp = JingleSdp.toSdp(new JingleSdp.Media(new RtpDescription("audio", types,
                        cryptoLines(sipKey), sipSavp, false), ours(sip), direction), sessionId);
                long v = version++;
                List<SessionDescription.Line> lines = new ArrayList<>();
                for (SessionDescription.Line line : sdp.sessionLines()) {
                    lines.add(line.type() == 'o' ? new SessionDescription.Line('o', "- " + sessionId + " " + v + " IN "
                            + (address.getAddress().length == 4 ? "IP4 " : "IP6 ") + address.getHostAddress()) : line);
                }
                return new SessionDescription(lines, sdp.media());
            } catch (MalformedJingleException e) {
                throw new IllegalStateException(e); // our own candidates are complete
            }
        }

        /**
         * One line per answered call: the ports, the codecs, and how each leg is protected (DTLS-SRTP, SDES-SRTP with
         * its suite, or plain RTP), which an operator cannot see in the signalling of both legs at once.
         */
        private void logNegotiated(Negotiated negotiated) {
            LOG.info(() -> "Jingle media " + jingle.port() + " <-> " + sip.port() + " " + negotiated + "; Jingle leg "
                    + protection(jingleKey, dtlsSetup != null) + ", SIP leg " + protection(sipKey, false));
        }

        @Override
        public synchronized SessionDescription sipReOffer(boolean held) {
            // the Jingle party may send nothing while it holds; the SIP party then only receives (RFC 3264 §8.4)
            jingle.watchInactivity(held ? "inactive" : "sendrecv");
            sip.watchInactivity(held ? "sendonly" : "sendrecv");
            return sdp(sipAgreed, held ? "sendonly" : "sendrecv");
        }

        @Override
        public synchronized SessionDescription sipReAnswer(SessionDescription reOffer) throws SdpException {
            JingleSdp.Media offer = JingleSdp.fromSdp(reOffer);
            InetSocketAddress rtp = offer.transport() instanceof JingleTransport.RawUdp raw ? raw.candidates().stream()
                    .filter(c -> c.component() == 1).findFirst()
                    .map(c -> new InetSocketAddress(c.ip(), c.port())).orElse(null) : null;
            // RFC 3264 §8.4: a held stream may say 0.0.0.0 (RFC 2543 style)
            boolean sameAddress = rtp != null && (rtp.equals(sipRemote) || rtp.getPort() == sipRemote.getPort()
                    && rtp.getAddress() != null && rtp.getAddress().isAnyLocalAddress());
            boolean sameCodecs = sipAgreed.stream().allMatch(agreed -> offer.description().payloadTypes().stream()
                    .anyMatch(p -> p.id() == agreed.id()));
            if (!sameAddress || !sameCodecs) {
                throw new SdpException("only hold and resume are taken in a Jingle call's re-INVITE");
            }
            String ours = reversed(offer.direction());
            sip.sendRtp(!ours.equals("recvonly") && !ours.equals("inactive"));
            sip.watchInactivity(ours);
            boolean held = offer.direction().equals("sendonly") || offer.direction().equals("inactive");
            jingle.watchInactivity(held ? "inactive" : "sendrecv"); // a held Jingle client may send nothing
            return sdp(sipAgreed, ours);
        }

        private JingleTransport.RawUdp ours(RtpRelayEndpoint endpoint) {
            String ip = address.getHostAddress();
            return new JingleTransport.RawUdp(List.of(new JingleTransport.RawCandidate(1, 0, "sylk1", ip,
                    endpoint.port()), new JingleTransport.RawCandidate(2, 0, "sylk2", ip, endpoint.port() + 1)));
        }

        /**
         * Our ICE-UDP transport (XEP-0176 §5.3): the agent's credentials and one host candidate per component
         * (RTCP's only without rtcp-mux), with the host type preference of RFC 8445 §5.1.2.2 (126) and the highest
         * local preference: priority = 2^24 * 126 + 2^8 * 65535 + (256 - component), RFC 8445 §5.1.2.1.
         */
        private JingleTransport.IceUdp iceCandidates() {
            String ip = address.getHostAddress();
            List<JingleTransport.IceCandidate> candidates = new ArrayList<>();
            for (int component = 1; component <= (jingleRtcpMux ? 1 : 2); component++) {
                candidates.add(new JingleTransport.IceCandidate(component, "1", 0, "sylk" + component, ip, 0,
                        jingle.port() + component - 1, (126L << 24) + (65535L << 8) + 256 - component, "udp", "host",
                        null, 0));
            }
            String setup = dtlsSetup;
            return new JingleTransport.IceUdp(jingleIce.ufrag(), jingleIce.password(), candidates,
                    setup == null ? null : DtlsFingerprint.of(jingle.dtlsFingerprint(), setup));
        }

        @Override
        public JingleSdp.Media answer(SessionDescription sipAnswer, InetAddress source) throws SdpException {
            JingleSdp.Media answer = JingleSdp.fromSdp(sipAnswer);
            if (!(answer.transport() instanceof JingleTransport.RawUdp raw)) {
                throw new SdpException("the SIP answer has ICE: not relayed");
            }
            SdesCrypto theirs = answeredKey(answer.description(), sipKey);
            JingleTransport.RawCandidate rtp = raw.candidates().stream().filter(c -> c.component() == 1)
                    .findFirst().orElseThrow(() -> new SdpException("SIP answer without an RTP address"));
            int rtcpPort = raw.candidates().stream().filter(c -> c.component() == 2)
                    .mapToInt(JingleTransport.RawCandidate::port).findFirst().orElse(rtp.port() + 1);
            InetSocketAddress sipRtp;
            try {
                sipRtp = new InetSocketAddress(InetAddress.getByName(rtp.ip()), rtp.port());
            } catch (IOException e) {
                throw new SdpException("SIP answer address " + rtp.ip() + ": " + e.getMessage());
            }
            Negotiated negotiated = connect(answer.description().payloadTypes(), jingle, sip);
            synchronized (this) {
                sipAgreed = negotiated.answererSide();
                this.sipRemote = sipRtp;
            }
            if (theirs != null) {
                sip.secure(theirs, sipKey);
                sipSavp = answer.description().encryptionRequired();
            } else {
                sipKey = null; // RFC 4568 §7.1.3: an answer without a key keeps to plain RTP
            }
            sip.admit(sipRtp);
            if (source != null) {
                sip.signallingSource(source); // media from where the answer came latches too (a phone behind NAT)
            }
            sip.remote(sipRtp, rtcpPort, answer.description().rtcpMux());
            // RFC 3264 §6.1: each party must send what its direction says; the Jingle party gets the SIP party's
            // direction as ours, and the SIP party answered ours from its side (its recvonly: it only receives)
            jingle.watchInactivity(answer.direction());
            sip.watchInactivity(reversed(answer.direction()));
            logNegotiated(negotiated);
            Runnable dtls;
            synchronized (this) { // a fingerprint trickled from now on comes too late (transportInfo)
                jingleAnswered = true;
                dtls = pendingDtls;
                pendingDtls = null;
            }
            if (dtls != null) {
                dtls.run(); // our answer goes out now: the party's checks, then its handshake, follow it
            }
            return new JingleSdp.Media(new RtpDescription("audio", negotiated.offererSide(), cryptoLines(jingleKey),
                    false, jingleRtcpMux), jingleIce != null ? iceCandidates() : ours(jingle), answer.direction());
        }

        @Override
        public void close() {
            jingle.close();
            sip.close();
            List<RtpTranscoder> used;
            synchronized (this) {
                closed = true;
                used = transcoders;
            }
            used.forEach(RtpTranscoder::close);
        }
    }

    /**
     * What an answer led to: the codecs in the offerer's numbering and in the answerer's, and how the media goes
     * ({@code relays} or {@code transcodes}).
     */
    private record Negotiated(List<RtpDescription.PayloadType> offererSide,
                              List<RtpDescription.PayloadType> answererSide, String how) {
        @Override
        public String toString() {
            return how + " " + offererSide + " <-> " + answererSide;
        }
    }

    /** Codecs an answer took (see {@code Bridge.agree}). */
    private record Agreement(List<RtpDescription.PayloadType> agreed, List<RtpDescription.PayloadType> answered,
                             int[] toAnswerer, int[] toOfferer) {
    }

    private static String protection(SdesCrypto key, boolean dtls) {
        return dtls ? "DTLS-SRTP" : key != null ? "SDES-SRTP " + key.suite() : "plain RTP";
    }

    /** A direction seen from the other party (RFC 3264 §6.1). */
    private static String reversed(String direction) {
        return switch (direction) {
            case "sendonly" -> "recvonly";
            case "recvonly" -> "sendonly";
            default -> direction;
        };
    }

    private static int[] unmapped() {
        int[] map = new int[128];
        Arrays.fill(map, -1);
        return map;
    }

    /**
     * Passes one endpoint's packets to the other (on the media engine's I/O thread, which both endpoints' sending
     * is meant for): RTP whose payload type is mapped, renumbered; RTCP as it is.
     */
    private static RtpRelayEndpoint.Relay relay(int[] payloadTypes, RtpRelayEndpoint to) {
        return new RtpRelayEndpoint.Relay() {
            @Override
            public void rtp(RtpHeader header, ByteBuffer packet) {
                int pt = payloadTypes[header.payloadType()];
                if (pt < 0) {
                    return; // a payload type the answer did not agree
                }
                int second = packet.position() + 1;
                packet.put(second, (byte) (packet.get(second) & 0x80 | pt));
                try {
                    to.forwardRtp(packet);
                } catch (IOException e) {
                    LOG.log(Level.FINE, "RTP not relayed", e);
                }
            }

            @Override
            public void rtcp(ByteBuffer packet) {
                try {
                    to.forwardRtcp(packet);
                } catch (IOException e) {
                    LOG.log(Level.FINE, "RTCP not relayed", e);
                }
            }
        };
    }
}
