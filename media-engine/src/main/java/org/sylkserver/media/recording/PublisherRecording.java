package org.sylkserver.media.recording;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;

import org.sylkserver.media.RtpHeader;

/**
 * The recording of one publisher: its audio and video tracks, fed from a bounded queue. {@link #offer} (the
 * forwarding thread) copies the payload and never waits: when the queue is full the packet is dropped and counted, so
 * a slow disk costs the recording packets, never the room its forwarding. The tracks run on the {@link Recorder}'s
 * threads, one drain at a time per recording. An I/O error (a full disk) ends this recording, logged, and nothing
 * else.
 */
public final class PublisherRecording {

    /** The end of the recording, queued behind its packets. */
    private static final Entry END = new Entry(false, null);

    private record Entry(boolean video, RtpPayload packet) {
    }

    private final String name;
    private final AudioTrack audio;
    private final VideoTrack video;
    private final Executor executor;
    private final Runnable finished;
    private final BlockingQueue<Entry> queue;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong dropped = new AtomicLong();
    /** Set by the draining thread once the tracks are done (ended, failed). */
    private volatile boolean done;

    PublisherRecording(String name, AudioTrack audio, VideoTrack video, int queueSize, Executor executor,
                       Runnable finished) {
        this.name = name;
        this.audio = audio;
        this.video = video;
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.executor = executor;
        this.finished = finished;
    }

    /**
     * A decrypted RTP packet of the publisher (its forwarding thread): a copy of its payload is queued, or dropped
     * when the queue is full.
     *
     * @param packet the packet from its position, {@code header} parsed from it
     * @param isVideo whether it is of the video format
     */
    public void offer(ByteBuffer packet, RtpHeader header, boolean isVideo) {
        if (done || closed.get() || (isVideo ? video == null : audio == null)) {
            return;
        }
        byte[] payload = new byte[header.payloadLength()];
        packet.get(packet.position() + header.headerLength(), payload);
        enqueue(new Entry(isVideo, new RtpPayload(header.ssrc(), header.sequence(), header.timestamp(),
                header.marker(), payload, System.currentTimeMillis())));
    }

    /**
     * An Opus frame the server encoded itself (a room's mix, on the mixing thread), as if it came in an RTP packet
     * of source {@code ssrc}: queued, or dropped when the queue is full.
     *
     * @param payload one Opus packet (not modified afterwards by the caller)
     */
    public void offerAudio(long ssrc, int sequence, long timestamp, byte[] payload) {
        if (done || closed.get() || audio == null) {
            return;
        }
        enqueue(new Entry(false, new RtpPayload(ssrc, sequence & 0xffff, timestamp & 0xffffffffL, false, payload,
                System.currentTimeMillis())));
    }

    private void enqueue(Entry entry) {
        if (!queue.offer(entry)) {
            long count = dropped.incrementAndGet();
            if (Long.bitCount(count) == 1) { // the 1st, 2nd, 4th... drop: seen in the log without flooding it
                Track.LOG.warning(() -> name + ": recording queue full (recording_queue_size " + (queue.size()
                        + queue.remainingCapacity()) + "), " + count + " packets dropped from the recording");
            }
        }
        schedule();
    }

    /** Ends the recording: what is queued is written, then the files completed (on the recorder's thread). */
    public void close() {
        if (closed.compareAndSet(false, true)) {
            while (!queue.offer(END)) {
                queue.poll(); // make room: the end matters more than a packet
                dropped.incrementAndGet();
            }
            schedule();
        }
    }

    /** Whether the files are complete (after {@link #close}, or an error). */
    public boolean isDone() {
        return done;
    }

    /** Packets dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public String toString() {
        return name;
    }

    private void schedule() {
        if (draining.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                // the recorder is shutting down: it drains what is left itself
                draining.set(false);
            }
        }
    }

    /** Runs on the recorder's thread, one at a time for this recording. */
    void drain() {
        do {
            Entry entry;
            while ((entry = queue.poll()) != null) {
                handle(entry);
            }
            draining.set(false);
        } while (!queue.isEmpty() && draining.compareAndSet(false, true));
    }

    private void handle(Entry entry) {
        if (done) {
            return;
        }
        try {
            if (entry == END) {
                for (Track track : new Track[]{audio, video}) {
                    if (track != null) {
                        track.finish();
                    }
                }
                if (dropped.get() > 0) {
                    Track.LOG.warning(() -> name + ": " + dropped.get() + " packets were dropped from the recording");
                }
                finish();
            } else {
                (entry.video() ? video : audio).add(entry.packet());
            }
        } catch (IOException | RuntimeException e) {
            Track.LOG.log(Level.SEVERE, name + ": recording ended by an error: " + e.getMessage()
                    + " (the room goes on, unrecorded for this publisher)", e);
            for (Track track : new Track[]{audio, video}) {
                if (track != null) {
                    track.abandon();
                }
            }
            finish();
        }
    }

    private void finish() {
        done = true;
        queue.clear();
        finished.run();
    }
}
