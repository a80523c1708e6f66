package org.sylkserver.media.sdp;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * RFC 3264 answers to offers with audio: the first acceptable {@code RTP/AVP} (or {@code RTP/AVPF}) audio stream
 * is accepted with the offered codecs that the server allows (in the offer's order, keeping the offer's payload
 * type numbers, plus the {@code telephone-event} formats of the same clock rates, RFC 4733 §2.1); every other
 * media line is declined with port 0 (RFC 3264 §6). The direction is mirrored (§6.1) and {@code rtcp-mux}
 * (RFC 5761 §5.1.1) accepted when offered.
 *
 * <p>Secure profiles ({@code RTP/SAVP}, {@code UDP/TLS/RTP/SAVPF}) are declined until SRTP is supported; the
 * formats accepted are those the echo can return unchanged, without decoding.
 *
 * <p>Immutable and thread-safe: one instance per application.
 */
public final class AudioAnswerer {

    private static final Set<String> PROFILES = Set.of("RTP/AVP", "RTP/AVPF");
    private static final AtomicLong SESSION_IDS = new AtomicLong(System.currentTimeMillis());

    private final List<String> allowedCodecs;

    /** @param allowedCodecs codec names as in {@code [RTP] audio_codecs} (opus, G722, speex, PCMU, PCMA, iLBC, GSM) */
    public AudioAnswerer(List<String> allowedCodecs) {
        this.allowedCodecs = allowedCodecs.stream().map(c -> c.trim().toLowerCase(Locale.ROOT)).toList();
    }

    /**
     * The accepted audio stream and the answer to send.
     *
     * @param sdp          the answer
     * @param remoteRtp    where the caller wants to receive RTP, per its SDP (symmetric RTP may learn another one)
     * @param payloadTypes the payload types accepted, in order (codecs first, then telephone-event)
     * @param direction    the answer's direction attribute
     * @param rtcpMux      whether RTCP is multiplexed on the RTP port
     */
    public record Answer(SessionDescription sdp, InetSocketAddress remoteRtp, List<String> payloadTypes,
                         String direction, boolean rtcpMux) {
    }

    /**
     * The origin ({@code o=} line, RFC 4566 §5.2) of one SIP dialog: a session id fixed for the dialog and a
     * version that each answer increments (RFC 3264 §8).
     */
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
     * @throws SdpException when there is no audio stream the server can accept; {@link SdpException#sipReason()}
     *                      says why (for the 488 response)
     */
    public Answer answer(SessionDescription offer, Origin origin, InetAddress localAddress, int localPort)
            throws SdpException {
        List<MediaDescription> answered = new ArrayList<>();
        Answer accepted = null;
        String refusal = "No audio stream offered";
        for (MediaDescription m : offer.media()) {
            if (accepted == null && m.media().equals("audio") && m.port() != 0) {
                List<String> formats = PROFILES.contains(m.proto()) ? acceptableFormats(m) : List.of();
                if (!PROFILES.contains(m.proto())) {
                    refusal = "Unsupported audio transport " + m.proto();
                } else if (formats.isEmpty()) {
                    refusal = "No compatible audio codec";
                } else {
                    String direction = mirror(offer.direction(m));
                    boolean mux = m.has("rtcp-mux");
                    answered.add(acceptedStream(m, formats, direction, mux, localPort));
                    accepted = new Answer(null, offer.connection(m).socketAddress(m.port()), formats, direction, mux);
                    continue;
                }
            }
            answered.add(new MediaDescription(m.media(), 0, m.proto(), m.formats(), List.of()));
        }
        if (accepted == null) {
            throw new SdpException(refusal);
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
        Set<Integer> clockRates = new HashSet<>();
        for (String format : m.formats()) {
            RtpMap map = m.rtpMap(format);
            if (map != null && allowedCodecs.contains(map.name())) {
                codecs.add(format);
                clockRates.add(map.clockRate());
            }
        }
        List<String> formats = new ArrayList<>(codecs);
        for (String format : m.formats()) {
            RtpMap map = m.rtpMap(format);
            if (map != null && map.name().equals("telephone-event") && clockRates.contains(map.clockRate())) {
                formats.add(format);
            }
        }
        return codecs.isEmpty() ? List.of() : formats;
    }

    private static MediaDescription acceptedStream(MediaDescription offered, List<String> formats, String direction,
                                                   boolean mux, int localPort) {
        List<SessionDescription.Line> lines = new ArrayList<>();
        for (SessionDescription.Line line : offered.lines()) {
            if (line.type() == 'a' && (line.value().startsWith("rtpmap:") || line.value().startsWith("fmtp:"))) {
                String format = line.value().substring(line.value().indexOf(':') + 1).split(" ", 2)[0];
                if (formats.contains(format)) {
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
        return address instanceof Inet6Address ? "IP6" : "IP4";
    }
}
