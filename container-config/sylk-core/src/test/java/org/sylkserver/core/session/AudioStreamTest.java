package org.sylkserver.core.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.RtpAudioEndpoint;
import org.sylkserver.media.RtpPolicy;
import org.sylkserver.media.sdp.AudioAnswerer;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/** The audio stream: offer/answer (RFC 3264) and what it applies to a real media endpoint, without a container. */
class AudioStreamTest {

    private static final String PCMU_AND_OPUS = "m=audio 5004 RTP/AVP 0 96 101\r\na=rtpmap:96 opus/48000/2\r\n"
            + "a=rtpmap:101 telephone-event/8000\r\n";

    /** One engine for the class: closing one takes up to its I/O thread's join. */
    private static MediaEngine engine;
    private final java.util.List<AudioStream> opened = new java.util.ArrayList<>();
    @TempDir
    Path spool;

    private AudioStream.Settings settings(String srtp) {
        return new AudioStream.Settings(new AudioAnswerer(List.of("opus", "PCMU"), srtp), srtp.equals("zrtp"),
                spool.resolve("zrtp.zid"));
    }

    @BeforeAll
    static void start() throws IOException {
        engine = new MediaEngine(InetAddress.getLoopbackAddress(), 45200, 45240, Duration.ZERO, RtpPolicy.OPEN);
    }

    @AfterAll
    static void stop() throws IOException {
        engine.close();
    }

    private AudioStream stream(String srtp) throws IOException {
        AudioStream audio = new AudioStream(settings(srtp), engine.openAudioEndpoint(e -> { }));
        opened.add(audio);
        return audio;
    }

    @AfterEach
    void closeEndpoints() {
        opened.forEach(AudioStream::close);
    }

    private static SessionDescription offer(String media) throws SdpException {
        return SessionDescription.parse("v=0\r\no=alice 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
                + media);
    }

    private static MediaDescription line(SessionDescription offer) {
        return offer.media().get(0);
    }

    @Test
    void takesAudioLinesOnly() throws Exception {
        AudioStream audio = stream("opportunistic");
        assertTrue(audio.takes(line(offer(PCMU_AND_OPUS))));
        assertFalse(audio.takes(line(offer("m=message 2855 TCP/MSRP *\r\n"))));
    }

    @Test
    void answersOnItsEndpointsPortWithTheOfferedCodecsWeAllow_rfc3264_s6_1() throws Exception {
        AudioStream audio = stream("opportunistic");
        SessionDescription offer = offer(PCMU_AND_OPUS);
        MediaDescription answer = audio.answer(offer, line(offer));
        assertEquals(audio.endpoint().port(), answer.port());
        assertEquals(List.of("0", "96", "101"), answer.formats());
        audio.apply();
        assertEquals(0, audio.payloadType());
        assertEquals("PCMU", audio.codec().encoding(), "a static type without a=rtpmap, RFC 3551 §6");
        assertEquals(8000, audio.clockRate());
        assertEquals(new InetSocketAddress("192.0.2.10", 5004), audio.remoteRtp());
        assertEquals("sendrecv", audio.direction());
        assertTrue(audio.sends());
        assertFalse(audio.onHold());
        assertFalse(audio.endpoint().isSecure());
    }

    @Test
    void nothingIsAppliedBeforeApplyAndAHoldReofferChangesTheDirection_rfc3264_s8_4() throws Exception {
        AudioStream audio = stream("opportunistic");
        SessionDescription offer = offer(PCMU_AND_OPUS);
        audio.answer(offer, line(offer));
        audio.apply();
        SessionDescription hold = offer(PCMU_AND_OPUS + "a=sendonly\r\n");
        assertEquals(List.of("recvonly"), audio.answer(hold, line(hold)).lines().stream()
                .filter(l -> l.value().equals("recvonly")).map(SessionDescription.Line::value).toList());
        assertEquals("sendrecv", audio.direction(), "still the running stream's until applied");
        audio.apply();
        assertTrue(audio.onHold());
        assertFalse(audio.sends());
        assertFalse(audio.changesCodec());
    }

    @Test
    void aReofferWithAnotherFirstCodecIsACodecChange_rfc3264_s8_3_2() throws Exception {
        AudioStream audio = stream("opportunistic");
        SessionDescription offer = offer(PCMU_AND_OPUS);
        audio.answer(offer, line(offer));
        audio.apply();
        SessionDescription opus = offer("m=audio 5004 RTP/AVP 96\r\na=rtpmap:96 opus/48000/2\r\n");
        audio.answer(opus, line(opus));
        assertTrue(audio.changesCodec());
    }

    @Test
    void sdesKeysOfTheAnswerSecureTheEndpoint_rfc4568() throws Exception {
        AudioStream audio = stream("sdes");
        SessionDescription offer = offer("m=audio 5004 RTP/SAVP 0\r\n"
                + "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n");
        MediaDescription answer = audio.answer(offer, line(offer));
        assertEquals(1, answer.attributes("crypto").size());
        audio.apply();
        assertTrue(audio.endpoint().isSecure());
    }

    @Test
    void aPeerAddressWithTooManyStreamsIsRefusedForANewStream_maxStreamsPerAddress() throws Exception {
        try (MediaEngine strict = new MediaEngine(InetAddress.getLoopbackAddress(), 45250, 45260, Duration.ZERO,
                new RtpPolicy(true, 0, 1))) {
            AudioStream audio = new AudioStream(settings("opportunistic"), strict.openAudioEndpoint(e -> { }));
            RtpAudioEndpoint other = strict.openAudioEndpoint(e -> { });
            other.signalled(new InetSocketAddress("192.0.2.10", 6000));
            SessionDescription offer = offer(PCMU_AND_OPUS);
            assertTrue(assertThrows(SdpException.class, () -> audio.answer(offer, line(offer))).getMessage()
                    .startsWith("Too many media streams with 192.0.2.10"));
        }
    }

    @Test
    void closingTheStreamClosesItsEndpoint() throws Exception {
        AudioStream audio = stream("opportunistic");
        audio.close();
        assertTrue(audio.endpoint().isClosed());
    }
}
