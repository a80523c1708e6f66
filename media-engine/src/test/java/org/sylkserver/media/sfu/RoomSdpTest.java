package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sylkserver.media.rtcp.TransportFeedback;
import org.sylkserver.media.sdp.AudioAnswerer;
import org.sylkserver.media.webrtc.BrowserPeer;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;
import org.sylkserver.protocols.sdp.SessionDescription.Line;

/** {@link RoomSdp}: the publisher's answer and the feed's offer (RFC 3264, RFC 8843, RFC 5576). */
class RoomSdpTest {

    private static final List<Line> TRANSPORT = List.of(new Line('a', "ice-ufrag:abcd"), new Line('a', "rtcp-mux"));

    /** Chrome's offer shape (an ICE agent is slow to make: one for all the tests). */
    private static String chromeOffer;

    @BeforeAll
    static void offer() throws Exception {
        try (BrowserPeer chrome = new BrowserPeer(false)) {
            chromeOffer = chrome.offer(true);
        }
    }

    private static RoomSdp.Negotiated answer(String codec, boolean video) throws Exception {
        return RoomSdp.answerPublisher(SessionDescription.parse(chromeOffer), TRANSPORT, 40000, codec, true, video,
                new AudioAnswerer.Origin(), InetAddress.getLoopbackAddress());
    }

    /**
     * RFC 3264 §6.1: one format per medium (and the video's retransmissions), recvonly, on the bundle; RED and
     * transport-cc left out.
     */
    @Test
    void thePublisherSendsOpusAndTheRoomsCodec_rfc3264_6_1() throws Exception {
        RoomSdp.Negotiated negotiated = answer("vp8", true);
        assertEquals("opus", negotiated.audio().map().name());
        assertEquals(96, negotiated.video().payloadType());
        assertEquals(List.of("ccm fir", "nack", "nack pli"), negotiated.video().feedback().stream().sorted().toList());
        SessionDescription answer = SessionDescription.parse(negotiated.answer().toString());
        assertEquals("BUNDLE 0 1", answer.attribute("group"));
        assertTrue(answer.sessionLines().contains(new Line('a', "ice-lite")));
        for (MediaDescription m : answer.media()) {
            assertEquals(40000, m.port());
            assertEquals("recvonly", answer.direction(m));
        }
        assertEquals(List.of("111"), answer.media().get(0).formats());
        assertEquals(List.of("96", "97"), answer.media().get(1).formats());
    }

    @Test
    void theRoomsCodecFirst_spec_8_3_videoCodec() throws Exception {
        assertEquals("h264", answer("h264", true).video().map().name());
        assertEquals("vp8", answer("vp9", true).video().map().name(), "VP9 not offered: VP8");
    }

    /** Spec §4.6.1: a room without video refuses the video m-line (RFC 3264 §6: port 0). */
    @Test
    void aRoomWithoutVideo_spec_4_6_1() throws Exception {
        RoomSdp.Negotiated negotiated = answer("vp8", false);
        assertEquals(null, negotiated.video());
        assertEquals(0, negotiated.answer().media().get(1).port());
        assertEquals("BUNDLE 0", negotiated.answer().attribute("group"));
    }

    @Test
    void nothingUsableIsRefused() {
        String offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n"
                + "c=IN IP4 0.0.0.0\r\na=rtpmap:0 PCMU/8000\r\n";
        assertThrows(SdpException.class, () -> RoomSdp.answerPublisher(SessionDescription.parse(offer), TRANSPORT,
                40000, "vp8", true, true, new AudioAnswerer.Origin(), InetAddress.getLoopbackAddress()));
    }

    /** RFC 6464 §4 (RFC 8285 §5): the publisher's audio levels are accepted under the id it offered. */
    @Test
    void thePublishersAudioLevelsAreAccepted_rfc6464_4() throws Exception {
        String offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                + "c=IN IP4 0.0.0.0\r\na=rtpmap:111 opus/48000/2\r\na=sendonly\r\n"
                + "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
                + "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n";
        RoomSdp.Negotiated negotiated = RoomSdp.answerPublisher(SessionDescription.parse(offer), TRANSPORT, 40000,
                "vp8", true, true, new AudioAnswerer.Origin(), InetAddress.getLoopbackAddress());
        assertEquals(1, negotiated.audioLevelId());
        assertEquals(List.of("1 urn:ietf:params:rtp-hdrext:ssrc-audio-level", "3 " + TransportFeedback.URI),
                SessionDescription.parse(negotiated.answer().toString()).media().get(0).attributes("extmap"));
        RoomSdp.Negotiated without = RoomSdp.answerPublisher(SessionDescription.parse(offer.replaceAll(
                "a=extmap:1 [^\r]*\r\n", "")), TRANSPORT, 40000, "vp8", true, true, new AudioAnswerer.Origin(),
                InetAddress.getLoopbackAddress());
        assertEquals(0, without.audioLevelId());
        assertEquals(List.of("3 " + TransportFeedback.URI), without.answer().media().get(0).attributes("extmap"));
    }

    /** RFC 5576 §4.1 and RFC 8830: the feed's offer names its own SSRCs and streams; the publisher's formats. */
    @Test
    void theFeedOfferNamesItsSsrcs_rfc5576_4_1() throws Exception {
        RoomSdp.Negotiated publisher = answer("vp8", true);
        SessionDescription offer = SessionDescription.parse(RoomSdp.offerFeed(publisher, TRANSPORT, 40002, 11, 22,
                33, "s1", new AudioAnswerer.Origin(), InetAddress.getLoopbackAddress()).toString());
        assertEquals(2, offer.media().size());
        MediaDescription audio = offer.media().get(0);
        MediaDescription video = offer.media().get(1);
        assertEquals(List.of("111"), audio.formats());
        assertEquals(List.of("96", "97"), video.formats());
        assertEquals("sendonly", offer.direction(video));
        assertTrue(audio.attributes("ssrc").contains("11 cname:s1"));
        assertTrue(video.attributes("ssrc").contains("22 msid:s1 s1-video"));
        assertEquals("BUNDLE 0 1", offer.attribute("group"));
        assertTrue(video.attributes("rtcp-fb").stream().noneMatch(f -> f.contains("goog-remb")),
                "REMB only towards publishers");
    }

    /** Chrome's offer with the transport-wide sequence number extension under id 3 on both m-lines. */
    private static String withTransportCc(String offer) {
        return offer.replace("a=sendrecv\r\n", "a=sendrecv\r\na=extmap:3 " + TransportFeedback.URI + "\r\n");
    }

    /**
     * draft-holmer-rmcat-transport-wide-cc-extensions-01 §2 and §4: a publisher that offers the transport-wide
     * sequence number gets it accepted under its id on every bundled m-line, with {@code transport-cc} feedback for
     * the formats that offered it (its browser then estimates its bandwidth from our feedback), and REMB stays (the
     * room's cap, spec §4.6.6). Without the extension offered, no feedback is promised.
     */
    @Test
    void transportWideCongestionControlIsAcceptedFromPublishers() throws Exception {
        RoomSdp.Negotiated negotiated = RoomSdp.answerPublisher(SessionDescription.parse(withTransportCc(
                chromeOffer)), TRANSPORT, 40000, "vp8", true, true, new AudioAnswerer.Origin(),
                InetAddress.getLoopbackAddress());
        assertEquals(3, negotiated.transportCcId());
        SessionDescription answer = SessionDescription.parse(negotiated.answer().toString());
        for (MediaDescription m : answer.media()) {
            assertTrue(m.attributes("extmap").contains("3 " + TransportFeedback.URI), m.toString());
        }
        assertTrue(answer.media().get(0).attributes("rtcp-fb").contains("111 transport-cc"));
        assertTrue(answer.media().get(1).attributes("rtcp-fb").containsAll(List.of("96 transport-cc",
                "96 goog-remb")));

        RoomSdp.Negotiated without = answer("vp8", true);
        assertEquals(0, without.transportCcId());
        assertTrue(without.answer().media().get(1).attributes("rtcp-fb").stream()
                .noneMatch(f -> f.contains("transport-cc")));
    }

    /**
     * A feed offers the transport-wide sequence number (one id on both m-lines) and {@code transport-cc} feedback;
     * the browser's answer says whether it took it (RFC 8285 §6).
     */
    @Test
    void feedsOfferTransportWideCongestionControl() throws Exception {
        SessionDescription offer = SessionDescription.parse(RoomSdp.offerFeed(answer("vp8", true), TRANSPORT, 40002,
                11, 22, 33, "s1", new AudioAnswerer.Origin(), InetAddress.getLoopbackAddress()).toString());
        for (MediaDescription m : offer.media()) {
            assertEquals(List.of(RoomSdp.FEED_TRANSPORT_CC_ID + " " + TransportFeedback.URI), m.attributes("extmap"));
            assertTrue(m.attributes("rtcp-fb").contains(m.formats().get(0) + " transport-cc"));
        }
        String answer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                + "c=IN IP4 0.0.0.0\r\na=rtpmap:111 opus/48000/2\r\n";
        assertEquals(0, RoomSdp.acceptedTransportCc(SessionDescription.parse(answer)));
        assertEquals(3, RoomSdp.acceptedTransportCc(SessionDescription.parse(answer + "a=extmap:3 "
                + TransportFeedback.URI + "\r\n")));
        assertEquals(0, RoomSdp.acceptedTransportCc(SessionDescription.parse(answer + "a=extmap:20 "
                + TransportFeedback.URI + "\r\n")), "a two-byte id: the feed writes one-byte elements");
    }

    /** Spec §4.6.6: the room's bitrate reaches the publisher as REMB, when its browser offers it. */
    @Test
    void rembIsAcceptedFromPublishers() throws Exception {
        MediaDescription video = answer("vp8", true).answer().media().get(1);
        assertTrue(video.attributes("rtcp-fb").contains("96 goog-remb"), video.toString());
    }

    /**
     * RFC 4588 §8.1: the publisher's retransmission format of the room's video is accepted ({@code rtx} with the
     * {@code apt} of VP8, not the one of H.264), and §8.3 ({@code a=ssrc-group:FID}) says which stream it repairs.
     */
    @Test
    void thePublishersRetransmissionsAreAccepted_rfc4588_8() throws Exception {
        RoomSdp.Negotiated negotiated = answer("vp8", true);
        assertEquals(97, negotiated.videoRtx());
        assertEquals(BrowserPeer.VIDEO_SSRC, negotiated.repairs().get(33333333L));
        MediaDescription video = SessionDescription.parse(negotiated.answer().toString()).media().get(1);
        assertTrue(video.attributes("rtpmap").contains("97 rtx/90000"), video.toString());
        assertTrue(video.attributes("fmtp").contains("97 apt=96"), video.toString());
        assertEquals(103, answer("h264", true).videoRtx(), "the rtx format of H.264");

        String withoutRtx = chromeOffer.replaceAll("a=(rtpmap|fmtp):97 [^\r]*\r\n", "");
        RoomSdp.Negotiated none = RoomSdp.answerPublisher(SessionDescription.parse(withoutRtx), TRANSPORT, 40000,
                "vp8", true, true, new AudioAnswerer.Origin(), InetAddress.getLoopbackAddress());
        assertEquals(-1, none.videoRtx());
        assertEquals(List.of("96"), none.answer().media().get(1).formats());
    }

    /**
     * RFC 4588 §8.1 and §8.3: the feed offers retransmissions of its video on its own SSRC, paired with the video's
     * by {@code a=ssrc-group:FID}; the subscriber's answer says whether it takes them.
     */
    @Test
    void theFeedOffersRetransmissionsOnItsOwnSsrc_rfc4588_8() throws Exception {
        RoomSdp.Negotiated publisher = answer("vp8", true);
        SessionDescription offer = SessionDescription.parse(RoomSdp.offerFeed(publisher, TRANSPORT, 40002, 11, 22,
                33, "s1", new AudioAnswerer.Origin(), InetAddress.getLoopbackAddress()).toString());
        MediaDescription video = offer.media().get(1);
        assertTrue(video.attributes("rtpmap").contains("97 rtx/90000"));
        assertTrue(video.attributes("fmtp").contains("97 apt=96"));
        assertEquals(List.of("FID 22 33"), video.attributes("ssrc-group"));
        assertTrue(video.attributes("ssrc").contains("33 cname:s1"));

        try (BrowserPeer subscriber = new BrowserPeer(false)) {
            String answer = subscriber.answer(offer.toString());
            assertEquals(97, RoomSdp.acceptedRtx(SessionDescription.parse(answer), 96));
            String refused = answer.replaceAll("a=(rtpmap|fmtp):97 [^\r]*\r\n", "").replace(" 96 97", " 96");
            assertEquals(-1, RoomSdp.acceptedRtx(SessionDescription.parse(refused), 96));
        }

        // a publisher without retransmissions: the feed offers a payload type of its own, free on the feed
        String withoutRtx = chromeOffer.replaceAll("a=(rtpmap|fmtp):97 [^\r]*\r\n", "");
        RoomSdp.Negotiated plain = RoomSdp.answerPublisher(SessionDescription.parse(withoutRtx), TRANSPORT, 40000,
                "vp8", true, true, new AudioAnswerer.Origin(), InetAddress.getLoopbackAddress());
        MediaDescription own = RoomSdp.offerFeed(plain, TRANSPORT, 40002, 11, 22, 33, "s1",
                new AudioAnswerer.Origin(), InetAddress.getLoopbackAddress()).media().get(1);
        assertEquals(List.of("96", "97"), own.formats());
        assertTrue(own.attributes("fmtp").contains("97 apt=96"));
    }

    /**
     * RFC 8853 §5.3 with RFC 8851 rids (Chrome's {@code sendEncodings}): the VP8 video's first three layers not
     * paused are accepted, {@code a=rid:<id> recv} and {@code a=simulcast:recv}, with the RFC 8852 header
     * extensions under the offered ids; so are VP9's and H.264's, whose key frames the server finds too.
     */
    @Test
    void ridSimulcastIsAccepted_rfc8853_5_3() throws Exception {
        String offer = chromeOffer.replace("a=ssrc-group:FID", "a=extmap:10 " + RoomSdp.RID_URI + "\r\n"
                + "a=extmap:11 " + RoomSdp.REPAIRED_RID_URI + "\r\na=extmap:9 " + RoomSdp.MID_URI + "\r\n"
                + "a=rid:q send\r\na=rid:h send\r\na=rid:f send max-width=1280\r\na=rid:x send\r\n"
                + "a=simulcast:send q;~p;h,h2;f;x\r\na=ssrc-group:FID");
        RoomSdp.Negotiated negotiated = RoomSdp.answerPublisher(SessionDescription.parse(offer), TRANSPORT, 40000,
                "vp8", true, true, new AudioAnswerer.Origin(), InetAddress.getLoopbackAddress());
        assertEquals(List.of("q", "h", "f"), negotiated.simulcast().rids(), "three layers, ~p paused");
        assertEquals(10, negotiated.simulcast().ridId());
        assertEquals(11, negotiated.simulcast().repairedRidId());
        MediaDescription video = SessionDescription.parse(negotiated.answer().toString()).media().get(1);
        assertEquals(List.of("q recv", "h recv", "f recv"), video.attributes("rid"));
        assertEquals(List.of("recv q;h;f"), video.attributes("simulcast"));
        assertTrue(video.attributes("extmap").containsAll(List.of("10 " + RoomSdp.RID_URI,
                "11 " + RoomSdp.REPAIRED_RID_URI, "9 " + RoomSdp.MID_URI)), video.toString());

        RoomSdp.Negotiated h264 = RoomSdp.answerPublisher(SessionDescription.parse(offer), TRANSPORT, 40000,
                "h264", true, true, new AudioAnswerer.Origin(), InetAddress.getLoopbackAddress());
        assertEquals("h264", h264.video().map().name());
        assertEquals(List.of("q", "h", "f"), h264.simulcast().rids(), "H.264 simulcast (RFC 6184 key frames)");
        assertEquals(List.of("recv q;h;f"), h264.answer().media().get(1).attributes("simulcast"));
        RoomSdp.Negotiated vp9 = RoomSdp.answerPublisher(SessionDescription.parse(offer.replace(
                "a=rtpmap:96 VP8/90000", "a=rtpmap:96 VP9/90000")), TRANSPORT, 40000, "vp9", true, true,
                new AudioAnswerer.Origin(), InetAddress.getLoopbackAddress());
        assertEquals("vp9", vp9.video().map().name());
        assertEquals(List.of("q", "h", "f"), vp9.simulcast().rids(), "VP9 simulcast (RFC 9628 §4.2 key frames)");
        RoomSdp.Negotiated sim = RoomSdp.answerPublisher(SessionDescription.parse(chromeOffer.replace(
                "a=ssrc-group:FID", "a=ssrc-group:SIM 1 2 3\r\na=ssrc-group:FID")), TRANSPORT, 40000, "vp8", true,
                true, new AudioAnswerer.Origin(), InetAddress.getLoopbackAddress());
        assertEquals(List.of(1L, 2L, 3L), sim.simulcast().ssrcs(), "RFC 5576 SIM group, in its order");
        assertEquals(null, answer("vp8", true).simulcast(), "one stream");
    }

    /**
     * RFC 6184 §8.1 and §8.2.2: an H.264 payload type is its profile-level-id and packetization-mode together (a
     * stream of one mode or profile is not one of another), so the format a room accepts from its publisher is the
     * one every feed offers, with the same parameters: the subscriber's browser then decodes exactly what the
     * publisher encodes. Of Chrome's H.264 formats the first in packetization mode 1 is taken (here Main profile,
     * listed first); mode 0 when only it is offered.
     */
    @Test
    void theFeedOffersThePublishersH264Parameters_rfc6184_8_2_2() throws Exception {
        String main = "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f";
        String offer = chromeOffer.replace("m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103",
                "m=video 9 UDP/TLS/RTP/SAVPF 96 97 104 106 107 102 103").replace("a=rtpmap:102 H264/90000",
                "a=rtpmap:104 H264/90000\r\na=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;"
                        + "profile-level-id=42e01f\r\na=rtpmap:106 H264/90000\r\na=fmtp:106 " + main
                        + "\r\na=rtcp-fb:106 nack pli\r\na=rtpmap:107 rtx/90000\r\na=fmtp:107 apt=106"
                        + "\r\na=rtpmap:102 H264/90000");
        MediaDescription video = feedOffer(offer).media().get(1);
        assertEquals(List.of("106", "107"), video.formats(), "the publisher's one H.264 format, and rtx");
        assertEquals(List.of("106 H264/90000", "107 rtx/90000"), video.attributes("rtpmap"));
        assertTrue(video.attributes("fmtp").contains("106 " + main), video.attributes("fmtp").toString());

        String modeZero = chromeOffer.replace("packetization-mode=1;profile-level-id=42001f",
                "packetization-mode=0;profile-level-id=42e01f");
        MediaDescription single = feedOffer(modeZero).media().get(1);
        assertTrue(single.attributes("fmtp").contains(
                "102 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f"), single.toString());
    }

    /** The offer of a feed of a publisher whose {@code offer} an H.264 room answered. */
    private static SessionDescription feedOffer(String offer) throws Exception {
        RoomSdp.Negotiated publisher = RoomSdp.answerPublisher(SessionDescription.parse(offer), TRANSPORT, 40000,
                "h264", true, true, new AudioAnswerer.Origin(), InetAddress.getLoopbackAddress());
        assertEquals("h264", publisher.video().map().name());
        return SessionDescription.parse(RoomSdp.offerFeed(publisher, TRANSPORT, 40002, 11, 22, 33, "s1",
                new AudioAnswerer.Origin(), InetAddress.getLoopbackAddress()).toString());
    }
}
