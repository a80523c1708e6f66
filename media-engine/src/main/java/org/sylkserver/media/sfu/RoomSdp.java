package org.sylkserver.media.sfu;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.sylkserver.media.AudioLevelExtension;
import org.sylkserver.media.sdp.AudioAnswerer;
import org.sylkserver.media.webrtc.PayloadFormat;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;
import org.sylkserver.protocols.sdp.SessionDescription.Line;

/**
 * The SDP of the video rooms' PeerConnections, as pure functions: the answer to a publisher's offer and the offer of
 * a feed. Both are bundles (RFC 8843) on one transport with ICE lite (RFC 8445 §2.5), and name one format per
 * medium, so that what the publisher sends is what every feed receives, under the same payload type: the forwarding
 * never renumbers nor transcodes. A publisher's RFC 6464 audio levels are accepted (for the active speaker); feeds
 * offer no header extension. Only NACK, PLI and FIR feedback is kept (the SFU answers and passes those), and
 * REMB towards publishers (the room's bitrate policy);
 * retransmission formats, RED and FEC, which refer to other payload types, are not accepted.
 */
final class RoomSdp {

    /** Chosen in this order when the room's codec is not offered (spec §8.3 {@code video_codec}: h264, vp8, vp9). */
    private static final List<String> VIDEO_CODECS = List.of("vp8", "vp9", "h264");
    private static final String PROTO = "UDP/TLS/RTP/SAVPF";

    private RoomSdp() {
    }

    /**
     * What a publisher's offer and our answer agreed on.
     *
     * @param audio  the one audio format, or null
     * @param video  the one video format, or null
     * @param answer the answer for the publisher
     * @param audioLevelId the header-extension id of the publisher's RFC 6464 audio levels, 0 when not agreed
     */
    record Negotiated(PayloadFormat audio, PayloadFormat video, SessionDescription answer, int audioLevelId) {

        /** The format of {@code payloadType}, or null. */
        PayloadFormat format(int payloadType) {
            if (audio != null && audio.payloadType() == payloadType) {
                return audio;
            }
            return video != null && video.payloadType() == payloadType ? video : null;
        }
    }

    /**
     * Answers a publisher's offer: the first audio m-line with Opus and the first video m-line with the room's codec
     * (else VP8, VP9 or H.264, packetization mode 1 first) are accepted {@code recvonly} on {@code transport}, every
     * other m-line is refused (port 0, RFC 3264 §6).
     *
     * @param transportLines the transport's lines ({@code setup:passive})
     * @param videoCodec     the room's codec ({@code vp8}, {@code vp9}, {@code h264})
     * @param audioWanted    whether the room takes audio; {@code videoWanted} video
     * @throws SdpException nothing can be accepted
     */
    static Negotiated answerPublisher(SessionDescription offer, List<Line> transportLines, int port,
                                      String videoCodec, boolean audioWanted, boolean videoWanted,
                                      AudioAnswerer.Origin origin, InetAddress address) throws SdpException {
        List<MediaDescription> media = new ArrayList<>();
        List<String> bundle = new ArrayList<>();
        PayloadFormat audio = null;
        PayloadFormat video = null;
        int audioLevelId = 0;
        for (int index = 0; index < offer.media().size(); index++) {
            MediaDescription m = offer.media().get(index);
            String mid = mid(m, index);
            PayloadFormat chosen = null;
            if (m.port() != 0 && m.media().equals("audio") && audioWanted && audio == null) {
                chosen = audio = choose(PayloadFormat.of(m), List.of("opus"));
            } else if (m.port() != 0 && m.media().equals("video") && videoWanted && video == null) {
                List<String> order = new ArrayList<>(List.of(videoCodec.toLowerCase(Locale.ROOT)));
                order.addAll(VIDEO_CODECS);
                chosen = video = choose(PayloadFormat.of(m), order);
            }
            if (chosen == null) {
                media.add(new MediaDescription(m.media(), 0, m.proto(), m.formats(), List.of(new Line('a',
                        "mid:" + mid))));
                continue;
            }
            List<Line> lines = new ArrayList<>(transportLines);
            lines.add(new Line('a', "mid:" + mid));
            lines.add(new Line('a', "recvonly"));
            lines.addAll(chosen.sdpLines());
            if (chosen == audio) {
                // the publisher's levels name the room's active speaker (RFC 6464 §4: accepted with the offered id)
                audioLevelId = AudioAnswerer.audioLevelId(m);
                if (audioLevelId > 0) {
                    lines.add(new Line('a', "extmap:" + audioLevelId + " " + AudioLevelExtension.URI));
                }
            }
            int payloadType = chosen.payloadType();
            if (chosen == video && PayloadFormat.of(m).stream().anyMatch(f -> f.payloadType() == payloadType
                    && f.feedback().contains("goog-remb"))) {
                // the room's bitrate policy reaches the publisher as REMB (spec §4.6.6)
                lines.add(new Line('a', "rtcp-fb:" + payloadType + " goog-remb"));
            }
            media.add(new MediaDescription(m.media(), port, PROTO, List.of(Integer.toString(chosen.payloadType())),
                    lines));
            bundle.add(mid);
        }
        if (audio == null && video == null) {
            throw new SdpException("the offer has no audio with Opus and no video with VP8, VP9 or H.264");
        }
        return new Negotiated(audio, video, new SessionDescription(sessionLines(origin, address, bundle, null), media),
                audioLevelId);
    }

    /**
     * The offer of a feed: the publisher's formats, {@code sendonly}, each m-line with the feed's own SSRC
     * (RFC 5576 §4.1) and stream identity (RFC 8830), so that the browser knows the streams before they come.
     *
     * @param transportLines the feed transport's lines ({@code setup:actpass})
     * @param audioSsrc      the feed's audio SSRC (used when the publisher has audio); {@code videoSsrc} likewise
     */
    static SessionDescription offerFeed(Negotiated publisher, List<Line> transportLines, int port, long audioSsrc,
                                        long videoSsrc, String stream, AudioAnswerer.Origin origin,
                                        InetAddress address) {
        List<MediaDescription> media = new ArrayList<>();
        List<String> bundle = new ArrayList<>();
        for (PayloadFormat format : new PayloadFormat[]{publisher.audio(), publisher.video()}) {
            if (format == null) {
                continue;
            }
            boolean isAudio = format == publisher.audio();
            String kind = isAudio ? "audio" : "video";
            String mid = Integer.toString(media.size());
            long ssrc = isAudio ? audioSsrc : videoSsrc;
            String track = stream + "-" + kind;
            List<Line> lines = new ArrayList<>(transportLines);
            lines.add(new Line('a', "mid:" + mid));
            lines.add(new Line('a', "sendonly"));
            lines.add(new Line('a', "msid:" + stream + " " + track));
            lines.addAll(format.sdpLines());
            lines.add(new Line('a', "ssrc:" + ssrc + " cname:" + stream));
            lines.add(new Line('a', "ssrc:" + ssrc + " msid:" + stream + " " + track));
            media.add(new MediaDescription(kind, port, PROTO, List.of(Integer.toString(format.payloadType())), lines));
            bundle.add(mid);
        }
        return new SessionDescription(sessionLines(origin, address, bundle, stream), media);
    }

    /** The first relayable format of {@code offered} whose encoding comes first in {@code order}, or null. */
    private static PayloadFormat choose(List<PayloadFormat> offered, List<String> order) {
        for (String codec : order) {
            PayloadFormat fallback = null;
            for (PayloadFormat format : offered) {
                if (!format.relayable() || !format.map().name().equals(codec)) {
                    continue;
                }
                // H.264 packetization mode 1 (RFC 6184 §6.3) is what every browser sends by default
                if (!codec.equals("h264") || format.parameter("packetization-mode", "0").equals("1")) {
                    return format.withRelayedFeedback();
                }
                if (fallback == null) {
                    fallback = format.withRelayedFeedback();
                }
            }
            if (fallback != null) {
                return fallback;
            }
        }
        return null;
    }

    private static List<Line> sessionLines(AudioAnswerer.Origin origin, InetAddress address, List<String> bundle,
                                           String stream) {
        List<Line> session = new ArrayList<>(AudioAnswerer.sessionLines(origin, address));
        session.add(new Line('a', "group:BUNDLE " + String.join(" ", bundle)));
        session.add(new Line('a', "ice-lite"));
        if (stream != null) {
            session.add(new Line('a', "msid-semantic: WMS " + stream));
        }
        return session;
    }

    private static String mid(MediaDescription m, int index) {
        List<String> mids = m.attributes("mid");
        return mids.isEmpty() ? Integer.toString(index) : mids.get(0).trim();
    }
}
