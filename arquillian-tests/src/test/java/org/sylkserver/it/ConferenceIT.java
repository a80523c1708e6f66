package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.media.codec.ToneDetector;

/**
 * The conference application (spec §3, issue 4) with real SIP clients: three baresip participants on three
 * different codecs, each sending its own tone, hear the two others and not themselves; the conference event
 * package, access lists and room destruction with sipp.
 */
@ExtendWith(ArquillianExtension.class)
class ConferenceIT {

    private static final String ROOM = "sip:room1@" + Sipp.SERVER + ":" + Sipp.SIP_PORT;
    private static final Duration SETUP = Duration.ofSeconds(15);

    /** conference.ini is read when the application is deployed: a short answer delay, one closed room. */
    @Deployment(testable = false)
    static WebArchive conference() {
        Path config = Path.of(System.getProperty("sylk.work", "target/sylk-it"), "config", "conference.ini");
        try {
            Files.createDirectories(config.getParent());
            Files.writeString(config, String.join("\n",
                    "[Conference]",
                    "answer_delay = 1",
                    "",
                    "[private@127.0.0.1]",
                    "access_policy = allow, deny",
                    "deny = tester@127.0.0.1",
                    "",
                    "[secret@127.0.0.1]",
                    "pin = 4321",
                    ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Archives.conference();
    }

    @TempDir
    Path work;

    /**
     * Issue 4: three participants (PCMU, G.722, Opus) each send a different tone; after the welcome prompts,
     * each one's recording holds the two other tones and not its own, which proves mix-minus and transcoding
     * between the three codecs through the 48 kHz mixer. Meanwhile a watcher's SUBSCRIBE gets the RFC 4575
     * document listing the three users.
     */
    @Test
    void threeParticipantsHearTheOthersButNotThemselves() throws Exception {
        double[] tones = {440, 850, 1300};
        String[] users = {"alice", "bob", "carol"};
        Baresip.Codec[] codecs = {Baresip.Codec.PCMU, Baresip.Codec.G722, Baresip.Codec.OPUS};
        Baresip[] clients = new Baresip[3];
        try {
            for (int i = 0; i < 3; i++) {
                clients[i] = Baresip.dial(work.resolve(users[i]), users[i], codecs[i], tones[i], null, ROOM);
            }
            for (Baresip client : clients) {
                client.await(line -> line.contains("Call established"), SETUP, "answer");
            }
            // welcome, participant count and connected tone take about 6 s
            awaitServerLog("joined room room1@127.0.0.1 (3 sessions");
            Thread.sleep(9000);
            Sipp.Result subscription = Sipp.scenario(work.resolve("sipp"), Scenarios.conferenceSubscription("room1",
                    "<user-count>3</user-count>", "entity=\"sip:alice@127.0.0.1\"", "entity=\"sip:bob@127.0.0.1\"",
                    "entity=\"sip:carol@127.0.0.1\"", "<status>connected</status>", "<type>audio</type>")).run();
            assertEquals(0, subscription.exitCode(), subscription::toString);
            Thread.sleep(2000);
            Baresip.Recording[] heard = new Baresip.Recording[3];
            for (int i = 0; i < 3; i++) {
                heard[i] = clients[i].hangUpAndRecording();
            }
            for (int i = 0; i < 3; i++) {
                short[] tail = heard[i].after(heard[i].seconds() - 4);
                int rate = heard[i].sampleRate();
                double own = ToneDetector.levelDb(tail, rate, tones[i]);
                for (int j = 0; j < 3; j++) {
                    if (j != i) {
                        double other = ToneDetector.levelDb(tail, rate, tones[j]);
                        assertTrue(other > -40, users[i] + " hears " + users[j] + " at " + other + " dB");
                        assertTrue(other - own > 25, users[i] + " hears itself at " + own + " dB, "
                                + users[j] + " at " + other + " dB");
                    }
                }
            }
            awaitServerLog("room room1@127.0.0.1 destroyed");
        } finally {
            for (Baresip client : clients) {
                if (client != null) {
                    client.close();
                }
            }
        }
    }

    /** Issue 4: a room with a PIN asks for it; the right digits (RFC 4733, typed on baresip) let the caller in. */
    @Test
    void theRightPinLetsTheCallerIn() throws Exception {
        try (Baresip client = Baresip.dial(work, "dave", Baresip.Codec.PCMU, 440, null,
                "sip:secret@" + Sipp.SERVER + ":" + Sipp.SIP_PORT)) {
            client.await(line -> line.contains("Call established"), SETUP, "answer");
            Thread.sleep(1000);
            client.command("4321#");
            awaitServerLog("dave@127.0.0.1 (");
            awaitServerLog(": PIN accepted for room secret@127.0.0.1");
        }
        awaitServerLog("room secret@127.0.0.1 destroyed");
    }

    /** Three wrong PINs: the caller hears the refusal and the server hangs up. */
    @Test
    void threeWrongPinsEndTheCall() throws Exception {
        try (Baresip client = Baresip.dial(work, "eve", Baresip.Codec.PCMU, 440, null,
                "sip:secret@" + Sipp.SERVER + ":" + Sipp.SIP_PORT)) {
            client.await(line -> line.contains("Call established"), SETUP, "answer");
            for (String attempt : new String[] {"1111#", "2222#", "9999#"}) {
                Thread.sleep(700);
                client.command(attempt);
            }
            awaitServerLog("eve@127.0.0.1 (");
            awaitServerLog(": wrong PIN 3 times for room secret@127.0.0.1, refused");
            client.await(line -> line.toLowerCase().contains("closed") || line.contains("terminated"), SETUP,
                    "the server's BYE");
            String left = awaitServerLog("left room secret@127.0.0.1: PIN refused");
            assertTrue(left.contains("eve@127.0.0.1"), left);
        }
    }

    /** Spec §3.10: the room's access list refuses the caller with 403, before looking at the offer. */
    @Test
    void accessListRefusesWith403() throws Exception {
        Sipp.Result refused = Sipp.scenario(work, Scenarios.request("INVITE", "private", List.of(), 403)).run();
        assertEquals(0, refused.exitCode(), refused::toString);
        Sipp.Result open = Sipp.scenario(work.resolve("open"), Scenarios.request("INVITE", "public", List.of(), 488))
                .run();
        assertEquals(0, open.exitCode(), "another room takes the caller (488: no SDP offer): " + open);
    }

    /** Spec §3.6: SUBSCRIBE to a room nobody is in gets 480; a wrong event package 489. */
    @Test
    void subscribingToAnEmptyRoomOrAnotherPackage() throws Exception {
        Sipp.Result missing = Sipp.scenario(work, Scenarios.request("SUBSCRIBE", "nobody-here",
                List.of("Event: conference", "Expires: 60"), 480)).run();
        assertEquals(0, missing.exitCode(), missing::toString);
        Sipp.Result wrongPackage = Sipp.scenario(work.resolve("b"), Scenarios.request("SUBSCRIBE", "nobody-here",
                List.of("Event: presence", "Expires: 60"), 489)).run();
        assertEquals(0, wrongPackage.exitCode(), wrongPackage::toString);
    }

    private static String awaitServerLog(String text) throws Exception {
        Path log = Path.of(System.getProperty("sylk.work", "target/sylk-it"), "server.log");
        long deadline = System.nanoTime() + SETUP.toNanos();
        while (true) {
            List<String> lines = Files.readAllLines(log).stream().filter(line -> line.contains(text)).toList();
            if (!lines.isEmpty()) {
                return lines.get(lines.size() - 1);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("server log has no \"" + text + "\" within " + SETUP);
            }
            Thread.sleep(100);
        }
    }
}
