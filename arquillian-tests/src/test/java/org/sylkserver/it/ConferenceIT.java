package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
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
    static EnterpriseArchive conference() {
        try {
            ServerConfig.write("conference.ini", String.join("\n",
                    "[Conference]",
                    "answer_delay = 1",
                    "",
                    "[private@127.0.0.1]",
                    "access_policy = allow, deny",
                    "deny = tester@127.0.0.1",
                    "",
                    "[secret@127.0.0.1]",
                    "pin = 4321",
                    "",
                    "[pinlevel@127.0.0.1]",
                    "pin = 4321",
                    ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Archives.all();
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

    /**
     * What a listener heard of the talkers' tones: level of each (dBFS), peak, and the share of samples at full scale
     * (PCMU's largest value is 32124, so 32000 and up count as clipped).
     */
    private static String levels(Baresip.Recording heard, double... tones) {
        short[] tail = heard.after(heard.seconds() - 4);
        int peak = 0;
        int clipped = 0;
        for (short s : tail) {
            peak = Math.max(peak, Math.abs(s));
            clipped += Math.abs(s) >= 32000 ? 1 : 0;
        }
        StringBuilder text = new StringBuilder();
        for (double tone : tones) {
            text.append(String.format(java.util.Locale.ROOT, "%.0f Hz at %.1f dBFS, ", tone,
                    ToneDetector.levelDb(tail, heard.sampleRate(), tone)));
        }
        return text.append(String.format(java.util.Locale.ROOT, "peak %.1f dBFS, %.2f %% of samples clipped",
                20 * Math.log10(peak / 32767.0), 100.0 * clipped / tail.length)).toString();
    }

    /**
     * A tone's level as the median of {@code seconds} one-second windows ending a second before the recording does
     * (the hang-up cuts the last one short): a busy machine can starve one talker's sender for a second or two (CI
     * once heard one tone 4 dB down over 4 s while the others were exact) or delay a prompt into the window, and the
     * median second still tells whether the mix delivers that talker at the level expected.
     */
    private static double medianLevel(Baresip.Recording heard, double tone, int seconds) {
        double[] levels = new double[seconds];
        for (int i = 0; i < seconds; i++) {
            levels[i] = ToneDetector.levelDb(heard.window(heard.seconds() - seconds - 1 + i, 1), heard.sampleRate(),
                    tone);
        }
        String perSecond = Arrays.toString(levels);
        Arrays.sort(levels);
        System.out.println(tone + " Hz, second by second: " + perSecond + ", median " + levels[seconds / 2]);
        return levels[seconds / 2];
    }

    private static double clippedPercent(Baresip.Recording heard) {
        short[] tail = heard.after(heard.seconds() - 4);
        return 100.0 * java.util.stream.IntStream.range(0, tail.length).filter(n -> Math.abs(tail[n]) >= 32000).count()
                / tail.length;
    }

    /**
     * Issue 11: three baresip talkers at -8 dBFS (their tones' peak) made a silent listener's mix hard-clip (about
     * 5 % of samples at full scale); with the mixer's limiter none is, and every talker is still heard well.
     */
    @Test
    void threeLoudTalkersDoNotClipAListener() throws Exception {
        double[] tones = {440, 850, 1300};
        String room = "sip:loud@" + Sipp.SERVER + ":" + Sipp.SIP_PORT;
        Baresip[] talkers = new Baresip[3];
        try (Baresip listener = Baresip.dial(work.resolve("listener"), "judy", Baresip.Codec.PCMU, 0, null, room)) {
            for (int i = 0; i < 3; i++) {
                talkers[i] = Baresip.dial(work.resolve("talker" + i), "talker" + i, Baresip.Codec.PCMU, tones[i],
                        null, room);
            }
            listener.await(line -> line.contains("Call established"), SETUP, "answer");
            awaitServerLog("joined room loud@127.0.0.1 (4 sessions");
            Thread.sleep(12000);
            Baresip.Recording heard = listener.hangUpAndRecording();
            String measured = levels(heard, tones);
            System.out.println("three talkers at -8 dBFS, the listener hears: " + measured);
            assertEquals(0, clippedPercent(heard), measured);
            for (double tone : tones) {
                double median = medianLevel(heard, tone, 5);
                assertTrue(median > -16 && median < -8, tone + " Hz median second " + median + "; " + measured);
            }
        } finally {
            for (Baresip talker : talkers) {
                if (talker != null) {
                    talker.close();
                }
            }
        }
    }

    /**
     * Issue 11: in a PIN room, participants who typed the right PIN hear each other at the level sent (-8 dBFS), as
     * in any room; one of them is an Opus phone whose offer has only telephone-event/8000 (baresip 1.0 does this),
     * whose digits must be accepted (RFC 4733 §2.1: the events keep the rate offered).
     */
    @Test
    void aPinRoomDeliversTheLevelSentAndTakesDigitsAt8kHzFromAnOpusPhone() throws Exception {
        String room = "sip:pinlevel@" + Sipp.SERVER + ":" + Sipp.SIP_PORT;
        try (Baresip opus = Baresip.dial(work.resolve("opus"), "kim", Baresip.Codec.OPUS, 440, null, room);
             Baresip pcmu = Baresip.dial(work.resolve("pcmu"), "leo", Baresip.Codec.PCMU, 850, null, room)) {
            for (Baresip phone : List.of(opus, pcmu)) {
                phone.await(line -> line.contains("Call established"), SETUP, "answer");
            }
            Thread.sleep(1000);
            opus.command("4321#");
            pcmu.command("4321#");
            ServerLogs.await(": PIN accepted for room pinlevel@127.0.0.1", 2, SETUP);
            // the right-PIN prompt, welcome and count end 7-8 s after the PIN; the 5 s before the last are measured
            Thread.sleep(14000);
            Baresip.Recording heardByPcmu = pcmu.hangUpAndRecording();
            Baresip.Recording heardByOpus = opus.hangUpAndRecording();
            String pcmuHeard = levels(heardByPcmu, 440);
            String opusHeard = levels(heardByOpus, 850);
            System.out.println("PIN room: the PCMU phone hears " + pcmuHeard + "; the Opus phone hears " + opusHeard);
            assertEquals(-8, medianLevel(heardByPcmu, 440, 5), 1.5, pcmuHeard);
            assertEquals(-8, medianLevel(heardByOpus, 850, 5), 1.5, opusHeard);
        }
        awaitServerLog("room pinlevel@127.0.0.1 destroyed");
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

    /**
     * Issue 11: nothing of a PIN room before its PIN. While frank is in the room but has not typed it, a chat-only
     * session (which cannot type a PIN), a conference-event subscription and a request for a file get 403.
     */
    @Test
    void aPinRoomGivesNothingBeforeThePin() throws Exception {
        String chat = String.join("\n", "v=0", "o=tester 1 1 IN IP4 [local_ip]", "s=-", "c=IN IP4 [local_ip]", "t=0 0",
                "m=message 2855 TCP/TLS/MSRP *", "a=accept-types:message/cpim text/plain",
                "a=path:msrps://[local_ip]:2855/nopin;tcp", "a=setup:active");
        try (Baresip frank = Baresip.dial(work.resolve("frank"), "frank", Baresip.Codec.PCMU, 440, null,
                "sip:secret@" + Sipp.SERVER + ":" + Sipp.SIP_PORT)) {
            frank.await(line -> line.contains("Call established"), SETUP, "answer");
            awaitServerLog("frank@127.0.0.1 (");
            Sipp.Result chatOnly = Sipp.scenario(work.resolve("chat"), Scenarios.request("INVITE", "secret",
                    List.of("Content-Type: application/sdp"), chat, 403, "PIN Required")).run();
            assertEquals(0, chatOnly.exitCode(), chatOnly::toString);
            Sipp.Result subscribe = Sipp.scenario(work.resolve("subscribe"), Scenarios.request("SUBSCRIBE", "secret",
                    List.of("Event: conference", "Expires: 60"), 403, "Participants Only")).run();
            assertEquals(0, subscribe.exitCode(), subscribe::toString);
            String fileRequest = chat.replace("a=setup:active", "a=recvonly\na=file-selector:hash:sha-1:"
                    + "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33\na=setup:active");
            Sipp.Result download = Sipp.scenario(work.resolve("file"), Scenarios.request("INVITE", "secret",
                    List.of("Content-Type: application/sdp"), fileRequest, 403, "PIN Required")).run();
            assertEquals(0, download.exitCode(), download::toString);
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

    /**
     * RFC 4579 §5.5 / §5.2 and §5.11: an out-of-dialog REFER to the room makes the focus call the target (a
     * baresip that answers by itself), the referrer gets sipfrag progress ending in 200 and the target is in the
     * room; a REFER with method=BYE takes it out again. A REFER inside a participant's dialog is refused (403).
     * Issue 11: the REFERs come from grace, who is in the room; the same REFER from someone who is not gets 403.
     */
    @Test
    void referAddsAndRemovesAParticipant_rfc4579() throws Exception {
        try (Baresip member = Baresip.dial(work.resolve("member"), "grace", Baresip.Codec.PCMU, 440, null,
                "sip:refer-room@" + Sipp.SERVER + ":" + Sipp.SIP_PORT);
             Baresip invited = Baresip.listen(work.resolve("invited"), "heidi", Baresip.Codec.PCMU, 700)) {
            member.await(line -> line.contains("Call established"), SETUP, "answer");
            awaitServerLog("grace@127.0.0.1 (");
            String target = "<sip:heidi@127.0.0.1:" + invited.sipPort() + ">";
            Sipp.Result outsider = Sipp.scenario(work.resolve("outsider"), Scenarios.request("REFER", "refer-room",
                    List.of("Refer-To: " + target), 403, "Only Participants May Refer")).run();
            assertEquals(0, outsider.exitCode(), outsider::toString);
            Sipp.Result add = Sipp.scenario(work.resolve("add"), Scenarios.referToRoom("refer-room", "grace", target,
                    "SIP/2\\.0 200")).run();
            assertEquals(0, add.exitCode(), add::toString);
            invited.await(line -> line.contains("Call established") || line.contains("call established"), SETUP,
                    "the focus's call");
            awaitServerLog("heidi@127.0.0.1 answered the focus of room refer-room@127.0.0.1 (invited by grace@");
            awaitServerLog("joined room refer-room@127.0.0.1 (2 sessions");
            long joined = System.nanoTime();
            assertTrue(Pattern.compile("INVITE sip:heidi@[^\\n]*\\n(?:[^\\n]+\\n)*?Contact: [^\\n]*>;isfocus")
                    .matcher(Files.readString(serverLog())).find(), "the focus marks its dial-out INVITE (spec §1.4)");
            // heidi's welcome and participant count take about 6 s, and grace's, which began before, are over then
            Thread.sleep(8000);
            String remove = "<sip:heidi@127.0.0.1:" + invited.sipPort() + ";method=BYE>";
            Sipp.Result bye = Sipp.scenario(work.resolve("remove"), Scenarios.referToRoom("refer-room", "grace", remove,
                    "SIP/2\\.0 200")).run();
            assertEquals(0, bye.exitCode(), bye::toString);
            awaitServerLog("left room refer-room@127.0.0.1: removed by grace@");
            // both ways through the room: what each heard in the last seconds both were in it, past the prompts
            Baresip.Recording heidiHeard = invited.hangUpAndRecording();
            assertTone(heidiHeard.window(heidiHeard.seconds() - 2.0, 1.5), heidiHeard.sampleRate(), 440, "heidi hears grace");
            Baresip.Recording graceHeard = member.hangUpAndRecording();
            double heidiJoinedAt = graceHeard.seconds() - (System.nanoTime() - joined) / 1e9;
            assertTone(graceHeard.window(heidiJoinedAt + 6.0, 1.5), graceHeard.sampleRate(), 700, "grace hears heidi");
        }
        awaitServerLog("room refer-room@127.0.0.1 destroyed");
    }

    private static void assertTone(short[] window, int rate, double hz, String what) {
        assertEquals(hz, ToneDetector.dominantFrequency(window, rate), 5, what + ": tone frequency");
        assertTrue(ToneDetector.levelDb(window, rate, hz) > -20, what + ": tone level "
                + ToneDetector.levelDb(window, rate, hz) + " dBFS");
    }

    private static Path serverLog() {
        return Path.of(System.getProperty("sylk.work", "target/sylk-it"), "server.log");
    }

    /**
     * Spec §3.9: a Refer-To that is not a SIP URI gets 488; one the SIP stack cannot parse at all reaches the
     * application as no header (JAIN-SIP drops it) and gets 400; never a 500.
     */
    @Test
    void badReferToIsRefused() throws Exception {
        Sipp.Result tel = Sipp.scenario(work, Scenarios.request("REFER", "any-room",
                List.of("Refer-To: <tel:+15551234>"), 488)).run();
        assertEquals(0, tel.exitCode(), tel::toString);
        Sipp.Result garbage = Sipp.scenario(work.resolve("garbage"), Scenarios.request("REFER", "any-room",
                List.of("Refer-To: <&lt;not a uri&gt;>"), 400)).run();
        assertEquals(0, garbage.exitCode(), garbage::toString);
    }

    /**
     * Spec §3.2/§3.6: hold by re-INVITE (RFC 3264 §8.4) is reflected in the mixer and in the RFC 4575 document
     * (endpoint status on-hold), and resuming brings the participant back.
     */
    @Test
    void holdIsShownToSubscribers() throws Exception {
        String room = "sip:hold-room@" + Sipp.SERVER + ":" + Sipp.SIP_PORT;
        try (Baresip ivan = Baresip.dial(work.resolve("ivan"), "ivan", Baresip.Codec.PCMU, 440, null, room)) {
            ivan.await(line -> line.contains("Call established"), SETUP, "answer");
            awaitServerLog("ivan@127.0.0.1 (");
            ivan.command("/hold");
            awaitServerLog("re-INVITE from ivan@127.0.0.1");
            Sipp.Result held = Sipp.scenario(work.resolve("held"), Scenarios.conferenceSubscription("hold-room",
                    "entity=\"sip:ivan@127.0.0.1\"", "<status>on-hold</status>", "<status>recvonly</status>")).run();
            assertEquals(0, held.exitCode(), held::toString);
            ivan.command("/resume");
            Thread.sleep(1000);
            Sipp.Result resumed = Sipp.scenario(work.resolve("resumed"), Scenarios.conferenceSubscription(
                    "hold-room", "<status>connected</status>", "<status>sendrecv</status>")).run();
            assertEquals(0, resumed.exitCode(), resumed::toString);
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
        return ServerLogs.await(text, SETUP);
    }
}
