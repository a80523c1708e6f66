package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.RtpPolicy;
import org.sylkserver.media.rtcp.RtcpCompound;
import org.sylkserver.media.rtcp.TransportFeedback;
import org.sylkserver.media.webrtc.BrowserPeer;
import org.sylkserver.media.webrtc.WebRtcTransport;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * A publisher and a feed over loopback with two stand-in browsers doing real ICE and DTLS-SRTP: RTP decrypted once
 * and encrypted again for the feed with the feed's SSRC (spec §4.6.4), keyframe requests reaching the publisher
 * (RFC 4585 §6.3.1), NACKs answered from the feed's cache (RFC 4585 §6.2.1), receiver reports to the publisher
 * (RFC 3550 §6.4.2).
 */
class ForwardingTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private MediaEngine engine;

    @BeforeEach
    void start() throws Exception {
        engine = newEngine();
    }

    /** The engine of each test: a port pair of the range per leg (see {@link SharedPortForwardingTest}). */
    MediaEngine newEngine() throws Exception {
        return new MediaEngine(InetAddress.getLoopbackAddress(), 43300, 43320, Duration.ZERO, RtpPolicy.OPEN);
    }

    @AfterEach
    void stop() throws Exception {
        engine.close();
    }

    private static final class Up implements WebRtcTransport.Listener {
        final CountDownLatch connected = new CountDownLatch(1);

        @Override
        public void connected() {
            connected.countDown();
        }

        @Override
        public void failed(String reason) {
        }

        void await() throws InterruptedException {
            assertTrue(connected.await(5, TimeUnit.SECONDS), "media up");
        }
    }

    /**
     * With an advertised address ({@code [SIP] advertised_ip}, a one-to-one NAT) the publisher's answer and the feed's
     * offer name it as the first host candidate and the bound address as the second (RFC 8445 §5.1.2 priorities): a
     * peer that cannot reach the first (here TEST-NET-1, RFC 5737) still connects over the second.
     */
    @Test
    void anAdvertisedAddressIsTheFirstCandidateAndTheBoundOneStillConnects_rfc8445() throws Exception {
        engine.advertise(InetAddress.getByName("192.0.2.7"));
        SfuSettings settings = new SfuSettings("vp8", true, true, Duration.ofMillis(300), 64);
        try (BrowserPeer alice = new BrowserPeer(false); BrowserPeer bob = new BrowserPeer(false)) {
            Up published = new Up();
            Publisher publisher = Publisher.fromOffer(engine, "alice", alice.offer(true), settings, published);
            String answer = publisher.answer();
            assertTrue(answer.contains("c=IN IP4 192.0.2.7\r\na=candidate:1 1 udp 2130706431 192.0.2.7 "), answer);
            assertTrue(answer.contains(" typ host\r\na=candidate:2 1 udp 2113929215 127.0.0.1 "), answer);
            alice.connect(answer, WAIT);
            published.await();

            Up subscribed = new Up();
            Feed feed = publisher.subscribe("bob-feed", subscribed);
            assertTrue(feed.offer().contains("a=candidate:1 1 udp 2130706431 192.0.2.7 "), feed.offer());
            feed.answer(withoutRtx(bob.answer(feed.offer())));
            bob.connect(feed.offer(), WAIT);
            subscribed.await();
            alice.sendRtp(BrowserPeer.VP8, 500, BrowserPeer.VIDEO_SSRC, "a VP8 frame".getBytes());
            assertNotNull(bob.nextRtp(WAIT), "forwarded over the pair of the bound address");
        }
    }

    /**
     * The load generator's peers (bench/sfu): after ICE and DTLS each peer frees its ice4j agent and binds its port
     * again ({@link BrowserPeer#detach()}); what it sends still reaches the SFU from the address ICE selected, and the
     * feed's media arrives at the bound channel, as SRTP with the DTLS keys.
     */
    @Test
    void detachedPeersSendAndReceiveOnTheirPortsWithoutIce4j() throws Exception {
        SfuSettings settings = new SfuSettings("vp8", true, true, Duration.ofMillis(300), 64);
        try (BrowserPeer alice = new BrowserPeer(false); BrowserPeer bob = new BrowserPeer(false)) {
            Up published = new Up();
            Publisher publisher = Publisher.fromOffer(engine, "alice", alice.offer(true), settings, published);
            alice.connect(publisher.answer(), WAIT, false);
            published.await();
            alice.detach();

            Up subscribed = new Up();
            Feed feed = publisher.subscribe("bob-feed", subscribed);
            feed.answer(withoutRtx(bob.answer(feed.offer())));
            bob.connect(feed.offer(), WAIT, false);
            subscribed.await();
            BrowserPeer.Detached detached = bob.detach();
            detached.channel().socket().setSoTimeout(5_000);

            byte[] payload = "a VP8 frame".getBytes();
            alice.sendRtp(BrowserPeer.VP8, 500, BrowserPeer.VIDEO_SSRC, payload);
            byte[] media = null;
            for (int i = 0; i < 20 && media == null; i++) {
                java.net.DatagramPacket datagram = new java.net.DatagramPacket(new byte[2048], 2048);
                detached.channel().socket().receive(datagram);
                int type = datagram.getData()[1] & 0x7f;
                if ((datagram.getData()[0] & 0xc0) == 0x80 && (type < 64 || type > 95)) {   // RTP, not RTCP
                    media = bob.unprotectRtp(datagram.getData(), datagram.getLength());
                }
            }
            assertNotNull(media, "the feed's RTP at the detached port");
            assertArrayEquals(payload, Arrays.copyOfRange(media, media.length - payload.length, media.length));
        }
    }

    @Test
    void aPublishersVideoReachesAFeed_spec_4_6_4() throws Exception {
        SfuSettings settings = new SfuSettings("vp8", true, true, Duration.ofMillis(300), 64);
        try (BrowserPeer alice = new BrowserPeer(false); BrowserPeer bob = new BrowserPeer(false)) {
            Up published = new Up();
            Publisher publisher = Publisher.fromOffer(engine, "alice", alice.offer(true), settings, published);
            alice.connect(publisher.answer(), WAIT);
            published.await();

            Up subscribed = new Up();
            Feed feed = publisher.subscribe("bob-feed", subscribed);
            SessionDescription offer = SessionDescription.parse(feed.offer());
            long feedVideoSsrc = Long.parseLong(offer.media().get(1).attributes("ssrc").get(0).split(" ")[0]);
            // bob takes no retransmission format: lost packets come again as they were (RFC 4585 §6.2.1)
            feed.answer(withoutRtx(bob.answer(feed.offer())));
            bob.connect(feed.offer(), WAIT);
            subscribed.await();

            byte[] payload = "a VP8 frame".getBytes();
            for (int sequence = 500; sequence < 503; sequence++) {
                alice.sendRtp(BrowserPeer.VP8, sequence, BrowserPeer.VIDEO_SSRC, payload);
            }
            byte[] first = bob.nextRtp(WAIT);
            assertNotNull(first, "the feed forwards the publisher's video");
            ByteBuffer header = ByteBuffer.wrap(first);
            assertEquals(BrowserPeer.VP8, first[1] & 0x7f, "same payload type, no renumbering");
            assertEquals(feedVideoSsrc, header.getInt(8) & 0xffffffffL, "the feed's own SSRC (RFC 7667 §3.7)");
            assertArrayEquals(payload, Arrays.copyOfRange(first, 12, first.length), "not transcoded");
            int sequence = header.getShort(2) & 0xffff;
            assertNotNull(bob.nextRtp(WAIT));
            assertNotNull(bob.nextRtp(WAIT));

            // RFC 3550 §6.4.1: the publisher's sender report restated on the feed's SSRC and clock
            long firstTimestamp = header.getInt(4) & 0xffffffffL;
            long ntp = 0x0123456789abcdefL;
            alice.sendRtcp(ByteBuffer.allocate(28).put((byte) 0x80).put((byte) 200).putShort((short) 6)
                    .putInt((int) BrowserPeer.VIDEO_SSRC).putLong(ntp).putInt(600 * 160).putInt(3).putInt(33).array());
            byte[] report = bob.nextRtcp(WAIT);
            assertNotNull(report, "a sender report for the feed");
            ByteBuffer sr = ByteBuffer.wrap(report);
            assertEquals(200, sr.get(1) & 0xff);
            assertEquals(feedVideoSsrc, sr.getInt(4) & 0xffffffffL);
            assertEquals(ntp, sr.getLong(8), "the publisher's NTP time");
            assertEquals((firstTimestamp + 100 * 160) & 0xffffffffL, sr.getInt(16) & 0xffffffffL,
                    "its RTP time on the feed's clock");
            assertEquals(3, sr.getInt(20), "the feed's own packet count");

            // the feed's connection asked the publisher for a keyframe (a new receiver cannot decode without one)
            assertTrue(receivedPli(alice), "PLI to the publisher when the feed came up");

            // RFC 4585 §6.2.1: bob asks for the first packet again; the feed sends the same SRTP packet, which bob's
            // SRTP drops as a replay (RFC 3711 §3.3.2) since it did arrive: a browser asks only for lost ones
            bob.sendRtcp(nack(feedVideoSsrc, sequence));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (feed.retransmitted() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1, feed.retransmitted(), "retransmitted from the feed's cache");

            // RFC 4585 §6.3.1: bob's PLI becomes the publisher's, after the rate limit
            bob.sendRtcp(pli(feedVideoSsrc));
            Thread.sleep(350);
            alice.sendRtp(BrowserPeer.VP8, 503, BrowserPeer.VIDEO_SSRC, payload);
            assertTrue(receivedPli(alice), "bob's PLI forwarded to the publisher");
            while (bob.nextRtp(Duration.ofMillis(100)) != null) {
                // what was sent so far
            }

            // spec §4.6.4: a feed's video paused and resumed (videoroom-session-update)
            feed.forwarding(true, false);
            alice.sendRtp(BrowserPeer.VP8, 504, BrowserPeer.VIDEO_SSRC, payload);
            assertEquals(null, bob.nextRtp(Duration.ofMillis(300)), "paused");
            feed.forwarding(true, true);
            alice.sendRtp(BrowserPeer.VP8, 505, BrowserPeer.VIDEO_SSRC, payload);
            assertNotNull(bob.nextRtp(WAIT), "resumed");
            feed.close();
            publisher.close();
        }
    }

    /**
     * draft-holmer-rmcat-transport-wide-cc-extensions-01 on both legs. The publisher numbers its packets (§2): the
     * server's feedback (§3.1) reports their arrivals every 100 ms, the lost one as not received. The subscriber took
     * the extension: each forwarded packet carries the feed's own transport-wide number, one more each time, and no
     * other element of the publisher's; the subscriber's feedback saying most of them were lost lowers the feed's
     * estimate (gcc-02 §6).
     */
    @Test
    void transportWideFeedbackOnBothLegs() throws Exception {
        SfuSettings settings = new SfuSettings("vp8", true, true, Duration.ofMillis(300), 64);
        String extmap = "a=extmap:3 " + TransportFeedback.URI + "\r\n";
        try (BrowserPeer alice = new BrowserPeer(false); BrowserPeer bob = new BrowserPeer(false)) {
            Up published = new Up();
            Publisher publisher = Publisher.fromOffer(engine, "alice", alice.offer(true).replace("a=sendrecv\r\n",
                    "a=sendrecv\r\n" + extmap), settings, published);
            assertTrue(publisher.answer().contains(extmap));
            alice.connect(publisher.answer(), WAIT);
            published.await();
            Up subscribed = new Up();
            Feed feed = publisher.subscribe("bob-feed", subscribed);
            feed.answer(bob.answer(feed.offer()).replace("a=rtcp-mux\r\n", "a=rtcp-mux\r\n" + extmap));
            bob.connect(feed.offer(), WAIT);
            subscribed.await();

            byte[] payload = "a VP8 frame".getBytes();
            for (int transport : new int[]{65534, 65535, 1}) { // 0 lost, across the wrap
                alice.sendRtp(numbered(transport, payload), 12 + 12 + payload.length);
            }
            Thread.sleep(120);
            alice.sendRtp(numbered(2, payload), 12 + 12 + payload.length);
            TransportFeedback report = transportFeedback(alice);
            assertNotNull(report, "the publisher's browser gets transport-wide feedback");
            assertEquals(65534, report.baseSequence());
            long[] arrivals = report.arrivalMicros();
            assertEquals(5, arrivals.length);
            assertEquals(TransportFeedback.NOT_RECEIVED, arrivals[2], "transport-wide number 0 not received");
            assertTrue(arrivals[4] - arrivals[3] >= 100_000, "the last one 120 ms after the others");

            int expected = -1;
            for (int i = 0; i < 4; i++) {
                byte[] rtp = bob.nextRtp(WAIT);
                assertNotNull(rtp);
                ByteBuffer forwarded = ByteBuffer.wrap(rtp);
                assertEquals(0x90, rtp[0] & 0xff, "X set");
                assertEquals(0xBEDE0001, forwarded.getInt(12), "one word of one-byte elements (RFC 8285 §4.2)");
                assertEquals((3 << 4) | 1, rtp[16] & 0xff, "only the transport-wide number: id 3, two bytes");
                int number = forwarded.getShort(17) & 0xffff;
                if (expected >= 0) {
                    assertEquals(expected, number, "one more per packet sent");
                }
                expected = (number + 1) & 0xffff;
                assertArrayEquals(payload, Arrays.copyOfRange(rtp, 20, rtp.length), "the payload as it was");
            }
            long before = feed.budget();
            int first = (expected - 4) & 0xffff;
            bob.sendRtcp(bytes(TransportFeedback.encode(1, 2, first, 0, new long[]{64_000,
                    TransportFeedback.NOT_RECEIVED, TransportFeedback.NOT_RECEIVED, TransportFeedback.NOT_RECEIVED})));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (feed.budget() == before && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(feed.budget() < before, "three of four lost: the estimate falls (" + feed.budget() + ")");
            feed.close();
            publisher.close();
        }
    }

    /** A VP8 packet of the publisher's video with an audio-level element (id 1) and transport-wide number (id 3). */
    private static byte[] numbered(int transport, byte[] payload) {
        return ByteBuffer.allocate(12 + 12 + payload.length).put((byte) 0x90).put((byte) BrowserPeer.VP8)
                .putShort((short) (transport + 10)).putInt(transport * 3000).putInt((int) BrowserPeer.VIDEO_SSRC)
                .putInt(0xBEDE0002).put((byte) 0x10).put((byte) 0x7f).put((byte) 0x31).putShort((short) transport)
                .put(new byte[3]).put(payload).array();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    /** The first transport-wide feedback message among the next RTCP compounds from the server, or null. */
    private static TransportFeedback transportFeedback(BrowserPeer peer) throws Exception {
        for (int i = 0; i < 20; i++) {
            byte[] rtcp = peer.nextRtcp(Duration.ofMillis(500));
            if (rtcp == null) {
                return null;
            }
            List<TransportFeedback> messages = TransportFeedback.parse(ByteBuffer.wrap(rtcp));
            if (!messages.isEmpty()) {
                return messages.get(0);
            }
        }
        return null;
    }

    /**
     * RFC 4588 §4 with RFC 4585 §6.2.1: a subscriber that accepted the feed's retransmission format gets what it asks
     * for again on the feed's retransmission stream (the SSRC that {@code a=ssrc-group:FID} pairs with the video,
     * §8.3), with sequence numbers of its own and the OSN, encrypted with the leg's SRTP keys (the peer decrypts it).
     */
    @Test
    void aNackOfAnRtxSubscriberIsAnsweredOnItsRetransmissionStream_rfc4588_4() throws Exception {
        SfuSettings settings = new SfuSettings("vp8", true, true, Duration.ofMillis(300), 64);
        try (BrowserPeer alice = new BrowserPeer(false); BrowserPeer bob = new BrowserPeer(false)) {
            Up published = new Up();
            Publisher publisher = Publisher.fromOffer(engine, "alice", alice.offer(true), settings, published);
            alice.connect(publisher.answer(), WAIT);
            published.await();
            Up subscribed = new Up();
            Feed feed = publisher.subscribe("bob-feed", subscribed);
            String[] fid = SessionDescription.parse(feed.offer()).media().get(1).attributes("ssrc-group").get(0)
                    .split(" ");
            long feedVideoSsrc = Long.parseLong(fid[1]);
            long feedRtxSsrc = Long.parseLong(fid[2]);
            feed.answer(bob.answer(feed.offer()));
            bob.connect(feed.offer(), WAIT);
            subscribed.await();

            byte[] payload = "a VP8 frame".getBytes();
            alice.sendRtp(BrowserPeer.VP8, 500, BrowserPeer.VIDEO_SSRC, payload);
            alice.sendRtp(BrowserPeer.VP8, 501, BrowserPeer.VIDEO_SSRC, payload);
            ByteBuffer first = ByteBuffer.wrap(bob.nextRtp(WAIT));
            ByteBuffer second = ByteBuffer.wrap(bob.nextRtp(WAIT));
            assertEquals(feedVideoSsrc, first.getInt(8) & 0xffffffffL);

            bob.sendRtcp(nack(feedVideoSsrc, first.getShort(2) & 0xffff));
            byte[] repair = bob.nextRtp(WAIT);
            assertNotNull(repair, "a retransmission that bob's SRTP context decrypts");
            ByteBuffer rtx = ByteBuffer.wrap(repair);
            assertEquals(97, rtx.get(1) & 0x7f, "the rtx payload type bob accepted (§8.1)");
            assertEquals(feedRtxSsrc, rtx.getInt(8) & 0xffffffffL, "the feed's retransmission SSRC");
            assertEquals(first.getInt(4), rtx.getInt(4), "the original timestamp");
            assertEquals(first.getShort(2), rtx.getShort(12), "the OSN");
            assertArrayEquals(payload, Arrays.copyOfRange(repair, 14, repair.length), "the original payload");

            bob.sendRtcp(nack(feedVideoSsrc, second.getShort(2) & 0xffff));
            ByteBuffer next = ByteBuffer.wrap(bob.nextRtp(WAIT));
            assertEquals((rtx.getShort(2) + 1) & 0xffff, next.getShort(2) & 0xffff,
                    "one higher than the previous retransmission (§4)");
            assertEquals(second.getShort(2), next.getShort(12));
            assertEquals(2, feed.retransmitted());
            feed.close();
            publisher.close();
        }
    }

    /**
     * RFC 4585 §6.2.1 and RFC 4588 §4: a gap in the publisher's video is asked for at once; the retransmission that
     * comes back on the publisher's rtx stream (paired by {@code a=ssrc-group:FID}) reaches the feed as the packet
     * it repairs, in its place in the feed's numbering; a retransmission without OSN (padding) reaches nobody, nor
     * does an original that comes after its repair.
     */
    @Test
    void thePublishersRetransmissionsRepairItsVideo_rfc4588_4() throws Exception {
        SfuSettings settings = new SfuSettings("vp8", true, true, Duration.ofMillis(300), 64);
        try (BrowserPeer alice = new BrowserPeer(false); BrowserPeer bob = new BrowserPeer(false)) {
            Up published = new Up();
            Publisher publisher = Publisher.fromOffer(engine, "alice", alice.offer(true), settings, published);
            alice.connect(publisher.answer(), WAIT);
            published.await();
            Up subscribed = new Up();
            Feed feed = publisher.subscribe("bob-feed", subscribed);
            feed.answer(bob.answer(feed.offer()));
            bob.connect(feed.offer(), WAIT);
            subscribed.await();

            alice.sendRtp(BrowserPeer.VP8, 600, BrowserPeer.VIDEO_SSRC, "600".getBytes());
            alice.sendRtp(BrowserPeer.VP8, 602, BrowserPeer.VIDEO_SSRC, "602".getBytes());
            int first = ByteBuffer.wrap(bob.nextRtp(WAIT)).getShort(2) & 0xffff;
            assertNotNull(bob.nextRtp(WAIT));
            assertEquals(new RtcpCompound.Nack(BrowserPeer.VIDEO_SSRC, 601), nackFrom(alice), "601 asked for");

            long rtxSsrc = 33333333L; // the offer's a=ssrc-group:FID
            alice.sendRtp(97, 7000, rtxSsrc, new byte[0]);
            alice.sendRtp(97, 7001, rtxSsrc, ByteBuffer.allocate(5).putShort((short) 601).put("601".getBytes())
                    .array());
            byte[] repaired = bob.nextRtp(WAIT);
            assertNotNull(repaired, "the repaired packet is forwarded");
            ByteBuffer header = ByteBuffer.wrap(repaired);
            assertEquals(BrowserPeer.VP8, header.get(1) & 0x7f, "as the original payload type");
            assertEquals((first + 1) & 0xffff, header.getShort(2) & 0xffff, "in the place of 601");
            assertEquals("601", new String(Arrays.copyOfRange(repaired, 12, repaired.length)));
            assertEquals(null, bob.nextRtp(Duration.ofMillis(300)), "the padding went nowhere");

            // a retransmission of a packet that arrived (Chrome's bandwidth probes with transport-cc) repairs nothing
            alice.sendRtp(97, 7002, rtxSsrc, ByteBuffer.allocate(5).putShort((short) 602).put("602".getBytes())
                    .array());
            assertEquals(null, bob.nextRtp(Duration.ofMillis(300)), "602 had arrived: not forwarded again");
            // the original of 601 was late, not lost: it comes after its repair, and the feed has it already
            alice.sendRtp(BrowserPeer.VP8, 601, BrowserPeer.VIDEO_SSRC, "601".getBytes());
            assertEquals(null, bob.nextRtp(Duration.ofMillis(300)), "601 had been repaired: not forwarded again");
            feed.close();
            publisher.close();
        }
    }

    /**
     * RFC 4588 §4: a retransmission repairs a packet that did not arrive. A copy of one that arrived and was forwarded
     * long ago (Chrome probes its bandwidth with rtx copies of packets from its history, further back than the
     * last 64) reaches no feed: the feed's SRTP would refuse to protect its index twice (RFC 3711 §3.3.2, §9.1) after
     * it took a transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2), a number
     * never sent, which the feed's estimator reads as loss.
     */
    @Test
    void anRtxCopyOfAPacketForwardedLongAgoIsNotForwardedAgain_rfc4588_4() throws Exception {
        SfuSettings settings = new SfuSettings("vp8", true, true, Duration.ofMillis(300), 64);
        String extmap = "a=extmap:3 " + TransportFeedback.URI + "\r\n";
        try (BrowserPeer alice = new BrowserPeer(false); BrowserPeer bob = new BrowserPeer(false)) {
            Up published = new Up();
            Publisher publisher = Publisher.fromOffer(engine, "alice", alice.offer(true), settings, published);
            alice.connect(publisher.answer(), WAIT);
            published.await();
            Up subscribed = new Up();
            Feed feed = publisher.subscribe("bob-feed", subscribed);
            feed.answer(bob.answer(feed.offer()).replace("a=rtcp-mux\r\n", "a=rtcp-mux\r\n" + extmap));
            bob.connect(feed.offer(), WAIT);
            subscribed.await();

            int transportNumber = -1;
            for (int sequence = 600; sequence <= 900; sequence++) {
                alice.sendRtp(BrowserPeer.VP8, sequence, BrowserPeer.VIDEO_SSRC, ("" + sequence).getBytes());
                byte[] rtp = bob.nextRtp(WAIT);
                assertNotNull(rtp, "packet " + sequence);
                transportNumber = ByteBuffer.wrap(rtp).getShort(17) & 0xffff;
            }
            long rtxSsrc = 33333333L; // the offer's a=ssrc-group:FID
            alice.sendRtp(97, 7000, rtxSsrc, ByteBuffer.allocate(5).putShort((short) 600).put("600".getBytes())
                    .array());
            alice.sendRtp(97, 7001, rtxSsrc, ByteBuffer.allocate(5).putShort((short) 830).put("830".getBytes())
                    .array());
            alice.sendRtp(BrowserPeer.VP8, 901, BrowserPeer.VIDEO_SSRC, "901".getBytes());
            byte[] next = bob.nextRtp(WAIT);
            assertNotNull(next);
            assertEquals("901", new String(Arrays.copyOfRange(next, 20, next.length)),
                    "600 (300 back) and 830 (70 back) went nowhere");
            assertEquals((transportNumber + 1) & 0xffff, ByteBuffer.wrap(next).getShort(17) & 0xffff,
                    "no transport-wide number taken by a copy");
            feed.close();
            publisher.close();
        }
    }

    /**
     * RFC 8853 simulcast (layers named by {@code a=ssrc-group:SIM}, lowest first): the feed forwards one layer, the
     * lowest before the layers' bitrates are known, then the best within its budget, and the user's cap
     * ({@code videoroom-session-update} {@code bitrate}, spec §4.4) brings it down again; each switch waits for a key
     * frame of the new layer (RFC 7741 §4.3), which the publisher is asked for (PLI on that layer's SSRC), and the
     * browser sees one stream: sequence numbers and picture ids going on by one (VP8: RFC 7741 §4.2; VP9, the
     * default room codec: RFC 9628 §4.2, key frames told by its B and P bits; H.264, whose key frames are told by
     * their NAL units, RFC 6184, and which numbers no pictures).
     */
    @ParameterizedTest
    @ValueSource(strings = {"vp8", "vp9", "h264"})
    void aFeedForwardsOneSimulcastLayerAndSwitchesAtKeyframes_rfc8853(String codec) throws Exception {
        SfuSettings settings = new SfuSettings(codec, true, true, Duration.ofMillis(100), 64);
        try (BrowserPeer alice = new BrowserPeer(false); BrowserPeer bob = new BrowserPeer(false)) {
            String offer = alice.offer(true).replace("a=ssrc-group:FID", "a=ssrc-group:SIM 1001 1002 1003\r\n"
                    + "a=ssrc-group:FID");
            if (codec.equals("vp9")) {
                offer = offer.replace("a=rtpmap:96 VP8/90000", "a=rtpmap:96 VP9/90000");
            }
            Up published = new Up();
            Publisher publisher = Publisher.fromOffer(engine, "alice", offer, settings, published);
            alice.connect(publisher.answer(), WAIT);
            published.await();
            Up subscribed = new Up();
            Feed feed = publisher.subscribe("bob-feed", subscribed);
            assertTrue(feed.offer().contains("goog-remb"), "a simulcast feed asks the browser for its estimate");
            feed.answer(bob.answer(feed.offer()));
            bob.connect(feed.offer(), WAIT);
            subscribed.await();

            Simulcaster layers = new Simulcaster(alice, codec);
            layers.round(false);
            assertEquals(null, bob.nextRtp(Duration.ofMillis(200)), "nothing before a key frame");
            layers.keyframe(0);
            byte[] first = bob.nextRtp(WAIT);
            assertNotNull(first);
            assertEquals(0, Simulcaster.layer(first), "the lowest layer first");
            Received stream = new Received(first, layers);

            // a second of all three layers: the bitrates are measured, the top layer fits the initial estimate
            for (int i = 0; i < 60; i++) {
                layers.round(false);
                Thread.sleep(20);
            }
            stream.drain(bob, 0);
            assertTrue(pliFor(alice, 1003), "a key frame of the top layer asked for");
            layers.keyframe(2);
            layers.round(false);
            byte[] switched = stream.drain(bob, 0);
            assertNotNull(switched, "the top layer's key frame");
            assertEquals(2, Simulcaster.layer(switched), "switched at the key frame");
            stream.drain(bob, 2);

            feed.maxBitrate(30_000);
            for (int i = 0; i < 60; i++) {
                layers.round(false); // every layer keeps sending through the next measured second
                Thread.sleep(20);
            }
            stream.drain(bob, 2);
            layers.keyframe(0);
            layers.round(false);
            byte[] down = stream.drain(bob, 2);
            assertNotNull(down);
            assertEquals(0, Simulcaster.layer(down), "back to the lowest layer under the user's cap");
            stream.drain(bob, 0);
            feed.close();
            publisher.close();
        }
    }

    /**
     * A publisher sending three VP8, VP9 or H.264 simulcast layers on SSRCs 1001-1003, bigger packets on higher
     * layers; the layer's number is the payload's last byte.
     */
    private static final class Simulcaster {
        private final BrowserPeer peer;
        private final String codec;
        private final int payloadType;
        private final int[] sequences = {100, 5000, 20000};
        private final int[] pictures = {10, 2000, 30000};

        Simulcaster(BrowserPeer peer, String codec) {
            this.peer = peer;
            this.codec = codec;
            this.payloadType = codec.equals("h264") ? 102 : BrowserPeer.VP8;
        }

        /** Whether the codec numbers its pictures (VP8, VP9). */
        boolean numbersPictures() {
            return !codec.equals("h264");
        }

        void round(boolean keyframe) throws Exception {
            for (int layer = 0; layer < 3; layer++) {
                send(layer, keyframe);
            }
        }

        void keyframe(int layer) throws Exception {
            send(layer, true);
        }

        /**
         * A VP8 payload (RFC 7741 §4.2: X, S; I with a 15-bit picture id; then §4.3 P clear for a key frame), a VP9
         * one (RFC 9628 §4.2: I, L, B, P set but for a key frame; a 15-bit picture id; TID/U/SID/D; TL0PICIDX) or an
         * H.264 one as Chrome packetizes it (RFC 6184: a key frame's SPS, PPS and IDR slice in one STAP-A, §5.7.1;
         * else the first FU-A of a non-IDR slice, §5.8).
         */
        private void send(int layer, boolean keyframe) throws Exception {
            ByteBuffer payload = ByteBuffer.allocate(100 * (1 + 3 * layer));
            switch (codec) {
                case "vp9" -> payload.put((byte) (keyframe ? 0xa8 : 0xe8)).putShort((short) (0x8000 | pictures[layer]))
                        .put((byte) 0x00).put((byte) pictures[layer]);
                case "h264" -> payload.put(keyframe ? H264DescriptorTest.stapA(H264DescriptorTest.SPS,
                        H264DescriptorTest.PPS, H264DescriptorTest.IDR) : H264DescriptorTest.fuA(Arrays.copyOf(
                        H264DescriptorTest.NON_IDR, 1000), 50)[0]);
                default -> payload.put((byte) 0x90).put((byte) 0x80).putShort((short) (0x8000 | pictures[layer]))
                        .put((byte) (keyframe ? 0x00 : 0x01));
            }
            payload.put(payload.capacity() - 1, (byte) layer);
            peer.sendRtp(payloadType, sequences[layer]++, 1001 + layer, payload.array());
            pictures[layer] = (pictures[layer] + 1) & 0x7fff;
        }

        static int layer(byte[] rtp) {
            return rtp[rtp.length - 1];
        }

        /** The 15-bit picture id: VP8's after X and I, VP9's after its first byte; 0 for H.264. */
        int pictureId(byte[] rtp) {
            if (!numbersPictures()) {
                return 0;
            }
            int at = codec.equals("vp9") ? 12 + 1 : 12 + 2;
            return ((rtp[at] & 0x7f) << 8) | (rtp[at + 1] & 0xff);
        }
    }

    /** What the subscriber got: one stream, each packet one more in sequence number and picture id (if any). */
    private static final class Received {
        private final Simulcaster sent;
        private int sequence;
        private int pictureId;

        Received(byte[] first, Simulcaster sent) {
            sequence = ByteBuffer.wrap(first).getShort(2) & 0xffff;
            this.sent = sent;
            pictureId = sent.pictureId(first);
        }

        /**
         * Takes what arrived, checking each packet of {@code layer} follows on; returns the first packet of another
         * layer (checked to follow on too), or null.
         */
        byte[] drain(BrowserPeer peer, int layer) throws Exception {
            for (byte[] rtp = peer.nextRtp(Duration.ofMillis(300)); rtp != null;
                 rtp = peer.nextRtp(Duration.ofMillis(300))) {
                int next = ByteBuffer.wrap(rtp).getShort(2) & 0xffff;
                assertEquals((sequence + 1) & 0xffff, next, "sequence numbers go on (RFC 3550 §5.1)");
                if (sent.numbersPictures()) {
                    assertEquals((pictureId + 1) & 0x7fff, sent.pictureId(rtp), "picture ids go on");
                }
                sequence = next;
                pictureId = sent.pictureId(rtp);
                if (Simulcaster.layer(rtp) != layer) {
                    return rtp;
                }
            }
            return null;
        }
    }

    /** Whether one of the next RTCP compounds from the server holds a PLI about {@code media}. */
    private static boolean pliFor(BrowserPeer peer, long media) throws Exception {
        for (int i = 0; i < 20; i++) {
            byte[] rtcp = peer.nextRtcp(Duration.ofMillis(500));
            if (rtcp == null) {
                return false;
            }
            for (RtcpCompound.Packet packet : RtcpCompound.parse(ByteBuffer.wrap(rtcp))) {
                if (packet.type() == RtcpCompound.PSFB && packet.count() == RtcpCompound.FMT_PLI
                        && packet.mediaSource() == media) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * RFC 8852 with rid simulcast (no SSRC in the offer): a layer is known by the {@code rtp-stream-id} of its first
     * packets and keeps its SSRC after; a retransmission names the layer it repairs by its
     * {@code repaired-rtp-stream-id} (§3.2) in its first packets, and later ones of its SSRC repair the same layer.
     */
    @Test
    void ridLayersAndTheirRetransmissionsAreKnownByTheirStreamIds_rfc8852() throws Exception {
        SfuSettings settings = new SfuSettings("vp8", true, true, Duration.ofMillis(100), 64);
        try (BrowserPeer alice = new BrowserPeer(false); BrowserPeer bob = new BrowserPeer(false)) {
            String offer = alice.offer(true).replaceAll("a=ssrc-group:FID[^\r]*\r\n", "a=extmap:10 " + RoomSdp.RID_URI
                    + "\r\na=extmap:11 " + RoomSdp.REPAIRED_RID_URI + "\r\na=rid:q send\r\na=rid:h send\r\n"
                    + "a=simulcast:send q;h\r\n");
            Up published = new Up();
            Publisher publisher = Publisher.fromOffer(engine, "alice", offer, settings, published);
            alice.connect(publisher.answer(), WAIT);
            published.await();
            Up subscribed = new Up();
            Feed feed = publisher.subscribe("bob-feed", subscribed);
            feed.answer(bob.answer(feed.offer()));
            bob.connect(feed.offer(), WAIT);
            subscribed.await();

            byte[] keyframe = {(byte) 0x90, (byte) 0x80, (byte) 0x80, 1, 0x00, 'k'};
            byte[] ridPacket = withStreamId(BrowserPeer.VP8, 100, 2001, 10, "q", keyframe);
            alice.sendRtp(ridPacket, ridPacket.length);
            byte[] first = bob.nextRtp(WAIT);
            assertNotNull(first, "layer q known by its rid, its key frame forwarded");
            byte[] next = {(byte) 0x90, (byte) 0x80, (byte) 0x80, 3, 0x01, 'n'};
            alice.sendRtp(BrowserPeer.VP8, 102, 2001, next);
            assertNotNull(bob.nextRtp(WAIT), "then by its SSRC, without a rid");
            alice.sendRtp(BrowserPeer.VP8, 104, 2001, next);
            assertNotNull(bob.nextRtp(WAIT));
            assertTrue(nackFrom(alice) != null, "101 and 103 asked for");

            byte[] repair = ByteBuffer.allocate(8).putShort((short) 101)
                    .put(new byte[]{(byte) 0x90, (byte) 0x80, (byte) 0x80, 2, 0x01, 'r'}).array();
            byte[] rridPacket = withStreamId(97, 7, 3001, 11, "q", repair);
            alice.sendRtp(rridPacket, rridPacket.length);
            byte[] repaired = bob.nextRtp(WAIT);
            assertNotNull(repaired, "the retransmission of layer q, known by its repaired-rtp-stream-id");
            assertEquals('r', repaired[repaired.length - 1]);
            repair[1] = 103;
            alice.sendRtp(97, 8, 3001, repair);
            assertNotNull(bob.nextRtp(WAIT), "then by its SSRC (103)");
            feed.close();
            publisher.close();
        }
    }

    /** An RTP packet whose one-byte header extension (RFC 8285 §4.2) carries {@code streamId} in element {@code id}. */
    private static byte[] withStreamId(int payloadType, int sequence, long ssrc, int id, String streamId,
                                       byte[] payload) {
        int elements = 1 + streamId.length();
        int words = (elements + 3) / 4;
        ByteBuffer packet = ByteBuffer.allocate(12 + 4 + 4 * words + payload.length);
        packet.put((byte) 0x90).put((byte) payloadType).putShort((short) sequence).putInt(sequence * 3000)
                .putInt((int) ssrc).putShort((short) 0xbede).putShort((short) words)
                .put((byte) ((id << 4) | (streamId.length() - 1))).put(streamId.getBytes());
        packet.position(12 + 4 + 4 * words);
        return packet.put(payload).array();
    }

    /** The first packet asked for by one of the next RTCP compounds from the server (reports may come first). */
    private static RtcpCompound.Nack nackFrom(BrowserPeer peer) throws Exception {
        for (int i = 0; i < 5; i++) {
            byte[] rtcp = peer.nextRtcp(WAIT);
            if (rtcp == null) {
                return null;
            }
            List<RtcpCompound.Nack> nacks = RtcpCompound.genericNacks(ByteBuffer.wrap(rtcp));
            if (!nacks.isEmpty()) {
                return nacks.get(0);
            }
        }
        return null;
    }

    /** {@code answer} without its rtx format: a subscriber that takes no retransmissions (RFC 4588 §8.1). */
    private static String withoutRtx(String answer) {
        return answer.replaceAll("a=(rtpmap|fmtp):97 [^\r]*\r\n", "").replace(" 96 97", " 96");
    }

    /** Whether one of the next RTCP compounds from the server is (or holds) a PLI; receiver reports may come first. */
    private static boolean receivedPli(BrowserPeer peer) throws Exception {
        for (int i = 0; i < 5; i++) {
            byte[] rtcp = peer.nextRtcp(WAIT);
            if (rtcp == null) {
                return false;
            }
            for (RtcpCompound.Packet packet : RtcpCompound.parse(ByteBuffer.wrap(rtcp))) {
                if (packet.type() == RtcpCompound.PSFB && packet.count() == RtcpCompound.FMT_PLI) {
                    assertEquals(BrowserPeer.VIDEO_SSRC, packet.mediaSource());
                    return true;
                }
            }
        }
        return false;
    }

    private static byte[] nack(long media, int sequence) {
        return ByteBuffer.allocate(24).put((byte) 0x80).put((byte) 201).putShort((short) 1).putInt(1)
                .put((byte) 0x81).put((byte) 205).putShort((short) 3).putInt(1).putInt((int) media)
                .putShort((short) sequence).putShort((short) 0).array();
    }

    private static byte[] pli(long media) {
        return ByteBuffer.allocate(20).put((byte) 0x80).put((byte) 201).putShort((short) 1).putInt(1)
                .put((byte) 0x81).put((byte) 206).putShort((short) 2).putInt(1).putInt((int) media).array();
    }
}
