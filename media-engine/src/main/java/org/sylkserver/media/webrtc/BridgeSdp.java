package org.sylkserver.media.webrtc;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

import org.sylkserver.media.srtp.SdesCrypto;
import org.sylkserver.media.srtp.UnsupportedCryptoAttributeException;
import org.sylkserver.media.webrtc.SdpTranslator.BrowserTransport;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription.Line;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * The pieces of SDP the WebRTC bridge reads and writes, as pure functions of SDP: what a browser's SDP must have
 * (ICE credentials, a fingerprint, a setup role that leaves us the DTLS server), which formats and feedback can be
 * relayed, the m-lines of the browser's bundle, refused and disabled m-lines. {@link SdpTranslator} puts them
 * together into offers and answers.
 */
final class BridgeSdp {

    private static final Logger LOG = Logger.getLogger("sylk.media.webrtc");
    /** RFC 8445 §5.1.2.1: type preference 126 for host, local preference 65535, component 1. */
    static final long HOST_PRIORITY = (126L << 24) | (65535L << 8) | 255;
    /** Dynamic payload types (RFC 3551 §6, and the range RFC 5761 §4 leaves free of RTCP when muxing). */
    private static final int[][] DYNAMIC_RANGES = {{96, 127}, {35, 63}};

    private BridgeSdp() {
    }

    /**
     * Checks what the browser leg needs in a browser SDP and returns its fingerprint: ICE credentials, a sha-256
     * fingerprint, and a setup role that leaves us the DTLS server (RFC 5763 §5).
     */
    static Fingerprint checkBrowserSdp(SessionDescription sdp, boolean offer) throws SdpException {
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

    /** One accepted m-line of the bundle for the browser. */
    static MediaDescription browserLine(BrowserTransport transport, RelayStream stream, List<PayloadFormat> formats,
                                        String direction, String setup) {
        List<Line> lines = new ArrayList<>(candidateLines(transport.advertised(), transport.local()));
        lines.add(new Line('a', "ice-ufrag:" + transport.ufrag()));
        lines.add(new Line('a', "ice-pwd:" + transport.password()));
        lines.add(new Line('a', "fingerprint:" + transport.fingerprint()));
        lines.add(new Line('a', "setup:" + setup));
        lines.add(new Line('a', "mid:" + stream.mid));
        lines.add(new Line('a', direction));
        lines.add(new Line('a', "msid:" + transport.msid() + " " + stream.kind + "-" + stream.mid));
        lines.add(new Line('a', "rtcp-mux"));
        formatLines(formats, lines);
        return new MediaDescription(stream.kind, transport.advertised().getPort(), "UDP/TLS/RTP/SAVPF",
                payloadTypes(formats), lines);
    }

    /** An m-line refused in an answer (RFC 3264 §6: port 0, the formats of the offer), keeping its mid. */
    static MediaDescription rejected(MediaDescription offered, String mid) {
        List<Line> lines = mid == null ? List.of() : List.of(new Line('a', "mid:" + mid));
        return new MediaDescription(offered.media(), 0, offered.proto(), offered.formats(), lines);
    }

    /** An m-line disabled in an offer: port 0 (RFC 3264 §8.2). */
    static MediaDescription disabled(String kind, String proto) {
        return new MediaDescription(kind, 0, proto, List.of("0"), List.of());
    }

    static void formatLines(List<PayloadFormat> formats, List<Line> lines) {
        formats.forEach(format -> lines.addAll(format.sdpLines()));
    }

    static List<String> payloadTypes(List<PayloadFormat> formats) {
        return formats.stream().map(f -> Integer.toString(f.payloadType())).toList();
    }

    /**
     * The formats of {@code m} that can be relayed, with only the feedback messages the bridge relays end to end
     * (NACK, PLI and FIR, RFC 4585 §4.2 and RFC 5104 §7.1); others need header extensions or local state.
     */
    static List<PayloadFormat> relayableFormats(MediaDescription m) {
        List<PayloadFormat> formats = new ArrayList<>();
        for (PayloadFormat format : PayloadFormat.of(m)) {
            if (format.relayable()) {
                formats.add(format.as(format.payloadType(), format.fmtp(), relayedFeedback(format.feedback())));
            }
        }
        return formats;
    }

    static List<String> relayedFeedback(List<String> feedback) {
        return feedback.stream().filter(f -> f.equals("nack") || f.equals("nack pli") || f.equals("ccm fir"))
                .distinct().toList();
    }

    /** For video offered to a browser: PLI and FIR always, so that a SIP peer's picture requests are honoured. */
    static List<String> browserFeedback(String kind, List<String> feedback) {
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

    static Set<String> bundleGroup(SessionDescription sdp) {
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

    static String mid(MediaDescription m, int index) {
        List<String> mids = m.attributes("mid");
        return mids.isEmpty() ? Integer.toString(index) : mids.get(0).trim();
    }

    static boolean isAudioOrVideo(MediaDescription m) {
        return m.media().equals("audio") || m.media().equals("video");
    }

    /** Whether a party with this direction attribute receives RTP (RFC 3264 §5.1). */
    static boolean receives(String direction) {
        return direction.equals("sendrecv") || direction.equals("recvonly");
    }

    /** The first {@code a=crypto} of {@code m} this engine supports (RFC 4568 §7.1.1), or null. */
    static SdesCrypto supportedCrypto(MediaDescription m) {
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

    static int freeDynamicType(Set<Integer> used) throws SdpException {
        for (int[] range : DYNAMIC_RANGES) {
            for (int type = range[0]; type <= range[1]; type++) {
                if (!used.contains(type)) {
                    return type;
                }
            }
        }
        throw new SdpException("too many payload types to bundle");
    }

    static int[] toArray(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The connection address, our candidates and the end of candidates (RFC 8839 §5.1, §5.3; a lite agent gathers no
     * others). The address peers are to reach comes first, as a host candidate (RFC 8445 §5.1.1.1: behind a one-to-one
     * NAT the public address is the one that works, as Janus's {@code nat_1_1_mapping} does); the bound address, when
     * it differs, follows at a lower priority for peers on the server's own network.
     */
    static List<Line> candidateLines(InetSocketAddress advertised, InetSocketAddress bound) {
        List<Line> lines = new ArrayList<>();
        String address = advertised.getAddress().getHostAddress();
        lines.add(new Line('c', "IN " + ipType(advertised.getAddress()) + " " + address));
        lines.add(new Line('a', "candidate:1 1 udp " + HOST_PRIORITY + " " + address + " " + advertised.getPort()
                + " typ host"));
        if (!advertised.equals(bound)) {
            lines.add(new Line('a', "candidate:2 1 udp " + (HOST_PRIORITY - (1L << 24)) + " "
                    + bound.getAddress().getHostAddress() + " " + bound.getPort() + " typ host"));
        }
        lines.add(new Line('a', "end-of-candidates"));
        return lines;
    }

    static String ipType(InetAddress address) {
        return address instanceof Inet6Address ? "IP6" : "IP4";
    }

    static String describe(SessionDescription sdp) {
        StringBuilder out = new StringBuilder("[");
        for (MediaDescription m : sdp.media()) {
            out.append(out.length() > 1 ? ", " : "").append(m.media()).append(' ').append(m.port()).append(' ')
                    .append(m.proto()).append(' ').append(String.join(" ", m.formats()));
        }
        return out.append(']').toString();
    }
}
