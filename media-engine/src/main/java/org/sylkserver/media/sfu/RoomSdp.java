package org.sylkserver.media.sfu;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.sylkserver.media.AudioLevelExtension;
import org.sylkserver.media.rtcp.TransportFeedback;
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
 * offer no other header extension. Only NACK, PLI and FIR feedback is kept (the SFU answers and passes those), and
 * REMB towards publishers (the room's bitrate policy). Transport-wide congestion control
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01: its header extension and {@code transport-cc} feedback) is
 * accepted from publishers, whose browsers then estimate their bandwidth from the server's feedback (REMB stays a
 * cap), and offered to feeds, whose browsers' feedback makes the feed's estimate. The video's RFC 4588 retransmission format is accepted from
 * publishers and offered to feeds (§8: {@code rtx} with the {@code apt} of the video, the streams paired by
 * {@code a=ssrc-group:FID}), each leg on its own: RED and FEC, which wrap other payload types, are not accepted.
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
     * @param videoRtx     the payload type of the publisher's retransmissions of the video (RFC 4588 §8.1), or -1
     * @param repairs      the publisher's retransmission SSRCs and the SSRC each repairs ({@code a=ssrc-group:FID},
     *                     RFC 4588 §8.3, RFC 5576 §4.2)
     * @param simulcast    the publisher's simulcast layers of its video, or null when it sends one stream
     * @param transportCcId the header-extension id of the publisher's transport-wide sequence numbers, 0 when not
     *                      agreed
     */
    record Negotiated(PayloadFormat audio, PayloadFormat video, SessionDescription answer, int audioLevelId,
                      int videoRtx, Map<Long, Long> repairs, Simulcast simulcast, int transportCcId) {

        /** The format of {@code payloadType}, or null. */
        PayloadFormat format(int payloadType) {
            if (audio != null && audio.payloadType() == payloadType) {
                return audio;
            }
            return video != null && video.payloadType() == payloadType ? video : null;
        }
    }

    /**
     * The simulcast layers (RFC 8853) a publisher sends of its VP8, VP9 or H.264 video, in the order it listed them:
     * named by RFC 8851 rids, whose packets carry the RFC 8852 {@code rtp-stream-id} (and its retransmissions the
     * {@code repaired-rtp-stream-id}) header extension, or by the SSRCs of an {@code a=ssrc-group:SIM} (the older
     * form Chrome still sends when its SDP is munged).
     *
     * @param rids          the layers' rids, empty with SSRCs
     * @param ssrcs         the layers' SSRCs, empty with rids
     * @param ridId         the header-extension id of {@code rtp-stream-id}, 0 with SSRCs
     * @param repairedRidId the header-extension id of {@code repaired-rtp-stream-id}, 0 when not agreed
     */
    record Simulcast(List<String> rids, List<Long> ssrcs, int ridId, int repairedRidId) {

        /** The most layers accepted (what browsers send: three). */
        static final int MAX_LAYERS = 3;

        int layers() {
            return Math.max(rids.size(), ssrcs.size());
        }
    }

    static final String RID_URI = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
    static final String REPAIRED_RID_URI = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
    static final String MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid";
    /** The id of the transport-wide sequence number extension in a feed's offer (the only extension it offers). */
    static final int FEED_TRANSPORT_CC_ID = 3;

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
        int videoRtx = -1;
        Map<Long, Long> repairs = new HashMap<>();
        Simulcast simulcast = null;
        int transportCcId = 0;
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
            int offeredCc = extensionId(m, TransportFeedback.URI);
            if (offeredCc > 0 && (transportCcId == 0 || transportCcId == offeredCc)) {
                // one transport, one numbering: the id must be the same on every bundled m-line (RFC 8843 §9.2)
                transportCcId = offeredCc;
                lines.add(new Line('a', "extmap:" + offeredCc + " " + TransportFeedback.URI));
                PayloadFormat accepted = chosen;
                if (PayloadFormat.of(m).stream().anyMatch(f -> f.payloadType() == accepted.payloadType()
                        && f.feedback().contains(TransportFeedback.RTCP_FB))) {
                    lines.add(new Line('a', "rtcp-fb:" + chosen.payloadType() + " " + TransportFeedback.RTCP_FB));
                }
            }
            int payloadType = chosen.payloadType();
            List<String> formats = new ArrayList<>(List.of(Integer.toString(payloadType)));
            if (chosen == video && PayloadFormat.of(m).stream().anyMatch(f -> f.payloadType() == payloadType
                    && f.feedback().contains("goog-remb"))) {
                // the room's bitrate policy reaches the publisher as REMB (spec §4.6.6)
                lines.add(new Line('a', "rtcp-fb:" + payloadType + " goog-remb"));
            }
            PayloadFormat rtx = chosen == video ? rtxOf(PayloadFormat.of(m), payloadType) : null;
            if (rtx != null) {
                // RFC 4588 §8.1: the publisher may repair its video with retransmissions of this payload type
                videoRtx = rtx.payloadType();
                formats.add(Integer.toString(videoRtx));
                lines.addAll(rtx.as(videoRtx, rtx.fmtp(), List.of()).sdpLines());
                repairs.putAll(fidGroups(m));
            }
            if (chosen == video && PayloadDescriptor.of(video.map().name()) != null) {
                // layers are switched at key frames, which the server finds in VP8's and VP9's payload
                // descriptors and H.264's NAL unit headers
                simulcast = simulcast(m, lines);
            }
            media.add(new MediaDescription(m.media(), port, PROTO, formats, lines));
            bundle.add(mid);
        }
        if (audio == null && video == null) {
            throw new SdpException("the offer has no audio with Opus and no video with VP8, VP9 or H.264");
        }
        return new Negotiated(audio, video, new SessionDescription(sessionLines(origin, address, bundle, null), media),
                audioLevelId, videoRtx, Map.copyOf(repairs), simulcast, transportCcId);
    }

    /**
     * The simulcast of a video m-line, if it offers two layers or more, and the lines that accept it added to
     * {@code answer}: RFC 8853 §5.3 {@code a=simulcast:send} with RFC 8851 {@code a=rid:<id> send} (the first three
     * layers not paused, §5.2 {@code ~}, each with its first alternative; the answer says {@code recv} for them and
     * names the RFC 8852 header extensions under the offered ids), else an {@code a=ssrc-group:SIM}.
     */
    private static Simulcast simulcast(MediaDescription m, List<Line> answer) {
        List<String> offered = m.attributes("simulcast");
        if (!offered.isEmpty()) {
            String[] words = offered.get(0).trim().split("\\s+");
            int ridId = extensionId(m, RID_URI);
            if (words.length < 2 || !words[0].equals("send") || ridId <= 0) {
                return null;
            }
            List<String> declared = m.attributes("rid").stream().filter(r -> r.trim().split("\\s+").length > 1
                    && r.trim().split("\\s+")[1].equals("send")).map(r -> r.trim().split("\\s+")[0]).toList();
            List<String> rids = new ArrayList<>();
            for (String layer : words[1].split(";")) {
                String rid = layer.split(",")[0];
                if (!rid.startsWith("~") && declared.contains(rid) && rids.size() < Simulcast.MAX_LAYERS) {
                    rids.add(rid);
                }
            }
            if (rids.size() < 2) {
                return null;
            }
            int repairedRidId = extensionId(m, REPAIRED_RID_URI);
            int midId = extensionId(m, MID_URI);
            for (String rid : rids) {
                answer.add(new Line('a', "rid:" + rid + " recv"));
            }
            answer.add(new Line('a', "simulcast:recv " + String.join(";", rids)));
            answer.add(new Line('a', "extmap:" + ridId + " " + RID_URI));
            if (repairedRidId > 0) {
                answer.add(new Line('a', "extmap:" + repairedRidId + " " + REPAIRED_RID_URI));
            }
            if (midId > 0) {
                answer.add(new Line('a', "extmap:" + midId + " " + MID_URI));
            }
            return new Simulcast(List.copyOf(rids), List.of(), ridId, repairedRidId);
        }
        for (String group : m.attributes("ssrc-group")) {
            String[] words = group.trim().split("\\s+");
            if (words[0].equals("SIM") && words.length >= 3) {
                List<Long> ssrcs = new ArrayList<>();
                try {
                    for (int i = 1; i < words.length && ssrcs.size() < Simulcast.MAX_LAYERS; i++) {
                        ssrcs.add(Long.parseLong(words[i]));
                    }
                } catch (NumberFormatException e) {
                    return null;
                }
                return new Simulcast(List.of(), List.copyOf(ssrcs), 0, 0);
            }
        }
        return null;
    }

    /** The id an m-line's {@code a=extmap} gives {@code uri} (RFC 8285 §5), or 0. */
    private static int extensionId(MediaDescription m, String uri) {
        for (String extmap : m.attributes("extmap")) {
            String[] words = extmap.trim().split("\\s+");
            if (words.length >= 2 && words[1].equals(uri)) {
                try {
                    int id = Integer.parseInt(words[0].split("/")[0]);
                    return id >= 1 && id <= 255 ? id : 0;
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /**
     * The header-extension id a subscriber's answer to a feed's offer accepted for the transport-wide sequence number
     * (RFC 8285 §6: the answer repeats the offered mapping), or 0 when it accepted none: the feed's packets then carry
     * none and its browser sends REMB instead of transport-wide feedback.
     */
    static int acceptedTransportCc(SessionDescription answer) {
        for (MediaDescription m : answer.media()) {
            int id = m.port() == 0 ? 0 : extensionId(m, TransportFeedback.URI);
            if (id > 0 && id <= 14) {
                return id; // one-byte elements (RFC 8285 §4.2), which are what the feed writes
            }
        }
        return 0;
    }

    /**
     * The retransmission payload type a subscriber's answer to a feed's offer accepted for the video (RFC 4588 §8.1:
     * an {@code rtx} format whose {@code apt} is the video's payload type), or -1 when it accepted none: its lost
     * packets are then sent again as they were.
     */
    static int acceptedRtx(SessionDescription answer, int videoPayloadType) {
        for (MediaDescription m : answer.media()) {
            if (m.port() != 0 && m.media().equals("video")) {
                PayloadFormat rtx = rtxOf(PayloadFormat.of(m), videoPayloadType);
                return rtx == null ? -1 : rtx.payloadType();
            }
        }
        return -1;
    }

    /** The {@code rtx} format of {@code formats} that retransmits {@code payloadType} (RFC 4588 §8.1), or null. */
    private static PayloadFormat rtxOf(List<PayloadFormat> formats, int payloadType) {
        for (PayloadFormat format : formats) {
            if (format.map().name().equals("rtx")
                    && format.parameter("apt", "").equals(Integer.toString(payloadType))) {
                return format;
            }
        }
        return null;
    }

    /** RFC 5576 §4.2, RFC 4588 §8.3: {@code a=ssrc-group:FID <original> <retransmission>}, as retransmission to original. */
    private static Map<Long, Long> fidGroups(MediaDescription m) {
        Map<Long, Long> repairs = new HashMap<>();
        for (String group : m.attributes("ssrc-group")) {
            String[] words = group.trim().split("\\s+");
            if (words.length == 3 && words[0].equals("FID")) {
                try {
                    repairs.put(Long.parseLong(words[2]), Long.parseLong(words[1]));
                } catch (NumberFormatException e) {
                    // not an SSRC: the group repairs nothing we can name
                }
            }
        }
        return repairs;
    }

    /**
     * The offer of a feed: the publisher's formats, {@code sendonly}, each m-line with the feed's own SSRC
     * (RFC 5576 §4.1) and stream identity (RFC 8830), so that the browser knows the streams before they come; the
     * video with an RFC 4588 retransmission format (§8.1) on the feed's {@code rtxSsrc}, paired with its video SSRC
     * by {@code a=ssrc-group:FID} (§8.3), whether the publisher sends retransmissions or not: the feed repairs its
     * own leg from its cache.
     *
     * @param transportLines the feed transport's lines ({@code setup:actpass})
     * @param audioSsrc      the feed's audio SSRC (used when the publisher has audio); {@code videoSsrc} and
     *                       {@code rtxSsrc} likewise
     */
    static SessionDescription offerFeed(Negotiated publisher, List<Line> transportLines, int port, long audioSsrc,
                                        long videoSsrc, long rtxSsrc, String stream, AudioAnswerer.Origin origin,
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
            String track = stream + "-" + kind;
            List<String> formats = new ArrayList<>(List.of(Integer.toString(format.payloadType())));
            List<Line> lines = new ArrayList<>(transportLines);
            lines.add(new Line('a', "mid:" + mid));
            lines.add(new Line('a', "sendonly"));
            lines.add(new Line('a', "msid:" + stream + " " + track));
            lines.addAll(format.sdpLines());
            // the browser's transport-wide feedback makes the feed's bandwidth estimate (SendSideEstimator)
            lines.add(new Line('a', "extmap:" + FEED_TRANSPORT_CC_ID + " " + TransportFeedback.URI));
            lines.add(new Line('a', "rtcp-fb:" + format.payloadType() + " " + TransportFeedback.RTCP_FB));
            List<Long> ssrcs = new ArrayList<>(List.of(isAudio ? audioSsrc : videoSsrc));
            if (!isAudio) {
                int rtx = feedRtxPayloadType(publisher);
                formats.add(Integer.toString(rtx));
                lines.add(new Line('a', "rtpmap:" + rtx + " rtx/" + format.map().clockRate()));
                lines.add(new Line('a', "fmtp:" + rtx + " apt=" + format.payloadType()));
                lines.add(new Line('a', "ssrc-group:FID " + videoSsrc + " " + rtxSsrc));
                if (publisher.simulcast() != null) {
                    // the browser's estimate of what it can take chooses its layer (REMB, draft-alvestrand-rmcat-remb)
                    lines.add(new Line('a', "rtcp-fb:" + format.payloadType() + " goog-remb"));
                }
                ssrcs.add(rtxSsrc);
            }
            for (long ssrc : ssrcs) {
                lines.add(new Line('a', "ssrc:" + ssrc + " cname:" + stream));
                lines.add(new Line('a', "ssrc:" + ssrc + " msid:" + stream + " " + track));
            }
            media.add(new MediaDescription(kind, port, PROTO, formats, lines));
            bundle.add(mid);
        }
        return new SessionDescription(sessionLines(origin, address, bundle, stream), media);
    }

    /**
     * The retransmission payload type a feed offers: the publisher's own when it has one, else the first dynamic
     * one (RFC 3551 §6: 96-127) that names neither the audio nor the video.
     */
    private static int feedRtxPayloadType(Negotiated publisher) {
        if (publisher.videoRtx() >= 0) {
            return publisher.videoRtx();
        }
        int payloadType = 96;
        while (publisher.format(payloadType) != null) {
            payloadType++;
        }
        return payloadType;
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
