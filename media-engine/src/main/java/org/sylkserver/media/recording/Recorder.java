package org.sylkserver.media.recording;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the publishers' recordings and runs them on threads of its own, so that writing files never holds up the
 * forwarding. Closing it ends the recordings still running (the server stops) and waits for their files to be
 * complete.
 */
public final class Recorder implements AutoCloseable {

    /**
     * The recordings' limits.
     *
     * @param queuePackets   packets a recording holds between the forwarding and its thread; more are dropped
     * @param reorderPackets packets held to put reordered ones back in sequence
     * @param maxFrameBytes  a video frame larger than this is dropped as broken (a publisher that never ends one
     *                       would otherwise grow it without bound)
     * @param maxFileBytes   a file is complete at this size
     * @param maxDuration    a file is complete at this duration
     */
    public record Limits(int queuePackets, int reorderPackets, int maxFrameBytes, long maxFileBytes,
                         Duration maxDuration) {
        public Limits {
            if (queuePackets < 1 || reorderPackets < 1 || maxFrameBytes < 1 || maxFileBytes < 1 || maxDuration.isNegative()
                    || maxDuration.isZero()) {
                throw new IllegalArgumentException("recording limits must be positive");
            }
        }
    }

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Limits limits;
    private final ExecutorService executor;
    private final Set<PublisherRecording> running = ConcurrentHashMap.newKeySet();

    /** @param threads the threads that write the files */
    public Recorder(Limits limits, int threads) {
        this.limits = limits;
        this.executor = Executors.newFixedThreadPool(threads, task -> {
            Thread thread = new Thread(task, "sylk-recording-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * A recording of one publisher into {@code directory}, files named {@code <baseName>-<start time>.opus} and
     * {@code .ivf}.
     *
     * @param audioChannels   the Opus stream's channels (1, or 2 for {@code stereo=1}, RFC 7587 §7.1); 0 without audio
     * @param videoEncoding   the video's RTP encoding name ({@code VP8}, {@code VP9}, {@code H264}), or null
     * @param tags            comments for the audio file ({@code NAME=value})
     * @param keyframeRequest asks the publisher for a keyframe (any thread)
     */
    public PublisherRecording start(Path directory, String baseName, int audioChannels, String videoEncoding,
                                    List<String> tags, Runnable keyframeRequest) {
        AudioTrack audio = audioChannels > 0 ? new AudioTrack(directory, baseName, audioChannels, tags, limits) : null;
        VideoDepacketizer depacketizer = videoEncoding == null ? null : VideoDepacketizer.of(videoEncoding);
        VideoTrack video = depacketizer == null ? null
                : new VideoTrack(directory, baseName, depacketizer, keyframeRequest, limits);
        PublisherRecording[] made = new PublisherRecording[1];
        made[0] = new PublisherRecording(baseName, audio, video, limits.queuePackets(), executor,
                () -> running.remove(made[0]));
        running.add(made[0]);
        if (video != null) {
            keyframeRequest.run(); // the video file starts with a keyframe
        }
        Track.LOG.info(() -> baseName + ": recording into " + directory);
        return made[0];
    }

    /** Ends the recordings still running and waits up to {@code wait} for their files to be complete. */
    public void close(Duration wait) {
        for (PublisherRecording recording : List.copyOf(running)) {
            recording.close();
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                Track.LOG.warning(() -> running.size() + " recordings were not complete after " + wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (executor.isTerminated()) {
            // a recording whose drain the shut-down executor refused completes here
            for (PublisherRecording recording : List.copyOf(running)) {
                recording.drain();
            }
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
