package org.sylkserver.media.recording;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * A publisher's video into an IVF file ({@link IvfWriter}): the payloads of one RTP timestamp make a frame, which ends
 * at the packet with the marker bit (RFC 7741 §4.1, RFC 9628 §4.1, RFC 6184 §5.1). A frame that lost a packet is
 * dropped, and so is everything after it until a keyframe, which is asked of the publisher ({@code keyframeRequest},
 * a PLI through the publisher's coalesced requests): a decoder given a frame whose reference is missing shows garbage
 * until the next keyframe. The file starts with a keyframe, requested when the recording starts.
 */
final class VideoTrack extends Track {

    private final VideoDepacketizer depacketizer;
    private final Runnable keyframeRequest;
    private IvfWriter writer;
    private long origin;
    /** The frame being put together, or null. */
    private ByteArrayOutputStream frame;
    private final VideoDepacketizer.Fragment fragment = new VideoDepacketizer.Fragment();
    private long frameTimestamp;
    /** The frame's first packet (its arrival names the file when the frame starts it). */
    private RtpPayload frameFirst;
    private boolean frameBroken;
    /** Packets of the frame so far. */
    private int framePackets;
    private boolean frameKey;
    private boolean awaitingKeyframe = true;
    private long lastPosition;
    /** The frame size the first keyframe stated (VP8, VP9 with a scalability structure), for the file header. */
    private int pendingWidth;
    private int pendingHeight;
    private long dropped;
    private long lostPackets;

    VideoTrack(Path directory, String baseName, VideoDepacketizer depacketizer, Runnable keyframeRequest,
               Recorder.Limits limits) {
        super(directory, baseName, "ivf", limits);
        this.depacketizer = depacketizer;
        this.keyframeRequest = keyframeRequest;
    }

    @Override
    void write(RtpPayload packet) {
        if (packet.payload().length == 0) {
            return; // padding only (RFC 3550 §5.1), the bandwidth probes browsers send on the video SSRC
        }
        if (frame != null && packet.timestamp() != frameTimestamp) {
            // the last frame's marker never came: it is incomplete
            frameBroken = true;
            complete();
        }
        if (frame == null) {
            frame = new ByteArrayOutputStream();
            frameTimestamp = packet.timestamp();
            frameFirst = packet;
            frameBroken = false;
            framePackets = 0;
            frameKey = false;
        }
        fragment.startsFrame = false;
        fragment.keyframe = false;
        fragment.width = 0;
        fragment.height = 0;
        boolean first = framePackets++ == 0;
        if (!depacketizer.depacketize(packet.payload(), fragment, frame)) {
            frameBroken = true;
        } else if (frame.size() > limits.maxFrameBytes()) {
            if (!frameBroken) {
                LOG.warning(() -> "a frame of more than recording_max_frame_size (" + limits.maxFrameBytes()
                        + " bytes) dropped from " + (file == null ? "a recording" : file));
            }
            frameBroken = true;
            frame.reset();
        } else if (first) {
            frameBroken |= !fragment.startsFrame;
            frameKey = fragment.keyframe;
            if (fragment.width > 0 && writer == null) {
                pendingWidth = fragment.width;
                pendingHeight = fragment.height;
            }
        } else {
            frameKey |= fragment.keyframe && depacketizer.keyframeAnywhere();
        }
        if (packet.marker()) {
            complete();
        }
    }

    @Override
    public void lost(int count) {
        lostPackets += count;
        if (frame != null) {
            frameBroken = true;
        }
        if (!awaitingKeyframe) {
            awaitingKeyframe = true;
            keyframeRequest.run();
        }
    }

    private void complete() {
        ByteArrayOutputStream done = frame;
        frame = null;
        long position = timeline.position(frameTimestamp);
        if (frameBroken) {
            dropped++;
            if (!awaitingKeyframe) {
                awaitingKeyframe = true;
                keyframeRequest.run();
            }
            return;
        }
        if (awaitingKeyframe && !frameKey) {
            dropped++;
            return;
        }
        awaitingKeyframe = false;
        try {
            if (writer == null) {
                writer = new IvfWriter(FileChannel.open(createFile(frameFirst), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE), depacketizer.fourcc());
                writer.size(pendingWidth, pendingHeight);
                origin = position;
            }
            lastPosition = position;
            writer.frame(done.toByteArray(), position - origin);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        checkLimits(writer.bytes(), Duration.ofMillis((position - origin) / 90));
    }

    @Override
    void newSource() {
        frame = null;
        awaitingKeyframe = true;
        keyframeRequest.run();
        // one 30 fps frame after the last one written
        timeline.newSource(lastPosition + 3000);
    }

    @Override
    void closeFile() throws IOException {
        if (writer != null) {
            writer.close();
        }
    }

    @Override
    String summary() {
        return writer == null ? "no video" : String.format("%d %s frames, %.1f s; %d frames dropped, %d packets lost",
                writer.frames(), depacketizer.fourcc(), writer.length() / 90000.0, dropped, lostPackets);
    }
}
