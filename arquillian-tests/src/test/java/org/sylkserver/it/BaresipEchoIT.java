package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.media.codec.ToneDetector;

/**
 * The echo application (spec §6.1) called by a real SIP client, baresip, whose microphone is a sine tone: what it
 * records must be the same tone, which proves codec negotiation, the server's decode/re-encode and RTP both ways.
 */
@ExtendWith(ArquillianExtension.class)
class BaresipEchoIT {

    private static final String ECHO = "sip:echo@" + Sipp.SERVER + ":" + Sipp.SIP_PORT;
    private static final Duration SETUP = Duration.ofSeconds(10);

    @Deployment(testable = false)
    static EnterpriseArchive echo() {
        return Archives.all();
    }

    @TempDir
    Path work;

    @Test
    void pcmuToneComesBackAtItsFrequency() throws Exception {
        assertToneEchoed(Baresip.Codec.PCMU, 440);
    }

    @Test
    void pcmaToneComesBackAtItsFrequency() throws Exception {
        assertToneEchoed(Baresip.Codec.PCMA, 1000);
    }

    @Test
    void g722ToneComesBackAtItsFrequency() throws Exception {
        assertToneEchoed(Baresip.Codec.G722, 3000);
    }

    @Test
    void opusToneComesBackAtItsFrequency() throws Exception {
        assertToneEchoed(Baresip.Codec.OPUS, 700);
    }

    /** Issue 3: SDES-SRTP (RFC 4568, RTP/SAVP with a=crypto) with each codec, baresip's srtp-mand. */
    @Test
    void pcmuToneComesBackOverSrtp_rfc4568() throws Exception {
        assertToneEchoed(Baresip.Codec.PCMU, 500, "srtp-mand");
    }

    @Test
    void g722ToneComesBackOverSrtp_rfc4568() throws Exception {
        assertToneEchoed(Baresip.Codec.G722, 2500, "srtp-mand");
    }

    @Test
    void opusToneComesBackOverSrtp_rfc4568() throws Exception {
        assertToneEchoed(Baresip.Codec.OPUS, 900, "srtp-mand");
    }

    /**
     * Hold and resume by re-INVITE (RFC 3264 §8.4): the call survives and, after resume, the echo sends RTP again
     * (more than 2 s of 20 ms packets, while baresip held right after the answer). baresip's sndfile recorder stops
     * at a hold, so there is no tone check here; the tone tests above cover the audio itself.
     */
    @Test
    void holdAndResumeByReInvite() throws Exception {
        try (Baresip client = Baresip.dial(work, Baresip.Codec.PCMU, 600, null, ECHO)) {
            client.await(line -> line.contains("Call established"), SETUP, "answer");
            client.command("/hold");
            client.await(line -> line.contains("call: hold"), SETUP, "hold");
            awaitServerLog("re-INVITE from sip:tester@127.0.0.1: audio recvonly");
            client.command("/resume");
            client.await(line -> line.contains("call: resume"), SETUP, "resume");
            awaitServerLog("re-INVITE from sip:tester@127.0.0.1: audio sendrecv");
            Thread.sleep(2500);
            client.hangUpAndRecording();
            String ended = awaitServerLog("call from sip:tester@127.0.0.1 ended (caller hung up)");
            Matcher sent = Pattern.compile("rtpPacketsOut=(\\d+)").matcher(ended);
            assertTrue(sent.find() && Integer.parseInt(sent.group(1)) > 100, "RTP echoed after resume: " + ended);
        }
    }

    /** RFC 4733 key presses from a real client reach the application, and echo returns them. */
    @Test
    void dtmfFromBaresipIsReportedAndEchoed_rfc4733() throws Exception {
        try (Baresip client = Baresip.dial(work, Baresip.Codec.PCMU, 440, null, ECHO)) {
            client.await(line -> line.contains("Call established"), SETUP, "answer");
            client.command("47");
            client.await(line -> line.contains("received event: '7'"), SETUP, "the echoed key 7");
            awaitServerLog("DTMF 4 from sip:tester@127.0.0.1");
            awaitServerLog("DTMF 7 from sip:tester@127.0.0.1");
        }
    }

    private void assertToneEchoed(Baresip.Codec codec, double hz) throws Exception {
        assertToneEchoed(codec, hz, null);
    }

    private void assertToneEchoed(Baresip.Codec codec, double hz, String encryption) throws Exception {
        try (Baresip client = Baresip.dial(work, codec, hz, encryption, ECHO)) {
            client.await(line -> line.contains("Call established"), SETUP, "answer");
            Thread.sleep(3000);
            Baresip.Recording heard = client.hangUpAndRecording();
            String negotiated = "Set audio decoder: " + codec.name.split("/")[0];
            assertTrue(client.output().contains(negotiated), () -> "negotiated " + codec + ":\n" + client.output());
            assertTrue(heard.seconds() >= 2.5, "recorded " + heard.seconds() + " s");
            short[] settled = heard.after(1.0);
            assertEquals(hz, ToneDetector.dominantFrequency(settled, heard.sampleRate()), 5, codec + " tone frequency");
            assertTrue(ToneDetector.levelDb(settled, heard.sampleRate(), hz) > -20, codec + " tone level");
        }
    }

    private static String awaitServerLog(String text) throws Exception {
        return ServerLogs.await(text, SETUP);
    }
}
