package org.sylkserver.media.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.sylkserver.media.srtp.SdesCrypto;
import org.sylkserver.media.webrtc.WebRtcBridge.SipSrtp;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * The bridge's SDP translation on SDP text, without sockets: a Chrome offer becomes an offer a SIP phone understands
 * and baresip's answer becomes Chrome's answer; a baresip offer becomes a Chrome offer and Chrome's answer the SIP
 * answer (RFC 3264 on each leg, RFC 8843 bundle and RFC 8445 ICE-lite towards the browser).
 */
class SdpTranslatorTest {

    /** What Chrome 120 offers for a call with a microphone and a camera (trimmed of most extmaps and codecs). */
    static final String CHROME_OFFER = String.join("\r\n",
            "v=0",
            "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
            "s=-",
            "t=0 0",
            "a=group:BUNDLE 0 1",
            "a=extmap-allow-mixed",
            "a=msid-semantic: WMS 7d3e",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 110 126",
            "c=IN IP4 0.0.0.0",
            "a=rtcp:9 IN IP4 0.0.0.0",
            "a=ice-ufrag:Zq3j",
            "a=ice-pwd:bH9K4xdcVtHPh6u5oBZMrSyu",
            "a=ice-options:trickle",
            "a=fingerprint:sha-256 3C:4A:AA:B1:7E:2F:2C:27:0D:9F:5E:6C:61:3C:8A:87:9C:53:3D:16:D1:E2:D1:75:08:42:AC:"
                    + "8F:5E:A1:06:A8",
            "a=setup:actpass",
            "a=mid:0",
            "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
            "a=sendrecv",
            "a=msid:7d3e 5a1f",
            "a=rtcp-mux",
            "a=rtpmap:111 opus/48000/2",
            "a=rtcp-fb:111 transport-cc",
            "a=fmtp:111 minptime=10;useinbandfec=1",
            "a=rtpmap:63 red/48000/2",
            "a=fmtp:63 111/111",
            "a=rtpmap:9 G722/8000",
            "a=rtpmap:0 PCMU/8000",
            "a=rtpmap:8 PCMA/8000",
            "a=rtpmap:110 telephone-event/48000",
            "a=rtpmap:126 telephone-event/8000",
            "a=ssrc:3735928559 cname:qB3n",
            "m=video 9 UDP/TLS/RTP/SAVPF 96 97",
            "c=IN IP4 0.0.0.0",
            "a=rtcp:9 IN IP4 0.0.0.0",
            "a=ice-ufrag:Zq3j",
            "a=ice-pwd:bH9K4xdcVtHPh6u5oBZMrSyu",
            "a=fingerprint:sha-256 3C:4A:AA:B1:7E:2F:2C:27:0D:9F:5E:6C:61:3C:8A:87:9C:53:3D:16:D1:E2:D1:75:08:42:AC:"
                    + "8F:5E:A1:06:A8",
            "a=setup:actpass",
            "a=mid:1",
            "a=sendrecv",
            "a=rtcp-mux",
            "a=rtcp-rsize",
            "a=rtpmap:96 VP8/90000",
            "a=rtcp-fb:96 goog-remb",
            "a=rtcp-fb:96 transport-cc",
            "a=rtcp-fb:96 ccm fir",
            "a=rtcp-fb:96 nack",
            "a=rtcp-fb:96 nack pli",
            "a=rtpmap:97 rtx/90000",
            "a=fmtp:97 apt=96",
            "") ;

    /** baresip 1.1's answer to an audio-only offer: opus and telephone-event under its own numbers. */
    static final String BARESIP_AUDIO_ANSWER = String.join("\r\n",
            "v=0",
            "o=- 1911 2416 IN IP4 192.0.2.20",
            "s=-",
            "c=IN IP4 192.0.2.20",
            "t=0 0",
            "m=audio 10000 RTP/AVP 96 101",
            "b=AS:128",
            "a=rtpmap:96 opus/48000/2",
            "a=fmtp:96 stereo=1;sprop-stereo=1",
            "a=rtpmap:101 telephone-event/48000",
            "a=fmtp:101 0-15",
            "a=sendrecv",
            "a=label:1",
            "a=ssrc:1129387 cname:sip:alice@example.com",
            "a=rtcp-rsize",
            "a=rtcp-mux",
            "m=video 0 RTP/AVP 96",
            "");

    /** baresip 1.1 calling with audio only, SDES-SRTP (RTP/SAVP with an a=crypto line, RFC 4568). */
    static final String BARESIP_OFFER = String.join("\r\n",
            "v=0",
            "o=- 1911 2415 IN IP4 192.0.2.20",
            "s=-",
            "c=IN IP4 192.0.2.20",
            "t=0 0",
            "m=audio 10000 RTP/SAVP 96 0 8 101",
            "b=AS:128",
            "a=rtpmap:96 opus/48000/2",
            "a=fmtp:96 stereo=1;sprop-stereo=1",
            "a=rtpmap:0 PCMU/8000",
            "a=rtpmap:8 PCMA/8000",
            "a=rtpmap:101 telephone-event/8000",
            "a=fmtp:101 0-15",
            "a=sendrecv",
            "a=rtcp-mux",
            "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz",
            "");

    /** Chrome's answer to the bridge's offer for baresip's call: opus and PCMU. */
    static final String CHROME_ANSWER = String.join("\r\n",
            "v=0",
            "o=- 8815186524326463394 2 IN IP4 127.0.0.1",
            "s=-",
            "t=0 0",
            "a=group:BUNDLE 0",
            "a=msid-semantic: WMS",
            "m=audio 9 UDP/TLS/RTP/SAVPF 96 0",
            "c=IN IP4 0.0.0.0",
            "a=rtcp:9 IN IP4 0.0.0.0",
            "a=ice-ufrag:Zq3j",
            "a=ice-pwd:bH9K4xdcVtHPh6u5oBZMrSyu",
            "a=fingerprint:sha-256 3C:4A:AA:B1:7E:2F:2C:27:0D:9F:5E:6C:61:3C:8A:87:9C:53:3D:16:D1:E2:D1:75:08:42:AC:"
                    + "8F:5E:A1:06:A8",
            "a=setup:active",
            "a=mid:0",
            "a=recvonly",
            "a=rtcp-mux",
            "a=rtpmap:96 opus/48000/2",
            "a=fmtp:96 minptime=10;useinbandfec=1",
            "a=rtpmap:0 PCMU/8000",
            "");

    /** Records what the translation asks of the SIP leg; its ports are 40000, 40002... */
    private static final class FakeSipLeg implements SdpTranslator.SipLeg {
        final List<String> calls = new ArrayList<>();
        int nextPort = 40000;

        @Override
        public int open(RelayStream stream) {
            calls.add("open " + stream.kind);
            nextPort += 2;
            return nextPort - 2;
        }

        @Override
        public void connect(RelayStream stream, InetSocketAddress rtp, int rtcpPort, boolean rtcpMux) {
            calls.add("connect " + stream.kind + " " + rtp + " rtcp " + rtcpPort + (rtcpMux ? " mux" : ""));
        }

        @Override
        public void secure(RelayStream stream, SdesCrypto remote, SdesCrypto local) {
            calls.add("secure " + stream.kind + " " + remote.suite());
        }

        @Override
        public void sendRtp(RelayStream stream, boolean sending) {
            calls.add("send " + stream.kind + " " + sending);
        }
    }

    private final FakeSipLeg sipLeg = new FakeSipLeg();

    private SdpTranslator translator(SipSrtp sipSrtp, int maxStreams) throws Exception {
        return new SdpTranslator(InetAddress.getByName("192.0.2.1"), maxStreams, sipSrtp,
                new SdpTranslator.BrowserTransport(new InetSocketAddress("192.0.2.1", 50000),
                        new InetSocketAddress("192.0.2.1", 50000), "ufRG", "pwdpwdpwd", "sha-256 AB:CD", "sylk-1"),
                sipLeg);
    }

    /**
     * Behind a one-to-one NAT ({@code [SIP] advertised_ip} 203.0.113.7, bound to 10.0.0.5): the SIP leg's SDP and the
     * browser's candidates name the public address, which is how both reach us (spec §1 "SDP c= address"); the bound
     * address follows as a second, lower-priority host candidate (RFC 8445 §5.1.2) for browsers on the server's own
     * network.
     */
    @Test
    void behindAOneToOneNatBothLegsAreGivenTheAdvertisedAddress() throws Exception {
        SdpTranslator translator = new SdpTranslator(InetAddress.getByName("203.0.113.7"), 8, SipSrtp.OFF,
                new SdpTranslator.BrowserTransport(new InetSocketAddress("203.0.113.7", 50000),
                        new InetSocketAddress("10.0.0.5", 50000), "ufRG", "pwdpwdpwd", "sha-256 AB:CD", "sylk-1"),
                sipLeg);
        SessionDescription offer = SessionDescription.parse(CHROME_OFFER);
        SessionDescription sipOffer = translator.offerToSip(offer);
        assertEquals("s=SylkServer\r\nc=IN IP4 203.0.113.7\r\nt=0 0\r\n", sessionPart(sipOffer));
        String answer = media(translator.answerToBrowser(offer, SessionDescription.parse(BARESIP_AUDIO_ANSWER)));
        assertTrue(answer.startsWith(String.join("\r\n",
                "m=audio 50000 UDP/TLS/RTP/SAVPF 111 110",
                "c=IN IP4 203.0.113.7",
                "a=candidate:1 1 udp 2130706431 203.0.113.7 50000 typ host",
                "a=candidate:2 1 udp 2113929215 10.0.0.5 50000 typ host",
                "a=end-of-candidates",
                "")), answer);
    }

    /** The SDP from its first m-line on: what does not change from session to session (o= has a fresh id). */
    private static String media(SessionDescription sdp) {
        String text = sdp.toString();
        return text.substring(text.indexOf("m="));
    }

    private static String sessionPart(SessionDescription sdp) {
        String text = sdp.toString();
        return text.substring(text.indexOf("s="), text.indexOf("m="));
    }

    @Test
    void rfc3264_chromeOfferBecomesASipOfferOfWhatCanBeRelayed() throws Exception {
        SessionDescription sipOffer = translator(SipSrtp.OFF, 8).offerToSip(SessionDescription.parse(CHROME_OFFER));
        assertEquals("s=SylkServer\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n", sessionPart(sipOffer));
        assertEquals(String.join("\r\n",
                "m=audio 40000 RTP/AVP 111 9 0 8 110 126",
                "a=rtcp:40001",
                "a=rtcp-mux",
                "a=rtpmap:111 opus/48000/2",
                "a=fmtp:111 minptime=10;useinbandfec=1",
                "a=rtpmap:9 G722/8000",
                "a=rtpmap:0 PCMU/8000",
                "a=rtpmap:8 PCMA/8000",
                "a=rtpmap:110 telephone-event/48000",
                "a=rtpmap:126 telephone-event/8000",
                "a=sendrecv",
                "m=video 40002 RTP/AVP 96",
                "a=rtcp:40003",
                "a=rtcp-mux",
                "a=rtpmap:96 VP8/90000",
                "a=rtcp-fb:96 ccm fir",
                "a=rtcp-fb:96 nack",
                "a=rtcp-fb:96 nack pli",
                "a=sendrecv",
                ""), media(sipOffer), "RED and rtx refer to the other leg's numbers; transport-cc and REMB need "
                + "header extensions: none goes to SIP");
        assertEquals(List.of("open audio", "open video"), sipLeg.calls);
    }

    @Test
    void rfc3264_baresipAnswerBecomesChromesAnswerWithTheBrowsersNumbers() throws Exception {
        SdpTranslator translator = translator(SipSrtp.OFF, 8);
        SessionDescription offer = SessionDescription.parse(CHROME_OFFER);
        translator.offerToSip(offer);
        SessionDescription answer = translator.answerToBrowser(offer,
                SessionDescription.parse(BARESIP_AUDIO_ANSWER));
        assertTrue(answer.toString().contains("a=group:BUNDLE 0\r\na=ice-lite\r\na=msid-semantic: WMS sylk-1\r\n"),
                "RFC 8843: only the accepted m-line is bundled; RFC 8445 §2.5: we are lite");
        assertEquals(String.join("\r\n",
                "m=audio 50000 UDP/TLS/RTP/SAVPF 111 110",
                "c=IN IP4 192.0.2.1",
                "a=candidate:1 1 udp 2130706431 192.0.2.1 50000 typ host",
                "a=end-of-candidates",
                "a=ice-ufrag:ufRG",
                "a=ice-pwd:pwdpwdpwd",
                "a=fingerprint:sha-256 AB:CD",
                "a=setup:passive",
                "a=mid:0",
                "a=sendrecv",
                "a=msid:sylk-1 audio-0",
                "a=rtcp-mux",
                "a=rtpmap:111 opus/48000/2",
                "a=fmtp:111 stereo=1;sprop-stereo=1",
                "a=rtpmap:110 telephone-event/48000",
                "a=fmtp:110 0-15",
                "m=video 0 UDP/TLS/RTP/SAVPF 96 97",
                "a=mid:1",
                ""), media(answer), "the video baresip refused is refused to Chrome, keeping its mid");
        assertEquals(List.of("open audio", "open video", "connect audio /192.0.2.20:10000 rtcp 10001 mux",
                "send audio true"), sipLeg.calls);
        RelayStream audio = translator.routes().get(111);
        assertEquals(96, audio.toSip[111], "Chrome's opus 111 is baresip's 96");
        assertEquals(111, audio.toBrowser[96]);
        assertEquals(101, audio.toSip[110]);
        assertEquals(List.of(audio), translator.relaying());
    }

    @Test
    void rfc4568_aSipOfferWithSdesBecomesAChromeOfferAndChromesAnswerTheSipAnswer() throws Exception {
        SdpTranslator translator = translator(SipSrtp.OFF, 8);
        SessionDescription offer = SessionDescription.parse(BARESIP_OFFER);
        SessionDescription browserOffer = translator.offerToBrowser(offer);
        assertEquals(String.join("\r\n",
                "m=audio 50000 UDP/TLS/RTP/SAVPF 96 0 8 101",
                "c=IN IP4 192.0.2.1",
                "a=candidate:1 1 udp 2130706431 192.0.2.1 50000 typ host",
                "a=end-of-candidates",
                "a=ice-ufrag:ufRG",
                "a=ice-pwd:pwdpwdpwd",
                "a=fingerprint:sha-256 AB:CD",
                "a=setup:actpass",
                "a=mid:0",
                "a=sendrecv",
                "a=msid:sylk-1 audio-0",
                "a=rtcp-mux",
                "a=rtpmap:96 opus/48000/2",
                "a=fmtp:96 stereo=1;sprop-stereo=1",
                "a=rtpmap:0 PCMU/8000",
                "a=rtpmap:8 PCMA/8000",
                "a=rtpmap:101 telephone-event/8000",
                "a=fmtp:101 0-15",
                ""), media(browserOffer), "RFC 5763 §5: we offer actpass, so that the browser is the DTLS client");
        assertEquals(List.of("open audio", "connect audio /192.0.2.20:10000 rtcp 10001 mux",
                "secure audio AES_CM_128_HMAC_SHA1_80", "send audio true"), sipLeg.calls);

        SessionDescription sipAnswer = translator.answerToSip(offer, SessionDescription.parse(CHROME_ANSWER));
        String media = media(sipAnswer);
        assertTrue(media.startsWith(String.join("\r\n",
                "m=audio 40000 RTP/SAVP 96 0",
                "a=rtcp-mux",
                "a=rtpmap:96 opus/48000/2",
                "a=fmtp:96 stereo=1;sprop-stereo=1",
                "a=rtpmap:0 PCMU/8000",
                "a=recvonly",
                "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:")), media);
        assertTrue(!media.contains("WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"), "our own key, not baresip's");
    }

    @Test
    void anOfferWithNothingToRelayOrTooManyStreamsIsRefused() throws Exception {
        String dataOnly = CHROME_OFFER.substring(0, CHROME_OFFER.indexOf("m=audio"))
                + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n";
        assertThrows(SdpException.class, () -> translator(SipSrtp.OFF, 8)
                .offerToSip(SessionDescription.parse(dataOnly)));
        SdpException tooMany = assertThrows(SdpException.class, () -> translator(SipSrtp.OFF, 1)
                .offerToSip(SessionDescription.parse(CHROME_OFFER)));
        assertTrue(tooMany.getMessage().contains("max_streams_per_call 1"), tooMany.getMessage());
    }

    @Test
    void rfc4568_sdesTowardsSipIsAFreshKeyPerStream() throws Exception {
        SessionDescription sipOffer = translator(SipSrtp.SDES, 8).offerToSip(SessionDescription.parse(CHROME_OFFER));
        String media = media(sipOffer);
        assertTrue(media.startsWith("m=audio 40000 RTP/SAVP "), media);
        assertEquals(2, media.split("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:", -1).length - 1, media);
    }
}
