package org.sylkserver.media.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/** RFC 3264 §5 offers the focus makes when it dials out, and the reading of their answers (§6). */
class AudioOfferTest {

    private final InetAddress local = InetAddress.getLoopbackAddress();

    private SessionDescription offer() {
        return new SessionDescription(AudioAnswerer.sessionLines(new AudioAnswerer.Origin(), local),
                List.of(AudioOffer.line(List.of("opus", "PCMU", "nonsense"), 40000)));
    }

    @Test
    void theOfferListsTheAllowedCodecsInOrderAndTelephoneEvents_rfc3264_s5() throws SdpException {
        SessionDescription offer = SessionDescription.parse(offer().toBytes());
        MediaDescription audio = offer.media().get(0);
        assertEquals("RTP/AVP", audio.proto());
        assertEquals(40000, audio.port());
        assertEquals(List.of("111", "0", "101"), audio.formats());
        assertEquals("opus", audio.rtpMap("111").name());
        assertEquals(48000, audio.rtpMap("111").clockRate());
        assertEquals("telephone-event", audio.rtpMap("101").name());
        assertEquals("sendrecv", offer.direction(audio));
    }

    @Test
    void theAnswerGivesTheCodecAddressAndDirection_rfc3264_s6() throws SdpException {
        SessionDescription answer = SessionDescription.parse("v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\n"
                + "c=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 7000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n"
                + "a=sendonly\r\n");
        AudioAnswerer.Answer read = AudioOffer.read(offer(), answer);
        assertEquals(List.of("0", "101"), read.payloadTypes());
        assertEquals(new InetSocketAddress("192.0.2.9", 7000), read.remoteRtp());
        assertEquals("recvonly", read.direction(), "they only send: we only receive");
    }

    @Test
    void anAnswerWithoutOurCodecsOrAudioIsRefused() throws SdpException {
        SessionDescription declined = SessionDescription.parse("v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\n"
                + "c=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\n");
        assertEquals("The answer accepts no audio stream",
                assertThrows(SdpException.class, () -> AudioOffer.read(offer(), declined)).getMessage());
        SessionDescription foreign = SessionDescription.parse("v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\n"
                + "c=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 7000 RTP/AVP 18\r\n");
        assertEquals("The answer keeps none of the offered codecs",
                assertThrows(SdpException.class, () -> AudioOffer.read(offer(), foreign)).getMessage());
    }
}
