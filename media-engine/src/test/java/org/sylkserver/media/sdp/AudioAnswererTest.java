package org.sylkserver.media.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Offer/answer for audio (RFC 3264). */
class AudioAnswererTest {

    private final AudioAnswerer answerer = new AudioAnswerer(List.of("opus", "G722", "PCMA", "PCMU"));
    private final InetAddress local = InetAddress.getLoopbackAddress();

    private static SessionDescription offer(String media) throws SdpException {
        return SessionDescription.parse("v=0\r\no=alice 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n" + media);
    }

    @Test
    void acceptsOfferedCodecsInTheOffersOrderWithTheirPayloadTypes_rfc3264_s6_1() throws SdpException {
        AudioAnswerer.Answer answer = answerer.answer(offer("m=audio 5004 RTP/AVP 96 0 18 101\r\n"
                + "a=rtpmap:96 opus/48000/2\r\na=fmtp:96 useinbandfec=1\r\na=rtpmap:18 G729/8000\r\n"
                + "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n"), new AudioAnswerer.Origin(), local, 50000);
        assertEquals(List.of("96", "0", "101"), answer.payloadTypes());
        assertEquals(new InetSocketAddress("192.0.2.10", 5004), answer.remoteRtp());
        MediaDescription audio = answer.sdp().media().get(0);
        assertEquals(50000, audio.port());
        assertEquals(List.of("96", "0", "101"), audio.formats());
        assertEquals(List.of("96 opus/48000/2", "101 telephone-event/8000"), audio.attributes("rtpmap"));
        assertEquals(List.of("96 useinbandfec=1", "101 0-15"), audio.attributes("fmtp"));
        assertEquals("IN IP4 127.0.0.1", answer.sdp().sessionLines().get(3).value());
    }

    @Test
    void otherStreamsAreDeclinedWithPortZeroInTheSameOrder_rfc3264_s6() throws SdpException {
        AudioAnswerer.Answer answer = answerer.answer(offer("m=video 5006 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n"
                + "m=audio 5004 RTP/AVP 0\r\nm=message 2855 TCP/TLS/MSRP *\r\n"), new AudioAnswerer.Origin(), local, 50002);
        List<MediaDescription> media = answer.sdp().media();
        assertEquals(3, media.size());
        assertEquals(0, media.get(0).port());
        assertEquals("video", media.get(0).media());
        assertEquals(50002, media.get(1).port());
        assertEquals(0, media.get(2).port());
    }

    @Test
    void directionIsMirroredAndRtcpMuxAccepted_rfc3264_s6_1_rfc5761() throws SdpException {
        AudioAnswerer.Answer hold = answerer.answer(offer("m=audio 5004 RTP/AVP 8\r\na=sendonly\r\na=rtcp-mux\r\n"),
                new AudioAnswerer.Origin(), local, 50004);
        assertEquals("recvonly", hold.direction());
        assertTrue(hold.rtcpMux());
        assertTrue(hold.sdp().media().get(0).has("rtcp-mux"));
        assertEquals("inactive", answerer.answer(offer("m=audio 5004 RTP/AVP 8\r\na=inactive\r\n"),
                new AudioAnswerer.Origin(), local, 50004).direction());
    }

    @Test
    void originVersionIncreasesWithEachAnswerOfADialog_rfc3264_s8() throws SdpException {
        AudioAnswerer.Origin origin = new AudioAnswerer.Origin();
        String first = answerer.answer(offer("m=audio 5004 RTP/AVP 0\r\n"), origin, local, 50000).sdp().sessionLines().get(1).value();
        String second = answerer.answer(offer("m=audio 5004 RTP/AVP 0\r\n"), origin, local, 50000).sdp().sessionLines().get(1).value();
        assertEquals(first.split(" ")[1], second.split(" ")[1]);
        assertEquals(Long.parseLong(first.split(" ")[2]) + 1, Long.parseLong(second.split(" ")[2]));
    }

    @Test
    void nothingAcceptableIsA488WithTheReason() throws SdpException {
        assertEquals("No compatible audio codec", assertThrows(SdpException.class,
                () -> answerer.answer(offer("m=audio 5004 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n"),
                        new AudioAnswerer.Origin(), local, 50000)).sipReason());
        assertEquals("No audio stream offered", assertThrows(SdpException.class,
                () -> answerer.answer(offer("m=video 5004 RTP/AVP 96\r\n"), new AudioAnswerer.Origin(), local, 50000)).sipReason());
        assertEquals("Unsupported audio transport RTP/SAVP", assertThrows(SdpException.class,
                () -> answerer.answer(offer("m=audio 5004 RTP/SAVP 0\r\n"), new AudioAnswerer.Origin(), local, 50000)).sipReason());
        assertFalse(new AudioAnswerer(List.of("PCMA")).answer(offer("m=audio 5004 RTP/AVP 8 0\r\n"),
                new AudioAnswerer.Origin(), local, 50000).payloadTypes().contains("0"));
    }
}
