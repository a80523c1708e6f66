package org.sylkserver.media.sdp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * RFC 3264 answers to offers with audio: the first acceptable {@code RTP/AVP} audio stream is accepted with the
 * offered codecs that the server allows (in the offer's order, keeping the offer's payload type numbers, plus
 * {@code telephone-event}); every other media line is declined with port 0 (RFC 3264 §6). The direction is
 * mirrored (§6.1) and {@code rtcp-mux} (RFC 5761) accepted when offered.
 */
public final class AudioAnswerer {

    /** Encoding names of the static payload types (RFC 3551 §6) the server knows. */
    private static final Map<String, String> STATIC = Map.of("0", "PCMU", "3", "GSM", "8", "PCMA", "9", "G722");
    private static final AtomicLong SESSION_IDS = new AtomicLong(System.currentTimeMillis());

    private final List<String> allowedCodecs;

    /** @param allowedCodecs codec names as in {@code [RTP] audio_codecs} (opus, G722, speex, PCMU, PCMA, iLBC, GSM) */
    public AudioAnswerer(List<String> allowedCodecs) {
        this.allowedCodecs = allowedCodecs.stream().map(c -> c.toLowerCase(Locale.ROOT)).toList();
    }

    /**
     * The accepted audio stream and the answer to send.
     *
     * @param sdp          the answer
     * @param remoteRtp    where the caller wants to receive RTP
     * @param payloadTypes the payload types accepted, in order (codecs first, then telephone-event)
     * @param direction    the answer's direction attribute
     * @param rtcpMux      whether RTCP is multiplexed on the RTP port
     */
    public record Answer(SessionDescription sdp, InetSocketAddress remoteRtp, List<String> payloadTypes,
                         String direction, boolean rtcpMux) {
    }

    /** A new origin (o= line) for one SIP dialog; each answer in it increments the version (RFC 3264 §8). */
    public static final class Origin {
        private final long sessionId = SESSION_IDS.incrementAndGet();
        private long version = 0;

        synchronized String next(InetAddress address) {
            version++;
            return "SylkServer " + sessionId + " " + version + " IN " + ipType(address) + " " + address.getHostAddress();
        }
    }

    /**
     * Answers {@code offer} with audio received at {@code localAddress:localPort}.
     *
     * @throws SdpException when there is no audio stream the server can accept (the reason names why)
     */
    public Answer answer(SessionDescription offer, Origin origin, InetAddress localAddress, int localPort)
            throws SdpException {
        List<MediaDescription> answered = new ArrayList<>();
        Answer accepted = null;
        String noCodecReason = null;
        for (MediaDescription m : offer.media()) {
            if (accepted == null && m.media().equals("audio") && m.port() != 0) {
                if (!m.proto().equals("RTP/AVP") && !m.proto().equals("RTP/AVPF")) {
                    noCodecReason = "Unsupported audio transport " + m.proto();
                } else {
                    List<String> formats = acceptableFormats(m);
                    if (formats.isEmpty()) {
                        noCodecReason = "No compatible audio codec";
                    } else {
                        ConnectionData connection = m.connection() != null ? m.connection() : offer.connection();
                        if (connection == null) {
                            throw new SdpException("Audio stream without connection address");
                        }
                        String direction = mirror(m.direction());
                        boolean mux = m.has("rtcp-mux");
                        answered.add(acceptedStream(m, formats, direction, mux, localPort));
                        accepted = new Answer(null, new InetSocketAddress(connection.address().split("/")[0], m.port()),
                                formats, direction, mux);
                        continue;
                    }
                }
            }
            answered.add(new MediaDescription(m.media(), 0, m.proto(),
                    m.formats().isEmpty() ? List.of("0") : m.formats(), List.of()));
        }
        if (accepted == null) {
            throw new SdpException(noCodecReason != null ? noCodecReason : "No audio stream offered");
        }
        List<SessionDescription.Line> session = List.of(
                new SessionDescription.Line('v', "0"),
                new SessionDescription.Line('o', origin.next(localAddress)),
                new SessionDescription.Line('s', "SylkServer"),
                new SessionDescription.Line('c', "IN " + ipType(localAddress) + " " + localAddress.getHostAddress()),
                new SessionDescription.Line('t', "0 0"));
        return new Answer(new SessionDescription(session, answered), accepted.remoteRtp(), accepted.payloadTypes(),
                accepted.direction(), accepted.rtcpMux());
    }

    private List<String> acceptableFormats(MediaDescription m) {
        List<String> codecs = new ArrayList<>();
        String telephoneEvent = null;
        for (String pt : m.formats()) {
            String encoding = encodingName(m, pt);
            if (encoding == null) {
                continue;
            }
            String name = encoding.toLowerCase(Locale.ROOT);
            if (name.equals("telephone-event")) {
                if (telephoneEvent == null) {
                    telephoneEvent = pt;
                }
            } else if (allowedCodecs.contains(name)) {
                codecs.add(pt);
            }
        }
        if (!codecs.isEmpty() && telephoneEvent != null) {
            codecs.add(telephoneEvent);
        }
        return codecs;
    }

    private static String encodingName(MediaDescription m, String pt) {
        for (String rtpmap : m.attributes("rtpmap")) {
            int space = rtpmap.indexOf(' ');
            if (space > 0 && rtpmap.substring(0, space).equals(pt)) {
                int slash = rtpmap.indexOf('/', space);
                return rtpmap.substring(space + 1, slash > 0 ? slash : rtpmap.length()).trim();
            }
        }
        return STATIC.get(pt);
    }

    private static MediaDescription acceptedStream(MediaDescription offered, List<String> formats, String direction,
                                                   boolean mux, int localPort) {
        List<SessionDescription.Line> lines = new ArrayList<>();
        for (SessionDescription.Line line : offered.lines()) {
            if (line.type() == 'a' && (line.value().startsWith("rtpmap:") || line.value().startsWith("fmtp:"))) {
                String pt = line.value().substring(line.value().indexOf(':') + 1).split(" ", 2)[0];
                if (formats.contains(pt)) {
                    lines.add(line);
                }
            }
        }
        if (mux) {
            lines.add(new SessionDescription.Line('a', "rtcp-mux"));
        }
        lines.add(new SessionDescription.Line('a', direction));
        return new MediaDescription("audio", localPort, offered.proto(), formats, lines);
    }

    private static String mirror(String direction) {
        return switch (direction) {
            case "sendonly" -> "recvonly";
            case "recvonly" -> "sendonly";
            default -> direction;
        };
    }

    private static String ipType(InetAddress address) {
        return address instanceof java.net.Inet6Address ? "IP6" : "IP4";
    }
}
