package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;

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

    private static RoomSdp.Negotiated answer(String codec, boolean video) throws Exception {
        try (BrowserPeer chrome = new BrowserPeer(false)) {
            return RoomSdp.answerPublisher(SessionDescription.parse(chrome.offer(true)), TRANSPORT, 40000, codec,
                    true, video, new AudioAnswerer.Origin(), InetAddress.getLoopbackAddress());
        }
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
    }
}
