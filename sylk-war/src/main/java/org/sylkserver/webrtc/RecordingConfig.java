package org.sylkserver.webrtc;

import java.nio.file.Path;
import java.time.Duration;

import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.IniFile;
import org.sylkserver.core.config.SectionReader;
import org.sylkserver.media.recording.Recorder;

/**
 * Where and how the video rooms are recorded ({@code webrtcgateway.ini}, spec §8.3); whether a room is recorded is
 * its own {@code record} option ({@link VideoRoomConfig.Room}).
 *
 * @param directory {@code [General] recording_dir}: {@code <dir>/<room>/} holds a recorded room's files
 *                  ({@code <spool_dir>/videoconference/recordings}, as the original's)
 * @param limits    {@code [VideoRooms]} {@code recording_queue_size} (packets between the forwarding and the writing
 *                  thread, more are dropped: 2000), {@code recording_reorder_size} (packets held to put reordered ones
 *                  back in order: 64), {@code recording_max_frame_size} (KiB: a larger video frame is dropped as broken, 16384),
 *                  {@code recording_max_file_size} (MiB: a file is complete at this size, 4096),
 *                  {@code recording_max_duration} (seconds: a file is complete at this length, 14400)
 */
public record RecordingConfig(Path directory, Recorder.Limits limits) {

    private static final long MIB = 1024L * 1024L;
    public static final Recorder.Limits DEFAULT_LIMITS = new Recorder.Limits(2000, 64, 16 * 1024 * 1024, 4096 * MIB,
            Duration.ofHours(4));

    /**
     * The options in {@code configDir}'s {@code webrtcgateway.ini}; a relative {@code recording_dir} is under
     * {@code varDir}, the default under {@code spoolDir}.
     */
    public static RecordingConfig load(Path configDir, Path varDir, Path spoolDir) throws ConfigException {
        IniFile ini = IniFile.read(configDir.resolve("webrtcgateway.ini"));
        SectionReader general = new SectionReader(ini, "General");
        SectionReader limits = new SectionReader(ini, "VideoRooms");
        Duration maxDuration = limits.seconds("recording_max_duration", DEFAULT_LIMITS.maxDuration());
        if (maxDuration.isZero() || maxDuration.isNegative()) {
            throw limits.error("recording_max_duration", maxDuration.toString(), "must be positive");
        }
        return new RecordingConfig(general.path("recording_dir", varDir,
                spoolDir.resolve("videoconference").resolve("recordings")),
                new Recorder.Limits(limits.integer("recording_queue_size", DEFAULT_LIMITS.queuePackets(), 16, 1 << 20),
                        limits.integer("recording_reorder_size", DEFAULT_LIMITS.reorderPackets(), 1, 4096),
                        limits.integer("recording_max_frame_size", DEFAULT_LIMITS.maxFrameBytes() / 1024, 64,
                                1024 * 1024) * 1024,
                        limits.integer("recording_max_file_size", (int) (DEFAULT_LIMITS.maxFileBytes() / MIB), 1,
                                1 << 20) * MIB,
                        maxDuration));
    }
}
