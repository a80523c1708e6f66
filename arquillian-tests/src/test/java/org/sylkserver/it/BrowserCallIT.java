package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.json.JsonObject;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6 end to end: the gateway's page in headless Chromium (fake microphone and camera) registers an account with
 * a sipp registrar stand-in, then calls a real baresip phone and is called by one, through the sylkRTC API
 * (spec §4.5.3-4.5.6) and the WebRTC media bridge (ICE-lite, DTLS-SRTP towards Chrome, plain RTP towards baresip).
 * Audio is checked both ways: RTP received and decoded by baresip, {@code inbound-rtp} in Chrome's statistics.
 *
 * <p>The account's domain is 127.0.0.2, where the registrar listens on port 5060 (no outbound proxy: calls go
 * straight to their target), and baresip listens on 127.0.0.1:5060, as an address of record has no port.
 */
@ExtendWith(ArquillianExtension.class)
class BrowserCallIT {

    private static final Logger LOG = Logger.getLogger(BrowserCallIT.class.getName());
    private static final String DOMAIN = "127.0.0.2";
    private static final String PAGE = "http://127.0.0.1:18088/webrtcgateway/";
    private static final Duration SETUP = Duration.ofSeconds(20);
    /** The Contact the gateway registered, as its REGISTER shows in the server's SIP trace. */
    private static final Pattern CONTACT = Pattern.compile("Contact: <sip:(sylkrtc-alice-[0-9a-f]+)@127\\.0\\.0\\.1:15060");

    @Deployment(testable = false)
    static EnterpriseArchive gateway() throws IOException {
        ServerConfig.write("webrtcgateway.ini", "[General]\nsip_domains = " + DOMAIN + "\n");
        return Archives.all();
    }

    @TempDir
    Path work;

    private Sipp.Running registrar;

    /**
     * spec §4.5.3, §4.5.5, §4.5.6: the page calls baresip (auto-answer); audio flows both ways; a key of the page's
     * keypad reaches baresip as SIP INFO; Re-negotiate re-INVITEs and audio still flows; the page hangs up.
     */
    @Test
    void thePageCallsBaresip_spec_4_5_3() throws Exception {
        try (Baresip bob = Baresip.listenOnDefaultPort(work.resolve("bob"), "bob", Baresip.Codec.PCMU, 440);
             Chromium browser = Chromium.start(work.resolve("profile"))) {
            Chromium.Page page = registeredPage(browser);
            page.evaluate("document.getElementById('target').value = 'bob@127.0.0.1'");
            page.evaluate("document.getElementById('call').click()");
            awaitCallState(page, "established");
            bob.await(line -> line.contains("Call established"), SETUP, "the call");
            JsonObject heard = awaitAudioIn(page, 50);
            LOG.info(() -> "browser -> baresip call, after set-up: " + heard);

            page.evaluate("[...document.querySelectorAll('#keypad button')].find(b => b.textContent === '5').click()");
            bob.await(line -> line.contains("call: received DTMF: '5'"), SETUP, "the DTMF key 5 as SIP INFO");

            page.evaluate("document.getElementById('update').click()");
            page.awaitTrue("document.getElementById('log').textContent.includes('re-negotiated')", SETUP);
            long before = heard.getJsonNumber("inPackets").longValue();
            JsonObject after = awaitAudioIn(page, before + 50);
            LOG.info(() -> "after the re-INVITE: " + after);

            awaitBeepsSent(page);
            bob.command("/callstat");
            page.evaluate("document.getElementById('hangup').click()");
            awaitCallState(page, "terminated (200 OK)");
            bob.await(line -> line.contains("terminated"), SETUP, "the BYE");
            Baresip.Recording recording = bob.hangUpAndRecording();
            assertHeard(recording, "baresip heard the browser");
            LOG.info(() -> "baresip said:\n" + bob.output());
            unregister(page);
        }
    }

    /**
     * spec §4.5.4: baresip calls the Contact the gateway registered for the account (the address a registrar would
     * route its calls to); the page shows the incoming call, Answer takes it; audio both ways; baresip hangs up.
     */
    @Test
    void baresipCallsThePage_spec_4_5_4() throws Exception {
        try (Chromium browser = Chromium.start(work.resolve("profile"))) {
            Chromium.Page page = registeredPage(browser);
            String contact = registeredContact();
            try (Baresip carol = Baresip.dial(work.resolve("carol"), "carol", Baresip.Codec.PCMU, 880, null,
                    "sip:" + contact + "@127.0.0.1:15060")) {
                page.awaitTrue("!document.getElementById('incoming').hidden", SETUP);
                assertEquals("carol@127.0.0.1", page.evaluate("document.getElementById('caller').textContent")
                        .toString().replace("\"", ""));
                page.evaluate("document.getElementById('answer').click()");
                awaitCallState(page, "established");
                carol.await(line -> line.contains("Call established"), SETUP, "the answer");
                // three seconds of audio each way (50 packets a second) before the hang-up: baresip records over one
                // and Chrome's fake microphone beeps in it
                JsonObject heard = awaitAudioIn(page, 150);
                LOG.info(() -> "baresip -> browser call: " + heard);
                awaitBeepsSent(page);
                carol.command("/callstat");
                carol.command("/hangup");
                awaitCallState(page, "terminated (200 OK)");
                Baresip.Recording recording = carol.hangUpAndRecording();
                assertHeard(recording, "baresip heard the browser");
                LOG.info(() -> "baresip said:\n" + carol.output());
            }
            unregister(page);
        }
    }

    /**
     * Opens the page, adds alice@127.0.0.2 and registers her with a registrar stand-in (spec §4.5.2), which then
     * waits for the removal of the binding ({@link #unregister}).
     */
    private Chromium.Page registeredPage(Chromium browser) throws Exception {
        registrar = Sipp.scenario(work.resolve("registrar"), Scenarios.registrar("alice", "secret", true, DOMAIN))
                // the registration lasts the whole call
                .waitingForRequests().from(DOMAIN).localPort(5060).timeoutSeconds(50).start();
        Chromium.Page page = browser.open(PAGE);
        page.withoutAudioProcessing();
        page.evaluate("document.getElementById('account').value = 'alice@" + DOMAIN + "'");
        page.evaluate("document.getElementById('password').value = 'secret'");
        page.evaluate("document.getElementById('register').click()");
        page.awaitTrue("document.getElementById('state').textContent === 'registered'", SETUP);
        return page;
    }

    /** Unregisters, so that no removal of this test's binding reaches the next test's registrar. */
    private void unregister(Chromium.Page page) throws Exception {
        page.evaluate("document.getElementById('unregister').click()");
        Sipp.Result result = registrar.await();
        assertEquals(0, result.exitCode(), result::toString);
    }

    private static String registeredContact() throws Exception {
        Matcher contact = CONTACT.matcher(ServerLogs.await("Contact: <sip:sylkrtc-alice-", SETUP));
        assertTrue(contact.find(), "the REGISTER's Contact");
        return contact.group(1);
    }

    private static void awaitCallState(Chromium.Page page, String state) throws Exception {
        page.awaitTrue("document.getElementById('call-state').textContent === '" + state + "'", SETUP);
    }

    /**
     * Chrome's audio statistics of the current call: RTP packets and audio energy received, RTP packets sent, and the
     * energy its (fake) microphone has captured so far.
     */
    private static JsonObject audioStats(Chromium.Page page) throws Exception {
        return page.evaluate("""
                gatewayPage.call.peer.getStats().then(report => {
                    const stats = {inPackets: 0, inEnergy: 0, outPackets: 0, micEnergy: 0};
                    report.forEach(entry => {
                        if (entry.type === 'inbound-rtp' && entry.kind === 'audio') {
                            stats.inPackets = entry.packetsReceived;
                            stats.inEnergy = entry.totalAudioEnergy || 0;
                        } else if (entry.type === 'outbound-rtp' && entry.kind === 'audio') {
                            stats.outPackets = entry.packetsSent;
                        } else if (entry.type === 'media-source' && entry.kind === 'audio') {
                            stats.micEnergy = entry.totalAudioEnergy || 0;
                        }
                    });
                    return stats;
                })""").asJsonObject();
    }

    /** Waits until Chrome has received more than {@code packets} audio packets, and checks they carried sound. */
    private static JsonObject awaitAudioIn(Chromium.Page page, long packets) throws Exception {
        long deadline = System.nanoTime() + SETUP.toNanos();
        JsonObject stats = audioStats(page);
        while (stats.getJsonNumber("inPackets").longValue() <= packets) {
            assertTrue(System.nanoTime() < deadline, "Chrome received no audio: " + stats);
            Thread.sleep(200);
            stats = audioStats(page);
        }
        assertTrue(stats.getJsonNumber("inEnergy").doubleValue() > 0, "silence received: " + stats);
        assertTrue(stats.getJsonNumber("outPackets").longValue() > 0, "Chrome sent no audio: " + stats);
        return stats;
    }

    /**
     * Waits until Chrome's fake microphone has beeped and Chrome has sent a second and a half of RTP after that, so that
     * a recording ending now holds beeps (they come every half second), however late the capture started.
     */
    private static void awaitBeepsSent(Chromium.Page page) throws Exception {
        long deadline = System.nanoTime() + SETUP.toNanos();
        JsonObject stats = audioStats(page);
        while (stats.getJsonNumber("micEnergy").doubleValue() == 0) {
            assertTrue(System.nanoTime() < deadline, "Chrome's microphone captured nothing: " + stats);
            Thread.sleep(100);
            stats = audioStats(page);
        }
        long target = stats.getJsonNumber("outPackets").longValue() + 75;
        while (stats.getJsonNumber("outPackets").longValue() < target) {
            assertTrue(System.nanoTime() < deadline, "Chrome stopped sending audio: " + stats);
            Thread.sleep(100);
            stats = audioStats(page);
        }
    }

    /** baresip decoded at least a second of the browser's audio, and it was not silence (Chrome's fake beeps). */
    private static void assertHeard(Baresip.Recording recording, String what) {
        short peak = 0;
        for (short sample : recording.samples()) {
            peak = (short) Math.max(peak, Math.abs(sample));
        }
        LOG.info(what + ": " + recording.seconds() + " s, peak " + peak);
        assertTrue(recording.seconds() > 1, what + ": only " + recording.seconds() + " s recorded");
        assertTrue(peak > 1000, what + ": peak sample " + peak);
    }
}
