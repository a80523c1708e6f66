package org.sylkserver.media.webrtc;

import static org.sylkserver.media.webrtc.BridgeSdp.browserFeedback;
import static org.sylkserver.media.webrtc.BridgeSdp.browserLine;
import static org.sylkserver.media.webrtc.BridgeSdp.bundleGroup;
import static org.sylkserver.media.webrtc.BridgeSdp.disabled;
import static org.sylkserver.media.webrtc.BridgeSdp.formatLines;
import static org.sylkserver.media.webrtc.BridgeSdp.freeDynamicType;
import static org.sylkserver.media.webrtc.BridgeSdp.isAudioOrVideo;
import static org.sylkserver.media.webrtc.BridgeSdp.mid;
import static org.sylkserver.media.webrtc.BridgeSdp.payloadTypes;
import static org.sylkserver.media.webrtc.BridgeSdp.receives;
import static org.sylkserver.media.webrtc.BridgeSdp.rejected;
import static org.sylkserver.media.webrtc.BridgeSdp.relayableFormats;
import static org.sylkserver.media.webrtc.BridgeSdp.supportedCrypto;
import static org.sylkserver.media.webrtc.BridgeSdp.toArray;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.sylkserver.media.sdp.AudioAnswerer;
import org.sylkserver.media.srtp.CryptoSuite;
import org.sylkserver.media.srtp.SdesCrypto;
import org.sylkserver.media.webrtc.WebRtcBridge.SipSrtp;
import org.sylkserver.protocols.sdp.ConnectionData;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription.Line;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * The bridge's SDP translation, browser SDP to SIP SDP and back (RFC 3264 offer/answer on each leg): which m-lines
 * are relayed, the payload type maps between the legs, and the SDP each side is sent. It holds the bridge's
 * {@link RelayStream}s and touches no socket: the SIP leg's ports, addresses and keys go through a {@link SipLeg},
 * and what the browser leg puts in SDP comes as a {@link BrowserTransport}, so that offers and answers can be
 * translated, and tested, as text.
 *
 * <p>Called by one thread at a time (the bridge's signalling methods, under its lock).
 */
final class SdpTranslator {

    /** What the translation asks of the SIP leg's transports. */
    interface SipLeg {
        /** Opens the stream's SIP port (RTP; RTCP on the port above) and returns it. */
        int open(RelayStream stream) throws IOException, SdpException;

        /** The SIP peer's RTP address, RTCP port and rtcp-mux for the stream, from its SDP. */
        void connect(RelayStream stream, InetSocketAddress rtp, int rtcpPort, boolean rtcpMux) throws SdpException;

        /** The SDES keys of the stream's SIP leg (RFC 4568): the peer's and ours. */
        void secure(RelayStream stream, SdesCrypto remote, SdesCrypto local);

        /** Whether RTP is sent to the SIP peer (RFC 3264 §6.1: not to a peer that only sends). */
        void sendRtp(RelayStream stream, boolean sending);
    }

    /**
     * What every m-line for the browser says of our side of the bundle: the one socket's address as peers reach it
     * ({@code advertised}) and as bound ({@code local}), our ICE candidates; ICE-lite credentials, the DTLS
     * certificate's fingerprint, the msid stream id.
     */
    record BrowserTransport(InetSocketAddress advertised, InetSocketAddress local, String ufrag, String password,
                            String fingerprint, String msid) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Transport protocols of a SIP m-line we relay (RFC 3551, 3711, 4585, 5124). */
    private static final Set<String> SIP_PROTOS = Set.of("RTP/AVP", "RTP/AVPF", "RTP/SAVP", "RTP/SAVPF");

    private final InetAddress bindAddress;
    private final int maxStreams;
    private final SipSrtp sipSrtp;
    private final BrowserTransport transport;
    private final SipLeg sipLeg;
    private final AudioAnswerer.Origin browserOrigin = new AudioAnswerer.Origin();
    private final AudioAnswerer.Origin sipOrigin = new AudioAnswerer.Origin();
    private final List<RelayStream> streams = new ArrayList<>();

    /**
     * @param bindAddress the SIP leg's address ({@code c=} and {@code o=} of the SIP SDP)
     * @param maxStreams  the SIP ports one call may open ({@code [RTP] max_streams_per_call}, 0: no limit)
     * @param sipSrtp     how the SIP leg is offered when the browser offers
     */
    SdpTranslator(InetAddress bindAddress, int maxStreams, SipSrtp sipSrtp, BrowserTransport transport,
                  SipLeg sipLeg) {
        this.bindAddress = bindAddress;
        this.maxStreams = maxStreams;
        this.sipSrtp = sipSrtp;
        this.transport = transport;
        this.sipLeg = sipLeg;
    }

    /** Every stream negotiated so far, relayed or not. */
    List<RelayStream> streams() {
        return streams;
    }

    /** The streams by the browser payload types they relay (RFC 8843 §9.2: unique across the bundle). */
    Map<Integer, RelayStream> routes() {
        Map<Integer, RelayStream> routes = new HashMap<>();
        for (RelayStream stream : streams) {
            int[] toSip = stream.toSip;
            for (int type = 0; type < toSip.length; type++) {
                if (toSip[type] >= 0) {
                    routes.put(type, stream);
                }
            }
        }
        return Map.copyOf(routes);
    }

    /** The streams that relay something now. */
    List<RelayStream> relaying() {
        return streams.stream().filter(RelayStream::isRelaying).toList();
    }

    /** The SIP ports, for the logs. */
    String sipPorts() {
        return streams.stream().filter(s -> s.sipPort > 0).map(s -> s.kind + " " + s.sipPort).toList().toString();
    }

    private void openSipPort(RelayStream stream) throws IOException, SdpException {
        if (stream.sipPort == 0) {
            if (maxStreams > 0 && streams.stream().filter(s -> s.sipPort > 0).count() >= maxStreams) {
                // an offer of hundreds of m-lines must not take the port range from every other call
                throw new SdpException("Too many media streams in one call (max_streams_per_call " + maxStreams + ")");
            }
            stream.sipPort = sipLeg.open(stream);
        }
    }

    // ---- negotiation: browser offer -> SIP offer -> SIP answer -> browser answer

    /**
     * Browser offer to SIP offer: each audio or video m-line of the browser's bundle with a codec that can be relayed
     * gets a SIP m-line (and a SIP port, a first time), plain RTP/AVP or RTP/SAVP with a fresh SDES key; the others
     * are disabled towards SIP.
     *
     * @throws SdpException nothing can be relayed, or an accepted m-line lacks rtcp-mux (RFC 8858)
     * @throws IOException  no ports for the SIP leg
     */
    SessionDescription offerToSip(SessionDescription offer) throws SdpException, IOException {
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
                openSipPort(stream);
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
            lines.add(new Line('a', "rtcp:" + (stream.sipPort + 1)));
            lines.add(new Line('a', "rtcp-mux"));
            formatLines(stream.offered, lines);
            lines.add(new Line('a', offer.direction(browserLine)));
            if (stream.localKey != null) {
                lines.add(new Line('a', "crypto:" + stream.localKey.format()));
            }
            sipMedia.add(new MediaDescription(stream.kind, stream.sipPort, stream.sipProto,
                    payloadTypes(stream.offered), lines));
        }
        return new SessionDescription(AudioAnswerer.sessionLines(sipOrigin, bindAddress), sipMedia);
    }

    /**
     * SIP answer to browser answer, for the browser {@code offer} that {@link #offerToSip} translated: the payload
     * type maps of the accepted streams (codecs matched by name, clock rate, channels), the SIP leg's addresses and
     * keys, then the browser's answer (we are {@code a=setup:passive}, RFC 5763 §5).
     *
     * @throws SdpException the answer does not fit the offer or accepts nothing that can be relayed
     */
    SessionDescription answerToBrowser(SessionDescription offer, SessionDescription answer) throws SdpException {
        List<RelayStream> sipOrder = streamsBy(true);
        if (answer.media().size() != sipOrder.size()) {
            throw new SdpException("SIP answer has " + answer.media().size() + " media lines, the offer had "
                    + sipOrder.size() + " (RFC 3264 §6)");
        }
        List<RelayStream> accepted = new ArrayList<>();
        Map<RelayStream, List<PayloadFormat>> browserFormats = new HashMap<>();
        Map<RelayStream, String> directions = new HashMap<>();
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
            sipLeg.sendRtp(stream, receives(direction));
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
                    ? browserLine(transport, stream, browserFormats.get(stream), directions.get(stream), "passive")
                    : rejected(offered, stream.mid));
        }
        return browserSdp(accepted, media);
    }

    // ---- negotiation: SIP offer -> browser offer -> browser answer -> SIP answer

    /**
     * SIP offer to browser offer: each audio or video m-line with a codec that can be relayed (and, for RTP/SAVP, an
     * SDES key we support) gets a SIP port and an m-line of the browser's bundle ({@code a=setup:actpass}), its
     * payload types renumbered where SIP reused one across m-lines (RFC 8843 §9.2).
     *
     * @throws SdpException nothing can be relayed
     * @throws IOException  no ports for the SIP leg
     */
    SessionDescription offerToBrowser(SessionDescription offer) throws SdpException, IOException {
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
            openSipPort(stream);
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
            sipLeg.sendRtp(stream, receives(offer.direction(m)));
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
            browserMedia.add(browserLine(transport, stream, formats, offer.direction(offer.media().get(stream.sipIndex)),
                    "actpass"));
            accepted.add(stream);
        }
        return browserSdp(accepted, browserMedia);
    }

    /**
     * Browser answer to SIP answer, for the SIP {@code offer} that {@link #offerToBrowser} translated: the payload
     * type maps of what the browser accepted, then the SIP answer (the offered formats under the SIP numbers).
     *
     * @throws SdpException the answer does not fit the offer
     */
    SessionDescription answerToSip(SessionDescription offer, SessionDescription answer) throws SdpException {
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
                lines.add(new Line('a', "rtcp:" + (stream.sipPort + 1)));
            }
            formatLines(sipFormats, lines);
            lines.add(new Line('a', answer.direction(m)));
            if (stream.localKey != null) {
                lines.add(new Line('a', "crypto:" + stream.localKey.format()));
            }
            sipMedia.add(new MediaDescription(stream.kind, stream.sipPort, offered.proto(), payloadTypes(sipFormats),
                    lines));
        }
        return new SessionDescription(AudioAnswerer.sessionLines(sipOrigin, bindAddress), sipMedia);
    }

    // ---- SDP pieces

    /** The session part of an SDP for the browser, with the BUNDLE group of {@code bundled} and ICE lite. */
    private SessionDescription browserSdp(List<RelayStream> bundled, List<MediaDescription> media) {
        List<Line> session = new ArrayList<>(AudioAnswerer.sessionLines(browserOrigin, bindAddress));
        StringBuilder group = new StringBuilder("group:BUNDLE");
        bundled.stream().sorted(Comparator.comparingInt(s -> s.browserIndex)).forEach(s -> group.append(' ')
                .append(s.mid));
        session.add(new Line('a', group.toString()));
        session.add(new Line('a', "ice-lite"));
        session.add(new Line('a', "msid-semantic: WMS " + transport.msid()));
        return new SessionDescription(session, media);
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
            sipLeg.connect(stream, address, rtcpPort, m.has("rtcp-mux"));
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
            sipLeg.secure(stream, remoteKey, localKey);
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

}
