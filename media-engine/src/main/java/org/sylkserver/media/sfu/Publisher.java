package org.sylkserver.media.sfu;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

import org.sylkserver.media.AudioLevelExtension;
import org.sylkserver.media.HeaderExtension;
import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.mixer.Member;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Pipeline;
import org.sylkserver.media.pipeline.Stage;
import org.sylkserver.media.recording.PublisherRecording;
import org.sylkserver.media.recording.Recorder;
import org.sylkserver.media.rtcp.ReceptionStatistics;
import org.sylkserver.media.rtcp.RtcpCompound;
import org.sylkserver.media.rtcp.RtcpPackets;
import org.sylkserver.media.sdp.AudioAnswerer;
import org.sylkserver.media.webrtc.PayloadFormat;
import org.sylkserver.media.webrtc.WebRtcTransport;
import org.sylkserver.protocols.sdp.RtpMap;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * One publisher of a video room: the PeerConnection on which a browser sends its audio and video to the server
 * (spec §4.6.2), and the {@link Feed}s that forward them to the other members (§4.6.4).
 *
 * <p>A datagram from the publisher goes through its {@link WebRtcTransport} (ICE, DTLS, SRTP, validation), then
 * {@code reception} (RFC 3550 §6.4: reception statistics per source, and the audio's RFC 6464 level; RTCP from the
 * publisher ends here, a sender report noted for the round-trip fields and restated to every feed; once a second a
 * receiver report goes back, and a coalesced keyframe request when a feed asked, {@link KeyframeRequests}, and the
 * room's bitrate as REMB; when the browser numbers its packets for transport-wide congestion control, their arrival
 * times every 100 ms, {@link ArrivalFeedback}, from which it estimates its bandwidth, the REMB capping it; a gap in
 * the video is asked for again at once, RFC 4585 §6.2.1, and what comes back on the
 * publisher's retransmission stream, RFC 4588, goes on as the original packet) and {@code fan-out} (a copy to every
 * feed, which rewrites and encrypts it for its own browser, and one to the {@link PublisherRecording} when the room
 * records). Everything runs on the media engine's I/O thread; feeds are added and removed from the
 * signalling threads (a copy-on-write list).
 */
public final class Publisher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger("sylk.media.sfu");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong IDS = new AtomicLong();
    /** The payload type of a {@link #local} publisher's Opus. */
    static final int LOCAL_OPUS_PT = 111;
    private static final PayloadFormat LOCAL_OPUS = new PayloadFormat(LOCAL_OPUS_PT,
            new RtpMap("111", "opus", 48_000, "2"), "minptime=10;useinbandfec=1", List.of());
    /** RFC 3550 §6.2: a receiver's reports, here at a fixed pace since the server is one receiver per publisher. */
    private static final long REPORT_INTERVAL = TimeUnit.SECONDS.toNanos(1);

    private final String name;
    private final MediaEngine engine;
    private final SfuSettings settings;
    private final WebRtcTransport transport;
    private final long ssrc = RANDOM.nextInt() & 0xffffffffL;
    private final String cname = "sylk-sfu-" + IDS.incrementAndGet();
    /** Per simulcast layer (layer 0 without simulcast). */
    private final KeyframeRequests[] keyframes = new KeyframeRequests[RoomSdp.Simulcast.MAX_LAYERS];
    /**
     * The SSRC of each simulcast layer as learnt from the offer's SIM group or the packets' rids, -1 while unknown
     * (written and read on the I/O thread).
     */
    private final long[] layerSsrcs = {-1, -1, -1};
    /** What each layer sent over the last second, in bit/s (replaced whole once a second by the I/O thread). */
    private volatile long[] layerBitrates = new long[RoomSdp.Simulcast.MAX_LAYERS];
    private final List<Feed> feeds = new CopyOnWriteArrayList<>();
    private final Pipeline toPublisher;
    private final AudioLevelMeter audioLevel = new AudioLevelMeter();
    private volatile RoomSdp.Negotiated negotiated;
    /** The room's bitrate for this publisher's video, in bit/s; 0 for none. */
    private volatile long maxBitrate;
    private volatile boolean audioOn = true;
    private volatile boolean videoOn = true;
    private volatile PublisherRecording recording;
    /** Its voice in the room's mix (for the room's phones and mixed recording), or null. */
    private volatile Member mixed;
    private final Fanout fanout = new Fanout();
    /** RTP state of a {@link #local} publisher's audio (its one sending thread). */
    private int localSequence = RANDOM.nextInt(1 << 16);
    private long localTimestamp = RANDOM.nextInt() & 0xffffffffL;
    /** Whether {@link #close()} began: {@link #mixInto} adds nothing any more (guarded by this). */
    private boolean closed;

    private Publisher(MediaEngine engine, String name, SfuSettings settings, WebRtcTransport.Listener listener)
            throws IOException {
        this.name = name;
        this.engine = engine;
        this.settings = settings;
        for (int layer = 0; layer < keyframes.length; layer++) {
            keyframes[layer] = new KeyframeRequests(settings.keyframeRequestInterval().toNanos());
        }
        this.transport = WebRtcTransport.open(engine, name, List.of(new Reception(), fanout), listener);
        this.toPublisher = Pipeline.named(name + " to publisher").then(transport.encryption())
                .then(transport.sending()).build();
    }

    /** A publisher whose audio the server makes ({@link #local}): no transport of its own. */
    private Publisher(MediaEngine engine, String name, SfuSettings settings) {
        this.name = name;
        this.engine = engine;
        this.settings = settings;
        for (int layer = 0; layer < keyframes.length; layer++) {
            keyframes[layer] = new KeyframeRequests(settings.keyframeRequestInterval().toNanos());
        }
        this.transport = null;
        this.toPublisher = null;
        this.negotiated = new RoomSdp.Negotiated(LOCAL_OPUS, null, null, 0, -1, Map.of(), null, 0);
    }

    /**
     * An audio-only publisher whose Opus frames the server makes ({@link #sendAudio}): a SIP phone's voice in a video
     * room (issue 13), forwarded to feeds like a browser's. Opus under payload type {@value #LOCAL_OPUS_PT}, as
     * browsers number it, mono (RFC 7587 §6.1 {@code opus/48000/2} is the RTP name whatever the channels).
     */
    public static Publisher local(MediaEngine engine, String name, SfuSettings settings) {
        return new Publisher(engine, name, settings);
    }

    /**
     * One Opus frame of a {@link #local} publisher (one thread at a time, e.g. the mixing thread): an RTP packet with
     * the publisher's SSRC goes, on the engine's I/O thread like every forwarded packet, to every feed (which rewrites
     * and encrypts it for its browser) and to its recording.
     *
     * @param timestampIncrement 48 kHz ticks since the previous frame
     * @param marker             first frame after a silence or the start (RFC 3551 §4.1)
     */
    public void sendAudio(byte[] payload, int timestampIncrement, boolean marker) {
        localTimestamp += timestampIncrement;
        ByteBuffer rtp = ByteBuffer.allocate(RtpHeader.FIXED_LENGTH + payload.length)
                .put((byte) 0x80).put((byte) ((marker ? 0x80 : 0) | LOCAL_OPUS_PT))
                .putShort((short) localSequence++).putInt((int) localTimestamp).putInt((int) ssrc).put(payload).flip();
        Packet packet = new Packet(rtp, null, System.nanoTime(), false);
        packet.header(RtpHeader.parse(rtp));
        engine.onIoThread(() -> fanout.local(packet));
    }

    /**
     * A publisher from its browser's offer (spec §4.6.2): answers it ({@link #answer()}) and waits for the browser's
     * ICE checks and DTLS.
     *
     * @param name     for the logs (the sylkRTC session id)
     * @param listener learns when the media are up or lost
     * @throws SdpException the offer is malformed, lacks what WebRTC needs (ICE, fingerprint) or has no audio and
     *                      video the room can take
     * @throws IOException  no ports are free, or the engine is closed
     */
    public static Publisher fromOffer(MediaEngine engine, String name, String offerSdp, SfuSettings settings,
                                      WebRtcTransport.Listener listener) throws SdpException, IOException {
        SessionDescription offer = SessionDescription.parse(offerSdp);
        Publisher publisher = new Publisher(engine, name, settings, listener);
        try {
            publisher.negotiated = RoomSdp.answerPublisher(offer, publisher.transport.mediaLines("passive"),
                    publisher.transport.port(), settings.videoCodec(), settings.audio(), settings.video(),
                    new AudioAnswerer.Origin(), engine.sdpAddress());
            publisher.transport.remoteDescription(offer, true);
            return publisher;
        } catch (SdpException | RuntimeException e) {
            publisher.close();
            throw e;
        }
    }

    /** The answer for the publisher's browser. */
    public String answer() {
        return negotiated.answer().toString();
    }

    /** Whether the publisher sends audio; {@link #hasVideo()} video. */
    public boolean hasAudio() {
        return negotiated.audio() != null;
    }

    public boolean hasVideo() {
        return negotiated.video() != null;
    }

    /**
     * A new feed of this publisher's media for another member (spec §4.6.4): its offer is {@link Feed#offer()}.
     *
     * @throws IOException no ports are free, or the engine is closed
     */
    public Feed subscribe(String feedName, WebRtcTransport.Listener listener) throws IOException {
        Feed feed = new Feed(engine, feedName, this, negotiated, settings.retransmissionCacheSize(), listener);
        feeds.add(feed);
        return feed;
    }

    /**
     * Records what the publisher sends from now on (spec §8.3 {@code record}): its Opus audio and its video, as the
     * feeds get them, in files of {@code directory} named after {@code baseName}; ended by {@link #close()}. A
     * publisher is recorded once: a second call does nothing.
     */
    public synchronized void record(Recorder recorder, Path directory, String baseName, List<String> tags) {
        if (recording != null) {
            return;
        }
        PayloadFormat audio = negotiated.audio();
        PayloadFormat video = negotiated.video();
        int channels = audio == null ? 0 : audio.parameter("stereo", "0").equals("1") ? 2 : 1;
        recording = recorder.start(directory, baseName, channels, video == null ? null : video.map().name(), tags,
                this::requestKeyframe);
    }

    /**
     * Adds the publisher's audio, as its feeds get it (paused with them), to the room's {@code mix} from now on;
     * ended by {@link #close()}. Nothing for a publisher without audio, or already in a mix.
     */
    public synchronized void mixInto(RoomMix mix) {
        PayloadFormat audio = negotiated.audio();
        if (closed || audio == null || mixed != null) {
            return;
        }
        mixed = mix.talker(name, audio.payloadType());
    }

    /**
     * Takes the publisher's audio out of the mix {@link #mixInto} added it to (a room's mix that nobody needs any
     * more), so that it may be added to another; nothing when it is in none.
     */
    public synchronized void leaveMix() {
        if (mixed != null) {
            mixed.leave();
            mixed = null;
        }
    }

    /** Ends the publisher's media, its recording, its part in the mix and every feed of it; idempotent. */
    @Override
    public void close() {
        Member inMix;
        synchronized (this) {
            closed = true; // a mixInto racing the close adds no talker that nobody would remove
            inMix = mixed;
        }
        if (transport != null) {
            transport.close();
        }
        if (inMix != null) {
            inMix.leave();
        }
        PublisherRecording recorded = recording;
        if (recorded != null) {
            recorded.close();
        }
        for (Feed feed : feeds) {
            feed.close();
        }
        LOG.info(() -> name + ": closed, " + transport + ", keyframe requests sent "
                + (keyframes[0].forwarded() + keyframes[1].forwarded() + keyframes[2].forwarded()));
    }

    /**
     * A candidate the browser trickled (validated and logged: a lite agent needs none, RFC 8445 §2.5).
     *
     * @throws IllegalArgumentException a candidate line that is not RFC 8839 §5.1 syntax
     */
    public void addBrowserCandidate(String sdpMid, int sdpMLineIndex, String candidate) {
        if (transport == null) {
            return;
        }
        transport.addBrowserCandidate(sdpMid, sdpMLineIndex, candidate);
    }

    @Override
    public String toString() {
        return name;
    }

    /**
     * The most the publisher's video may take, in bit/s (the room's policy, spec §4.6.6), sent to its browser as REMB
     * with every receiver report; 0 sends none.
     */
    public void maxBitrate(long bitsPerSecond) {
        maxBitrate = bitsPerSecond;
    }

    /**
     * Whether the publisher's audio and video reach its feeds (sylkRTC {@code videoroom-session-update} on the
     * publisher session, the original's Janus {@code configure}); a resumed video starts with a keyframe.
     */
    public void forwarding(boolean audio, boolean video) {
        if (video && !videoOn) {
            requestKeyframe();
        }
        audioOn = audio;
        videoOn = video;
    }

    /**
     * The publisher's loudest audio level since the previous call (RFC 6464 §3: −dBov, 0 the loudest, 127 silence,
     * also when its audio is paused or carries no levels), for the room's levels and active speaker: one caller, at a
     * regular pace.
     */
    public int audioLevel() {
        int level = audioLevel.read();
        return audioOn ? level : AudioLevelMeter.SILENCE;
    }

    /** A feed asks for a keyframe (its browser's PLI or FIR, or it just connected); any thread. */
    void requestKeyframe() {
        for (KeyframeRequests layer : keyframes) {
            layer.request();
        }
    }

    /** A feed waits for a keyframe of simulcast layer {@code layer} to switch to it; any thread. */
    void requestKeyframe(int layer) {
        keyframes[layer].request();
    }

    /** Whether the publisher sends its video in simulcast layers (RFC 8853), which each feed chooses among. */
    boolean simulcast() {
        return negotiated.simulcast() != null;
    }

    /** What each simulcast layer sent over the last second (bit/s; 0 for a layer not sending); do not modify. */
    long[] layerBitrates() {
        return layerBitrates;
    }

    /** The simulcast layer of video packets of {@code ssrc} (0 without simulcast), -1 when unknown. I/O thread. */
    int layerOf(long ssrc) {
        if (negotiated.simulcast() == null) {
            return 0;
        }
        for (int layer = 0; layer < layerSsrcs.length; layer++) {
            if (layerSsrcs[layer] == ssrc) {
                return layer;
            }
        }
        return -1;
    }

    void removed(Feed feed) {
        feeds.remove(feed);
    }

    /**
     * Reception statistics and reports, one source per medium (a new SSRC starts its statistics afresh); RTCP from
     * the publisher ends here. I/O thread.
     */
    private final class Reception extends Stage {
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

        Reception() {
            super("reception");
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
            RoomSdp.Negotiated formats = negotiated;
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
            layerBitrates = bitrates;
            for (Source reported : new Source[]{audio, videoLayers[0], videoLayers[1], videoLayers[2]}) {
                if (reported.statistics != null) {
                    send(reported.report(now));
                }
            }
            long bitrate = maxBitrate;
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
            int layer = layerOf(header.ssrc());
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
            toPublisher.accept(packet);
        }

        /** What the server received of one medium of the publisher. */
        private final class Source {
            private ReceptionStatistics statistics;
            private long ssrc;

            /** A receiver report on this source (RFC 3550 §6.4.2) with the SDES the compound needs (§6.1). */
            ByteBuffer report(long now) {
                return RtcpPackets.compound(Publisher.this.ssrc, 0, 0, 0, 0, statistics.reportBlock(now), cname,
                        false);
            }
        }
    }

    /** A copy of each packet to every feed. I/O thread. */
    private final class Fanout extends Stage {
        Fanout() {
            super("fan-out");
        }

        /** A packet of a {@link #local} publisher. */
        void local(Packet packet) {
            handle(packet);
        }

        @Override
        protected Packet handle(Packet packet) {
            RoomSdp.Negotiated formats = negotiated;
            boolean isVideo = formats.video() != null && packet.header().payloadType() == formats.video().payloadType();
            if (!(isVideo ? videoOn : audioOn)) {
                return consume();
            }
            int layer = isVideo ? layerOf(packet.header().ssrc()) : 0;
            for (Feed feed : feeds) {
                feed.forward(packet, layer);
            }
            PublisherRecording recorded = recording;
            if (recorded != null && layer == 0) {
                // one stream per file: of simulcast, the first layer the publisher listed
                recorded.offer(packet.buffer(), packet.header(), isVideo);
            }
            Member inMix = mixed;
            if (inMix != null && !isVideo) {
                RtpHeader header = packet.header();
                byte[] payload = new byte[header.payloadLength()];
                packet.buffer().get(packet.buffer().position() + header.headerLength(), payload);
                inMix.offer(header, payload, packet.arrivalNanos(),
                        AudioLevelExtension.read(packet.buffer(), header, formats.audioLevelId()));
            }
            return consume();
        }
    }
}
