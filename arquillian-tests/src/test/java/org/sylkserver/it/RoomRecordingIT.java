package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Stream;

import javax.json.Json;
import javax.json.JsonObject;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's recording end to end: two headless Chromium browsers (fake camera and microphone) publish in a room whose
 * section says {@code record = true} (spec §8.3) for some seconds and leave; each publisher's audio and video are then
 * files in {@code recording_dir/<room>/} that ffprobe reads as one Opus stream (Ogg, RFC 7845) and one VP8 stream
 * (IVF) lasting as long as the publisher was in the room, every frame decoded without a complaint; rooms of VP9 and
 * H.264 are recorded in their codec; the room's mixed audio is one more Ogg Opus file, as long as the room existed
 * and not silent.
 */
@ExtendWith(ArquillianExtension.class)
class RoomRecordingIT {

    private static final Logger LOG = Logger.getLogger(RoomRecordingIT.class.getName());
    private static final String PAGE = "http://127.0.0.1:18088/webrtcgateway/";
    private static final String ROOM = "recorded@videoconference.example.com";
    private static final Duration SETUP = Duration.ofSeconds(20);
    /** How long the publishers stay once both are up. */
    private static final long PUBLISHING_MILLIS = 6000;
    private static Path recordings;

    @Deployment(testable = false)
    static EnterpriseArchive everything() throws IOException {
        recordings = Path.of(System.getProperty("sylk.work", "target/sylk-it"), "recordings-" + System.nanoTime())
                .toAbsolutePath();
        ServerConfig.write("webrtcgateway.ini", "[General]\nsip_domains = *\nrecording_dir = " + recordings + "\n"
                + "[" + ROOM + "]\nrecord = true\nvideo_codec = vp8\n"
                + "[vp9-" + ROOM + "]\nrecord = true\nvideo_codec = vp9\n"
                + "[h264-" + ROOM + "]\nrecord = true\nvideo_codec = h264\n");
        return Archives.all();
    }

    @TempDir
    Path work;

    @Test
    void eachPublisherIsRecordedInFilesFfprobeReads_spec_8_3() throws Exception {
        long[] publishedMillis = new long[2];
        long roomMillis;
        try (Chromium aliceBrowser = Chromium.start(work.resolve("alice"));
             Chromium bobBrowser = Chromium.start(work.resolve("bob"))) {
            Chromium.Page alice = client(aliceBrowser);
            join(alice, "alice@example.com", ROOM);
            long roomMade = System.nanoTime();
            alice.awaitTrue("roomClient.events.includes('session-state:established')", SETUP);
            long aliceUp = System.nanoTime();
            Chromium.Page bob = client(bobBrowser);
            join(bob, "bob@example.com", ROOM);
            bob.awaitTrue("roomClient.events.includes('session-state:established')", SETUP);
            long bobUp = System.nanoTime();
            Thread.sleep(PUBLISHING_MILLIS);
            for (Chromium.Page page : new Chromium.Page[] {bob, alice}) {
                page.evaluate("roomClient.leave()");
                page.awaitTrue("roomClient.events.includes('session-state:terminated')", SETUP);
            }
            long left = System.nanoTime();
            publishedMillis[0] = TimeUnit.NANOSECONDS.toMillis(left - aliceUp);
            publishedMillis[1] = TimeUnit.NANOSECONDS.toMillis(left - bobUp);
            roomMillis = TimeUnit.NANOSECONDS.toMillis(left - roomMade);
        }
        Path room = recordings.resolve(ROOM);
        // issue 13: the room's mixed audio from its first admission (alice's accepted) to its end (the last leave)
        Path mixFile = awaitFile(room, "mix", ".opus");
        JsonObject mix = probe(mixFile);
        double volume = maxVolumeDb(mixFile);
        LOG.info("room existed " + roomMillis / 1000.0 + " s; mix " + mix + ", max volume " + volume + " dB");
        assertStream(mix, "opus", "audio", roomMillis / 1000.0, 1.0);
        assertTrue(volume > -30, "the mix holds the browsers' microphones, not silence: max " + volume + " dB");
        for (int i = 0; i < 2; i++) {
            String account = i == 0 ? "alice@example.com" : "bob@example.com";
            double expected = publishedMillis[i] / 1000.0;
            JsonObject audio = probe(awaitFile(room, account, ".opus"));
            JsonObject video = probe(awaitFile(room, account, ".ivf"));
            LOG.info(account + " published " + expected + " s; audio " + audio + "; video " + video);
            assertStream(audio, "opus", "audio", expected, 1.5);
            // the video file starts at the first keyframe after the connection settled
            assertStream(video, "vp8", "video", expected, 4.0);
            assertTrue(video.getJsonArray("streams").getJsonObject(0).getInt("width") > 0, video.toString());
        }
    }

    /** RFC 9628: a VP9 room's publisher is recorded as VP9 (one browser, the codec is the point). */
    @Test
    void vp9IsRecordedAsVp9_rfc9628() throws Exception {
        recordAlone("vp9");
    }

    /** RFC 6184: an H.264 room's publisher is recorded as H.264 (packetization mode 1, Annex B in IVF). */
    @Test
    void h264IsRecordedAsH264_rfc6184() throws Exception {
        recordAlone("h264");
    }

    private void recordAlone(String codec) throws Exception {
        String room = codec + "-" + ROOM;
        double expected;
        try (Chromium browser = Chromium.start(work.resolve(codec))) {
            Chromium.Page page = client(browser);
            join(page, "carol@example.com", room);
            page.awaitTrue("roomClient.events.includes('session-state:established')", SETUP);
            long up = System.nanoTime();
            Thread.sleep(PUBLISHING_MILLIS);
            page.evaluate("roomClient.leave()");
            page.awaitTrue("roomClient.events.includes('session-state:terminated')", SETUP);
            expected = (System.nanoTime() - up) / 1e9;
        }
        JsonObject video = probe(awaitFile(recordings.resolve(room), "carol@example.com", ".ivf"));
        LOG.info(codec + " room: carol published " + expected + " s; video " + video);
        assertStream(video, codec, "video", expected, 4.0);
    }

    /**
     * One stream of {@code codec}, lasting what the publisher published (from its established state to its leave)
     * less up to {@code startup} seconds (the first packets; for video the first keyframe), and not more.
     */
    private static void assertStream(JsonObject probed, String codec, String type, double expected, double startup) {
        assertEquals("", probed.getString("errors"), "the decoder's complaints: " + probed);
        assertEquals(1, probed.getJsonArray("streams").size(), probed.toString());
        JsonObject stream = probed.getJsonArray("streams").getJsonObject(0);
        assertEquals(codec, stream.getString("codec_name"), probed.toString());
        assertEquals(type, stream.getString("codec_type"), probed.toString());
        double duration = Double.parseDouble(probed.getJsonObject("format").getString("duration"));
        assertTrue(duration > expected - startup && duration < expected + 0.5,
                type + " lasts " + duration + " s, published " + expected + " s: " + probed);
    }

    /** The complete file of {@code account} ending in {@code suffix}: ffprobe reads it (the server writes it after the leave). */
    private static Path awaitFile(Path room, String account, String suffix) throws Exception {
        long deadline = System.nanoTime() + SETUP.toNanos();
        while (true) {
            List<Path> found = new ArrayList<>();
            if (Files.isDirectory(room)) {
                try (Stream<Path> files = Files.list(room)) {
                    files.filter(f -> f.getFileName().toString().startsWith(account + "-")
                            && f.getFileName().toString().endsWith(suffix)).forEach(found::add);
                }
            }
            if (found.size() == 1) {
                JsonObject probed = probe(found.get(0));
                if (probed.containsKey("format") && probed.getJsonObject("format").containsKey("duration")) {
                    return found.get(0);
                }
            }
            assertTrue(System.nanoTime() < deadline, "no recording of " + account + " (" + suffix + ") in " + room
                    + ": " + found);
            Thread.sleep(300);
        }
    }

    /** The loudest sample of {@code file}'s decoded audio in dBFS (ffmpeg's volumedetect). */
    private static double maxVolumeDb(Path file) throws Exception {
        Process ffmpeg = new ProcessBuilder("ffmpeg", "-nostats", "-hide_banner", "-i", file.toString(), "-af",
                "volumedetect", "-f", "null", "-").redirectErrorStream(true).start();
        String out = new String(ffmpeg.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(ffmpeg.waitFor(30, TimeUnit.SECONDS));
        java.util.regex.Matcher max = java.util.regex.Pattern.compile("max_volume: (-?[0-9.]+|-inf) dB").matcher(out);
        assertTrue(max.find(), "ffmpeg volumedetect said: " + out);
        return max.group(1).equals("-inf") ? Double.NEGATIVE_INFINITY : Double.parseDouble(max.group(1));
    }

    private static JsonObject probe(Path file) throws Exception {
        Process ffprobe = new ProcessBuilder("ffprobe", "-v", "error", "-count_frames", "-show_entries",
                "stream=codec_name,codec_type,width,height,nb_read_frames:format=duration", "-of", "json",
                file.toString()).redirectErrorStream(false).start();
        String out = new String(ffprobe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(ffprobe.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(ffprobe.waitFor(30, TimeUnit.SECONDS));
        JsonObject probed = Json.createReader(new StringReader(out)).readObject();
        // every frame was decoded (-count_frames): what the decoder said of them comes along, to be empty
        return Json.createObjectBuilder(probed).add("errors", err.strip()).build();
    }

    private static Chromium.Page client(Chromium browser) throws Exception {
        Chromium.Page page = browser.open(PAGE);
        try (InputStream script = RoomRecordingIT.class.getResourceAsStream("/videoroom/room-client.js")) {
            page.evaluate(new String(script.readAllBytes(), StandardCharsets.UTF_8));
        }
        page.evaluate("roomClient.open()");
        return page;
    }

    private static void join(Chromium.Page page, String account, String room) throws Exception {
        page.evaluate("roomClient.join('" + account + "', '" + room + "')");
        page.awaitTrue("roomClient.events.includes('session-state:accepted')", SETUP);
    }
}
