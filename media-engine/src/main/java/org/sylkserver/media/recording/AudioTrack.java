package org.sylkserver.media.recording;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A publisher's Opus audio (RFC 7587) into an Ogg Opus file ({@link OggOpusWriter}). The RTP clock of Opus is 48 kHz
 * whatever the audio bandwidth (RFC 7587 §4.1), the same unit as Ogg Opus granule positions (RFC 7845 §4), so the
 * file's time is RTP time: a gap in the timestamps (lost packets, a muted or silent sender) is filled with concealment
 * packets that last as long ({@link OpusPackets#concealment}).
 */
final class AudioTrack extends Track {

    /** The shortest Opus frame (2.5 ms): a smaller remainder of a gap is left out. */
    private static final int SHORTEST_FRAME = 120;

    private final int channels;
    private final List<String> tags;
    private OggOpusWriter writer;
    private long origin;
    private long concealed;

    AudioTrack(Path directory, String baseName, int channels, List<String> tags, Recorder.Limits limits) {
        super(directory, baseName, "opus", limits);
        this.channels = channels;
        this.tags = tags;
    }

    @Override
    void write(RtpPayload packet) {
        int samples = OpusPackets.samples(packet.payload());
        if (samples == 0) {
            return;
        }
        long position = timeline.position(packet.timestamp());
        try {
            if (writer == null) {
                Path path = createFile(packet);
                writer = new OggOpusWriter(new BufferedOutputStream(Files.newOutputStream(path)),
                        ThreadLocalRandom.current().nextInt(), channels, tags);
                origin = position;
            }
            long gap = position - origin - writer.samples();
            for (int step = 960; gap >= SHORTEST_FRAME; ) {
                if (gap < step) {
                    step /= 2;
                    continue;
                }
                writer.packet(OpusPackets.concealment(step), step);
                concealed += step;
                gap -= step;
            }
            writer.packet(packet.payload(), samples);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        checkLimits(writer.bytes(), Duration.ofMillis(writer.samples() / 48));
    }

    @Override
    public void lost(int count) {
        // the next packet's timestamp shows the gap, which is filled then
    }

    @Override
    void newSource() {
        if (writer != null) {
            timeline.newSource(origin + writer.samples());
        }
    }

    @Override
    void closeFile() throws IOException {
        if (writer != null) {
            writer.close();
        }
    }

    @Override
    String summary() {
        return writer == null ? "no audio" : String.format("%.1f s of Opus audio, %.1f s of it concealed gaps",
                writer.samples() / 48000.0, concealed / 48000.0);
    }
}
