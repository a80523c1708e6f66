package org.sylkserver.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.core.config.ConfigException;
import org.sylkserver.media.recording.Recorder;

/** {@link RecordingConfig}: {@code recording_dir} (spec §8.3) and the recording limits of webrtcgateway.ini. */
class RecordingConfigTest {

    @TempDir
    Path dir;

    @Test
    void defaultsUnderTheSpoolDirectory_spec_8_3() throws Exception {
        RecordingConfig config = RecordingConfig.load(dir, dir.resolve("var"), dir.resolve("spool"));
        assertEquals(dir.resolve("spool/videoconference/recordings"), config.directory());
        assertEquals(RecordingConfig.DEFAULT_LIMITS, config.limits());
        assertEquals(new Recorder.Limits(2000, 64, 16 << 20, 4096L << 20, Duration.ofHours(4)), config.limits());
    }

    @Test
    void optionsAreRead() throws Exception {
        Files.writeString(dir.resolve("webrtcgateway.ini"), "[General]\nrecording_dir = rec\n[VideoRooms]\n"
                + "recording_queue_size = 500\nrecording_reorder_size = 16\nrecording_max_frame_size = 1024\n"
                + "recording_max_file_size = 10\nrecording_max_duration = 60\n");
        RecordingConfig config = RecordingConfig.load(dir, dir.resolve("var"), dir.resolve("spool"));
        assertEquals(dir.resolve("var/rec"), config.directory());
        assertEquals(new Recorder.Limits(500, 16, 1 << 20, 10L << 20, Duration.ofSeconds(60)), config.limits());
    }

    @Test
    void outOfRangeValuesAreRefused() throws Exception {
        Files.writeString(dir.resolve("webrtcgateway.ini"), "[VideoRooms]\nrecording_queue_size = 0\n");
        assertThrows(ConfigException.class, () -> RecordingConfig.load(dir, dir, dir));
        Files.writeString(dir.resolve("webrtcgateway.ini"), "[VideoRooms]\nrecording_max_duration = 0\n");
        assertThrows(ConfigException.class, () -> RecordingConfig.load(dir, dir, dir));
    }
}
