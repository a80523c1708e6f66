package org.sylkserver.conference.screen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.sylkserver.conference.chat.ChatSwitch;
import org.sylkserver.protocols.cpim.CpimMessage;

/**
 * Screen sharing of spec §3.7 without MSRP or HTTP: the image files, the active/idle state machine with idle
 * timers fired by hand, and the status messages and conference-info changes it causes.
 */
class ScreenSharingTest {

    private static final String ROOM = "room@conference.example";
    private static final String BASE = "http://192.0.2.9:10888";
    private static final Duration IDLE = Duration.ofSeconds(10);
    private static final byte[] FRAME_1 = {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0, 1, 2, 3, (byte) 0xff,
            (byte) 0xd9};
    private static final byte[] FRAME_2 = {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xdb, 4, 5, (byte) 0xff,
            (byte) 0xd9};

    /** An idle timer as the screen sharing scheduled it; the test decides when it fires. */
    private static final class Timer {
        final Runnable task;
        final Duration delay;
        boolean cancelled;

        Timer(Runnable task, Duration delay) {
            this.task = task;
            this.delay = delay;
        }
    }

    private record Session(String uri, String displayName) implements ChatSwitch.Session {
        @Override
        public void deliver(CpimMessage message) {
            throw new AssertionError("screen sharing never delivers to a session directly");
        }
    }

    @TempDir
    Path images;

    private final List<Timer> timers = new ArrayList<>();
    private final List<String> statuses = new ArrayList<>();
    private int changes;
    private ScreenSharing sharing;
    private final Session alice = new Session("alice@example.com", "Alice");
    private final Session bob = new Session("bob@example.com", "");

    @BeforeEach
    void aRoom() {
        sharing = new ScreenSharing(ROOM, new ScreenSharing.Setup(images, BASE, IDLE, (task, delay) -> {
            Timer timer = new Timer(task, delay);
            timers.add(timer);
            return () -> timer.cancelled = true;
        }), Runnable::run, statuses::add, () -> changes++);
    }

    private static CpimMessage message(byte[] content, String... contentHeaders) {
        CpimMessage.Builder builder = CpimMessage.builder()
                .contentHeader("Content-Type", ChatSwitch.ScreenImages.CONTENT_TYPE);
        for (int i = 0; i < contentHeaders.length; i += 2) {
            builder.contentHeader(contentHeaders[i], contentHeaders[i + 1]);
        }
        return builder.content(content).build();
    }

    private static CpimMessage base64(byte[] jpeg) {
        return message(Base64.getEncoder().encodeToString(jpeg).getBytes(StandardCharsets.US_ASCII));
    }

    private List<Path> files() throws Exception {
        try (Stream<Path> walk = Files.walk(images)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    private Timer lastTimer() {
        return timers.get(timers.size() - 1);
    }

    @Test
    void theFirstImageIsStoredAndMakesSharingActive_spec3_7() throws Exception {
        assertEquals(200, sharing.frame(alice, base64(FRAME_1)));
        List<Path> files = files();
        assertEquals(1, files.size(), "one file, no temporary left behind: " + files);
        Path image = files.get(0);
        assertEquals(images.resolve(ROOM), image.getParent());
        String name = image.getFileName().toString();
        assertTrue(name.matches("alice@example\\.com_[A-Za-z0-9]{10}\\.jpg"), name);
        assertArrayEquals(FRAME_1, Files.readAllBytes(image), "base64 decoded");
        String url = BASE + "/conference/" + ROOM + "/screensharing?image=" + name;
        assertEquals(List.of("Room " + ROOM + " - Alice <alice@example.com> is sharing the screen at " + url),
                statuses);
        assertEquals(1, changes, "conference-info is sent again");
        assertEquals(Map.of("alice@example.com", url), sharing.imageUrls());
        assertEquals(IDLE, lastTimer().delay);
    }

    @Test
    void laterImagesReplaceTheFileAndRestartTheIdleTimer_spec3_7() throws Exception {
        sharing.frame(alice, base64(FRAME_1));
        Timer first = lastTimer();
        assertEquals(200, sharing.frame(alice, message(FRAME_2)), "a raw JPEG is taken as it is");
        Path image = files().get(0);
        assertEquals(1, files().size(), "one file name per sender");
        assertArrayEquals(FRAME_2, Files.readAllBytes(image));
        assertEquals(1, statuses.size(), "announced once");
        assertEquals(1, changes);
        assertTrue(first.cancelled, "the image restarted the idle timer");
        first.task.run(); // a timer already firing when the image came changes nothing
        assertEquals(1, statuses.size());
        assertFalse(sharing.imageUrls().isEmpty());
    }

    @Test
    void tenSecondsWithoutImagesMakeSharingIdle_spec3_7() throws Exception {
        sharing.frame(alice, base64(FRAME_1));
        String name = files().get(0).getFileName().toString();
        lastTimer().task.run();
        assertEquals("Alice <alice@example.com> stopped sharing the screen", statuses.get(1));
        assertEquals(2, changes);
        assertEquals(Map.of(), sharing.imageUrls(), "no screen_image_url any more");
        sharing.frame(alice, base64(FRAME_2));
        assertEquals(3, statuses.size(), "sharing again is announced again");
        assertTrue(statuses.get(2).endsWith("?image=" + name), "the same file name for the room's lifetime");
        assertEquals(1, files().size());
    }

    @Test
    void eachSenderHasItsOwnImageAndState() throws Exception {
        sharing.frame(alice, base64(FRAME_1));
        sharing.frame(bob, base64(FRAME_2));
        assertEquals(2, files().size());
        assertTrue(statuses.get(1).startsWith("Room " + ROOM + " - bob@example.com is sharing the screen at "),
                "no display name: the bare user@host");
        timers.get(0).task.run();
        assertEquals(List.of("bob@example.com"), List.copyOf(sharing.imageUrls().keySet()));
    }

    @Test
    void payloadsThatAreNoJpegAre400AndStoreNothing() throws Exception {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        assertEquals(400, sharing.frame(alice, message("not base64 at all!".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(400, sharing.frame(alice, base64(png)), "valid base64 of something else");
        assertEquals(400, sharing.frame(alice, message(png)));
        assertEquals(400, sharing.frame(alice, message(new byte[0])));
        assertEquals(400, sharing.frame(alice, message(FRAME_1, "Content-Transfer-Encoding", "base64")),
                "labelled base64 must be base64");
        assertEquals(List.of(), files());
        assertEquals(List.of(), statuses);
        assertEquals(0, changes);
    }

    @Test
    void base64MayBeLabelledAndFoldedIntoLines() throws Exception {
        String folded = Base64.getMimeEncoder(4, "\r\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(FRAME_1);
        assertEquals(200, sharing.frame(alice, message(folded.getBytes(StandardCharsets.US_ASCII),
                "Content-Transfer-Encoding", "base64")));
        assertArrayEquals(FRAME_1, Files.readAllBytes(files().get(0)));
    }

    /** Room and user names come from SIP URIs, whose user part may hold '/': they never become paths. */
    @Test
    void namesFromSipUrisStayOneFileInsideTheImagesDirectory() throws Exception {
        ScreenSharing odd = new ScreenSharing("../../up@example.com", new ScreenSharing.Setup(images, BASE, IDLE,
                (task, delay) -> () -> { }), Runnable::run, statuses::add, () -> { });
        assertEquals(200, odd.frame(new Session("../x/y+z@example.com", null), base64(FRAME_1)));
        Path image = files().get(0);
        assertEquals(images.resolve("_2e_2e_2f._2e_2fup@example.com"), image.getParent());
        assertTrue(image.getFileName().toString().startsWith(".._x_y_z@example.com_"), image.toString());
        assertTrue(statuses.get(0).contains("/conference/_2e_2e_2f._2e_2fup@example.com/screensharing?image=.._x_y_z@example.com_"),
                statuses.get(0));
        assertEquals("_..", ScreenSharing.fileNameOf(".."));
        assertEquals("_.", ScreenSharing.fileNameOf("."));
        assertEquals("_", ScreenSharing.fileNameOf(""));
        assertEquals("a_b_c@h", ScreenSharing.fileNameOf("a\\b/c@h"));
    }

    @Test
    void theEndOfTheRoomDeletesItsImagesAndStopsItsTimers_spec3_1() throws Exception {
        sharing.frame(alice, base64(FRAME_1));
        sharing.close();
        assertFalse(Files.exists(images.resolve(ROOM)));
        assertTrue(lastTimer().cancelled);
        lastTimer().task.run();
        assertEquals(1, statuses.size(), "no stopped notice for a room that is gone");
        assertEquals(200, sharing.frame(alice, base64(FRAME_2)));
        assertEquals(List.of(), files(), "nothing written after the end");
        assertEquals(Map.of(), sharing.imageUrls());
    }

    /**
     * A room nobody shared a screen in has no directory, and its end does not go looking for one (it cost a
     * NoSuchFileException per room, issue 12): here the images' place is under a plain file, where any look at the
     * disk fails and is logged.
     */
    @Test
    void theEndOfARoomWithoutImagesLeavesTheDiskAlone() throws Exception {
        Path notADirectory = Files.writeString(images.resolve("plain-file"), "x");
        ScreenSharing unused = new ScreenSharing(ROOM, new ScreenSharing.Setup(notADirectory, BASE, IDLE,
                (task, delay) -> () -> { }), Runnable::run, statuses::add, () -> { });
        List<LogRecord> logged = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(ScreenSharing.class.getName());
        logger.addHandler(handler);
        try {
            unused.close();
        } finally {
            logger.removeHandler(handler);
        }
        assertEquals(List.of(), logged.stream().map(LogRecord::getMessage).toList());
    }
}
