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

import java.security.SecureRandom;

import org.sylkserver.media.srtp.MalformedCryptoAttributeException;
import org.sylkserver.media.srtp.SdesCrypto;
import org.sylkserver.media.srtp.SrtpPolicy;
import org.sylkserver.media.srtp.UnsupportedCryptoAttributeException;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.RtpMap;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * RFC 3264 answers to offers with audio: the first acceptable {@code RTP/AVP} (or {@code RTP/AVPF}) audio stream
 * is accepted with the offered codecs that the server allows (in the offer's order, keeping the offer's payload
 * type numbers, plus the {@code telephone-event} formats of the same clock rates, RFC 4733 §2.1, or when none
 * has such a rate the first one offered, at its own rate); every other
 * media line is declined with port 0 (RFC 3264 §6). The direction is mirrored (§6.1) and {@code rtcp-mux}
 * (RFC 5761 §5.1.1) accepted when offered.
 *
 * <p>SRTP with SDES keys (RFC 4568) follows {@code [RTP] srtp_encryption}: {@code disabled} declines
 * {@code RTP/SAVP(F)} streams; {@code opportunistic} (the default) accepts them, and also answers with a key an
 * {@code RTP/AVP} stream that carries {@code a=crypto} lines (best-effort SRTP); {@code sdes} accepts only
 * {@code RTP/SAVP(F)}. The first offered crypto line with a suite we support wins (RFC 4568 §7.1.2) and the answer
 * carries a fresh key of ours with the same tag and suite. {@code zrtp} accepts streams as {@code opportunistic}
 * does; when no SDES key was agreed the application then runs ZRTP (RFC 6189) in the media path
 * ({@code RtpEndpoint.zrtp}). DTLS-SRTP ({@code UDP/TLS/RTP/SAVPF}) is declined here.
 *
 * <p>Immutable and thread-safe: one instance per application.
 */
public final class AudioAnswerer {

    private static final Set<String> PLAIN = Set.of("RTP/AVP", "RTP/AVPF");
    private static final Set<String> SECURE = Set.of("RTP/SAVP", "RTP/SAVPF");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong SESSION_IDS = new AtomicLong(System.currentTimeMillis());

    private final List<String> allowedCodecs;
    private final SrtpPolicy srtpPolicy;

    /** An answerer with the default SRTP policy, {@code opportunistic}. */
    public AudioAnswerer(List<String> allowedCodecs) {
        this(allowedCodecs, SrtpPolicy.OPPORTUNISTIC);
    }

    /**
     * @param allowedCodecs codec names as in {@code [RTP] audio_codecs} (opus, G722, speex, PCMU, PCMA, iLBC, GSM)
     * @param srtpPolicy    {@code [RTP] srtp_encryption}: disabled, sdes, zrtp or opportunistic
     * @throws IllegalArgumentException for another policy name
     */
    public AudioAnswerer(List<String> allowedCodecs, String srtpPolicy) {
        this(allowedCodecs, SrtpPolicy.of(srtpPolicy));
    }

    /**
     * @param allowedCodecs codec names as in {@code [RTP] audio_codecs} (opus, G722, speex, PCMU, PCMA, iLBC, GSM)
     * @param srtpPolicy    {@code [RTP] srtp_encryption}
     */
    public AudioAnswerer(List<String> allowedCodecs, SrtpPolicy srtpPolicy) {
        this.allowedCodecs = allowedCodecs.stream().map(c -> c.trim().toLowerCase(Locale.ROOT)).toList();
        this.srtpPolicy = srtpPolicy;
    }

    /** Whether {@code proto} is a transport this policy accepts: plain RTP always ({@code sdes} is SDES optional). */
    private boolean acceptsProfile(String proto) {
        return PLAIN.contains(proto) || SECURE.contains(proto) && srtpPolicy.acceptsSrtp();
    }

    /**
     * The offered key we use and our own key for the answer, or null for plain RTP; a secure profile without a
     * usable key is refused.
     */
    private SdesCrypto[] keys(MediaDescription m) throws SdpException {
        boolean secure = SECURE.contains(m.proto());
        if (!secure && !srtpPolicy.keysPlainStreams()) {
            return null;
        }
        String problem = "no a=crypto line";
        for (String value : m.attributes("crypto")) {
            try {
                SdesCrypto remote = SdesCrypto.parse(value);
                return new SdesCrypto[] {remote, SdesCrypto.generate(remote.tag(), remote.suite(), RANDOM)};
            } catch (UnsupportedCryptoAttributeException skipped) {
                problem = skipped.getMessage();
            } catch (MalformedCryptoAttributeException broken) {
                if (secure) {
                    throw new SdpException("Malformed a=crypto: " + broken.getMessage());
                }
                return null;
            }
        }
        if (secure) {
            throw new SdpException("No usable SRTP key (" + problem + ")");
        }
        return null;
    }

    /**
     * The accepted audio stream and the answer to send.
     *
     * @param sdp          the answer
     * @param remoteRtp    where the caller wants to receive RTP, per its SDP (symmetric RTP may learn another one)
     * @param payloadTypes the payload types accepted, in order (codecs first, then telephone-event)
     * @param direction    the answer's direction attribute
     * @param rtcpMux      whether RTCP is multiplexed on the RTP port
     * @param remoteKey    the caller's SDES key (RFC 4568), null for plain RTP
     * @param localKey     our SDES key, sent in the answer, null for plain RTP
     * @param audioLevelId the header-extension id of RFC 6464 audio levels agreed by {@code a=extmap}, 0 for none
     */
    public record Answer(SessionDescription sdp, InetSocketAddress remoteRtp, List<String> payloadTypes,
                         String direction, boolean rtcpMux, SdesCrypto remoteKey, SdesCrypto localKey,
                         int audioLevelId) {

        /** Whether the stream is SRTP. */
        public boolean secure() {
            return localKey != null;
        }

        /** The accepted audio stream alone: the answer's first audio line with a port, and what it agrees. */
        public Stream stream() {
            MediaDescription line = sdp.media().stream().filter(m -> m.media().equals("audio") && m.port() != 0)
                    .findFirst().orElseThrow();
            return new Stream(line, remoteRtp, payloadTypes, direction, rtcpMux, remoteKey, localKey, audioLevelId);
        }
    }

    /**
     * One accepted audio line: the line of the answer and what it agrees (the fields as in {@link Answer}).
     *
     * @param line the answer's media line
     */
    public record Stream(MediaDescription line, InetSocketAddress remoteRtp, List<String> payloadTypes,
                         String direction, boolean rtcpMux, SdesCrypto remoteKey, SdesCrypto localKey,
                         int audioLevelId) {

        /** Whether the stream is SRTP. */
        public boolean secure() {
            return localKey != null;
        }
    }

    /**
     * The origin ({@code o=} line, RFC 4566 §5.2) of one SIP dialog: a session id fixed for the dialog and a
     * version that each answer increments (RFC 3264 §8).
     */
    public static final class Origin {
        private final long sessionId = SESSION_IDS.incrementAndGet();
        private long version = 0;

        /** The next {@code o=} value: the same session id, the version incremented (RFC 3264 §8). */
        public synchronized String next(InetAddress address) {
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
        Stream accepted = null;
        String refusal = "No audio stream offered";
        for (MediaDescription m : offer.media()) {
            if (accepted == null && m.media().equals("audio") && m.port() != 0) {
                try {
                    accepted = accept(offer, m, localPort);
                    answered.add(accepted.line());
                    continue;
                } catch (SdpException e) {
                    refusal = e.getMessage();
                }
            }
            answered.add(declined(m));
        }
        if (accepted == null) {
            throw new SdpException(refusal);
        }
        return new Answer(new SessionDescription(sessionLines(origin, localAddress), answered), accepted.remoteRtp(),
                accepted.payloadTypes(), accepted.direction(), accepted.rtcpMux(), accepted.remoteKey(),
                accepted.localKey(), accepted.audioLevelId());
    }

    /**
     * Accepts one offered audio line {@code m} of {@code offer} (RFC 3264 §6.1), received at {@code localPort}.
     *
     * @throws SdpException when the server cannot accept this line; {@link SdpException#getMessage()} says why
     */
    public Stream accept(SessionDescription offer, MediaDescription m, int localPort) throws SdpException {
        if (!acceptsProfile(m.proto())) {
            throw new SdpException("Unsupported audio transport " + m.proto() + " (srtp_encryption " + srtpPolicy.configName() + ")");
        }
        List<String> formats = acceptableFormats(m);
        if (formats.isEmpty()) {
            throw new SdpException("No compatible audio codec");
        }
        SdesCrypto[] keys = keys(m);
        String direction = mirror(offer.direction(m));
        boolean mux = m.has("rtcp-mux");
        int levelId = audioLevelId(m);
        SdesCrypto localKey = keys == null ? null : keys[1];
        return new Stream(acceptedStream(m, formats, direction, mux, localPort, localKey, levelId),
                offer.connection(m).socketAddress(m.port()), formats, direction, mux, keys == null ? null : keys[0],
                localKey, levelId);
    }

    /** A line declined with port 0, as RFC 3264 §6 asks: same media, transport and formats, nothing else. */
    private static MediaDescription declined(MediaDescription offered) {
        return new MediaDescription(offered.media(), 0, offered.proto(), offered.formats(), List.of());
    }

    /**
     * The session-level lines of every SDP body the server writes (RFC 4566 §5: v, o, s, c, t), the origin's
     * version incremented (RFC 3264 §8).
     */
    public static List<SessionDescription.Line> sessionLines(Origin origin, InetAddress localAddress) {
        return List.of(
                new SessionDescription.Line('v', "0"),
                new SessionDescription.Line('o', origin.next(localAddress)),
                new SessionDescription.Line('s', "SylkServer"),
                new SessionDescription.Line('c', "IN " + ipType(localAddress) + " " + localAddress.getHostAddress()),
                new SessionDescription.Line('t', "0 0"));
    }

    /**
     * The id of an offered RFC 6464 client-to-mixer level extension ({@code a=extmap:<id>[/direction] <uri>},
     * RFC 8285 §5), accepted with the same id; 0 when none is offered or the id is outside 1–255.
     */
    public static int audioLevelId(MediaDescription m) {
        for (String value : m.attributes("extmap")) {
            String[] parts = value.trim().split("\\s+");
            if (parts.length >= 2 && parts[1].equals(org.sylkserver.media.AudioLevelExtension.URI)) {
                try {
                    int id = Integer.parseInt(parts[0].split("/")[0]);
                    return id >= 1 && id <= 255 && id != 15 ? id : 0;
                } catch (NumberFormatException malformed) {
                    return 0;
                }
            }
        }
        return 0;
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
        List<String> events = new ArrayList<>();
        String otherRate = null;
        for (String format : m.formats()) {
            RtpMap map = m.rtpMap(format);
            if (map != null && map.name().equals("telephone-event")) {
                if (clockRates.contains(map.clockRate())) {
                    events.add(format);
                } else if (otherRate == null) {
                    otherRate = format;
                }
            }
        }
        if (events.isEmpty() && otherRate != null) {
            // RFC 4733 §2.1 asks for the audio's clock rate with SHOULD, not MUST, and the media type's rate
            // (§7) is whatever the offer assigns: an Opus offer with only telephone-event/8000 (baresip 1.0 and
            // other deployed phones) keeps its events at 8000 Hz, in whose units their durations are.
            events.add(otherRate);
        }
        List<String> formats = new ArrayList<>(codecs);
        formats.addAll(events);
        return codecs.isEmpty() ? List.of() : formats;
    }

    private static MediaDescription acceptedStream(MediaDescription offered, List<String> formats, String direction,
                                                   boolean mux, int localPort, SdesCrypto localKey,
                                                   int audioLevelId) {
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
        if (localKey != null) {
            lines.add(new SessionDescription.Line('a', "crypto:" + localKey.format()));
        }
        if (audioLevelId > 0) {
            lines.add(new SessionDescription.Line('a', "extmap:" + audioLevelId + " "
                    + org.sylkserver.media.AudioLevelExtension.URI));
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
