package org.sylkserver.webrtc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.sylkserver.media.recording.Recorder;

/**
 * The recordings of the rooms whose option says {@code record = true} (spec §8.3; issue 13): each publisher's audio
 * and video from its admission to its end, in {@code <recording_dir>/<room>/} (the room's URI as a directory name,
 * as for its shared files) named {@code <account>-<session>-<start time>.opus} and {@code .ivf}, and the room's mixed
 * audio from its first admission to its destruction, {@code mix-<start time>.opus}.
 */
public final class RoomRecordings implements AutoCloseable {

    /** Nothing is recorded (tests without a recording directory). */
    public static final RoomRecordings DISABLED = new RoomRecordings(null);

    /** The mixed track's base name (no account is named {@code mix-...}: accounts have an {@code @}). */
    static final String MIX = "mix";

    private final RecordingConfig config;
    private final Recorder recorder;

    public RoomRecordings(RecordingConfig config) {
        this.config = config;
        this.recorder = config == null ? null : new Recorder(config.limits(), 1);
    }

    /** Starts recording a publisher just admitted, if its room records. */
    void start(RoomMember member) {
        if (recorder == null || !member.room.config.record() || member.media == null) {
            return;
        }
        member.media.record(recorder, directory(member.room.uri),
                RoomFiles.directoryName(member.account.aor()) + "-" + RoomFiles.directoryName(member.id),
                List.of("PUBLISHER=" + member.account.aor(), "ROOM=" + member.room.uri, "SESSION=" + member.id));
    }

    /** Whether {@code room}'s audio is recorded, and so needs a mix. */
    boolean records(VideoRoom room) {
        return recorder != null && room.config.record();
    }

    /** Starts recording the mix of a room that {@link #records}, which has one. */
    void startMix(VideoRoom room) {
        room.mix.record(recorder, directory(room.uri), MIX, List.of("ROOM=" + room.uri, "TITLE=room mix"));
    }

    /** The directory of room {@code uri}'s recordings. */
    Path directory(String uri) {
        return config.directory().resolve(RoomFiles.directoryName(uri));
    }

    /** Ends the recordings still running (the server stops) and waits for their files. */
    @Override
    public void close() {
        if (recorder != null) {
            recorder.close(Duration.ofSeconds(10));
        }
    }
}
