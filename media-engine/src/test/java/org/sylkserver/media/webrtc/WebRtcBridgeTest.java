package org.sylkserver.media.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.RtpPolicy;
import org.sylkserver.media.TestClock;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * The WebRTC bridge between a browser stand-in ({@link BrowserPeer}: ice4j, BouncyCastle DTLS, SRTP) and a SIP phone
 * stand-in ({@link SipPhone}), over real UDP on 127.0.0.1.
 */
class WebRtcBridgeTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    /** The SIP phone's numbers differ from the browser's, so that the payload type rewriting shows. */
    private static final int SIP_OPUS = 101;
    private static final int SIP_VP8 = 100;

    private MediaEngine engine;
    private final CompletableFuture<String> connected = new CompletableFuture<>();
    private final CompletableFuture<String> failed = new CompletableFuture<>();
    private final WebRtcBridge.Listener listener = new WebRtcBridge.Listener() {
        @Override
        public void connected(WebRtcBridge bridge) {
            connected.complete("up");
        }

        @Override
        public void failed(WebRtcBridge bridge, String reason) {
            failed.complete(reason);
        }
    };

    @BeforeEach
    void startEngine() throws Exception {
        engine = new MediaEngine(InetAddress.getLoopbackAddress(), 47000, 47100, Duration.ZERO, RtpPolicy.OPEN);
    }

    @AfterEach
    void stopEngine() throws Exception {
        engine.close();
    }

    private static String sipSdp(String... media) {
        return "v=0\r\no=phone 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" + String.join("", media);
    }

    /** The SIP phone's answer to the bridge's SIP offer: opus and VP8 under its own payload type numbers. */
    private static String sipAnswer(SipPhone audio, SipPhone video) {
        return sipSdp(audio.media("audio", SIP_OPUS + " 102", "rtpmap:" + SIP_OPUS + " opus/48000/2",
                        "rtpmap:102 telephone-event/48000", "sendrecv"),
                video == null ? "" : video.media("video", Integer.toString(SIP_VP8), "rtpmap:" + SIP_VP8 + " VP8/90000",
                        "rtcp-fb:" + SIP_VP8 + " nack pli", "sendrecv"));
    }

    private static int port(String sdp, int index) throws SdpException {
        return SessionDescription.parse(sdp).media().get(index).port();
    }

    /**
     * RFC 8445 §2.5 (lite answerer), RFC 5763 §5 (fingerprint checked, we are passive), RFC 5764 §4.2 (exported SRTP
     * keys), RFC 8843 §9.2 (bundle demultiplexed by payload type): audio and video flow both ways, each side with its
     * own payload type numbers.
     */
    @Test
    void rfc5764_browserCallRelaysAudioAndVideoBothWaysWithEachSidesPayloadTypes() throws Exception {
        int portsBefore = engine.portPairsInUse();
        try (BrowserPeer browser = new BrowserPeer(false); SipPhone audio = new SipPhone(false);
             SipPhone video = new SipPhone(false);
             WebRtcBridge bridge = WebRtcBridge.fromBrowserOffer(engine, "call-1", browser.offer(true),
                     WebRtcBridge.SipSrtp.OFF, listener)) {
            String sipOffer = bridge.sipOffer();
            SessionDescription offer = SessionDescription.parse(sipOffer);
            MediaDescription offeredAudio = offer.media().get(0);
            assertEquals("RTP/AVP", offeredAudio.proto());
            assertTrue(offeredAudio.formats().contains("111"), sipOffer);
            assertFalse(offeredAudio.formats().contains("63"), "RED is not offered to SIP: " + sipOffer);
            assertFalse(offer.media().get(1).formats().contains("97"), "rtx is not offered to SIP: " + sipOffer);
            assertTrue(offer.media().get(1).attributes("rtcp-fb").contains("96 nack pli"), sipOffer);
            assertFalse(offer.media().get(1).attributes("rtcp-fb").contains("96 transport-cc"), sipOffer);

            String answer = bridge.browserAnswer(sipAnswer(audio, video));
            SessionDescription browserAnswer = SessionDescription.parse(answer);
            assertEquals("BUNDLE 0 1", browserAnswer.attribute("group"));
            assertNotNull(browserAnswer.attribute("ice-lite"));
            MediaDescription answeredAudio = browserAnswer.media().get(0);
            assertEquals("passive", answeredAudio.attributes("setup").get(0));
            assertTrue(answeredAudio.has("rtcp-mux") && answeredAudio.has("end-of-candidates"), answer);
            assertEquals("111 110", String.join(" ", answeredAudio.formats()), answer);

            browser.connect(answer, WAIT);
            assertEquals("up", connected.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            assertEquals("CONNECTED", bridge.stats().dtlsState());
            assertNotNull(bridge.stats().selectedPair());
            assertEquals("AES_CM_128_HMAC_SHA1_80", bridge.stats().srtpProfile());

            browser.sendRtp(BrowserPeer.OPUS, 1, BrowserPeer.AUDIO_SSRC, new byte[] {1, 2, 3});
            byte[] atPhone = audio.receive();
            assertNotNull(atPhone, "audio from the browser reaches the SIP phone");
            assertEquals(SIP_OPUS, Packets.payloadType(atPhone));
            assertEquals(BrowserPeer.AUDIO_SSRC, Packets.ssrc(atPhone));

            browser.sendRtp(BrowserPeer.VP8, 1, BrowserPeer.VIDEO_SSRC, new byte[] {9, 9});
            byte[] videoAtPhone = video.receive();
            assertNotNull(videoAtPhone, "video from the browser reaches the SIP phone's video port");
            assertEquals(SIP_VP8, Packets.payloadType(videoAtPhone));

            int bridgeAudio = port(sipOffer, 0);
            int bridgeVideo = port(sipOffer, 1);
            audio.send(Packets.rtp(SIP_OPUS, 7, 0x5151_5151L, new byte[] {4, 5}), bridgeAudio);
            byte[] atBrowser = browser.nextRtp(WAIT);
            assertNotNull(atBrowser, "audio from SIP reaches the browser");
            assertEquals(BrowserPeer.OPUS, Packets.payloadType(atBrowser));
            video.send(Packets.rtp(SIP_VP8, 8, 0x6161_6161L, new byte[] {6}), bridgeVideo);
            byte[] videoAtBrowser = browser.nextRtp(WAIT);
            assertNotNull(videoAtBrowser, "video from SIP reaches the browser");
            assertEquals(BrowserPeer.VP8, Packets.payloadType(videoAtBrowser));

            // RFC 4585 §6.3.1: the SIP phone asks for a key frame on its RTCP port; the browser gets the PLI (SRTCP)
            video.sendRtcp(Packets.pli(0x6161_6161L, BrowserPeer.VIDEO_SSRC), bridgeVideo + 1);
            byte[] pli = browser.nextRtcp(WAIT);
            assertNotNull(pli, "PLI reaches the browser");
            assertEquals(206, Packets.rtcpType(pli));
            // and the browser's PLI about the phone's video goes to the phone's video RTCP port
            browser.sendRtcp(Packets.pli(BrowserPeer.VIDEO_SSRC, 0x6161_6161L));
            byte[] pliAtPhone = video.receiveRtcp();
            assertNotNull(pliAtPhone, "PLI from the browser reaches the SIP video RTCP port");
            assertEquals(206, Packets.rtcpType(pliAtPhone));

            // the counters follow the sends, which the peers may see first
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
            WebRtcBridge.Stats stats = bridge.stats();
            while (stats.rtcpToSip() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(5);
                stats = bridge.stats();
            }
            assertEquals(2, stats.rtpToSip());
            assertEquals(2, stats.rtpToBrowser());
            assertEquals(1, stats.rtcpToBrowser());
            assertEquals(1, stats.rtcpToSip());
        }
        awaitPorts(portsBefore);
    }

    /** RFC 5763 §5: a certificate that does not match the a=fingerprint of the browser's SDP ends the handshake. */
    @Test
    void rfc5763_wrongFingerprintFailsTheHandshake() throws Exception {
        try (BrowserPeer browser = new BrowserPeer(true); SipPhone audio = new SipPhone(false);
             WebRtcBridge bridge = WebRtcBridge.fromBrowserOffer(engine, "call-2", browser.offer(false),
                     WebRtcBridge.SipSrtp.OFF, listener)) {
            String answer = bridge.browserAnswer(sipAnswer(audio, null));
            assertThrows(Exception.class, () -> browser.connect(answer, WAIT));
            String reason = failed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertTrue(reason.contains("fingerprint"), reason);
            assertEquals("FAILED", bridge.stats().dtlsState());
            assertFalse(connected.isDone());
        }
    }

    /** RFC 5763 §5: DTLS-SRTP needs a=fingerprint; a browser offer without it is refused and no port stays taken. */
    @Test
    void rfc5763_offerWithoutFingerprintIsRefused() throws Exception {
        int portsBefore = engine.portPairsInUse();
        try (BrowserPeer browser = new BrowserPeer(false)) {
            String offer = browser.offer(false).replaceAll("a=fingerprint:[^\r]*\r\n", "");
            SdpException refused = assertThrows(SdpException.class, () -> WebRtcBridge.fromBrowserOffer(engine,
                    "call-3", offer, WebRtcBridge.SipSrtp.OFF, listener));
            assertTrue(refused.getMessage().contains("fingerprint"), refused.getMessage());
            assertThrows(SdpException.class, () -> WebRtcBridge.fromBrowserOffer(engine, "call-3", "v=0\r\nbogus",
                    WebRtcBridge.SipSrtp.OFF, listener));
        }
        awaitPorts(portsBefore);
    }

    /**
     * RFC 4568 §5.1 and RFC 8843 §7.2: a call from a SIP phone that offers SDES-SRTP; the browser gets a bundled
     * offer with a=setup:actpass (RFC 5763 §5) and answers active; media flows both ways, SRTP on both legs.
     */
    @Test
    void rfc4568_sipCallWithSdesReachesTheBrowserAndBack() throws Exception {
        try (BrowserPeer browser = new BrowserPeer(false); SipPhone audio = new SipPhone(true)) {
            String sipOffer = sipSdp(audio.media("audio", "0 " + SIP_OPUS + " 102", "rtpmap:" + SIP_OPUS
                    + " opus/48000/2", "rtpmap:102 telephone-event/8000", "sendrecv"));
            try (WebRtcBridge bridge = WebRtcBridge.fromSipOffer(engine, "call-4", sipOffer, listener)) {
                String offer = bridge.browserOffer();
                MediaDescription offered = SessionDescription.parse(offer).media().get(0);
                assertEquals("actpass", offered.attributes("setup").get(0));
                assertEquals("UDP/TLS/RTP/SAVPF", offered.proto());
                assertEquals("BUNDLE 0", SessionDescription.parse(offer).attribute("group"));

                String sipAnswer = bridge.sipAnswer(browser.answer(offer));
                MediaDescription answered = SessionDescription.parse(sipAnswer).media().get(0);
                assertEquals("RTP/SAVP", answered.proto());
                audio.peerKey(answered.attributes("crypto").get(0));

                browser.connect(offer, WAIT);
                assertEquals("up", connected.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));

                audio.send(Packets.rtp(SIP_OPUS, 1, 0x7171_7171L, new byte[] {1}), answered.port());
                byte[] atBrowser = browser.nextRtp(WAIT);
                assertNotNull(atBrowser, "SRTP from the phone reaches the browser");
                assertEquals(SIP_OPUS, Packets.payloadType(atBrowser));
                browser.sendRtp(0, 1, BrowserPeer.AUDIO_SSRC, new byte[] {2});
                byte[] atPhone = audio.receive();
                assertNotNull(atPhone, "the browser's PCMU reaches the phone, SDES-protected");
                assertEquals(0, Packets.payloadType(atPhone));
            }
        }
    }

    /**
     * Issue 11 (RTP hijacking), RFC 4961: the SIP leg latches only to the phone, by the address of its SDP or the one
     * its SIP comes from, never to whoever sends first. The phone is behind NAT (a private address in its SDP, its
     * media from its SIP source); a stranger's packet sent before the phone's neither reaches the browser nor takes
     * the leg, and the browser's media reach the phone.
     */
    @Test
    void theSipLegLatchesToThePhoneNeverToTheFirstStranger() throws Exception {
        engine.close();
        engine = new MediaEngine(InetAddress.getLoopbackAddress(), 47000, 47100, Duration.ZERO, RtpPolicy.DEFAULTS);
        try (BrowserPeer browser = new BrowserPeer(false); SipPhone audio = new SipPhone(false);
             DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0))) {
            stranger.setSoTimeout(500);
            String sipOffer = sipSdp(audio.media("audio", "0 " + SIP_OPUS, "rtpmap:" + SIP_OPUS + " opus/48000/2",
                    "sendrecv")).replace("c=IN IP4 127.0.0.1", "c=IN IP4 10.0.0.7");
            try (WebRtcBridge bridge = WebRtcBridge.fromSipOffer(engine, "call-8", sipOffer, listener)) {
                bridge.sipSignallingSource(InetAddress.getLoopbackAddress());
                String offer = bridge.browserOffer();
                int sipPort = port(bridge.sipAnswer(browser.answer(offer)), 0);
                browser.connect(offer, WAIT);
                assertEquals("up", connected.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));

                byte[] hijack = Packets.rtp(SIP_OPUS, 1, 0x6666_6666L, new byte[] {6});
                stranger.send(new DatagramPacket(hijack, hijack.length, InetAddress.getLoopbackAddress(), sipPort));
                audio.send(Packets.rtp(SIP_OPUS, 2, 0x7171_7171L, new byte[] {7}), sipPort);
                byte[] atBrowser = browser.nextRtp(WAIT);
                assertNotNull(atBrowser, "the phone's media reach the browser");
                assertEquals(0x7171_7171L, Packets.ssrc(atBrowser), "the stranger's packet, sent first, is dropped");

                browser.sendRtp(0, 1, BrowserPeer.AUDIO_SSRC, new byte[] {2});
                assertNotNull(audio.receive(), "the browser's media go to the phone's NAT address");
                assertThrows(SocketTimeoutException.class, () -> stranger.receive(new DatagramPacket(new byte[2048],
                        2048)), "nothing goes to the stranger");
            }
        }
    }

    /**
     * RFC 3264 §8 (re-offer from the browser, session-update): the SIP re-offer keeps the ports, the browser's
     * re-answer keeps ICE and DTLS, and media keeps flowing; then RFC 7983 §7 garbage on the browser socket and on
     * the SIP port is dropped and counted, and closing gives every port back.
     */
    @Test
    void rfc3264_reofferKeepsMediaFlowingGarbageIsDroppedAndCloseFreesPorts() throws Exception {
        int portsBefore = engine.portPairsInUse();
        try (BrowserPeer browser = new BrowserPeer(false); SipPhone audio = new SipPhone(false)) {
            WebRtcBridge bridge = WebRtcBridge.fromBrowserOffer(engine, "call-5", browser.offer(false),
                    WebRtcBridge.SipSrtp.OFF, listener);
            String sipOffer = bridge.sipOffer();
            browser.connect(bridge.browserAnswer(sipAnswer(audio, null)), WAIT);
            assertEquals("up", connected.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            assertEquals(portsBefore + 2, engine.portPairsInUse());

            String reoffer = bridge.sipReoffer(browser.offer(false).replace("a=sendrecv", "a=sendonly"));
            assertEquals(port(sipOffer, 0), port(reoffer, 0), "the SIP leg keeps its port");
            assertTrue(SessionDescription.parse(reoffer).media().get(0).has("sendonly"), reoffer);
            String reanswer = bridge.browserReanswer(sipAnswer(audio, null).replace("a=sendrecv", "a=recvonly"));
            assertTrue(SessionDescription.parse(reanswer).media().get(0).has("recvonly"), reanswer);
            assertThrows(IllegalStateException.class, () -> bridge.browserReanswer(sipAnswer(audio, null)));

            browser.sendRtp(BrowserPeer.OPUS, 2, BrowserPeer.AUDIO_SSRC, new byte[] {1});
            assertNotNull(audio.receive(), "media flows after the re-offer");

            long droppedBefore = bridge.stats().dropped();
            browser.sendRaw(new byte[] {(byte) 0xff, 1, 2, 3});
            browser.sendRaw(new byte[] {(byte) 0x80, 111, 0, 1, 0, 0, 0, 0, 0x11, 0x11, 0x11, 0x11, 9, 9, 9, 9, 9, 9,
                    9, 9, 9, 9, 9, 9});
            audio.sendRaw(new byte[] {0x42, 0x42}, port(sipOffer, 0));
            browser.sendRtp(BrowserPeer.OPUS, 3, BrowserPeer.AUDIO_SSRC, new byte[] {2});
            byte[] after = audio.receive();
            assertNotNull(after, "good packets still pass after garbage");
            assertEquals(3, java.nio.ByteBuffer.wrap(after).getShort(2));
            assertTrue(bridge.stats().dropped() >= droppedBefore + 2, bridge.stats().toString());

            bridge.close();
            bridge.close();
        }
        awaitPorts(portsBefore);
    }

    /** A browser answer that would make the bridge the DTLS client (RFC 5763 §5 a=setup:passive) is refused. */
    @Test
    void rfc5763_passiveBrowserAnswerIsRefused() throws Exception {
        try (BrowserPeer browser = new BrowserPeer(false); SipPhone audio = new SipPhone(false);
             WebRtcBridge bridge = WebRtcBridge.fromSipOffer(engine, "call-6", sipSdp(audio.media("audio", "0",
                     "sendrecv")), listener)) {
            String answer = browser.answer(bridge.browserOffer()).replace("a=setup:active", "a=setup:passive");
            SdpException refused = assertThrows(SdpException.class, () -> bridge.sipAnswer(answer));
            assertTrue(refused.getMessage().contains("DTLS"), refused.getMessage());
        }
    }

    /**
     * RFC 3264 §8 (re-INVITE from SIP, put on hold): the browser re-offer keeps our ICE credentials, fingerprint
     * and port and mirrors the SIP direction; after the browser's re-answer media from the phone still reaches it.
     */
    @Test
    void rfc3264_sipReofferIsMirroredToTheBrowserOnTheSameTransport() throws Exception {
        try (BrowserPeer browser = new BrowserPeer(false); SipPhone audio = new SipPhone(false)) {
            String sipOffer = sipSdp(audio.media("audio", "0", "sendrecv"));
            try (WebRtcBridge bridge = WebRtcBridge.fromSipOffer(engine, "call-7", sipOffer, listener)) {
                String offer = bridge.browserOffer();
                String sipAnswer = bridge.sipAnswer(browser.answer(offer));
                browser.connect(offer, WAIT);
                assertEquals("up", connected.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));

                String reoffer = bridge.browserReoffer(sipOffer.replace("a=sendrecv", "a=sendonly"));
                MediaDescription first = SessionDescription.parse(offer).media().get(0);
                MediaDescription again = SessionDescription.parse(reoffer).media().get(0);
                assertEquals(first.port(), again.port());
                assertEquals(first.attributes("ice-ufrag"), again.attributes("ice-ufrag"));
                assertEquals(first.attributes("fingerprint"), again.attributes("fingerprint"));
                assertTrue(again.has("sendonly"), reoffer);
                String reanswer = bridge.sipReanswer(browser.answer(reoffer).replace("a=sendrecv", "a=recvonly"));
                assertEquals(port(sipAnswer, 0), port(reanswer, 0));
                assertTrue(SessionDescription.parse(reanswer).media().get(0).has("recvonly"), reanswer);

                audio.send(Packets.rtp(0, 1, 0x8181_8181L, new byte[] {1}), port(reanswer, 0));
                assertNotNull(browser.nextRtp(WAIT), "media from the phone still reaches the browser");
            }
        }
    }

    /**
     * Like every endpoint of the engine, a bridge reports when no media arrives for the RTP timeout (on the test's
     * clock: time moves when the test says).
     */
    @Test
    void silentBridgeReportsInactivity() throws Exception {
        TestClock clock = new TestClock();
        try (MediaEngine shortTimeout = clock.engine(InetAddress.getLoopbackAddress(), 47200, 47220,
                Duration.ofMillis(200), RtpPolicy.OPEN); SipPhone audio = new SipPhone(false); BrowserPeer browser = new BrowserPeer(false)) {
            CompletableFuture<WebRtcBridge> inactive = new CompletableFuture<>();
            try (WebRtcBridge bridge = WebRtcBridge.fromBrowserOffer(shortTimeout, "call-8", browser.offer(false),
                    WebRtcBridge.SipSrtp.OFF, new WebRtcBridge.Listener() {
                        @Override
                        public void inactive(WebRtcBridge b) {
                            inactive.complete(b);
                        }
                    })) {
                bridge.browserAnswer(sipAnswer(audio, null));
                clock.advance(150);
                TestClock.checkInactivity(shortTimeout);
                assertFalse(inactive.isDone(), "not before the timeout");
                clock.advance(100);
                TestClock.checkInactivity(shortTimeout);
                assertEquals(bridge, inactive.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            }
        }
    }

    /**
     * RFC 7675: a browser that sends nothing at all any more (no media, no consent checks) for the RTP timeout once
     * media was up is gone: the bridge reports the browser leg failed. While packets come it is not.
     */
    @Test
    void rfc7675_aBrowserThatFallsSilentIsReportedGone() throws Exception {
        TestClock clock = new TestClock();
        try (MediaEngine shortTimeout = clock.engine(InetAddress.getLoopbackAddress(), 47300, 47320,
                Duration.ofMillis(300), RtpPolicy.OPEN); SipPhone audio = new SipPhone(false); BrowserPeer browser = new BrowserPeer(false)) {
            try (WebRtcBridge bridge = WebRtcBridge.fromBrowserOffer(shortTimeout, "call-9", browser.offer(false),
                    WebRtcBridge.SipSrtp.OFF, listener)) {
                browser.connect(bridge.browserAnswer(sipAnswer(audio, null)), WAIT);
                assertEquals("up", connected.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
                // four timeouts long, a packet every 50 ms: alive
                for (int sequence = 1; sequence <= 24; sequence++) {
                    browser.sendRtp(BrowserPeer.OPUS, sequence, BrowserPeer.AUDIO_SSRC, new byte[] {1});
                    assertNotNull(audio.receive(), "packet " + sequence + " relayed, so the bridge has seen it");
                    clock.advance(50);
                    TestClock.checkInactivity(shortTimeout);
                }
                assertFalse(failed.isDone(), () -> "reported gone while sending: " + failed.getNow(null));
                browser.close();
                clock.advance(400);
                TestClock.checkInactivity(shortTimeout);
                String reason = failed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertTrue(reason.contains("ICE consent"), reason);
            }
        }
    }

    /**
     * Issue 11 part 3: an offer with hundreds of m-lines cannot take the port range from other calls; over
     * max_streams_per_call it is refused and every port it took comes back.
     */
    @Test
    void anOfferWithMoreStreamsThanMaxStreamsPerCallIsRefused() throws Exception {
        try (MediaEngine capped = new MediaEngine(InetAddress.getLoopbackAddress(), 47400, 47500, Duration.ZERO,
                new RtpPolicy(false, 8, 0))) {
            String line = "m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
            SdpException refused = assertThrows(SdpException.class,
                    () -> WebRtcBridge.fromSipOffer(capped, "call-many", sipSdp(line.repeat(300)), listener));
            assertTrue(refused.getMessage().contains("max_streams_per_call 8"), refused.getMessage());
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (capped.portPairsInUse() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(0, capped.portPairsInUse(), "every port of the refused offer is free again");
            WebRtcBridge.fromSipOffer(capped, "call-eight", sipSdp(line.repeat(8)), listener).close();
        }
    }

    private void awaitPorts(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (engine.portPairsInUse() != expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(expected, engine.portPairsInUse());
    }
}
