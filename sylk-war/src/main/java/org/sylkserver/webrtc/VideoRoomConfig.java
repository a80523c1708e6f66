package org.sylkserver.webrtc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.sylkserver.core.config.AccessList;
import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.IniFile;
import org.sylkserver.core.config.SectionReader;
import org.sylkserver.media.sfu.SfuSettings;

/**
 * The video rooms' options of {@code webrtcgateway.ini} (spec §8.3): the room defaults {@code max_bitrate} and
 * {@code video_codec} of {@code [Janus]} (kept in its section although there is no Janus: operators' files have them
 * there), the sections named by a room's URI ({@code [room@host]}: {@code max_bitrate}, {@code video_codec},
 * {@code video_disabled}, {@code persistent}, {@code record}), and the SFU's own limits in {@code [VideoRooms]}.
 *
 * @param defaults                what a room without a section of its own gets
 * @param rooms                   the rooms with a section, by URI (lower case)
 * @param maxPublishers           {@code [VideoRooms] max_publishers}: publishers one room takes at once (10, as the
 *                                original's Janus rooms)
 * @param keyframeRequestInterval {@code [VideoRooms] keyframe_request_interval}: the least time between two keyframe
 *                                requests sent to one publisher, however many feeds ask (0.5 s)
 * @param retransmissionCacheSize {@code [VideoRooms] retransmission_cache_size}: packets kept of each stream to
 *                                answer NACKs, by each feed or (the video of feeds with a retransmission stream) by
 *                                the publisher once for them (512, about a second of 2 Mbit/s video)
 * @param audioLevelsInterval     {@code [VideoRooms] audio_levels_interval}: how often the members learn the room's
 *                                audio levels and active speaker ({@code conference-audio-levels}, when they changed;
 *                                0.5 s; 0 sends none, else at least 0.1 s)
 * @param maxPhones               {@code [VideoRooms] max_phones}: SIP phones one room takes at once (issue 13; 4, 0
 *                                refuses every phone); they count against {@code max_publishers} too
 */
public record VideoRoomConfig(Room defaults, Map<String, Room> rooms, int maxPublishers,
                              Duration keyframeRequestInterval, int retransmissionCacheSize,
                              Duration audioLevelsInterval, int maxPhones) {

    /** Options with the default {@code max_phones}. */
    public VideoRoomConfig(Room defaults, Map<String, Room> rooms, int maxPublishers,
                           Duration keyframeRequestInterval, int retransmissionCacheSize,
                           Duration audioLevelsInterval) {
        this(defaults, rooms, maxPublishers, keyframeRequestInterval, retransmissionCacheSize, audioLevelsInterval,
                DEFAULT_MAX_PHONES);
    }

    /** {@code max_phones} unless configured. */
    private static final int DEFAULT_MAX_PHONES = 4;

    /**
     * One room's options.
     *
     * @param maxBitrate    {@code max_bitrate}: the room's bandwidth in bit/s, shared by its publishers' video
     *                      (2016000; 64000-4194304)
     * @param videoCodec    {@code video_codec}: the codec the room prefers ({@code vp9}; {@code h264}, {@code vp8},
     *                      {@code vp9})
     * @param videoDisabled {@code video_disabled}: the room carries no video, whatever its first join asks (false)
     * @param access        {@code access_policy}, {@code allow}, {@code deny}: who may join (allow, deny; all; none)
     * @param persistent    {@code persistent}: the room's shared files outlive it, and it shows them again when it is
     *                      created anew (false: they are deleted with the room, spec §4.6.1, §4.6.5)
     * @param record        {@code record}: each publisher's audio and video are written to files of the room's
     *                      recording directory ({@link RoomRecordings}; false)
     */
    public record Room(int maxBitrate, String videoCodec, boolean videoDisabled, AccessList access,
                       boolean persistent, boolean record) {
    }

    private static final Set<String> CODECS = Set.of("h264", "vp8", "vp9");

    /** Every option at its default. */
    public static final VideoRoomConfig DEFAULTS = new VideoRoomConfig(new Room(2016000, "vp9", false, AccessList.OPEN, false, false), Map.of(), 10,
            Duration.ofMillis(500), 512, Duration.ofMillis(500));
    /** The shortest {@code audio_levels_interval} (other than 0): at most 10 events a second to each member. */
    private static final Duration SHORTEST_AUDIO_LEVELS_INTERVAL = Duration.ofMillis(100);

    /** Reads the options from {@code webrtcgateway.ini} in the configuration directory. */
    public static VideoRoomConfig load(Path configDir) throws ConfigException {
        IniFile ini = IniFile.read(configDir.resolve("webrtcgateway.ini"));
        Room defaults = room(new SectionReader(ini, "Janus"), DEFAULTS.defaults);
        Map<String, Room> rooms = new HashMap<>();
        for (String section : ini.sectionNames()) {
            if (section.contains("@")) {
                rooms.put(section.toLowerCase(java.util.Locale.ROOT), room(new SectionReader(ini, section), defaults));
            }
        }
        SectionReader limits = new SectionReader(ini, "VideoRooms");
        Duration audioLevels = limits.seconds("audio_levels_interval", DEFAULTS.audioLevelsInterval);
        if (!audioLevels.isZero() && audioLevels.compareTo(SHORTEST_AUDIO_LEVELS_INTERVAL) < 0) {
            throw limits.error("audio_levels_interval", Double.toString(audioLevels.toMillis() / 1000.0),
                    "0 or at least 0.1 seconds");
        }
        return new VideoRoomConfig(defaults, Map.copyOf(rooms),
                limits.integer("max_publishers", DEFAULTS.maxPublishers, 1, 1000),
                limits.seconds("keyframe_request_interval", DEFAULTS.keyframeRequestInterval),
                limits.integer("retransmission_cache_size", DEFAULTS.retransmissionCacheSize, 16, 65536),
                audioLevels, limits.integer("max_phones", DEFAULTS.maxPhones, 0, 1000));
    }

    private static Room room(SectionReader section, Room otherwise) throws ConfigException {
        return new Room(section.integer("max_bitrate", otherwise.maxBitrate(), 64000, 4194304),
                section.choice("video_codec", otherwise.videoCodec(), CODECS),
                section.bool("video_disabled", otherwise.videoDisabled()),
                AccessList.read(section, section), section.bool("persistent", otherwise.persistent()),
                section.bool("record", otherwise.record()));
    }

    /** The options of room {@code uri}: its own section's, else the defaults. */
    Room room(String uri) {
        return rooms.getOrDefault(uri.toLowerCase(java.util.Locale.ROOT), defaults);
    }

    /** The forwarding settings of a room. */
    SfuSettings settings(VideoRoom room) {
        return new SfuSettings(room.config.videoCodec(), room.audio, room.video, keyframeRequestInterval,
                retransmissionCacheSize);
    }
}
