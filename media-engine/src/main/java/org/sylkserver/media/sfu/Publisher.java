package org.sylkserver.media.sfu;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

import org.sylkserver.media.AudioLevelExtension;
import org.sylkserver.media.IceThread;
import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.mixer.Member;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Pipeline;
import org.sylkserver.media.pipeline.Stage;
import org.sylkserver.media.recording.PublisherRecording;
import org.sylkserver.media.recording.Recorder;
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
 * records). Everything runs on the publisher's {@link IceThread} (the media engine's I/O thread, or one of the
 * shared WebRTC port's), which its feeds' transports share, so that a packet's fan-out and the feeds' RTCP never run
 * at once; feeds are added and removed from the signalling threads (a copy-on-write list).
 */
public final class Publisher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger("sylk.media.sfu");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong IDS = new AtomicLong();
    /** The payload type of a {@link #local} publisher's Opus. */
    static final int LOCAL_OPUS_PT = 111;
    private static final PayloadFormat LOCAL_OPUS = new PayloadFormat(LOCAL_OPUS_PT,
            new RtpMap("111", "opus", 48_000, "2"), "minptime=10;useinbandfec=1", List.of());

    private final String name;
    private final MediaEngine engine;
    /** Where the publisher's packets and those of all its feeds are handled. */
    private final IceThread thread;
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
    /**
     * Its video packets as the feeds got them, once for all the feeds that answer NACKs on a retransmission stream
     * ({@link ForwardedPackets}); a stream per simulcast layer (I/O thread).
     */
    private final RetransmissionCache kept;
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
        this.kept = RetransmissionCache.learning(settings.retransmissionCacheSize(), RoomSdp.Simulcast.MAX_LAYERS);
        for (int layer = 0; layer < keyframes.length; layer++) {
            keyframes[layer] = new KeyframeRequests(settings.keyframeRequestInterval().toNanos());
        }
        PublisherReception reception = new PublisherReception(this, ssrc, cname, keyframes, layerSsrcs, feeds,
                audioLevel);
        // the engine's least busy thread, which the feeds then share
        this.transport = WebRtcTransport.open(engine, null, name, List.of(reception, fanout), listener);
        this.thread = transport.thread();
        this.toPublisher = Pipeline.named(name + " to publisher").then(transport.encryption())
                .then(transport.sending()).build();
    }

    /** A publisher whose audio the server makes ({@link #local}): no transport of its own. */
    private Publisher(MediaEngine engine, String name, SfuSettings settings) {
        this.name = name;
        this.engine = engine;
        this.thread = engine.iceThread();
        this.settings = settings;
        this.kept = RetransmissionCache.learning(settings.retransmissionCacheSize(), RoomSdp.Simulcast.MAX_LAYERS);
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
     * the publisher's SSRC goes, on its feeds' thread like every forwarded packet, to every feed (which rewrites
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
        thread.execute(() -> fanout.local(packet));
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
        Feed feed = new Feed(engine, thread, feedName, this, negotiated, settings.retransmissionCacheSize(), listener);
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

    /** The negotiated formats, for the {@link PublisherReception}. */
    RoomSdp.Negotiated negotiated() {
        return negotiated;
    }

    /** The room's bitrate for the video (bit/s, 0 for none), for the {@link PublisherReception}. */
    long maxBitrate() {
        return maxBitrate;
    }

    /** The layers' bitrates over the last second, from the {@link PublisherReception}. I/O thread. */
    void layerBitrates(long[] bitrates) {
        layerBitrates = bitrates;
    }

    /** RTCP of the {@link PublisherReception} to the publisher's browser. I/O thread. */
    void toPublisher(Packet packet) {
        toPublisher.accept(packet);
    }

    /** Its video packets as the feeds got them, for their retransmissions. I/O thread. */
    RetransmissionCache kept() {
        return kept;
    }

    void removed(Feed feed) {
        feeds.remove(feed);
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
            if (isVideo) {
                kept.keep(packet.header(), packet.buffer());
            }
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
