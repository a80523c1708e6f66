package org.sylkserver.xmpp.jingle;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jivesoftware.smackx.jingle.element.JingleContent;
import org.sylkserver.protocols.sdp.ConnectionData;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.RtpMap;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;
import org.sylkserver.protocols.sdp.SessionDescription.Line;

/**
 * The mapping between a Jingle RTP content and SDP (XEP-0167 §6 for the description, XEP-0177 §4 for raw-UDP
 * candidates as the connection address, XEP-0176 §5.3 and RFC 8839 §5 for ICE credentials and candidates,
 * XEP-0167 §7 for SDES keys, XEP-0320 §1 for the DTLS fingerprint and setup role, RFC 8122 §5 and RFC 4145 §4). Pure functions: no state, no I/O.
 */
public final class JingleSdp {

    /** One RTP stream seen from Jingle: what {@link #fromSdp} gives and {@link #toSdp} takes. */
    public record Media(RtpDescription description, JingleTransport transport, String direction) {
    }

    private JingleSdp() {
    }

    /**
     * The SDP of a Jingle RTP content: one m= line whose address is the transport's (the component-1 raw-UDP
     * candidate, or the ICE candidate of highest priority, RFC 8839 §4.2.1.1 default candidate; with no ICE candidate
     * yet, the trickle placeholder {@code 0.0.0.0:9} of RFC 8840 §4.1.1). SDES keys whose encryption is required
     * (XEP-0167 §7) make an {@code RTP/SAVP} stream, keys offered without it an {@code RTP/AVP} stream with
     * {@code a=crypto} (best-effort SRTP, as {@link #fromSdp} reads it back).
     *
     * @param direction RFC 3264 §5.1 direction of the party describing itself
     * @param sessionId the o= line's session id and version
     * @throws MalformedJingleException for a raw-UDP transport without an RTP candidate
     */
    public static SessionDescription toSdp(Media media, long sessionId) throws MalformedJingleException {
        RtpDescription d = media.description();
        String address;
        int port;
        List<Line> lines = new ArrayList<>();
        List<String> formats = new ArrayList<>();
        for (RtpDescription.PayloadType p : d.payloadTypes()) {
            formats.add(Integer.toString(p.id()));
        }
        for (RtpDescription.PayloadType p : d.payloadTypes()) {
            if (p.name() != null && p.clockRate() > 0) {
                lines.add(attribute("rtpmap:" + p.id() + " " + p.name() + "/" + p.clockRate()
                        + (p.channels() > 1 ? "/" + p.channels() : "")));
            }
            if (!p.parameters().isEmpty()) {
                List<String> parameters = new ArrayList<>();
                p.parameters().forEach((name, value) -> parameters.add(value.isEmpty() ? name : name + "=" + value));
                lines.add(attribute("fmtp:" + p.id() + " " + String.join(";", parameters)));
            }
        }
        // SDP has one ptime per stream (RFC 4566 §6): the first payload type that says one speaks for all
        d.payloadTypes().stream().filter(p -> p.ptime() > 0).findFirst()
                .ifPresent(p -> lines.add(attribute("ptime:" + p.ptime())));
        d.payloadTypes().stream().filter(p -> p.maxptime() > 0).findFirst()
                .ifPresent(p -> lines.add(attribute("maxptime:" + p.maxptime())));
        for (RtpDescription.Crypto c : d.crypto()) {
            lines.add(attribute("crypto:" + c.tag() + " " + c.suite() + " " + c.keyParams()
                    + (c.sessionParams() != null ? " " + c.sessionParams() : "")));
        }
        if (media.transport() instanceof JingleTransport.RawUdp raw) {
            JingleTransport.RawCandidate rtp = raw.candidates().stream().filter(c -> c.component() == 1)
                    .findFirst().orElseThrow(() -> new MalformedJingleException("raw-udp without an RTP candidate"));
            address = rtp.ip();
            port = rtp.port();
            raw.candidates().stream().filter(c -> c.component() == 2).findFirst().ifPresent(rtcp -> {
                if (rtcp.port() != rtp.port() + 1 || !rtcp.ip().equals(rtp.ip())) {
                    lines.add(attribute("rtcp:" + rtcp.port() + " IN " + addressType(rtcp.ip()) + " " + rtcp.ip()));
                }
            });
        } else {
            JingleTransport.IceUdp ice = (JingleTransport.IceUdp) media.transport();
            if (ice.fingerprint() != null) {
                lines.add(attribute("fingerprint:" + ice.fingerprint().hash() + " " + ice.fingerprint().value()));
                lines.add(attribute("setup:" + ice.fingerprint().setup()));
            }
            JingleTransport.IceCandidate best = ice.candidates().stream().filter(c -> c.component() == 1)
                    .max(Comparator.comparingLong(JingleTransport.IceCandidate::priority)).orElse(null);
            address = best != null ? best.ip() : "0.0.0.0";
            port = best != null ? best.port() : 9;
            if (ice.ufrag() != null) {
                lines.add(attribute("ice-ufrag:" + ice.ufrag()));
            }
            if (ice.pwd() != null) {
                lines.add(attribute("ice-pwd:" + ice.pwd()));
            }
            for (JingleTransport.IceCandidate c : ice.candidates()) {
                lines.add(attribute("candidate:" + c.foundation() + " " + c.component() + " " + c.protocol()
                        + " " + c.priority() + " " + c.ip() + " " + c.port() + " typ " + c.type()
                        + (c.relAddr() != null ? " raddr " + c.relAddr() + " rport " + c.relPort() : "")
                        + " generation " + c.generation()));
            }
        }
        if (d.rtcpMux()) {
            lines.add(attribute("rtcp-mux"));
        }
        lines.add(attribute(media.direction()));
        String type = addressType(address);
        List<Line> session = List.of(new Line('v', "0"),
                new Line('o', "- " + sessionId + " " + sessionId + " IN " + type + " " + address),
                new Line('s', "-"), new Line('c', "IN " + type + " " + address), new Line('t', "0 0"));
        boolean dtls = media.transport() instanceof JingleTransport.IceUdp ice && ice.fingerprint() != null;
        return new SessionDescription(session, List.of(new MediaDescription(d.media(), port,
                dtls ? "UDP/TLS/RTP/SAVP" : d.encryptionRequired() ? "RTP/SAVP" : "RTP/AVP", formats, lines)));
    }

    /**
     * The first accepted audio stream of an SDP as Jingle: payload types with their rtpmap, fmtp, ptime and
     * maxptime (XEP-0167 §6), SDES keys; an ICE transport when the SDP has ICE credentials, else raw UDP with the
     * connection address (component 1) and the RTCP address (component 2: {@code a=rtcp}, RFC 3605, or port + 1).
     *
     * @throws SdpException without an accepted audio stream
     */
    public static Media fromSdp(SessionDescription sdp) throws SdpException {
        for (MediaDescription m : sdp.media()) {
            if (!m.media().equals("audio") || m.port() == 0) {
                continue;
            }
            ConnectionData connection = sdp.connection(m);
            if (connection == null) {
                throw new SdpException("audio stream without a connection address");
            }
            int ptime = firstNumber(m.attributes("ptime"));
            int maxptime = firstNumber(m.attributes("maxptime"));
            List<RtpDescription.PayloadType> payloadTypes = new ArrayList<>();
            for (String format : m.formats()) {
                int id;
                try {
                    id = Integer.parseInt(format);
                } catch (NumberFormatException e) {
                    throw new SdpException("RTP format '" + format + "' is not a payload type");
                }
                RtpMap map = m.rtpMap(format);
                int channels = map != null && !map.parameters().isEmpty() ? firstNumber(List.of(map.parameters())) : 1;
                payloadTypes.add(new RtpDescription.PayloadType(id, map != null ? map.encoding() : null,
                        map != null ? map.clockRate() : 0, Math.max(channels, 1), ptime, maxptime,
                        fmtp(m, format)));
            }
            List<RtpDescription.Crypto> crypto = new ArrayList<>();
            for (String value : m.attributes("crypto")) {
                String[] parts = value.strip().split(" +", 4);
                if (parts.length < 3) {
                    throw new SdpException("bad crypto attribute '" + value + "'");
                }
                crypto.add(new RtpDescription.Crypto(parts[0], parts[1], parts[2], parts.length == 4 ? parts[3] : null));
            }
            RtpDescription description = new RtpDescription("audio", payloadTypes, crypto,
                    m.proto().contains("SAVP"), m.has("rtcp-mux"));
            return new Media(description, transport(sdp, m, connection), sdp.direction(m));
        }
        throw new SdpException("no accepted audio stream");
    }

    /**
     * The content's {@code senders} (XEP-0166 §7.3) for an SDP direction of the party that wrote it (RFC 3264
     * §5.1): sendonly of the initiator means only the initiator sends.
     */
    public static JingleContent.Senders senders(String direction, boolean writtenByInitiator) {
        return switch (direction) {
            case "inactive" -> JingleContent.Senders.none;
            case "sendonly" -> writtenByInitiator ? JingleContent.Senders.initiator : JingleContent.Senders.responder;
            case "recvonly" -> writtenByInitiator ? JingleContent.Senders.responder : JingleContent.Senders.initiator;
            default -> JingleContent.Senders.both;
        };
    }

    /** The SDP direction of one party for a content's {@code senders} (the reverse of {@link #senders}). */
    public static String direction(JingleContent.Senders senders, boolean ofInitiator) {
        if (senders == null) {
            return "sendrecv"; // XEP-0166 §7.3: both by default
        }
        return switch (senders) {
            case both -> "sendrecv";
            case none -> "inactive";
            case initiator -> ofInitiator ? "sendonly" : "recvonly";
            case responder -> ofInitiator ? "recvonly" : "sendonly";
        };
    }

    private static JingleTransport transport(SessionDescription sdp, MediaDescription m, ConnectionData connection)
            throws SdpException {
        String ufrag = first(m.attributes("ice-ufrag"), sdp.attribute("ice-ufrag"));
        String pwd = first(m.attributes("ice-pwd"), sdp.attribute("ice-pwd"));
        if (ufrag != null && pwd != null) {
            List<JingleTransport.IceCandidate> candidates = new ArrayList<>();
            for (String value : m.attributes("candidate")) {
                candidates.add(iceCandidate(value, candidates.size() + 1));
            }
            String fingerprint = first(m.attributes("fingerprint"), sdp.attribute("fingerprint"));
            String setup = first(m.attributes("setup"), sdp.attribute("setup"));
            DtlsFingerprint dtls = null;
            if (fingerprint != null) {
                String[] parts = fingerprint.strip().split(" +");
                if (parts.length != 2) {
                    throw new SdpException("bad fingerprint attribute '" + fingerprint + "' (RFC 8122 §5)");
                }
                if (setup == null) {
                    // RFC 5763 §5: the offerer says actpass, the answerer active or passive; guessing would be wrong
                    throw new SdpException("a=fingerprint without a=setup (RFC 5763 §5)");
                }
                dtls = new DtlsFingerprint(parts[0], setup.strip().toLowerCase(Locale.ROOT), parts[1]);
            }
            return new JingleTransport.IceUdp(ufrag, pwd, candidates, dtls);
        }
        String host = connection.host();
        int rtcpPort = m.port() + 1;
        String rtcpHost = host;
        List<String> rtcp = m.attributes("rtcp");
        if (!rtcp.isEmpty()) {
            String[] parts = rtcp.get(0).strip().split(" +");
            rtcpPort = firstNumber(List.of(parts[0]));
            if (parts.length == 4) {
                rtcpHost = parts[3];
            }
        }
        List<JingleTransport.RawCandidate> candidates = new ArrayList<>();
        candidates.add(new JingleTransport.RawCandidate(1, 0, "rtp", host, m.port()));
        if (!m.has("rtcp-mux") && rtcpPort > 0 && rtcpPort <= 65535) {
            candidates.add(new JingleTransport.RawCandidate(2, 0, "rtcp", rtcpHost, rtcpPort));
        }
        return new JingleTransport.RawUdp(candidates);
    }

    /**
     * {@code a=candidate} (RFC 8839 §5.1): {@code foundation component transport priority address port typ type
     * [raddr a rport p] *(name value)}; the Jingle id is made up, SDP has none.
     */
    private static JingleTransport.IceCandidate iceCandidate(String value, int index) throws SdpException {
        String[] parts = value.strip().split(" +");
        if (parts.length < 8 || !parts[6].equals("typ")) {
            throw new SdpException("bad candidate attribute '" + value + "'");
        }
        String relAddr = null;
        int relPort = 0;
        int generation = 0;
        try {
            for (int i = 8; i + 1 < parts.length; i += 2) {
                switch (parts[i]) {
                    case "raddr" -> relAddr = parts[i + 1];
                    case "rport" -> relPort = Integer.parseInt(parts[i + 1]);
                    case "generation" -> generation = Integer.parseInt(parts[i + 1]);
                    default -> { }
                }
            }
            return new JingleTransport.IceCandidate(Integer.parseInt(parts[1]), parts[0], generation, "sdp" + index,
                    parts[4], 0, Integer.parseInt(parts[5]), Long.parseLong(parts[3]),
                    parts[2].toLowerCase(Locale.ROOT), parts[7], relAddr, relPort);
        } catch (NumberFormatException e) {
            throw new SdpException("bad number in candidate attribute '" + value + "'");
        }
    }

    /** {@code a=fmtp:<format> a=1;b=2} as parameters (a part without '=' keeps its text as name). */
    private static Map<String, String> fmtp(MediaDescription m, String format) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String value : m.attributes("fmtp")) {
            if (value.startsWith(format + " ")) {
                for (String part : value.substring(format.length() + 1).split(";")) {
                    String parameter = part.strip();
                    if (parameter.isEmpty()) {
                        continue;
                    }
                    int equals = parameter.indexOf('=');
                    parameters.put(equals < 0 ? parameter : parameter.substring(0, equals).strip(),
                            equals < 0 ? "" : parameter.substring(equals + 1).strip());
                }
            }
        }
        return parameters;
    }

    private static int firstNumber(List<String> values) {
        for (String value : values) {
            try {
                return Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }

    private static String first(List<String> mediaLevel, String sessionLevel) {
        return !mediaLevel.isEmpty() ? mediaLevel.get(0) : sessionLevel;
    }

    private static String addressType(String ip) {
        return ip.indexOf(':') >= 0 ? "IP6" : "IP4";
    }

    private static Line attribute(String value) {
        return new Line('a', value);
    }
}
