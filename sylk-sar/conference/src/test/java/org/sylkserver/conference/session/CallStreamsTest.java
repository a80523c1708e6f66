package org.sylkserver.conference.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.sylkserver.core.session.AudioStream;
import org.sylkserver.core.session.MediaSession;
import org.sylkserver.media.codec.AudioCodec;
import org.sylkserver.media.sdp.AudioAnswerer;
import org.sylkserver.media.sdp.AudioOffer;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/** The streams of a call with a room (spec §3.2) and the room's dial-out offer (RFC 4579 §5.2, RFC 3264 §5). */
class CallStreamsTest {

    private final InetAddress local = InetAddress.getLoopbackAddress();
    private final CallStreams streams = new CallStreams(new AudioStream.Settings(
            new AudioAnswerer(List.of("opus", "PCMA"), "disabled"), false, Path.of("zrtp.zid")),
            List.of("PCMA", "opus"), null);

    @Test
    void theDialOutOfferIsTheDialogsOwnWithTheConfiguredCodecs_rfc3264_s5() throws SdpException {
        MediaSession media = new MediaSession(local);
        SessionDescription offer = SessionDescription.parse(streams.dialOutOffer(media, 40000).toBytes());
        MediaDescription audio = offer.media().get(0);
        assertEquals(40000, audio.port());
        assertEquals(List.of("8", "111", "101"), audio.formats());
        assertEquals("sendrecv", offer.direction(audio));
        assertEquals("IN IP4 127.0.0.1", line(offer, 'c'));
        // RFC 3264 §8: a later body of the same dialog keeps the session id and increments the version
        String[] first = line(offer, 'o').split(" ");
        String[] next = line(media.declineAll(offer), 'o').split(" ");
        assertEquals(first[1], next[1]);
        assertEquals(Long.parseLong(first[2]) + 1, Long.parseLong(next[2]));
    }

    private static String line(SessionDescription sdp, char type) {
        return sdp.sessionLines().stream().filter(l -> l.type() == type).findFirst().orElseThrow().value();
    }

    @Test
    void eachCallDecodesWithItsOwnCodecOfTheAnswersFirstPayloadType() throws SdpException {
        SessionDescription offer = streams.dialOutOffer(new MediaSession(local), 40000);
        SessionDescription answer = SessionDescription.parse(("v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\n"
                + "c=IN IP4 192.0.2.9\r\nt=0 0\r\nm=audio 5004 RTP/AVP 111 8\r\na=rtpmap:111 opus/48000/2\r\n")
                .getBytes());
        AudioStream audio = streams.dialledOut(null, AudioOffer.read(offer, answer));
        AudioCodec one = CallStreams.codecs(audio).get();
        AudioCodec two = CallStreams.codecs(audio).get();
        assertEquals("opus", one.encodingName().toLowerCase());
        assertNotSame(one, two);
    }

    @Test
    void withoutMsrpNoChatIsTaken() throws SdpException {
        SessionDescription offer = SessionDescription.parse(("v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\n"
                + "c=IN IP4 192.0.2.9\r\nt=0 0\r\nm=message 2855 TCP/TLS/MSRP *\r\na=accept-types:message/cpim\r\n"
                + "a=path:msrps://192.0.2.9:2855/abc;tcp\r\n").getBytes());
        assertTrue(MediaSession.offers(offer, "message"));
        assertFalse(streams.chatOffered(offer));
    }
}
