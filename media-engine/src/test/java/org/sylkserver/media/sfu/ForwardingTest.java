package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.RtpPolicy;
import org.sylkserver.media.rtcp.RtcpCompound;
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
        engine = new MediaEngine(InetAddress.getLoopbackAddress(), 43100, 43120, Duration.ZERO, RtpPolicy.OPEN);
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
            feed.answer(bob.answer(feed.offer()));
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
            feed.close();
            publisher.close();
        }
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
