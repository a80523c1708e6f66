package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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

    /** RFC 3264 §6.1: one format per medium, recvonly, on the bundle; rtx, RED, REMB and transport-cc left out. */
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
            assertEquals(1, m.formats().size());
            assertEquals("recvonly", answer.direction(m));
        }
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
        assertEquals(List.of("1 urn:ietf:params:rtp-hdrext:ssrc-audio-level"),
                SessionDescription.parse(negotiated.answer().toString()).media().get(0).attributes("extmap"));
        RoomSdp.Negotiated without = RoomSdp.answerPublisher(SessionDescription.parse(offer.replaceAll(
                "a=extmap:1 [^\r]*\r\n", "")), TRANSPORT, 40000, "vp8", true, true, new AudioAnswerer.Origin(),
                InetAddress.getLoopbackAddress());
        assertEquals(0, without.audioLevelId());
        assertTrue(without.answer().media().get(0).attributes("extmap").isEmpty());
    }

    /** RFC 5576 §4.1 and RFC 8830: the feed's offer names its own SSRCs and streams; the publisher's formats. */
    @Test
    void theFeedOfferNamesItsSsrcs_rfc5576_4_1() throws Exception {
        RoomSdp.Negotiated publisher = answer("vp8", true);
        SessionDescription offer = SessionDescription.parse(RoomSdp.offerFeed(publisher, TRANSPORT, 40002, 11, 22,
                "s1", new AudioAnswerer.Origin(), InetAddress.getLoopbackAddress()).toString());
        assertEquals(2, offer.media().size());
        MediaDescription audio = offer.media().get(0);
        MediaDescription video = offer.media().get(1);
        assertEquals(List.of("111"), audio.formats());
        assertEquals(List.of("96"), video.formats());
        assertEquals("sendonly", offer.direction(video));
        assertTrue(audio.attributes("ssrc").contains("11 cname:s1"));
        assertTrue(video.attributes("ssrc").contains("22 msid:s1 s1-video"));
        assertEquals("BUNDLE 0 1", offer.attribute("group"));
        assertTrue(video.attributes("rtcp-fb").stream().noneMatch(f -> f.contains("goog-remb")),
                "REMB only towards publishers");
    }

    /** Spec §4.6.6: the room's bitrate reaches the publisher as REMB, when its browser offers it. */
    @Test
    void rembIsAcceptedFromPublishers() throws Exception {
        MediaDescription video = answer("vp8", true).answer().media().get(1);
        assertTrue(video.attributes("rtcp-fb").contains("96 goog-remb"), video.toString());
    }
}
