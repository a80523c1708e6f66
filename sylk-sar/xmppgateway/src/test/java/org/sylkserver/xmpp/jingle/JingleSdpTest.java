package org.sylkserver.xmpp.jingle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jivesoftware.smackx.jingle.element.JingleContent;
import org.junit.jupiter.api.Test;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/** Jingle RTP ↔ SDP (XEP-0167 §6, XEP-0177 §4, XEP-0176 §5.3 with RFC 8839 §5, XEP-0167 §7 SDES). */
class JingleSdpTest {

    private static final RtpDescription.PayloadType OPUS = new RtpDescription.PayloadType(111, "opus", 48000, 2, 20,
            60, ordered("minptime", "10", "useinbandfec", "1"));
    private static final RtpDescription.PayloadType PCMU = new RtpDescription.PayloadType(0, "PCMU", 8000, 1);
    private static final RtpDescription.PayloadType EVENTS = new RtpDescription.PayloadType(101, "telephone-event",
            8000, 1, 0, 0, ordered("0-16", ""));

    private static Map<String, String> ordered(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    private static List<String> lines(SessionDescription sdp) {
        return List.of(sdp.toString().split("\r\n"));
    }

    @Test
    void payloadTypesBecomeFormatsRtpmapFmtpPtimeAndMaxptime_XEP0167_6() throws Exception {
        RtpDescription description = new RtpDescription("audio", List.of(OPUS, PCMU, EVENTS), List.of(), false, false);
        JingleTransport raw = new JingleTransport.RawUdp(List.of(
                new JingleTransport.RawCandidate(1, 0, "a1", "192.0.2.10", 40000),
                new JingleTransport.RawCandidate(2, 0, "a2", "192.0.2.10", 40001)));

        SessionDescription sdp = JingleSdp.toSdp(new JingleSdp.Media(description, raw, "sendrecv"), 42);

        List<String> lines = lines(sdp);
        assertTrue(lines.contains("c=IN IP4 192.0.2.10"), lines.toString());
        assertTrue(lines.contains("m=audio 40000 RTP/AVP 111 0 101"), lines.toString());
        assertTrue(lines.contains("a=rtpmap:111 opus/48000/2"), "channels > 1 is the encoding parameter");
        assertTrue(lines.contains("a=rtpmap:0 PCMU/8000"), "one channel is not written");
        assertTrue(lines.contains("a=fmtp:111 minptime=10;useinbandfec=1"), "parameters in order, name=value");
        assertTrue(lines.contains("a=fmtp:101 0-16"), "a parameter without value keeps its text");
        assertTrue(lines.contains("a=ptime:20"));
        assertTrue(lines.contains("a=maxptime:60"));
        assertTrue(lines.contains("a=sendrecv"));
        // XEP-0177 §4.2: RTCP on port + 1 is what SDP assumes (RFC 3605 §2.1), so no a=rtcp is needed
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("a=rtcp")), lines.toString());
    }

    @Test
    void anRtcpCandidateElsewhereBecomesAnRtcpAttribute_RFC3605() throws Exception {
        JingleTransport raw = new JingleTransport.RawUdp(List.of(
                new JingleTransport.RawCandidate(1, 0, "a1", "2001:db8::1", 40000),
                new JingleTransport.RawCandidate(2, 0, "a2", "2001:db8::1", 40010)));
        SessionDescription sdp = JingleSdp.toSdp(new JingleSdp.Media(
                new RtpDescription("audio", List.of(PCMU), List.of(), false, false), raw, "sendonly"), 1);
        List<String> lines = lines(sdp);
        assertTrue(lines.contains("c=IN IP6 2001:db8::1"), lines.toString());
        assertTrue(lines.contains("a=rtcp:40010 IN IP6 2001:db8::1"), lines.toString());
        assertTrue(lines.contains("a=sendonly"));
    }

    @Test
    void rawUdpWithoutAnRtpCandidateIsMalformed_XEP0177_4_2() {
        JingleTransport raw = new JingleTransport.RawUdp(List.of(
                new JingleTransport.RawCandidate(2, 0, "a2", "192.0.2.10", 40001)));
        assertThrows(MalformedJingleException.class, () -> JingleSdp.toSdp(new JingleSdp.Media(
                new RtpDescription("audio", List.of(PCMU), List.of(), false, false), raw, "sendrecv"), 1));
    }

    @Test
    void sdesKeysBecomeCryptoLinesOnSavp_XEP0167_7() throws Exception {
        RtpDescription description = new RtpDescription("audio", List.of(PCMU), List.of(new RtpDescription.Crypto(
                "1", "AES_CM_128_HMAC_SHA1_80", "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:32", null)),
                true, false);
        JingleTransport raw = new JingleTransport.RawUdp(List.of(
                new JingleTransport.RawCandidate(1, 0, "a1", "192.0.2.10", 40000)));
        List<String> lines = lines(JingleSdp.toSdp(new JingleSdp.Media(description, raw, "sendrecv"), 1));
        assertTrue(lines.contains("m=audio 40000 RTP/SAVP 0"), lines.toString());
        assertTrue(lines.contains(
                "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:32"));
    }

    /**
     * XEP-0167 §7: keys offered without {@code required} leave the session free to stay unencrypted, which in SDP is
     * an {@code RTP/AVP} stream with {@code a=crypto} (best-effort SRTP), read back as not required.
     */
    @Test
    void sdesKeysNotRequiredStayOnAvp_XEP0167_7() throws Exception {
        RtpDescription description = new RtpDescription("audio", List.of(PCMU), List.of(new RtpDescription.Crypto(
                "1", "AES_CM_128_HMAC_SHA1_80", "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz", null)),
                false, false);
        JingleTransport raw = new JingleTransport.RawUdp(List.of(
                new JingleTransport.RawCandidate(1, 0, "a1", "192.0.2.10", 40000)));
        SessionDescription sdp = JingleSdp.toSdp(new JingleSdp.Media(description, raw, "sendrecv"), 1);
        List<String> lines = lines(sdp);
        assertTrue(lines.contains("m=audio 40000 RTP/AVP 0"), lines.toString());
        assertTrue(lines.contains("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"),
                lines.toString());
        RtpDescription back = JingleSdp.fromSdp(SessionDescription.parse(sdp.toBytes())).description();
        assertEquals(description.crypto(), back.crypto());
        assertFalse(back.encryptionRequired());
    }

    @Test
    void iceCredentialsAndCandidatesBecomeIceAttributes_XEP0176_5_3() throws Exception {
        JingleTransport ice = new JingleTransport.IceUdp("8hhy", "asd88fgpdd777uzjYhagZg", List.of(
                new JingleTransport.IceCandidate(1, "1", 0, "el0747fg11", "10.0.1.1", 1, 8998, 2130706431L, "udp",
                        "host", null, 0),
                new JingleTransport.IceCandidate(1, "2", 0, "y3s2b30v3r", "192.0.2.3", 1, 45664, 1694498815L, "udp",
                        "srflx", "10.0.1.1", 8998)));
        List<String> lines = lines(JingleSdp.toSdp(new JingleSdp.Media(
                new RtpDescription("audio", List.of(PCMU), List.of(), false, true), ice, "sendrecv"), 1));
        assertTrue(lines.contains("a=ice-ufrag:8hhy"), lines.toString());
        assertTrue(lines.contains("a=ice-pwd:asd88fgpdd777uzjYhagZg"));
        assertTrue(lines.contains("a=candidate:1 1 udp 2130706431 10.0.1.1 8998 typ host generation 0"));
        assertTrue(lines.contains(
                "a=candidate:2 1 udp 1694498815 192.0.2.3 45664 typ srflx raddr 10.0.1.1 rport 8998 generation 0"));
        assertTrue(lines.contains("a=rtcp-mux"));
        // the default candidate (RFC 8839 §4.2.1.1) is the one of highest priority
        assertTrue(lines.contains("c=IN IP4 10.0.1.1"));
        assertTrue(lines.contains("m=audio 8998 RTP/AVP 0"));
    }

    @Test
    void iceWithoutCandidatesYetUsesTheTricklePlaceholder_RFC8840_4_1_1() throws Exception {
        JingleTransport ice = new JingleTransport.IceUdp("u", "p0000000000000000000000", List.of());
        List<String> lines = lines(JingleSdp.toSdp(new JingleSdp.Media(
                new RtpDescription("audio", List.of(PCMU), List.of(), false, false), ice, "sendrecv"), 1));
        assertTrue(lines.contains("c=IN IP4 0.0.0.0"));
        assertTrue(lines.contains("m=audio 9 RTP/AVP 0"));
    }

    @Test
    void aSipAnswerBecomesPayloadTypesAndARawUdpTransport() throws Exception {
        SessionDescription sdp = SessionDescription.parse("v=0\r\no=- 1 1 IN IP4 192.0.2.20\r\ns=-\r\n"
                + "c=IN IP4 192.0.2.20\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\n"
                + "m=audio 30000 RTP/AVP 0 111 101\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 useinbandfec=1; stereo=0\r\n"
                + "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=recvonly\r\n");

        JingleSdp.Media media = JingleSdp.fromSdp(sdp);

        RtpDescription d = media.description();
        assertEquals("audio", d.media());
        // a static payload type without rtpmap keeps its RFC 3551 §6 meaning
        assertEquals(new RtpDescription.PayloadType(0, "PCMU", 8000, 1, 20, 0, Map.of()), d.payloadTypes().get(0));
        assertEquals(new RtpDescription.PayloadType(111, "opus", 48000, 2, 20, 0,
                ordered("useinbandfec", "1", "stereo", "0")), d.payloadTypes().get(1));
        assertEquals(ordered("0-16", ""), d.payloadTypes().get(2).parameters());
        assertEquals("recvonly", media.direction());
        JingleTransport.RawUdp raw = assertInstanceOf(JingleTransport.RawUdp.class, media.transport());
        assertEquals(List.of(new JingleTransport.RawCandidate(1, 0, "rtp", "192.0.2.20", 30000),
                new JingleTransport.RawCandidate(2, 0, "rtcp", "192.0.2.20", 30001)), raw.candidates());
    }

    @Test
    void anSdpWithIceCredentialsBecomesAnIceTransport_RFC8839_5() throws Exception {
        SessionDescription sdp = SessionDescription.parse("v=0\r\no=- 1 1 IN IP4 192.0.2.20\r\ns=-\r\n"
                + "c=IN IP4 192.0.2.20\r\nt=0 0\r\na=ice-ufrag:F7gI\r\na=ice-pwd:x9cml/YzichV2+XlhiMu8g\r\n"
                + "m=audio 30000 RTP/SAVP 8\r\n"
                + "a=candidate:1 1 UDP 2130706431 10.0.1.1 30000 typ host\r\n"
                + "a=candidate:2 1 UDP 1694498815 192.0.2.20 30000 typ srflx raddr 10.0.1.1 rport 30000\r\n"
                + "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|1:32 KDR=1\r\n"
                + "a=rtcp-mux\r\n");

        JingleSdp.Media media = JingleSdp.fromSdp(sdp);

        JingleTransport.IceUdp ice = assertInstanceOf(JingleTransport.IceUdp.class, media.transport());
        assertEquals("F7gI", ice.ufrag(), "session-level credentials apply to the stream");
        assertEquals("x9cml/YzichV2+XlhiMu8g", ice.pwd());
        assertEquals(2, ice.candidates().size());
        JingleTransport.IceCandidate srflx = ice.candidates().get(1);
        assertEquals("srflx", srflx.type());
        assertEquals("udp", srflx.protocol());
        assertEquals(1694498815L, srflx.priority());
        assertEquals("10.0.1.1", srflx.relAddr());
        assertEquals(30000, srflx.relPort());
        assertEquals(List.of(new RtpDescription.Crypto("1", "AES_CM_128_HMAC_SHA1_80",
                "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|1:32", "KDR=1")), media.description().crypto());
        assertTrue(media.description().rtcpMux());
        assertTrue(media.description().encryptionRequired(), "SAVP requires the keys");
    }

    @Test
    void anSdpWithoutAcceptedAudioIsRefused() throws Exception {
        SessionDescription sdp = SessionDescription.parse("v=0\r\no=- 1 1 IN IP4 192.0.2.20\r\ns=-\r\n"
                + "c=IN IP4 192.0.2.20\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\nm=video 5000 RTP/AVP 96\r\n");
        assertThrows(SdpException.class, () -> JingleSdp.fromSdp(sdp));
    }

    @Test
    void jingleToSdpAndBackKeepsTheDescription() throws Exception {
        RtpDescription description = new RtpDescription("audio", List.of(OPUS, PCMU), List.of(), false, false);
        JingleTransport raw = new JingleTransport.RawUdp(List.of(
                new JingleTransport.RawCandidate(1, 0, "rtp", "192.0.2.10", 40000),
                new JingleTransport.RawCandidate(2, 0, "rtcp", "192.0.2.10", 40001)));
        SessionDescription sdp = SessionDescription.parse(
                JingleSdp.toSdp(new JingleSdp.Media(description, raw, "sendrecv"), 7).toBytes());

        JingleSdp.Media back = JingleSdp.fromSdp(sdp);

        // ptime and maxptime are per stream in SDP: every payload type comes back with the stream's
        assertEquals(List.of(OPUS, new RtpDescription.PayloadType(0, "PCMU", 8000, 1, 20, 60, Map.of())),
                back.description().payloadTypes());
        assertEquals(raw, back.transport());
    }

    @Test
    void sendersAndDirectionsMapBothWays_XEP0166_7_3() {
        assertEquals(JingleContent.Senders.initiator, JingleSdp.senders("sendonly", true));
        assertEquals(JingleContent.Senders.responder, JingleSdp.senders("recvonly", true));
        assertEquals(JingleContent.Senders.responder, JingleSdp.senders("sendonly", false));
        assertEquals(JingleContent.Senders.none, JingleSdp.senders("inactive", false));
        assertEquals(JingleContent.Senders.both, JingleSdp.senders("sendrecv", true));
        for (String direction : List.of("sendrecv", "sendonly", "recvonly", "inactive")) {
            for (boolean initiator : new boolean[] {true, false}) {
                assertEquals(direction, JingleSdp.direction(JingleSdp.senders(direction, initiator), initiator));
            }
        }
        assertEquals("sendrecv", JingleSdp.direction(null, true));
    }
}
