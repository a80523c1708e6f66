package org.sylkserver.media.sfu;

import java.time.Duration;
import java.util.Objects;

/**
 * How a room's media are forwarded.
 *
 * @param videoCodec              the room's video codec ({@code vp8}, {@code vp9}, {@code h264}; spec §8.3
 *                                {@code video_codec}), used when the publisher offers it
 * @param audio                   whether the room carries audio (the first join decides, spec §4.6.1)
 * @param video                   whether the room carries video
 * @param keyframeRequestInterval the least time between two keyframe requests sent to one publisher
 * @param retransmissionCacheSize packets kept of each stream for NACKs: by each feed, or of the video by its
 *                                publisher once for the feeds with a retransmission stream
 */
public record SfuSettings(String videoCodec, boolean audio, boolean video, Duration keyframeRequestInterval,
                          int retransmissionCacheSize) {

    public SfuSettings {
        Objects.requireNonNull(videoCodec, "videoCodec");
        if (keyframeRequestInterval.isNegative()) {
            throw new IllegalArgumentException("negative keyframe request interval");
        }
        if (retransmissionCacheSize < 1) {
            throw new IllegalArgumentException("retransmission cache size must be at least 1");
        }
    }
}
