package org.sylkserver.media.sfu;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.sylkserver.media.AudioLevelExtension;
import org.sylkserver.media.HeaderExtension;
import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Stage;
import org.sylkserver.media.rtcp.ReceptionStatistics;
import org.sylkserver.media.rtcp.RtcpCompound;
import org.sylkserver.media.rtcp.RtcpPackets;
import org.sylkserver.media.webrtc.PayloadFormat;

/**
 * Reception statistics and reports of one {@link Publisher}'s media, one source per medium (a new SSRC starts its
 * statistics afresh); RTCP from the publisher ends here. A stage of its own, the publisher's first after its
 * transport, so that {@link Publisher} reads as the room's face of it. Its state is owned by the media engine's I/O
 * thread; what it shares with the publisher (the layers' SSRCs and bitrates, the feeds) is as the publisher documents.
 */
final class PublisherReception extends Stage {

    /** RFC 3550 §6.2: a receiver's reports, here at a fixed pace since the server is one receiver per publisher. */
    private static final long REPORT_INTERVAL = TimeUnit.SECONDS.toNanos(1);

    private final Publisher publisher;
    private final long ssrc;
    private final String cname;
    private final KeyframeRequests[] keyframes;
    /** The publisher's, written here as the layers are learnt. */
    private final long[] layerSsrcs;
    private final List<Feed> feeds;
    private final AudioLevelMeter audioLevel;
    private final Source audio = new Source();
    /** Per simulcast layer (layer 0 without simulcast). */
    private final Source[] videoLayers = {new Source(), new Source(), new Source()};
    private final LossDetector[] videoLoss = {new LossDetector(), new LossDetector(), new LossDetector()};
    private final long[] layerOctets = new long[RoomSdp.Simulcast.MAX_LAYERS];
    private boolean layersNamed;
    /** The retransmission SSRC of each simulcast layer, learnt from the repaired-rtp-stream-id, -1 unknown. */
    private final long[] repairSsrcs = {-1, -1, -1};
    /** A repaired packet unwrapped from its retransmission (RFC 4588 §4), reused. */
    private byte[] repaired = new byte[0];
    /** The start of the reports' interval; the first starts with the first RTP packet. */
    private long lastReport;
    private boolean reporting;
    /** Made with the first packet that carries a transport-wide sequence number. */
    private ArrivalFeedback arrivals;

    PublisherReception(Publisher publisher, long ssrc, String cname, KeyframeRequests[] keyframes, long[] layerSsrcs,
                       List<Feed> feeds, AudioLevelMeter audioLevel) {
        super("reception");
        this.publisher = publisher;
        this.ssrc = ssrc;
        this.cname = cname;
        this.keyframes = keyframes;
        this.layerSsrcs = layerSsrcs;
        this.feeds = feeds;
        this.audioLevel = audioLevel;
    }

    @Override
    protected Packet handle(Packet packet) {
        if (packet.isRtcp()) {
            RtcpCompound.Packet report = RtcpCompound.leadingSenderReport(packet.buffer());
            if (report != null) {
                for (Source source : new Source[]{audio, videoLayers[0], videoLayers[1], videoLayers[2]}) {
                    if (source.statistics != null && source.ssrc == report.senderSsrc()) {
                        source.statistics.senderReport(report.ntpMiddle32(), packet.arrivalNanos());
                    }
                }
                long rtpTimestamp = packet.buffer().getInt(packet.buffer().position() + 16) & 0xffffffffL;
                for (Feed feed : feeds) {
                    feed.senderReport(report.senderSsrc(), report.ntpTimestamp(), rtpTimestamp);
                }
            }
            return consume();
        }
        RtpHeader header = packet.header();
        RoomSdp.Negotiated formats = publisher.negotiated();
        if (formats != null && formats.transportCcId() > 0) {
            // every packet on the transport, whatever comes of it below (padding of probes, retransmissions)
            arrived(packet, header, formats.transportCcId());
        }
        boolean retransmission = formats != null && header.payloadType() == formats.videoRtx();
        if (retransmission) {
            header = repaired(packet, header, formats);
            if (header == null) {
                return consume();
            }
        }
        PayloadFormat format = formats == null ? null : formats.format(header.payloadType());
        if (format == null) {
            return drop();
        }
        int layer = 0;
        if (format == formats.video() && formats.simulcast() != null) {
            layer = learnLayer(packet, header, formats.simulcast());
            if (layer < 0) {
                return drop();
            }
        }
        if (format == formats.video() && (retransmission
                ? !videoLoss[layer].missing(header.ssrc(), header.sequence())
                : videoLoss[layer].arrived(header.ssrc(), header.sequence()))) {
            // not a repair: a bandwidth probe of the publisher's, a repair come twice or an original after its
            // repair; forwarded again, the feeds' SRTP would refuse it after it took a transport-wide number
            return consume();
        }
        if (format == formats.video() && !retransmission) {
            // what the layer sends, without the repairs and probes that come on top
            layerOctets[layer] += header.payloadLength();
        }
        Source source = format == formats.video() ? videoLayers[layer] : audio;
        if (source.statistics == null) {
            source.statistics = new ReceptionStatistics(format.map().clockRate());
        }
        source.ssrc = header.ssrc();
        source.statistics.received(header.ssrc(), header.sequence(), header.timestamp(), packet.arrivalNanos());
        if (source == audio) {
            // read in place from the header extension, no decoding (RFC 6464 §3)
            audioLevel.received(AudioLevelExtension.read(packet.buffer(), header, formats.audioLevelId()));
        }
        long now = packet.arrivalNanos();
        if (source != audio) {
            int missing = videoLoss[layer].received(header.ssrc(), header.sequence());
            if (missing > 0) {
                send(RtcpPackets.concat(source.report(now), RtcpPackets.genericNack(ssrc, header.ssrc(),
                        (header.sequence() - missing) & 0xffff, missing)));
            }
            if (keyframes[layer].due(now)) {
                send(RtcpPackets.concat(source.report(now),
                        RtcpPackets.pictureLossIndication(ssrc, source.ssrc)));
            }
        }
        if (!reporting) {
            // not from the publisher's creation: a first interval mostly before its media (DTLS, ICE) would
            // give its layers the bitrates of the one packet or two that ended it
            reporting = true;
            lastReport = now;
        }
        if (now - lastReport >= REPORT_INTERVAL) {
            reports(now, now - lastReport);
            lastReport = now;
        }
        return packet;
    }

    /** Notes the packet's transport-wide sequence number's arrival; sends the feedback when due. */
    private void arrived(Packet packet, RtpHeader header, int id) {
        long element = HeaderExtension.find(packet.buffer(), header, id);
        if (element < 0 || HeaderExtension.length(element) != 2) {
            return;
        }
        if (arrivals == null) {
            arrivals = new ArrivalFeedback(ssrc, packet.arrivalNanos());
        }
        ByteBuffer feedback = arrivals.received(packet.buffer().getShort(HeaderExtension.offset(element)) & 0xffff,
                header.ssrc(), packet.arrivalNanos());
        if (feedback != null) {
            // reduced-size RTCP (RFC 5506), as browsers send this feedback themselves
            send(feedback);
        }
    }

    /**
     * Once a second: a receiver report per source, the room's bitrate as REMB on the video's SSRCs, and the
     * simulcast layers' bitrates over the interval.
     */
    private void reports(long now, long interval) {
        long[] bitrates = new long[layerOctets.length];
        for (int layer = 0; layer < layerOctets.length; layer++) {
            bitrates[layer] = layerOctets[layer] * 8 * 1_000_000_000L / Math.max(1, interval);
            layerOctets[layer] = 0;
        }
        publisher.layerBitrates(bitrates);
        for (Source reported : new Source[]{audio, videoLayers[0], videoLayers[1], videoLayers[2]}) {
            if (reported.statistics != null) {
                send(reported.report(now));
            }
        }
        long bitrate = publisher.maxBitrate();
        Source video = videoLayers[0];
        if (bitrate > 0 && video.statistics != null) {
            long[] ssrcs = java.util.Arrays.stream(videoLayers).filter(l -> l.statistics != null)
                    .mapToLong(l -> l.ssrc).toArray();
            send(RtcpPackets.concat(video.report(now),
                    RtcpPackets.receiverEstimatedMaximumBitrate(ssrc, bitrate, ssrcs)));
        }
    }

    /**
     * The simulcast layer of a video packet: by its SSRC once known, else by the offer's SIM group, else by the
     * RFC 8852 {@code rtp-stream-id} it carries (browsers send it until the SSRC is acknowledged), which names the
     * SSRC's layer from then on; -1 when it cannot be told.
     */
    private int learnLayer(Packet packet, RtpHeader header, RoomSdp.Simulcast simulcast) {
        if (!layersNamed) {
            layersNamed = true;
            for (int layer = 0; layer < simulcast.ssrcs().size(); layer++) {
                layerSsrcs[layer] = simulcast.ssrcs().get(layer);
            }
        }
        int layer = publisher.layerOf(header.ssrc());
        if (layer >= 0 || simulcast.ridId() <= 0) {
            return layer;
        }
        layer = ridLayer(packet.buffer(), header, simulcast.ridId(), simulcast);
        if (layer >= 0) {
            layerSsrcs[layer] = header.ssrc();
        }
        return layer;
    }

    /**
     * Turns a retransmission of the publisher's video (RFC 4588 §4) into the original packet it repairs, in place
     * of the packet's bytes: the SSRC it repairs is the one {@code a=ssrc-group:FID} pairs it with (§8.3), or the
     * video's when the offer named none.
     *
     * @return the original's header, or null when there is nothing to repair (padding only, unknown stream)
     */
    private RtpHeader repaired(Packet packet, RtpHeader header, RoomSdp.Negotiated formats) {
        Long original = formats.repairs().get(header.ssrc());
        RoomSdp.Simulcast simulcast = formats.simulcast();
        long repairs;
        if (original != null) {
            repairs = original;
        } else if (simulcast == null) {
            repairs = videoLayers[0].statistics != null ? videoLayers[0].ssrc : -1;
        } else {
            // RFC 8852 §3.2: a retransmission names the layer it repairs by its repaired-rtp-stream-id (in its
            // first packets: its SSRC says it afterwards)
            int layer = -1;
            for (int known = 0; known < repairSsrcs.length; known++) {
                if (repairSsrcs[known] == header.ssrc()) {
                    layer = known;
                }
            }
            if (layer < 0) {
                layer = ridLayer(packet.buffer(), header, simulcast.repairedRidId(), simulcast);
                if (layer >= 0) {
                    repairSsrcs[layer] = header.ssrc();
                }
            }
            repairs = layer >= 0 ? layerSsrcs[layer] : -1;
        }
        ByteBuffer rtx = packet.buffer();
        if (repairs < 0) {
            return null;
        }
        if (repaired.length < rtx.remaining()) {
            repaired = new byte[rtx.remaining()];
        }
        int length = RtxPackets.unwrap(rtx, header, formats.video().payloadType(), repairs, repaired);
        if (length < 0) {
            return null;
        }
        ByteBuffer bytes = ByteBuffer.wrap(repaired, 0, length);
        RtpHeader parsed = RtpHeader.parse(bytes);
        packet.buffer(bytes);
        packet.header(parsed);
        return parsed;
    }

    /** The layer whose rid the header-extension element {@code id} names (compared in place), or -1. */
    private static int ridLayer(ByteBuffer buffer, RtpHeader header, int id, RoomSdp.Simulcast simulcast) {
        long element = HeaderExtension.find(buffer, header, id);
        if (element < 0) {
            return -1;
        }
        int at = HeaderExtension.offset(element);
        int length = HeaderExtension.length(element);
        for (int layer = 0; layer < simulcast.rids().size(); layer++) {
            String rid = simulcast.rids().get(layer);
            boolean same = rid.length() == length;
            for (int i = 0; same && i < length; i++) {
                same = buffer.get(at + i) == rid.charAt(i);
            }
            if (same) {
                return layer;
            }
        }
        return -1;
    }

    private void send(ByteBuffer rtcp) {
        Packet packet = new Packet(rtcp, null, System.nanoTime(), false);
        packet.rtcp(true);
        publisher.toPublisher(packet);
    }

    /** What the server received of one medium of the publisher. */
    private final class Source {
        private ReceptionStatistics statistics;
        private long ssrc;

        /** A receiver report on this source (RFC 3550 §6.4.2) with the SDES the compound needs (§6.1). */
        ByteBuffer report(long now) {
            return RtcpPackets.compound(PublisherReception.this.ssrc, 0, 0, 0, 0, statistics.reportBlock(now), cname,
                    false);
        }
    }
}
