package org.sylkserver.protocols.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    private static final String HEAD = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n";

    @Test
    void rfc4566ExampleParsesAndWritesBackLineForLineWithCrlf_rfc4566_s5() throws SdpException {
        SessionDescription sdp = SessionDescription.parse(RFC4566_EXAMPLE);
        assertEquals(2, sdp.media().size());
        MediaDescription audio = sdp.media().get(0);
        assertEquals("audio", audio.media());
        assertEquals(49170, audio.port());
        assertEquals("RTP/AVP", audio.proto());
        assertEquals(List.of("0"), audio.formats());
        assertEquals(List.of("99 h263-1998/90000"), sdp.media().get(1).attributes("rtpmap"));
        assertEquals("224.2.17.12/127", sdp.connection().address());
        assertEquals("224.2.17.12", sdp.connection().host());
        assertEquals("", sdp.attribute("recvonly"), "session-level flag attribute");
        String crlf = RFC4566_EXAMPLE.replace("\n", "\r\n");
        assertEquals(crlf, sdp.toString());
        assertEquals(crlf, SessionDescription.parse(crlf).toString(), "CRLF input round-trips byte for byte");
    }

    @Test
    void portCountAndUnknownLinesAreKeptInOrder_rfc4566_s5_14() throws SdpException {
        String text = HEAD + "a=x-session-thing:1\r\n"
                + "m=video 49170/2 RTP/AVP 31\r\nb=AS:512\r\na=x-vendor:yes\r\na=rtcp:53020 IN IP4 192.0.2.1\r\n"
                + "y=0123456789\r\na=ssrc:1 cname:abc\r\n";
        SessionDescription sdp = SessionDescription.parse(text);
        MediaDescription video = sdp.media().get(0);
        assertEquals(49170, video.port());
        assertEquals(2, video.portCount());
        assertEquals(List.of("53020 IN IP4 192.0.2.1"), video.attributes("rtcp"));
        assertEquals('y', video.lines().get(3).type());
        assertEquals(text, sdp.toString());
    }

    @Test
    void directionIsTheMediaOneElseTheSessionOneElseSendrecv_rfc3264_s5_1() throws SdpException {
        SessionDescription sdp = SessionDescription.parse(HEAD
                + "m=audio 4000 RTP/AVP 0\r\nm=audio 4002 RTP/AVP 0\r\na=sendonly\r\n");
        assertEquals("sendrecv", sdp.direction(sdp.media().get(0)));
        assertEquals("sendonly", sdp.direction(sdp.media().get(1)));
        SessionDescription held = SessionDescription.parse(HEAD + "a=inactive\r\n"
                + "m=audio 4000 RTP/AVP 0\r\nm=audio 4002 RTP/AVP 0\r\na=recvonly\r\n");
        assertEquals("inactive", held.direction(held.media().get(0)), "session-level attribute applies (RFC 4566 §6)");
        assertEquals("recvonly", held.direction(held.media().get(1)), "media-level attribute overrides it");
    }

    @Test
    void rtpMapFromAttributeElseStaticAssignment_rfc4566_s6_rfc3551_s6() throws SdpException {
        MediaDescription audio = SessionDescription.parse(HEAD + "m=audio 4000 RTP/AVP 96 0 9 97 98\r\n"
                + "a=rtpmap:96 opus/48000/2\r\na=rtpmap:97 nonsense\r\na=rtpmap:98 telephone-event/8000\r\n")
                .media().get(0);
        assertEquals(new RtpMap("96", "opus", 48000, "2"), audio.rtpMap("96"));
        assertEquals(new RtpMap("0", "PCMU", 8000, ""), audio.rtpMap("0"));
        assertEquals(new RtpMap("9", "G722", 8000, ""), audio.rtpMap("9"), "G.722 has an 8000 Hz RTP clock");
        assertNull(audio.rtpMap("97"), "a malformed rtpmap is ignored, not fatal");
        assertEquals("telephone-event", audio.rtpMap("98").name());
    }

    @Test
    void lfAndCrlfAndAMissingFinalNewlineAreAllAccepted() throws SdpException {
        String lf = "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\nm=audio 4000 RTP/AVP 0";
        assertEquals(HEAD + "m=audio 4000 RTP/AVP 0\r\n", SessionDescription.parse(lf).toString());
        assertEquals(HEAD + "m=audio 4000 RTP/AVP 0\r\n", SessionDescription.parse(HEAD + "m=audio 4000 RTP/AVP 0\r").toString());
    }

    @Test
    void connectionAddressesNeverNeedDns_rfc4566_s5_7() throws Exception {
        SessionDescription sdp = SessionDescription.parse("v=0\r\no=- 1 1 IN IP6 2001:db8::1\r\ns=-\r\n"
                + "m=audio 4000 RTP/AVP 0\r\nc=IN IP6 2001:db8::2\r\nm=audio 4002 RTP/AVP 0\r\nc=IN IP4 media.example.com\r\n");
        assertEquals(new InetSocketAddress(InetAddress.getByName("2001:db8::2"), 4000),
                sdp.connection(sdp.media().get(0)).socketAddress(4000));
        InetSocketAddress named = sdp.connection(sdp.media().get(1)).socketAddress(4002);
        assertTrue(named.isUnresolved());
        assertEquals("media.example.com", named.getHostString());
    }

    @Test
    void aDeclinedStreamNeedsNoConnectionAddress_rfc3264_s6() throws SdpException {
        String text = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=video 0 RTP/AVP 31\r\n"
                + "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 192.0.2.1\r\n";
        assertEquals(text, SessionDescription.parse(text).toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '#', quoteCharacter = '"', value = {
        "empty body              # \"\"                                                       # empty SDP",
        "missing v=              # o=- 1 1 IN IP4 192.0.2.1\\ns=-\\n                          # SDP line 1: expected 'v=0', got 'o=- 1 1 IN IP4 192.0.2.1'",
        "wrong version           # v=1\\no=- 1 1 IN IP4 192.0.2.1\\ns=-\\n                     # SDP line 1: expected 'v=0', got 'v=1'",
        "not a type=value line   # v=0\\nhello world\\n                                       # SDP line 2: expected '<type>=<value>', got 'hello world'",
        "upper-case type         # v=0\\nO=- 1 1 IN IP4 192.0.2.1\\n                           # SDP line 2: expected '<type>=<value>', got 'O=- 1 1 IN IP4 192.0.2.1'",
        "empty line              # v=0\\n\\no=- 1 1 IN IP4 192.0.2.1\\ns=-\\n                  # SDP line 2: empty line",
        "bad origin              # v=0\\no=alice\\ns=-\\n                                     # SDP line 2: bad origin 'o=alice' (expected '<username> <sess-id> <sess-version> IN IP4|IP6 <address>')",
        "second origin           # v=0\\no=- 1 1 IN IP4 192.0.2.1\\no=- 2 2 IN IP4 192.0.2.1\\n # SDP line 3: second 'o=' line",
        "no o=                   # v=0\\ns=-\\n                                              # SDP has no 'o=' line",
        "no s=                   # v=0\\no=- 1 1 IN IP4 192.0.2.1\\n                           # SDP has no 's=' line",
        "bad m= line             # v=0\\no=- 1 1 IN IP4 192.0.2.1\\ns=-\\nm=audio\\n              # SDP line 4: bad media line 'm=audio' (expected '<media> <port> <proto> <fmt> ...')",
        "port too large          # v=0\\no=- 1 1 IN IP4 192.0.2.1\\ns=-\\nm=audio 99999 RTP/AVP 0\\n # SDP line 4: bad port '99999' in media line (expected 0-65535, optionally '/<count>')",
        "port not a number       # v=0\\no=- 1 1 IN IP4 192.0.2.1\\ns=-\\nm=audio -4 RTP/AVP 0\\n # SDP line 4: bad port '-4' in media line (expected 0-65535, optionally '/<count>')",
        "bad port count          # v=0\\no=- 1 1 IN IP4 192.0.2.1\\ns=-\\nm=audio 4000/0 RTP/AVP 0\\n # SDP line 4: bad port '4000/0' in media line (expected 0-65535, optionally '/<count>')",
        "c= without address      # v=0\\no=- 1 1 IN IP4 192.0.2.1\\ns=-\\nc=IN IP4\\n            # SDP line 4: bad connection data 'c=IN IP4' (expected 'IN IP4|IP6 <address>')",
        "c= unknown address type # v=0\\no=- 1 1 IN IP4 192.0.2.1\\ns=-\\nc=IN IP5 1.2.3.4\\n    # SDP line 4: bad connection data 'c=IN IP5 1.2.3.4' (expected 'IN IP4|IP6 <address>')",
        "c= octet out of range   # v=0\\no=- 1 1 IN IP4 192.0.2.1\\ns=-\\nc=IN IP4 192.0.2.300\\n # SDP line 4: bad IPv4 address '192.0.2.300' in connection data",
        "c= bad IPv6             # v=0\\no=- 1 1 IN IP4 192.0.2.1\\ns=-\\nc=IN IP6 2001:db8:::1:zz\\n # SDP line 4: bad IPv6 address '2001:db8:::1:zz' in connection data",
        "session line in media   # v=0\\no=- 1 1 IN IP4 192.0.2.1\\ns=-\\nc=IN IP4 192.0.2.1\\nm=audio 4000 RTP/AVP 0\\nt=0 0\\n # SDP line 6: 't=' is not allowed in a media section",
        "no c= for active stream # v=0\\no=- 1 1 IN IP4 192.0.2.1\\ns=-\\nt=0 0\\nm=audio 4000 RTP/AVP 0\\n # SDP line 5: no connection address ('c=') for this media line nor at session level",
    })
    void brokenInputIsRejectedNamingTheLineAndTheProblem_rfc4566_s5(String what, String text, String message) {
        SdpException e = assertThrows(SdpException.class, () -> SessionDescription.parse(text.replace("\\n", "\n")));
        assertEquals(message, e.getMessage());
    }

    @Test
    void nullBodyIsEmptySdp() {
        assertEquals("empty SDP", assertThrows(SdpException.class, () -> SessionDescription.parse((byte[]) null)).getMessage());
    }
}
