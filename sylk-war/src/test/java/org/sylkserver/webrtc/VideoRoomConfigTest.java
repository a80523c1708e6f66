package org.sylkserver.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.core.config.AccessList;
import org.sylkserver.core.config.ConfigException;

/** {@link VideoRoomConfig}: the video rooms' part of webrtcgateway.ini (spec §8.3). */
class VideoRoomConfigTest {

    @TempDir
    Path dir;

    @Test
    void defaultsWithoutAFile_spec_8_3() throws Exception {
        VideoRoomConfig config = VideoRoomConfig.load(dir);
        assertEquals(new VideoRoomConfig.Room(2016000, "vp9", false, AccessList.OPEN, false, false), config.room("room@example.com"));
        assertEquals(10, config.maxPublishers());
        assertEquals(Duration.ofMillis(500), config.keyframeRequestInterval());
        assertEquals(512, config.retransmissionCacheSize());
        assertEquals(Duration.ofMillis(500), config.audioLevelsInterval());
    }

    /** A room's own section overrides [Janus]; options it leaves out come from [Janus]. */
    @Test
    void roomSectionsOverrideTheJanusDefaults_spec_8_3() throws Exception {
        Files.writeString(dir.resolve("webrtcgateway.ini"), "[Janus]\nmax_bitrate = 1000000\nvideo_codec = vp8\n"
                + "[Room1@Example.com]\nvideo_codec = h264\nvideo_disabled = yes\npersistent = true\nrecord = true\n"
                + "[VideoRooms]\nmax_publishers = 4\nkeyframe_request_interval = 1.5\nretransmission_cache_size = 100\n"
                + "audio_levels_interval = 0\nmax_phones = 2\n");
        VideoRoomConfig config = VideoRoomConfig.load(dir);
        assertEquals(new VideoRoomConfig.Room(1000000, "vp8", false, AccessList.OPEN, false, false), config.room("other@example.com"));
        assertEquals(new VideoRoomConfig.Room(1000000, "h264", true, AccessList.OPEN, true, true), config.room("room1@example.com"));
        assertEquals(4, config.maxPublishers());
        assertEquals(Duration.ofMillis(1500), config.keyframeRequestInterval());
        assertEquals(100, config.retransmissionCacheSize());
        assertEquals(Duration.ZERO, config.audioLevelsInterval(), "0: no conference-audio-levels");
        assertEquals(2, config.maxPhones());
        assertEquals(4, VideoRoomConfig.DEFAULTS.maxPhones(), "issue 13: four SIP phones a room unless configured");
    }

    @Test
    void badValuesStopTheStart() throws Exception {
        Files.writeString(dir.resolve("webrtcgateway.ini"), "[Janus]\nmax_bitrate = 1000\n");
        assertThrows(ConfigException.class, () -> VideoRoomConfig.load(dir));
        Files.writeString(dir.resolve("webrtcgateway.ini"), "[r@x]\nvideo_codec = av1\n");
        assertThrows(ConfigException.class, () -> VideoRoomConfig.load(dir));
        Files.writeString(dir.resolve("webrtcgateway.ini"), "[VideoRooms]\naudio_levels_interval = 0.01\n");
        assertThrows(ConfigException.class, () -> VideoRoomConfig.load(dir), "more than 10 events a second");
    }

    /** §8.3: a room section's access_policy/allow/deny; a bad policy is a configuration error. */
    @Test
    void roomAccessLists_spec_8_3() throws Exception {
        Files.writeString(dir.resolve("webrtcgateway.ini"), "[staff@example.com]\naccess_policy = deny, allow\n"
                + "deny = all\nallow = example.com\n");
        VideoRoomConfig config = VideoRoomConfig.load(dir);
        assertEquals(new AccessList(true, List.of("example.com"), List.of("all")),
                config.room("staff@example.com").access());
        assertEquals(AccessList.OPEN, config.room("other@example.com").access());
        Files.writeString(dir.resolve("webrtcgateway.ini"), "[staff@example.com]\naccess_policy = maybe\n");
        org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> VideoRoomConfig.load(dir));
    }
}
