package org.sylkserver.media.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** SDP parsing and writing (RFC 4566). */
class SessionDescriptionTest {

    /** The example of RFC 4566 §5. */
    static final String RFC4566_EXAMPLE = """
            v=0
            o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5
            s=SDP Seminar
            i=A Seminar on the session description protocol
            u=http://www.example.com/seminars/sdp.pdf
            e=j.doe@example.com (Jane Doe)
            c=IN IP4 224.2.17.12/127
            t=2873397496 2873404696
            a=recvonly
            m=audio 49170 RTP/AVP 0
            m=video 51372 RTP/AVP 99
            a=rtpmap:99 h263-1998/90000
            """;

    @Test
    void rfc4566ExampleParsesAndWritesBackLineForLine_rfc4566_s5() throws SdpException {
        SessionDescription sdp = SessionDescription.parse(RFC4566_EXAMPLE);
        assertEquals(2, sdp.media().size());
        MediaDescription audio = sdp.media().get(0);
        assertEquals("audio", audio.media());
        assertEquals(49170, audio.port());
        assertEquals("RTP/AVP", audio.proto());
        assertEquals(List.of("0"), audio.formats());
        assertEquals(List.of("99 h263-1998/90000"), sdp.media().get(1).attributes("rtpmap"));
        assertEquals("224.2.17.12/127", sdp.connection().address());
        assertEquals("", sdp.attribute("recvonly"), "session-level flag attribute");
        assertEquals(RFC4566_EXAMPLE.replace("\n", "\r\n"), sdp.toString());
    }

    @Test
    void directionDefaultsToSendrecv_rfc3264_s5_1() throws SdpException {
        SessionDescription sdp = SessionDescription.parse("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n"
                + "m=audio 4000 RTP/AVP 0\r\nm=audio 4002 RTP/AVP 0\r\na=sendonly\r\n");
        assertEquals("sendrecv", sdp.media().get(0).direction());
        assertEquals("sendonly", sdp.media().get(1).direction());
    }

    @Test
    void brokenInputIsRejectedWithTheLineAndTheProblem() {
        assertEquals("empty SDP", assertThrows(SdpException.class, () -> SessionDescription.parse("")).getMessage());
        assertEquals("SDP line 1: must be 'v=0'",
                assertThrows(SdpException.class, () -> SessionDescription.parse("v=1\no=x\ns=-\n")).getMessage());
        assertTrue(assertThrows(SdpException.class, () -> SessionDescription.parse("v=0\nhello world\n"))
                .getMessage().startsWith("SDP line 2: expected '<type>=<value>'"));
        assertTrue(assertThrows(SdpException.class,
                () -> SessionDescription.parse("v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nm=audio 99999 RTP/AVP 0\n"))
                .getMessage().startsWith("SDP line 4: bad port '99999'"));
        assertTrue(assertThrows(SdpException.class,
                () -> SessionDescription.parse("v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nm=audio\n"))
                .getMessage().startsWith("SDP line 4: bad media line"));
        assertTrue(assertThrows(SdpException.class,
                () -> SessionDescription.parse("v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nc=IN IP4\n"))
                .getMessage().startsWith("SDP line 4: bad connection data"));
        assertEquals("SDP has no 's=' line",
                assertThrows(SdpException.class, () -> SessionDescription.parse("v=0\no=- 1 1 IN IP4 1.2.3.4\n")).getMessage());
        assertTrue(assertThrows(SdpException.class,
                () -> SessionDescription.parse("v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nm=audio 4000 RTP/AVP 0\nt=0 0\n"))
                .getMessage().contains("not allowed in a media section"));
    }
}
