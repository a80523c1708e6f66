package org.sylkserver.media.sfu;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

import org.sylkserver.media.IceThread;
import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Pipeline;
import org.sylkserver.media.pipeline.Stage;
import org.sylkserver.media.rtcp.RtcpCompound;
import org.sylkserver.media.rtcp.ReportBlock;
import org.sylkserver.media.rtcp.RtcpPackets;
import org.sylkserver.media.rtcp.TransportFeedback;
import org.sylkserver.media.sdp.AudioAnswerer;
import org.sylkserver.media.webrtc.WebRtcTransport;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * One subscription to a {@link Publisher}: the PeerConnection the server offers to a member's browser with the
 * publisher's audio and video (spec §4.6.4).
 *
 * <p>Forwarded packets (on the I/O thread) are copied once into the feed's own buffer, reused for each, and go
 * {@code rewriting} ({@link StreamRewriter}: the feed's own SSRC, sequence numbers and timestamps per medium) → SRTP
 * encryption with the feed's keys, in that buffer → {@link RetransmissionCache} (a copy in its own slots, per stream) →
 * sending; with a retransmission stream, the cache's place is taken by {@code noting} (below).
 * The publisher's packet, which every feed reads, is never written. From the feed's browser only RTCP is taken
 * ({@code feedback}): PLI and FIR become a keyframe request to the publisher (coalesced there), generic NACKs are
 * answered from the cache, receiver reports end here.
 *
 * <p>A browser that accepted the offered retransmission format (RFC 4588, {@link RtxPackets}) gets each video packet
 * it asks for again on the feed's retransmission stream: a new packet with its own sequence number, encrypted like
 * any other. The feed then keeps no copy of its own: the publisher keeps each of its video packets once for all its
 * feeds, and the feed notes what it changed in it ({@link ForwardedPackets}), from which the packet it sent is rebuilt
 * byte for byte. A browser that did not gets the very SRTP packet that was lost, from the feed's cache.
 *
 * <p>Of a publisher that sends simulcast layers (RFC 8853), the feed forwards one: the {@link LayerSelector} picks it
 * from the browser's bandwidth (the loss its receiver reports show, lowered by its REMB) and the user's cap
 * ({@link #maxBitrate}), the {@link LayerSwitch} moves to it at its next key frame (asking the publisher for one;
 * the {@link PayloadDescriptor} of the codec tells key frames), and the VP8 or VP9 picture ids follow on across the
 * switch ({@link PictureRewriter}) as sequence numbers and timestamps do (H.264 has none).
 *
 * <p>A browser that accepted the transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-extensions-01
 * §2) gets every packet with one ({@code sequencing}, after the rewriting, so that a dropped packet takes no number;
 * the publisher's header extensions, which the feed did not offer, are replaced by it in the copy) and sends
 * transport-wide feedback (§3.1) instead of REMB: the feed's {@link SendSideEstimator} turns it into the estimate the
 * layer selection uses ({@link FeedBandwidth}). Such a feed with a retransmission stream probes its path before it
 * moves up a layer ({@link BandwidthProbe}): for half a second it adds retransmission-stream copies of its newest
 * video packet up to the higher layer's rate, and moves up only if the feedback shows them delivered.
 */
public final class Feed implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger("sylk.media.sfu");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Timestamp steps between two sources of a stream: one 30 fps frame at 90 kHz, one 20 ms Opus frame. */
    private static final int VIDEO_STEP = 3000;
    private static final int AUDIO_STEP = 960;
    /** Room after a forwarded packet for its SRTP authentication tag (10 bytes at most, RFC 4568 §6.2). */
    private static final int SRTP_TAG_ROOM = 16;
    /** The most probe packets sent after one forwarded packet (a probe's rate is kept over its half second). */
    private static final int MOST_PROBES_AT_ONCE = 4;

    private final String name;
    private final Publisher publisher;
    private final RoomSdp.Negotiated formats;
    private final WebRtcTransport transport;
    private final StreamRewriter audio = rewriter(AUDIO_STEP);
    private final StreamRewriter video = rewriter(VIDEO_STEP);
    /** The feed's retransmission stream of the video (RFC 4588 §4: an SSRC and sequence numbers of its own). */
    private final long rtxSsrc = RANDOM.nextInt() & 0xffffffffL;
    private int rtxSequence = RANDOM.nextInt(1 << 16);
    /** The SRTP packets sent, for a browser without a retransmission stream. */
    private final RetransmissionCache cache;
    /** The video packets sent, for a browser with a retransmission stream (their bytes kept by the publisher). */
    private final ForwardedPackets forwardedVideo;
    /** The publisher's packet being forwarded (I/O thread, while {@code forwarding} handles the feed's copy). */
    private Packet publisherPacket;
    /** Built by {@link #answer}, which learns whether the browser takes retransmissions; read after {@code answered}. */
    private Pipeline forwarding;
    private Pipeline retransmissions;
    /** The retransmission payload type the browser accepted, or -1 (set with {@code forwarding}). */
    private int rtxPayloadType = -1;
    /** A retransmission packet being sent (I/O thread), reused. */
    private byte[] repair = new byte[0];
    private final FeedBandwidth bandwidth = new FeedBandwidth();
    private final LayerSwitch layers = new LayerSwitch();
    /** The room's video codec's payload descriptor (VP8, VP9 or H.264) of a simulcast publisher, else null. */
    private final PayloadDescriptor descriptor;
    private final PictureRewriter pictures;
    /** The transport-wide sequence numbers if the browser accepted them, else null (set with {@code forwarding}). */
    private TransportSequencing sequencing;
    private final Pipeline reports;
    private final String cname;
    private final String offer;
    private final AtomicBoolean closed = new AtomicBoolean();
    /**
     * The packet being forwarded: the feed's copy of the publisher's, rewritten and encrypted in place, then sent
     * before the next one is copied in (I/O thread; no stage keeps it).
     */
    private byte[] forwarded = new byte[0];
    private volatile boolean answered;
    private volatile boolean audioOn = true;
    private volatile boolean videoOn = true;
    private volatile long retransmitted;

    /** A feed whose packets are handled on {@code thread}, its publisher's. */
    Feed(MediaEngine engine, IceThread thread, String name, Publisher publisher, RoomSdp.Negotiated formats,
         int cacheSize, WebRtcTransport.Listener listener) throws IOException {
        this.name = name;
        this.publisher = publisher;
        this.formats = formats;
        this.cache = new RetransmissionCache(cacheSize, audio.ssrc(), video.ssrc());
        this.forwardedVideo = new ForwardedPackets(cacheSize);
        this.descriptor = formats.simulcast() == null ? null : PayloadDescriptor.of(formats.video().map().name());
        this.pictures = descriptor == null ? null : new PictureRewriter(descriptor);
        this.transport = WebRtcTransport.open(engine, thread, name, List.of(new Feedback()),
                new WebRtcTransport.Listener() {
                    @Override
                    public void connected() {
                        // a new receiver cannot decode anything before a keyframe
                        publisher.requestKeyframe();
                        listener.connected();
                    }

                    @Override
                    public void failed(String reason) {
                        listener.failed(reason);
                    }
                });
        this.reports = Pipeline.named(name + " reports").then(transport.encryption()).then(transport.sending())
                .build();
        this.cname = "sylk-" + Long.toHexString(RANDOM.nextLong() >>> 1);
        this.offer = RoomSdp.offerFeed(formats, transport.mediaLines("actpass"), transport.port(), audio.ssrc(),
                video.ssrc(), rtxSsrc, cname, new AudioAnswerer.Origin(), engine.sdpAddress()).toString();
    }

    private static StreamRewriter rewriter(int step) {
        return new StreamRewriter(RANDOM.nextInt() & 0xffffffffL, RANDOM.nextInt(1 << 16),
                RANDOM.nextInt() & 0xffffffffL, step);
    }

    /** The server's offer for the subscriber's browser. */
    public String offer() {
        return offer;
    }

    /**
     * The browser's answer to {@link #offer()}: DTLS starts (the browser opens it, we are the server).
     *
     * @throws SdpException the answer is malformed or lacks what WebRTC needs
     */
    public synchronized void answer(String answerSdp) throws SdpException {
        SessionDescription answer = SessionDescription.parse(answerSdp);
        transport.remoteDescription(answer, false);
        if (answered) {
            return;
        }
        if (formats.video() != null) {
            rtxPayloadType = RoomSdp.acceptedRtx(answer, formats.video().payloadType());
        }
        int transportCcId = RoomSdp.acceptedTransportCc(answer);
        Pipeline.Builder sent = Pipeline.named(name + " forwarding").then(new Rewriting());
        if (transportCcId > 0) {
            sequencing = new TransportSequencing(transportCcId, bandwidth);
            sent.then(sequencing);
        }
        Pipeline.Builder again = Pipeline.named(name + " retransmissions");
        if (rtxPayloadType >= 0) {
            // noted in the clear: a retransmission packet is a new packet, encrypted when sent (RFC 4588 §4)
            sent.then(new Noting()).then(transport.encryptionInPlace());
            again.then(transport.encryptionInPlace());
        } else {
            // kept as sent: the same SRTP packet again, no second encryption of one SRTP index (RFC 3711 §9.1)
            sent.then(transport.encryptionInPlace()).then(cache);
        }
        forwarding = sent.then(transport.sending()).build();
        retransmissions = again.then(transport.sending()).build();
        bandwidth.probeFirst(descriptor != null && sequencing != null && rtxPayloadType >= 0);
        answered = true;
    }

    /**
     * Pauses or resumes what the feed forwards (sylkRTC {@code videoroom-session-update} on a feed, spec §4.6.4); a
     * resumed video asks the publisher for a keyframe, which the browser needs before it can decode again.
     */
    public void forwarding(boolean audio, boolean video) {
        if (video && !videoOn) {
            publisher.requestKeyframe();
        }
        audioOn = audio;
        videoOn = video;
    }

    /**
     * The most the feed's video may take, in bit/s ({@code videoroom-session-update} {@code bitrate} on a feed,
     * spec §4.4): of a simulcast publisher, the feed forwards the best layer under it; {@code Long.MAX_VALUE} for no
     * limit.
     */
    public void maxBitrate(long bitsPerSecond) {
        bandwidth.cap(bitsPerSecond);
    }

    /** Ends the feed's media; idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            publisher.removed(this);
            transport.close();
            LOG.info(() -> name + ": closed, " + forwarding + ", " + retransmitted + " retransmitted, " + transport);
        }
    }

    /**
     * A candidate the browser trickled (validated and logged: a lite agent needs none, RFC 8445 §2.5).
     *
     * @throws IllegalArgumentException a candidate line that is not RFC 8839 §5.1 syntax
     */
    public void addBrowserCandidate(String sdpMid, int sdpMLineIndex, String candidate) {
        transport.addBrowserCandidate(sdpMid, sdpMLineIndex, candidate);
    }

    @Override
    public String toString() {
        return name;
    }

    /** The feed's bandwidth budget now (bit/s): its estimate of the browser's path, under the user's cap. */
    long budget() {
        return bandwidth.budget();
    }

    /** Packets sent again for NACKs. */
    long retransmitted() {
        return retransmitted;
    }

    /**
     * A packet of the publisher, decrypted (I/O thread): a copy goes to the browser, unless it is of a simulcast
     * layer ({@code layer}, 0 without simulcast, -1 unknown) the feed does not forward now.
     */
    void forward(Packet original, int layer) {
        if (!answered || !transport.isConnected()) {
            return;
        }
        RtpHeader header = original.header();
        if (descriptor != null && isVideo(header) && !forwardsLayer(original.buffer(), header, layer,
                original.arrivalNanos())) {
            return;
        }
        ByteBuffer source = original.buffer();
        int length = source.remaining();
        if (forwarded.length < length + TransportSequencing.BLOCK + SRTP_TAG_ROOM) {
            forwarded = new byte[length + TransportSequencing.BLOCK + SRTP_TAG_ROOM];
        }
        Packet packet;
        if (sequencing != null) {
            length = sequencing.copy(source, header, forwarded);
            ByteBuffer copy = ByteBuffer.wrap(forwarded, 0, length);
            packet = new Packet(copy, null, original.arrivalNanos(), false);
            packet.header(RtpHeader.parse(copy));
        } else {
            source.get(source.position(), forwarded, 0, length);
            packet = new Packet(ByteBuffer.wrap(forwarded, 0, length), null, original.arrivalNanos(), false);
            packet.header(original.header());
        }
        publisherPacket = original;
        forwarding.accept(packet);
        publisherPacket = null;
        if (descriptor != null) {
            probe(original.arrivalNanos());
        }
    }

    /**
     * The probe packets due while the feed probes its path before a move up ({@link BandwidthProbe}): copies of the
     * newest video packet sent on the retransmission stream (RFC 4588 §4: the browser keeps one copy of a packet and
     * drops the others), each with a transport-wide number, until the probe's rate is kept; at most
     * {@link #MOST_PROBES_AT_ONCE} per forwarded packet.
     */
    private void probe(long now) {
        for (int i = 0; i < MOST_PROBES_AT_ONCE && bandwidth.probeBytesDue(now) > 0; i++) {
            ByteBuffer kept = forwardedVideo.rebuild(video.lastSequence(), publisher.kept());
            if (kept == null) {
                return;
            }
            retransmissions.accept(repair(kept, now));
        }
    }

    private boolean isVideo(RtpHeader header) {
        return formats.video() != null && header.payloadType() == formats.video().payloadType();
    }

    /**
     * Whether a video packet of simulcast layer {@code layer}, arrived at {@code now}, is forwarded: the target layer
     * is chosen again (the lowest listed before the layers' bitrates are known; the selector changes it only on a
     * sustained change), and a switch to it happens at its key frame.
     */
    private boolean forwardsLayer(ByteBuffer packet, RtpHeader header, int layer, long now) {
        if (layer < 0) {
            return false;
        }
        int chosen = bandwidth.choose(publisher.layerBitrates(), now);
        layers.target(chosen >= 0 ? chosen : layers.current() < 0 ? 0 : -1);
        int payload = packet.position() + header.headerLength();
        boolean keyframe = layers.wantsKeyframe() && descriptor.startsKeyframe(packet, payload,
                header.payloadLength());
        if (!layers.forwards(layer, keyframe)) {
            if (layers.wantsKeyframe()) {
                publisher.requestKeyframe(layers.target());
            }
            return false;
        }
        if (layers.switched()) {
            video.sourceSwitched();
            long[] rates = publisher.layerBitrates();
            String estimate = sequencing == null ? "" : " (transport-wide feedback: " + bandwidth + ")";
            LOG.info(() -> name + ": simulcast layer " + layers.current() + " of " + java.util.Arrays.toString(rates)
                    + " bit/s, budget " + bandwidth.budget() + estimate);
        }
        return true;
    }

    /** The retransmission packet of the video packet {@code kept} (RFC 4588 §4), in the feed's reused array. */
    private Packet repair(ByteBuffer kept, long arrivalNanos) {
        RtpHeader original = RtpHeader.parse(kept);
        int length = kept.remaining() + RtxPackets.OSN_LENGTH;
        if (repair.length < length + SRTP_TAG_ROOM) {
            repair = new byte[length + SRTP_TAG_ROOM];
        }
        length = RtxPackets.wrap(kept, original, rtxPayloadType, rtxSsrc, rtxSequence, repair);
        rtxSequence = (rtxSequence + 1) & 0xffff;
        ByteBuffer bytes = ByteBuffer.wrap(repair, 0, length);
        Packet packet = new Packet(bytes, null, arrivalNanos, false);
        packet.header(RtpHeader.parse(bytes));
        if (sequencing != null) {
            // a new packet on the transport: a number of its own (draft-holmer-...-01 §2)
            sequencing.number(bytes, packet.header());
        }
        return packet;
    }

    /**
     * A sender report of the publisher (I/O thread), restated for the feed's browser (RFC 3550 §6.4.1): the feed's
     * SSRC, the same NTP time with the RTP timestamp on the feed's clock, the feed's own counts. It is what lets the
     * browser play the feed's audio and video in sync (the NTP/RTP pair of each stream).
     */
    void senderReport(long sourceSsrc, long ntpTimestamp, long rtpTimestamp) {
        if (!answered || !transport.isConnected()) {
            return;
        }
        for (StreamRewriter stream : new StreamRewriter[]{audio, video}) {
            long timestamp = stream.timestamp(sourceSsrc, rtpTimestamp);
            if (timestamp >= 0) {
                Packet report = new Packet(RtcpPackets.compound(stream.ssrc(), ntpTimestamp, timestamp,
                        stream.packets(), stream.octets(), null, cname, false), null, System.nanoTime(), false);
                report.rtcp(true);
                reports.accept(report);
            }
        }
    }

    /**
     * The feed's SSRC, sequence number and timestamp for the packet's medium; a paused medium ends here, its packets
     * taken out of the numbering ({@link StreamRewriter#skip}).
     */
    private final class Rewriting extends Stage {
        Rewriting() {
            super("rewriting");
        }

        @Override
        protected Packet handle(Packet packet) {
            RtpHeader header = packet.header();
            boolean isVideo = isVideo(header);
            StreamRewriter stream = isVideo ? video : audio;
            if (!(isVideo ? videoOn : audioOn)) {
                stream.skip(header);
                return consume();
            }
            if (!stream.rewrite(packet.buffer(), header)) {
                return drop();
            }
            if (isVideo && pictures != null) {
                pictures.rewrite(header.ssrc(), packet.buffer(), packet.buffer().position() + header.headerLength(),
                        header.payloadLength());
            }
            packet.header(RtpHeader.parse(packet.buffer()));
            return packet;
        }
    }

    /**
     * Notes each video packet forwarded, rewritten and not yet encrypted, with the publisher's packet it was made of
     * ({@link ForwardedPackets}), for a browser that takes retransmissions (RFC 4588 §4).
     */
    private final class Noting extends Stage {
        Noting() {
            super("noting");
        }

        @Override
        protected Packet handle(Packet packet) {
            if (packet.header().ssrc() == video.ssrc()) {
                forwardedVideo.keep(packet.buffer(), packet.header(), publisherPacket.buffer(),
                        publisherPacket.header());
            }
            return packet;
        }
    }

    /**
     * RTCP from the feed's browser (I/O thread): keyframe requests, NACKs, and the estimate of what it can take
     * (transport-wide feedback, else receiver reports and REMB); RTP is not expected.
     */
    private final class Feedback extends Stage {
        Feedback() {
            super("feedback");
        }

        @Override
        protected Packet handle(Packet packet) {
            if (!packet.isRtcp()) {
                return drop();
            }
            for (RtcpCompound.Packet rtcp : RtcpCompound.parse(packet.buffer())) {
                if (rtcp.type() == RtcpCompound.PSFB && (rtcp.count() == RtcpCompound.FMT_PLI
                        || rtcp.count() == RtcpCompound.FMT_FIR)) {
                    if (formats.simulcast() == null) {
                        publisher.requestKeyframe();
                    } else if (layers.current() >= 0) {
                        publisher.requestKeyframe(layers.current());
                    }
                }
                for (ReportBlock block : rtcp.reports()) {
                    if (block.ssrc() == video.ssrc() && layers.current() >= 0) {
                        bandwidth.lossReport(block.fractionLost(), publisher.layerBitrates()[layers.current()]);
                    }
                }
            }
            for (TransportFeedback message : TransportFeedback.parse(packet.buffer())) {
                bandwidth.feedback(message, packet.arrivalNanos());
            }
            long remb = RtcpCompound.receiverEstimatedMaximumBitrate(packet.buffer());
            if (remb >= 0 && layers.current() >= 0) {
                bandwidth.remb(remb, publisher.layerBitrates()[layers.current()]);
            }
            for (RtcpCompound.Nack nack : RtcpCompound.genericNacks(packet.buffer())) {
                if (!answered) {
                    continue;
                }
                if (rtxPayloadType < 0) {
                    ByteBuffer kept = cache.find(nack.mediaSource(), nack.sequence());
                    if (kept != null) {
                        retransmitted++;
                        retransmissions.accept(new Packet(kept, null, packet.arrivalNanos(), false));
                    }
                } else if (nack.mediaSource() == video.ssrc()) {
                    ByteBuffer kept = forwardedVideo.rebuild(nack.sequence(), publisher.kept());
                    if (kept != null) {
                        retransmitted++;
                        retransmissions.accept(repair(kept, packet.arrivalNanos()));
                    }
                }
            }
            return consume();
        }
    }
}
