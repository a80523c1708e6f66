package org.sylkserver.media.sfu;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Pipeline;
import org.sylkserver.media.pipeline.Stage;
import org.sylkserver.media.rtcp.RtcpCompound;
import org.sylkserver.media.rtcp.RtcpPackets;
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
 * encryption with the feed's keys, in that buffer → {@link RetransmissionCache} (a copy in its own slots) → sending.
 * The publisher's packet, which every feed reads, is never written. From the feed's browser only RTCP is taken ({@code feedback}): PLI and FIR become
 * a keyframe request to the publisher (coalesced there), generic NACKs are answered from the cache, receiver reports
 * end here.
 */
public final class Feed implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger("sylk.media.sfu");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Timestamp steps between two sources of a stream: one 30 fps frame at 90 kHz, one 20 ms Opus frame. */
    private static final int VIDEO_STEP = 3000;
    private static final int AUDIO_STEP = 960;
    /** Room after a forwarded packet for its SRTP authentication tag (10 bytes at most, RFC 4568 §6.2). */
    private static final int SRTP_TAG_ROOM = 16;

    private final String name;
    private final Publisher publisher;
    private final RoomSdp.Negotiated formats;
    private final WebRtcTransport transport;
    private final StreamRewriter audio = rewriter(AUDIO_STEP);
    private final StreamRewriter video = rewriter(VIDEO_STEP);
    private final RetransmissionCache cache;
    private final Pipeline forwarding;
    private final Pipeline retransmissions;
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

    Feed(MediaEngine engine, String name, Publisher publisher, RoomSdp.Negotiated formats, int cacheSize,
         WebRtcTransport.Listener listener) throws IOException {
        this.name = name;
        this.publisher = publisher;
        this.formats = formats;
        this.cache = new RetransmissionCache(cacheSize);
        this.transport = WebRtcTransport.open(engine, name, List.of(new Feedback()), new WebRtcTransport.Listener() {
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
        this.forwarding = Pipeline.named(name + " forwarding").then(new Rewriting()).then(transport.encryptionInPlace())
                .then(cache).then(transport.sending()).build();
        this.retransmissions = Pipeline.named(name + " retransmissions").then(transport.sending()).build();
        this.reports = Pipeline.named(name + " reports").then(transport.encryption()).then(transport.sending())
                .build();
        this.cname = "sylk-" + Long.toHexString(RANDOM.nextLong() >>> 1);
        this.offer = RoomSdp.offerFeed(formats, transport.mediaLines("actpass"), transport.port(), audio.ssrc(),
                video.ssrc(), cname, new AudioAnswerer.Origin(), engine.bindAddress()).toString();
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
    public void answer(String answerSdp) throws SdpException {
        transport.remoteDescription(SessionDescription.parse(answerSdp), false);
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

    /** Packets sent again for NACKs. */
    long retransmitted() {
        return retransmitted;
    }

    /** A packet of the publisher, decrypted (I/O thread): a copy goes to the browser. */
    void forward(Packet original) {
        if (!answered || !transport.isConnected()) {
            return;
        }
        ByteBuffer source = original.buffer();
        int length = source.remaining();
        if (forwarded.length < length + SRTP_TAG_ROOM) {
            forwarded = new byte[length + SRTP_TAG_ROOM];
        }
        source.get(source.position(), forwarded, 0, length);
        Packet packet = new Packet(ByteBuffer.wrap(forwarded, 0, length), null, original.arrivalNanos(), false);
        packet.header(original.header());
        forwarding.accept(packet);
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
            boolean isVideo = formats.video() != null && header.payloadType() == formats.video().payloadType();
            StreamRewriter stream = isVideo ? video : audio;
            if (!(isVideo ? videoOn : audioOn)) {
                stream.skip(header);
                return consume();
            }
            if (!stream.rewrite(packet.buffer(), header)) {
                return drop();
            }
            packet.header(RtpHeader.parse(packet.buffer()));
            return packet;
        }
    }

    /** RTCP from the feed's browser (I/O thread): keyframe requests and NACKs; RTP is not expected. */
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
                    publisher.requestKeyframe();
                }
            }
            for (RtcpCompound.Nack nack : RtcpCompound.genericNacks(packet.buffer())) {
                ByteBuffer sent = cache.find(nack.mediaSource(), nack.sequence());
                if (sent != null) {
                    retransmitted++;
                    retransmissions.accept(new Packet(sent, null, packet.arrivalNanos(), false));
                }
            }
            return consume();
        }
    }
}
