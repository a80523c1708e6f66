package org.sylkserver.webrtc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.IniFile;
import org.sylkserver.core.config.SectionReader;
import org.sylkserver.media.sfu.SfuSettings;

/**
 * The video rooms' options of {@code webrtcgateway.ini} (spec §8.3): the room default {@code video_codec} of
 * {@code [Janus]} (kept in its section although there is no Janus: operators' files have it there), and the SFU's own
 * limits in {@code [VideoRooms]}.
 *
 * @param videoCodec              {@code [Janus] video_codec}: the codec rooms prefer ({@code vp9}; {@code h264},
 *                                {@code vp8}, {@code vp9})
 * @param maxPublishers           {@code [VideoRooms] max_publishers}: publishers one room takes at once (10, as the
 *                                original's Janus rooms)
 * @param keyframeRequestInterval {@code [VideoRooms] keyframe_request_interval}: the least time between two keyframe
 *                                requests sent to one publisher, however many feeds ask (0.5 s)
 * @param retransmissionCacheSize {@code [VideoRooms] retransmission_cache_size}: packets each feed keeps to answer
 *                                NACKs (512, about a second of 2 Mbit/s video)
 */
public record VideoRoomConfig(String videoCodec, int maxPublishers, Duration keyframeRequestInterval,
                              int retransmissionCacheSize) {

    /** Every option at its default. */
    public static final VideoRoomConfig DEFAULTS = new VideoRoomConfig("vp9", 10, Duration.ofMillis(500), 512);

    /** Reads the options from {@code webrtcgateway.ini} in the configuration directory. */
    public static VideoRoomConfig load(Path configDir) throws ConfigException {
        IniFile ini = IniFile.read(configDir.resolve("webrtcgateway.ini"));
        SectionReader janus = new SectionReader(ini, "Janus");
        SectionReader rooms = new SectionReader(ini, "VideoRooms");
        return new VideoRoomConfig(janus.choice("video_codec", DEFAULTS.videoCodec, Set.of("h264", "vp8", "vp9")),
                rooms.integer("max_publishers", DEFAULTS.maxPublishers, 1, 1000),
                rooms.seconds("keyframe_request_interval", DEFAULTS.keyframeRequestInterval),
                rooms.integer("retransmission_cache_size", DEFAULTS.retransmissionCacheSize, 16, 65536));
    }

    /** The forwarding settings of a room with these media. */
    SfuSettings settings(boolean audio, boolean video) {
        return new SfuSettings(videoCodec, audio, video, keyframeRequestInterval, retransmissionCacheSize);
    }
}
