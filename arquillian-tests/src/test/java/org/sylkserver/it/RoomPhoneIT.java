package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Logger;

import javax.json.JsonObject;
import javax.json.JsonString;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.media.codec.ToneDetector;

/**
 * Issue 13, a SIP phone in a video room: a headless Chromium browser whose microphone plays a 1000 Hz tone joins the
 * room through the gateway's page; baresip, its microphone a 440 Hz tone, calls {@code room@videoconference.<domain>}
 * (routed to the gateway, not to a conference of its own). The page shows the phone as a participant and hears its
 * tone (Web Audio on the phone's feed); the phone hears the browser's tone; when baresip hangs up the page removes
 * the phone (publishers-left).
 */
@ExtendWith(ArquillianExtension.class)
class RoomPhoneIT {

    private static final Logger LOG = Logger.getLogger(RoomPhoneIT.class.getName());
    private static final String PAGE = "http://127.0.0.1:18088/webrtcgateway/";
    private static final String ROOM = "pond@videoconference.example.com";
    /** Generous: at this machine's load the media arrive seconds late at times. */
    private static final Duration SETUP = Duration.ofSeconds(40);
    private static final double BROWSER_HZ = 1000;
    private static final double PHONE_HZ = 440;
    private static final String TILES = "[...document.querySelectorAll('#tiles .tile:not(.self) figcaption')]"
            + ".map(caption => caption.textContent).join(',')";
    private static final String PHONE = "[...gatewayPage.room.participants.values()].find(p => p.displayName === "
            + "'Desk Phone')";
    /**
     * The dominant frequency and its level (dBFS of the analyser's bin) of the phone's feed as the page receives it,
     * over a second of Web Audio analysis.
     */
    private static final String HEARD = """
            (async () => {
                const receiver = %s.peer.getReceivers().find(r => r.track && r.track.kind === 'audio');
                const context = new AudioContext({sampleRate: 48000});
                await context.resume();
                const analyser = context.createAnalyser();
                analyser.fftSize = 8192;
                context.createMediaStreamSource(new MediaStream([receiver.track])).connect(analyser);
                await new Promise(done => setTimeout(done, 1500));
                const bins = new Float32Array(analyser.frequencyBinCount);
                analyser.getFloatFrequencyData(bins);
                context.close();
                let best = 1;
                for (let i = 2; i < bins.length; i++) {
                    if (bins[i] > bins[best]) {
                        best = i;
                    }
                }
                return {hz: best * 48000 / analyser.fftSize, db: bins[best]};
            })()""".formatted(PHONE);

    @Deployment(testable = false)
    static EnterpriseArchive everything() throws IOException {
        ServerConfig.write("webrtcgateway.ini", "[General]\noutbound_sip_proxy = " + Sipp.SERVER + ":" + Sipp.SIP_PORT
                + ";transport=udp\nsip_domains = *\n");
        return Archives.all();
    }

    @TempDir
    Path work;

    @Test
    void aPhoneAndABrowserHearEachOtherInARoom_issue13() throws Exception {
        Path microphone = work.resolve("browser-tone.wav");
        Baresip.writeTone(microphone, BROWSER_HZ, 48_000, 1, 60);
        try (Chromium browser = Chromium.startWithMicrophone(work.resolve("alice"), microphone)) {
            Chromium.Page page = browser.open(PAGE);
            page.withoutAudioProcessing();
            page.evaluate("document.getElementById('account').value = 'alice@example.com'");
            page.evaluate("document.getElementById('display-name').value = 'Alice'");
            page.evaluate("document.getElementById('room').value = '" + ROOM + "'");
            page.evaluate("document.getElementById('join').click()");
            await(page, "document.getElementById('room-state').textContent === 'established'");

            try (Baresip phone = Baresip.dialVia(work.resolve("phone"), "Desk Phone", Baresip.Codec.PCMU, PHONE_HZ,
                    "sip:pond@videoconference.example.com", Sipp.SERVER + ":" + Sipp.SIP_PORT)) {
                phone.await(line -> line.contains("Call established"), SETUP, "the room answers");
                await(page, TILES + ".split(',').includes('Desk Phone')");
                await(page, PHONE + "?.state === 'established'");
                DecodedFeed feed = new DecodedFeed(page, PHONE + "?.peer", PHONE + "?.state === 'established'");
                JsonObject stats = awaitAudio(feed);
                LOG.info("the page receives the phone: " + stats);

                // the browser hears the phone's tone (the first second or two may still be the jitter settling)
                JsonObject heard = null;
                long deadline = System.nanoTime() + SETUP.toNanos();
                do {
                    heard = page.evaluate(HEARD).asJsonObject();
                    LOG.info("the page hears " + heard);
                } while ((Math.abs(heard.getJsonNumber("hz").doubleValue() - PHONE_HZ) > 10
                        || heard.getJsonNumber("db").doubleValue() < -50) && System.nanoTime() < deadline);
                assertEquals(PHONE_HZ, heard.getJsonNumber("hz").doubleValue(), 10, "the phone's tone in the page");
                assertTrue(heard.getJsonNumber("db").doubleValue() > -50, "its level: " + heard);

                // the phone hears the browser's tone, mixed and encoded as PCMU
                Thread.sleep(4000);
                Baresip.Recording recorded = phone.hangUpAndRecording();
                assertTrue(recorded.seconds() >= 4, "recorded " + recorded.seconds() + " s");
                short[] settled = recorded.window(recorded.seconds() - 3, 3);
                double hz = ToneDetector.dominantFrequency(settled, recorded.sampleRate());
                double level = ToneDetector.levelDb(settled, recorded.sampleRate(), BROWSER_HZ);
                LOG.info("the phone hears " + hz + " Hz at " + level + " dB");
                assertEquals(BROWSER_HZ, hz, 5, "the browser's tone at the phone");
                assertTrue(level > -30, "its level: " + level + " dB");

                // publishers-left: the page removes the phone
                await(page, TILES + " === ''");
            }
            page.evaluate("document.getElementById('leave').click()");
            await(page, "document.getElementById('room-state').textContent === 'terminated'");
        }
    }

    /** Waits until the page has received more than 100 audio packets of the feed, with sound in them. */
    private static JsonObject awaitAudio(DecodedFeed feed) throws Exception {
        long deadline = System.nanoTime() + SETUP.toNanos();
        JsonObject now = feed.stats();
        while (!now.getBoolean("established") || now.getInt("audioPackets") <= 100
                || now.getJsonNumber("audioEnergy").doubleValue() == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the phone's feed carries no sound: " + now);
            }
            Thread.sleep(200);
            now = feed.stats();
        }
        return now;
    }

    private static void await(Chromium.Page page, String condition) throws Exception {
        try {
            page.awaitTrue(condition, SETUP);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nroom state: " + text(page,
                    "document.getElementById('room-state').textContent") + "\npage log:\n"
                    + text(page, "document.getElementById('log').textContent"), e);
        }
    }

    private static String text(Chromium.Page page, String expression) throws Exception {
        return ((JsonString) page.evaluate(expression)).getString();
    }
}
