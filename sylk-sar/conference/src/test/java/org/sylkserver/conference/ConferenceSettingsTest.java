package org.sylkserver.conference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.core.config.ConfigException;

/** The screen sharing options of conference.ini (spec §8.2). */
class ConferenceSettingsTest {

    @TempDir
    Path config;

    @Test
    void screenSharingDefaults_spec8_2() throws Exception {
        ConferenceSettings settings = ConferenceSettings.load(config);
        assertEquals(Path.of("/spool/conference/screensharing"), settings.screenSharingImagesDir(Path.of("/spool")));
        assertEquals(Duration.ofSeconds(10), settings.screenSharingIdleTimeout(), "spec §3.7: idle after 10 s");
    }

    @Test
    void screenSharingOptions() throws Exception {
        Files.writeString(config.resolve("conference.ini"),
                "[Conference]\nscreensharing_images_dir = images\nscreensharing_idle_timeout = 1.5\n");
        ConferenceSettings settings = ConferenceSettings.load(config);
        assertEquals(config.resolve("images"), settings.screenSharingImagesDir(Path.of("/spool")),
                "relative to the configuration directory");
        assertEquals(Duration.ofMillis(1500), settings.screenSharingIdleTimeout());
        Files.writeString(config.resolve("conference.ini"), "[Conference]\nscreensharing_idle_timeout = 0\n");
        ConfigException zero = assertThrows(ConfigException.class, () -> ConferenceSettings.load(config));
        assertTrue(zero.getMessage().contains("screensharing_idle_timeout"), zero.getMessage());
    }

    /**
     * Spec §8.2: the directories are read when the servlet starts; one that is no path at all (a NUL byte, found
     * by ConferenceSettingsFuzzTest) is refused when conference.ini is loaded, naming the option.
     */
    @Test
    void directoryThatIsNoPathIsRefusedAtLoad_spec8_2() throws Exception {
        for (String option : new String[] {"file_transfer_dir", "screensharing_images_dir"}) {
            Files.writeString(config.resolve("conference.ini"), "[Conference]\n" + option + " = a\u0000b\n");
            ConfigException e = assertThrows(ConfigException.class, () -> ConferenceSettings.load(config));
            assertTrue(e.getMessage().contains(option) && e.getMessage().contains("not a valid path"), e.getMessage());
        }
    }
}
