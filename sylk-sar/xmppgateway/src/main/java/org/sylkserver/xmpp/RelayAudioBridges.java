package org.sylkserver.xmpp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.RtpRelayEndpoint;
import org.sylkserver.media.RtpTranscoder;
import org.sylkserver.media.ice.IceLite;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;
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
 * Not done: SDES-keyed and DTLS-SRTP offers are refused.
 */
final class RelayAudioBridges implements JingleCalls.AudioBridges {

    private static final Logger LOG = Logger.getLogger("sylk.xmpp.jingle");

    private final MediaEngine engine;
    private final InetAddress address;

    /** @param address the address our SDP and candidates name (the server's SDP address) */
    RelayAudioBridges(MediaEngine engine, InetAddress address) {
        this.engine = engine;
        this.address = address;
    }

    @Override
    public JingleCalls.AudioBridge open(JingleSdp.Media offer, Runnable silence) {
        if (!offer.description().crypto().isEmpty()) {
            LOG.info("Jingle offer refused: SDES is not relayed");
            return null;
        }
        if (offer.transport() instanceof JingleTransport.IceUdp ice) {
            return openIce(offer, ice, silence);
        }
        RtpTarget target = RtpTarget.of((JingleTransport.RawUdp) offer.transport());
        if (target == null) {
            return null;
        }
        return bridge(silence, (jingle, sip) -> {
            jingle.admit(target.rtp());
            jingle.remote(target.rtp(), target.rtcpPort(), false);
            return new Bridge(offer.description().payloadTypes(), offer.direction(), jingle, sip);
        });
    }

    /**
     * An ICE-UDP offer (XEP-0176 §5.4): the Jingle party's address is the one its checks come from (our endpoint's
     * lite agent answers them); its default candidate, where it is an address, counts for the per-address limit.
     */
    private JingleCalls.AudioBridge openIce(JingleSdp.Media offer, JingleTransport.IceUdp ice, Runnable silence) {
        if (ice.ufrag() == null || ice.pwd() == null) {
            LOG.info("Jingle ICE-UDP offer refused: no ufrag or pwd (XEP-0176 §5.3)");
            return null;
        }
        boolean rtcpMux = offer.description().rtcpMux();
        return bridge(silence, (jingle, sip) -> {
            admitDefaultCandidate(jingle, ice);
            Bridge bridge = new Bridge(offer.description().payloadTypes(), offer.direction(), jingle, sip);
            bridge.jingleIce = jingle.remoteByIce(rtcpMux);
            bridge.jingleRtcpMux = rtcpMux;
            return bridge;
        });
    }

    /**
     * Media for a SIP party's offer (spec §5.7, SIP → XMPP): plain RTP over UDP only (no ICE towards the SIP party,
     * no SDES), its codecs offered to the Jingle party as they are.
     */
    @Override
    public JingleCalls.SipOfferBridge open(SessionDescription sipOffer, InetAddress source, Runnable silence) {
        JingleSdp.Media offer;
        try {
            offer = JingleSdp.fromSdp(sipOffer);
        } catch (SdpException e) {
            LOG.info("SIP offer for a Jingle call refused: " + e.getMessage());
            return null;
        }
        if (!(offer.transport() instanceof JingleTransport.RawUdp raw) || !offer.description().crypto().isEmpty()
                || offer.description().encryptionRequired()) {
            LOG.info("SIP offer for a Jingle call refused: only plain RTP without ICE is relayed");
            return null;
        }
        RtpTarget target = RtpTarget.of(raw);
        if (target == null) {
            return null;
        }
        return bridge(silence, (jingle, sip) -> {
            sip.admit(target.rtp());
            if (source != null) {
                sip.signallingSource(source); // a phone behind NAT sends from where its INVITE came
            }
            sip.remote(target.rtp(), target.rtcpPort(), offer.description().rtcpMux());
            Bridge bridge = new Bridge(offer.description().payloadTypes(), offer.direction(), jingle, sip);
            bridge.sipRemote = target.rtp();
            return bridge;
        });
    }

    /** Connects a call's two fresh endpoints to the party that made the offer; returns its bridge. */
    private interface Wiring {
        Bridge connect(RtpRelayEndpoint jingle, RtpRelayEndpoint sip) throws IOException, SdpException;
    }

    /**
     * A call's two relay endpoints, each ending the call when silent (nobody need send while the other party is rung,
     * up to 90 s), connected by {@code wiring}; null, with both endpoints closed, when any step fails.
     */
    private Bridge bridge(Runnable silence, Wiring wiring) {
        RtpRelayEndpoint jingle = null;
        RtpRelayEndpoint sip = null;
        try {
            jingle = engine.openRelayEndpoint(e -> silence.run());
            jingle.watchInactivity("inactive");
            sip = engine.openRelayEndpoint(e -> silence.run());
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
        /** Once answered: the codecs as the SIP party numbered them, and where it receives. */
        private List<RtpDescription.PayloadType> sipAgreed;
        private InetSocketAddress sipRemote;
        /** The two directions' transcoders when the parties share no codec, else none; and whether closed. */
        private List<RtpTranscoder> transcoders = List.of();
        private boolean closed;
        /** The Jingle side's ICE agent when the Jingle side is ICE-UDP (whoever offered), else null (raw UDP). */
        private volatile IceLite jingleIce;
        private volatile boolean jingleRtcpMux;

        /** @throws SdpException when the offer has no codec at all (only telephone-event or comfort noise) */
        Bridge(List<RtpDescription.PayloadType> offered, String offeredDirection, RtpRelayEndpoint jingle,
               RtpRelayEndpoint sip) throws SdpException {
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
         * WebRTC-based clients require) when {@code iceUdp}, else raw UDP.
         */
        @Override
        public synchronized JingleSdp.Media jingleOffer(boolean iceUdp) {
            if (iceUdp) {
                jingleIce = jingle.remoteByIce(false);
                return new JingleSdp.Media(new RtpDescription("audio", extended, List.of(), false, true),
                        iceCandidates(), offeredDirection);
            }
            return new JingleSdp.Media(new RtpDescription("audio", extended, List.of(), false, false), ours(jingle),
                    offeredDirection);
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
                negotiated = connect(jingleAnswer.description().payloadTypes(), sip, jingle);
                admitDefaultCandidate(jingle, ice);
                // the Jingle party answered: it is the controlled agent, waiting for our nomination (XEP-0176 §5.6)
                jingle.remoteByIce(jingleAnswer.description().rtcpMux());
                jingleIce.controlling(ice.ufrag(), ice.pwd());
            } else {
                connectRaw(jingleAnswer);
                negotiated = connect(jingleAnswer.description().payloadTypes(), sip, jingle);
            }
            synchronized (this) {
                sipAgreed = negotiated.offererSide();
            }
            String direction = jingleAnswer.direction();
            sip.watchInactivity(direction);
            jingle.watchInactivity(reversed(direction));
            LOG.fine(() -> "Jingle media " + sip.port() + " <-> " + jingle.port() + " " + negotiated);
            synchronized (this) {
                return sdp(negotiated.offererSide(), direction);
            }
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
                        List.of(), false, false), ours(sip), direction), sessionId);
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
            return new JingleTransport.IceUdp(jingleIce.ufrag(), jingleIce.password(), candidates);
        }

        @Override
        public JingleSdp.Media answer(SessionDescription sipAnswer, InetAddress source) throws SdpException {
            JingleSdp.Media answer = JingleSdp.fromSdp(sipAnswer);
            if (!(answer.transport() instanceof JingleTransport.RawUdp raw)) {
                throw new SdpException("the SIP answer has ICE: not relayed");
            }
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
            sip.admit(sipRtp);
            if (source != null) {
                sip.signallingSource(source); // media from where the answer came latches too (a phone behind NAT)
            }
            sip.remote(sipRtp, rtcpPort, answer.description().rtcpMux());
            // RFC 3264 §6.1: each party must send what its direction says; the Jingle party gets the SIP party's
            // direction as ours, and the SIP party answered ours from its side (its recvonly: it only receives)
            jingle.watchInactivity(answer.direction());
            sip.watchInactivity(reversed(answer.direction()));
            LOG.fine(() -> "Jingle media " + jingle.port() + " <-> " + sip.port() + " " + negotiated);
            return new JingleSdp.Media(new RtpDescription("audio", negotiated.offererSide(), List.of(), false,
                    jingleRtcpMux), jingleIce != null ? iceCandidates() : ours(jingle), answer.direction());
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
