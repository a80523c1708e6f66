package org.sylkserver.media.recording;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Logger;

/**
 * One recorded medium of a publisher: its packets put back in order ({@link ReorderBuffer}), its sources followed
 * ({@link Timeline}), its file opened at the first thing written (named by the publisher and that moment) and ended
 * at a limit, at the publisher's end or at an I/O error. The recording's thread owns it.
 */
abstract class Track implements ReorderBuffer.Sink {

    static final Logger LOG = Logger.getLogger("sylk.media.recording");
    private static final DateTimeFormatter START = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    final Recorder.Limits limits;
    final Timeline timeline = new Timeline();
    private final Path directory;
    private final String baseName;
    private final String extension;
    private final ReorderBuffer reorder;
    private long ssrc = -1;
    private boolean ended;
    Path file;

    Track(Path directory, String baseName, String extension, Recorder.Limits limits) {
        this.directory = directory;
        this.baseName = baseName;
        this.extension = extension;
        this.limits = limits;
        this.reorder = new ReorderBuffer(limits.reorderPackets(), this);
    }

    /** A packet of the medium, as it arrived. */
    final void add(RtpPayload packet) {
        if (ended) {
            return;
        }
        if (packet.ssrc() != ssrc) {
            if (ssrc >= 0) {
                reorder.flush();
                newSource();
            }
            ssrc = packet.ssrc();
        }
        reorder.add(packet);
    }

    @Override
    public final void packet(RtpPayload packet) {
        if (!ended) {
            write(packet);
        }
    }

    /** A packet of the current source, in sequence order. */
    abstract void write(RtpPayload packet);

    /** Writes what is held and completes the file; idempotent. */
    final void finish() throws IOException {
        if (!ended) {
            reorder.flush();
            end(null);
        }
    }

    /** Closes the file after an error, without writing more. */
    final void abandon() {
        ended = true;
        try {
            closeFile();
        } catch (IOException | RuntimeException ignored) {
            // the recording already failed with the error that is logged
        }
    }

    /** The source changed: its timestamps start afresh where the old source stopped. */
    abstract void newSource();

    /** Completes and closes the file, if one was opened. */
    abstract void closeFile() throws IOException;

    /** What the file holds, for the log. */
    abstract String summary();

    /**
     * The file for a stream whose first packet is {@code first}, named by its arrival (the writing may lag behind),
     * its directory made if missing.
     */
    final Path createFile(RtpPayload first) {
        try {
            Files.createDirectories(directory);
            file = directory.resolve(baseName + "-" + START.format(Instant.ofEpochMilli(first.arrival())) + "."
                    + extension);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ends the track when the file reached a limit ({@code recording_max_file_size}, {@code _duration}). */
    final void checkLimits(long bytes, Duration duration) {
        if (bytes >= limits.maxFileBytes()) {
            end("it reached recording_max_file_size (" + limits.maxFileBytes() + " bytes)");
        } else if (duration.compareTo(limits.maxDuration()) >= 0) {
            end("it reached recording_max_duration (" + limits.maxDuration().toSeconds() + " s)");
        }
    }

    private void end(String why) {
        ended = true;
        try {
            closeFile();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (file != null) {
            LOG.info(() -> file + " complete: " + summary() + (why == null ? "" : "; ended because " + why));
        }
    }
}
