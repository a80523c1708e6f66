package org.sylkserver.media.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.media.RtpHeader;

/**
 * {@link PublisherRecording} and {@link Recorder}: the forwarding thread never waits, the files are complete when the
 * publisher ends or the recorder closes, and an I/O error ends the recording alone.
 */
class PublisherRecordingTest {

    private static final Recorder.Limits LIMITS = new Recorder.Limits(4, 8, 1 << 16, 1 << 20, Duration.ofHours(1));

    @TempDir
    Path dir;

    /** An RTP packet (RFC 3550 §5.1) of Opus, 20 ms at 48 kHz, with a byte of padding. */
    private static ByteBuffer opus(int sequence) {
        ByteBuffer packet = ByteBuffer.allocate(16);
        packet.put((byte) 0xa0).put((byte) 111).putShort((short) sequence).putInt(sequence * 960).putInt(42)
                .put((byte) (1 << 3)).put((byte) 0x55).put((byte) 0).put((byte) 2).flip();
        return packet;
    }

    private void offer(PublisherRecording recording, int sequence) {
        ByteBuffer packet = opus(sequence);
        recording.offer(packet, RtpHeader.parse(packet), false);
    }

    @Test
    void aFullQueueDropsInsteadOfWaiting() {
        PublisherRecording recording = new PublisherRecording("alice", new AudioTrack(dir, "alice", 1, List.of(),
                LIMITS), null, 4, task -> { }, () -> { }); // a writer that never runs: a stuck disk
        for (int i = 0; i < 10; i++) {
            offer(recording, i);
        }
        assertEquals(6, recording.dropped());
    }

    @Test
    void theRecorderCompletesWhatIsStillRunningWhenItCloses() throws Exception {
        Recorder recorder = new Recorder(new Recorder.Limits(100, 8, 1 << 16, 1 << 20, Duration.ofHours(1)), 1);
        PublisherRecording recording = recorder.start(dir, "bob", 1, null, List.of(), () -> { });
        for (int i = 0; i < 60; i++) {
            offer(recording, i);
        }
        recorder.close(Duration.ofSeconds(5));
        assertTrue(recording.isDone());
        Path file;
        try (Stream<Path> files = Files.list(dir)) {
            file = files.findFirst().orElseThrow();
        }
        List<OggOpusWriterTest.Page> pages = OggOpusWriterTest.read(Files.readAllBytes(file));
        assertEquals(60 * 960, pages.get(pages.size() - 1).granule(), "the payload, padding removed");
        assertEquals(0x04, pages.get(pages.size() - 1).flags(), "ended: end of stream");
    }

    /** A directory that cannot be made (a file is in the way), as a full or read-only disk: that recording ends. */
    @Test
    void anIoErrorEndsTheRecordingOnly() throws Exception {
        Path blocked = Files.writeString(dir.resolve("room"), "not a directory");
        Recorder recorder = new Recorder(LIMITS, 1);
        PublisherRecording failing = recorder.start(blocked.resolve("sub"), "carol", 1, null, List.of(), () -> { });
        PublisherRecording working = recorder.start(dir.resolve("ok"), "dave", 1, null, List.of(), () -> { });
        offer(failing, 1);
        offer(working, 1);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!failing.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(failing.isDone(), "the failed recording ended");
        assertTrue(!working.isDone(), "the other goes on");
        offer(failing, 2); // ignored, no exception to the forwarding thread
        working.close();
        recorder.close(Duration.ofSeconds(5));
        assertTrue(working.isDone());
    }
}
