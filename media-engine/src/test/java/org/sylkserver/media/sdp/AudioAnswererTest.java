package org.sylkserver.media.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/** Offer/answer for audio (RFC 3264). */
class AudioAnswererTest {

    /** The default of {@code [RTP] audio_codecs} (spec §1.3). */
    private final AudioAnswerer answerer = new AudioAnswerer(List.of("opus", "G722", "PCMA", "PCMU"));
    private final InetAddress local = InetAddress.getLoopbackAddress();

    private static SessionDescription offer(String media) throws SdpException {
        return SessionDescription.parse("v=0\r\no=alice 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n" + media);
    }

    private AudioAnswerer.Answer answer(String media) throws SdpException {
        return answerer.answer(offer(media), new AudioAnswerer.Origin(), local, 50000);
    }

    private String refusal(String media) {
        return assertThrows(SdpException.class, () -> answer(media)).sipReason();
    }

    @Test
    void pcmuOnlyOfferGetsThisAnswerLineForLine_rfc3264_s6_1() throws SdpException {
        AudioAnswerer.Answer answer = answer("m=audio 5004 RTP/AVP 0\r\n");
        String origin = answer.sdp().sessionLines().get(1).value();
        assertTrue(origin.matches("SylkServer [0-9]+ 1 IN IP4 127\\.0\\.0\\.1"), origin);
        assertEquals("v=0\r\no=" + origin + "\r\ns=SylkServer\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 50000 RTP/AVP 0\r\na=sendrecv\r\n", answer.sdp().toString());
        assertEquals(List.of("0"), answer.payloadTypes());
        assertEquals(new InetSocketAddress("192.0.2.10", 5004), answer.remoteRtp());
        assertEquals("sendrecv", answer.direction());
        assertFalse(answer.rtcpMux());
    }

    @Test
    void offeredCodecsInTheOffersOrderWithTheirPayloadTypesAndTelephoneEvents_rfc3264_s6_1_rfc4733_s2_1()
            throws SdpException {
        AudioAnswerer.Answer answer = answer("m=audio 5004 RTP/AVP 96 0 18 101 102\r\n"
                + "a=rtpmap:96 opus/48000/2\r\na=fmtp:96 useinbandfec=1\r\na=rtpmap:18 G729/8000\r\n"
                + "a=rtpmap:101 telephone-event/48000\r\na=fmtp:101 0-16\r\n"
                + "a=rtpmap:102 telephone-event/8000\r\na=fmtp:102 0-15\r\na=ptime:20\r\n");
        assertEquals(List.of("96", "0", "101", "102"), answer.payloadTypes());
        MediaDescription audio = answer.sdp().media().get(0);
        assertEquals(50000, audio.port());
        assertEquals(List.of("96", "0", "101", "102"), audio.formats());
        assertEquals(List.of("96 opus/48000/2", "101 telephone-event/48000", "102 telephone-event/8000"),
                audio.attributes("rtpmap"));
        assertEquals(List.of("96 useinbandfec=1", "101 0-16", "102 0-15"), audio.attributes("fmtp"));
    }

    @Test
    void telephoneEventOfAClockRateWithoutAcceptedCodecIsLeftOut_rfc4733_s2_1() throws SdpException {
        assertEquals(List.of("8", "101"), answer("m=audio 5004 RTP/AVP 8 101 102\r\n"
                + "a=rtpmap:101 telephone-event/8000\r\na=rtpmap:102 telephone-event/16000\r\n").payloadTypes());
    }

    /**
     * RFC 4733 §2.1 (same rate SHOULD, not MUST) and §7 (the rate is the payload type's): an Opus offer whose only
     * telephone-event is at 8000 Hz, as baresip 1.0 sends, keeps it, answered at the offered rate.
     */
    @Test
    void telephoneEventAtAnotherRateThanEveryCodecIsAnsweredAtTheOfferedRate_rfc4733_s2_1() throws SdpException {
        AudioAnswerer.Answer answer = answer("m=audio 5004 RTP/AVP 96 101\r\n"
                + "a=rtpmap:96 opus/48000/2\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n");
        assertEquals(List.of("96", "101"), answer.payloadTypes());
        MediaDescription audio = answer.sdp().media().get(0);
        assertEquals(List.of("96 opus/48000/2", "101 telephone-event/8000"), audio.attributes("rtpmap"));
        assertEquals(List.of("101 0-15"), audio.attributes("fmtp"));
    }

    /** When some telephone-event has a codec's rate, only those are answered (RFC 4733 §2.1's SHOULD). */
    @Test
    void aTelephoneEventAtTheCodecsRateIsPreferred_rfc4733_s2_1() throws SdpException {
        assertEquals(List.of("96", "102"), answer("m=audio 5004 RTP/AVP 96 101 102\r\n"
                + "a=rtpmap:96 opus/48000/2\r\na=rtpmap:101 telephone-event/8000\r\n"
                + "a=rtpmap:102 telephone-event/48000\r\n").payloadTypes());
    }

    @Test
    void codecsOutsideTheConfiguredListAreLeftOut_spec_1_3() throws SdpException {
        AudioAnswerer pcmaOnly = new AudioAnswerer(List.of("PCMA"));
        assertEquals(List.of("8"), pcmaOnly.answer(offer("m=audio 5004 RTP/AVP 0 8\r\n"), new AudioAnswerer.Origin(),
                local, 50000).payloadTypes());
    }

    @Test
    void videoAndEveryOtherStreamAreDeclinedWithPortZeroInTheSameOrder_rfc3264_s6() throws SdpException {
        AudioAnswerer.Answer answer = answer("m=video 5006 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n"
                + "m=audio 5004 RTP/AVP 0\r\nm=audio 5008 RTP/AVP 8\r\nm=message 2855 TCP/TLS/MSRP *\r\n"
                + "m=application 9 UDP/BFCP *\r\n");
        List<MediaDescription> media = answer.sdp().media();
        assertEquals(5, media.size());
        assertEquals(List.of("video", "audio", "audio", "message", "application"),
                media.stream().map(MediaDescription::media).toList());
        assertEquals(List.of(0, 50000, 0, 0, 0), media.stream().map(MediaDescription::port).toList(),
                "only the first acceptable audio stream is accepted");
        assertEquals("m=video 0 RTP/AVP 96\r\n", media.get(0).toString(), "declined: port 0, offered formats, no attributes");
        assertEquals("m=message 0 TCP/TLS/MSRP *\r\n", media.get(3).toString());
    }

    private static final String SAVP_OFFER = "m=audio 5004 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
            + "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\nm=audio 5006 RTP/AVP 0\r\n";

    /** With srtp_encryption disabled, RTP/SAVP is declined and the plain alternative taken (RFC 3264 §6). */
    @Test
    void secureAudioIsDeclinedWhenSrtpIsDisabled_rfc3264_s6() throws SdpException {
        AudioAnswerer plainOnly = new AudioAnswerer(List.of("PCMU"), "disabled");
        AudioAnswerer.Answer answer = plainOnly.answer(offer(SAVP_OFFER), new AudioAnswerer.Origin(), local, 50000);
        assertEquals(0, answer.sdp().media().get(0).port());
        assertEquals(50000, answer.sdp().media().get(1).port());
        assertEquals(new InetSocketAddress("192.0.2.10", 5006), answer.remoteRtp());
        assertFalse(answer.secure());
    }

    /**
     * RFC 4568 §7.1.2: the answerer takes the first crypto line it supports and answers with the same tag and
     * suite and a key of its own.
     */
    @Test
    void sdesOfferIsAnsweredWithAKeyOfOurOwn_rfc4568_s7_1_2() throws SdpException {
        AudioAnswerer.Answer answer = answer("m=audio 5004 RTP/SAVP 0\r\n"
                + "a=crypto:1 F8_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm\r\n"
                + "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n");
        assertTrue(answer.secure());
        assertEquals(2, answer.remoteKey().tag());
        List<String> crypto = answer.sdp().media().get(0).attributes("crypto");
        assertEquals(1, crypto.size());
        assertTrue(crypto.get(0).startsWith("2 AES_CM_128_HMAC_SHA1_32 inline:"), crypto.get(0));
        assertFalse(crypto.get(0).contains("PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"), "our own key, not theirs");
        assertEquals("RTP/SAVP", answer.sdp().media().get(0).proto());
    }

    /**
     * Opportunistic: a plain RTP/AVP offer that carries a key gets SRTP too. {@code sdes} is "SDES optional" (spec
     * §1.3, RFC 4568 §7.1.2 on RTP/AVP): the same, and a phone without SRTP gets plain RTP, not a refusal.
     */
    @Test
    void opportunisticAndSdesOptionalPolicies() throws SdpException {
        String avpWithKey = "m=audio 5004 RTP/AVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
                + "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n";
        assertTrue(answer(avpWithKey).secure());
        AudioAnswerer sdesOptional = new AudioAnswerer(List.of("PCMU"), "sdes");
        assertTrue(sdesOptional.answer(offer(avpWithKey), new AudioAnswerer.Origin(), local, 50000).secure());
        AudioAnswerer.Answer plain = sdesOptional.answer(offer("m=audio 5004 RTP/AVP 0\r\n"), new AudioAnswerer.Origin(),
                local, 50000);
        assertFalse(plain.secure());
        assertEquals("RTP/AVP", plain.sdp().media().get(0).proto());
        assertFalse(new AudioAnswerer(List.of("PCMU"), "disabled").answer(offer(avpWithKey), new AudioAnswerer.Origin(),
                local, 50000).secure());
    }

    @Test
    void directionIsMirrored_rfc3264_s6_1() throws SdpException {
        assertEquals("recvonly", answer("m=audio 5004 RTP/AVP 8\r\na=sendonly\r\n").direction());
        assertTrue(answer("m=audio 5004 RTP/AVP 8\r\na=sendonly\r\n").sdp().media().get(0).has("recvonly"));
        assertEquals("sendonly", answer("m=audio 5004 RTP/AVP 8\r\na=recvonly\r\n").direction());
        assertEquals("inactive", answer("m=audio 5004 RTP/AVP 8\r\na=inactive\r\n").direction());
        assertEquals("recvonly", answerer.answer(SessionDescription.parse("v=0\r\no=a 1 1 IN IP4 192.0.2.10\r\ns=-\r\n"
                + "c=IN IP4 192.0.2.10\r\nt=0 0\r\na=sendonly\r\nm=audio 5004 RTP/AVP 8\r\n"),
                new AudioAnswerer.Origin(), local, 50000).direction(), "a session-level direction counts too");
    }

    @Test
    void rtcpMuxIsAcceptedOnlyWhenOffered_rfc5761_s5_1_1() throws SdpException {
        AudioAnswerer.Answer muxed = answer("m=audio 5004 RTP/AVP 8\r\na=rtcp-mux\r\n");
        assertTrue(muxed.rtcpMux());
        assertTrue(muxed.sdp().media().get(0).has("rtcp-mux"));
        assertFalse(answer("m=audio 5004 RTP/AVP 8\r\n").sdp().media().get(0).has("rtcp-mux"));
    }

    @Test
    void mediaLevelConnectionAddressWins_rfc4566_s5_7() throws SdpException {
        assertEquals(new InetSocketAddress("198.51.100.7", 5004),
                answer("m=audio 5004 RTP/AVP 8\r\nc=IN IP4 198.51.100.7\r\n").remoteRtp());
    }

    @Test
    void ipv6LocalAddressGoesIntoOriginAndConnection_rfc4566_s5_2_s5_7() throws Exception {
        InetAddress v6 = InetAddress.getByName("2001:db8::5");
        SessionDescription sdp = answerer.answer(offer("m=audio 5004 RTP/AVP 0\r\n"), new AudioAnswerer.Origin(), v6, 50000).sdp();
        assertTrue(sdp.sessionLines().get(1).value().endsWith(" IN IP6 2001:db8:0:0:0:0:0:5"));
        assertEquals("IN IP6 2001:db8:0:0:0:0:0:5", sdp.connection().toString());
    }

    @Test
    void originKeepsTheSessionIdAndIncrementsTheVersionForEachAnswer_rfc3264_s8() throws SdpException {
        AudioAnswerer.Origin origin = new AudioAnswerer.Origin();
        String first = answerer.answer(offer("m=audio 5004 RTP/AVP 0\r\n"), origin, local, 50000).sdp().sessionLines().get(1).value();
        String second = answerer.answer(offer("m=audio 5004 RTP/AVP 0\r\n"), origin, local, 50000).sdp().sessionLines().get(1).value();
        assertEquals(first.split(" ")[1], second.split(" ")[1]);
        assertEquals(Long.parseLong(first.split(" ")[2]) + 1, Long.parseLong(second.split(" ")[2]));
        String other = answerer.answer(offer("m=audio 5004 RTP/AVP 0\r\n"), new AudioAnswerer.Origin(), local, 50000)
                .sdp().sessionLines().get(1).value();
        assertFalse(first.split(" ")[1].equals(other.split(" ")[1]), "each dialog has its own session id");
    }

    @Test
    void nothingAcceptableGivesTheReasonFor488() {
        assertEquals("No compatible audio codec", refusal("m=audio 5004 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n"));
        assertEquals("No compatible audio codec", refusal("m=audio 5004 RTP/AVP 101\r\na=rtpmap:101 telephone-event/8000\r\n"),
                "telephone-event alone is no codec");
        assertEquals("No audio stream offered", refusal("m=video 5004 RTP/AVP 96\r\n"));
        assertEquals("No audio stream offered", refusal("m=audio 0 RTP/AVP 0\r\n"));
        assertEquals("No usable SRTP key (no a=crypto line)", refusal("m=audio 5004 RTP/SAVP 0\r\n"));
        assertTrue(refusal("m=audio 5004 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:short\r\n")
                .startsWith("Malformed a=crypto: "));
        assertEquals("Unsupported audio transport UDP/TLS/RTP/SAVPF (srtp_encryption opportunistic)",
                refusal("m=audio 5004 UDP/TLS/RTP/SAVPF 111\r\n"));
    }

    /** RFC 6464 §4 / RFC 8285 §5: the client-to-mixer level extension is accepted with the offered id. */
    @Test
    void audioLevelExtensionIsAccepted_rfc6464_s4() throws SdpException {
        AudioAnswerer.Answer answer = answer("m=audio 5004 RTP/AVP 0\r\n"
                + "a=extmap:3 urn:ietf:params:rtp-hdrext:toffset\r\n"
                + "a=extmap:5/sendonly urn:ietf:params:rtp-hdrext:ssrc-audio-level vad=on\r\n");
        assertEquals(5, answer.audioLevelId());
        assertEquals(List.of("5 urn:ietf:params:rtp-hdrext:ssrc-audio-level"),
                answer.sdp().media().get(0).attributes("extmap"), "only the level extension is answered");
        assertEquals(0, answer("m=audio 5004 RTP/AVP 0\r\n").audioLevelId());
        assertEquals(0, answer("m=audio 5004 RTP/AVP 0\r\na=extmap:x urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n")
                .audioLevelId(), "a malformed id is ignored");
    }
}
