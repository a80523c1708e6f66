package org.sylkserver.conference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.core.config.AccessList;
import org.sylkserver.core.config.ConfigException;

/** Options of conference.ini (spec §8.2) and ours. */
class ConferenceSettingsTest {

    @TempDir
    Path config;

    @Test
    void screenSharingDefaults_spec8_2() throws Exception {
        ConferenceSettings settings = ConferenceSettings.load(config);
        assertEquals(Path.of("/spool/conference/screensharing"), settings.screenSharingImagesDir(Path.of("/spool")));
        assertEquals(Duration.ofSeconds(10), settings.screenSharingIdleTimeout(), "spec §3.7: idle after 10 s");
    }

    /**
     * Spec §3.10: access lists apply without a restart. The file is parsed again only when it changed (a stat per
     * INVITE instead of a read), and a file modified within the last seconds is always read, so that a rewrite of
     * the same size within the file system's timestamp granularity is not missed.
     */
    @Test
    void accessListFollowsTheFileWithoutARestart_spec3_10() throws Exception {
        Path file = config.resolve("conference.ini");
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() - 60_000);
        Files.writeString(file, "[Conference]\ndeny = none\n");
        Files.setLastModifiedTime(file, old);
        ConferenceSettings settings = ConferenceSettings.load(config);
        assertTrue(settings.accessList("room@example.com").allows("bob@example.com"));
        assertTrue(settings.accessList("room@example.com").allows("bob@example.com"), "the same file, read before");

        Files.writeString(file, "[Conference]\ndeny = all \n");
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(old.toMillis() + 1000));
        assertFalse(settings.accessList("room@example.com").allows("bob@example.com"), "changed: read again");

        Files.writeString(file, "[Conference]\ndeny = none\n");
        java.nio.file.attribute.FileTime fresh = Files.getLastModifiedTime(file);
        assertTrue(settings.accessList("room@example.com").allows("bob@example.com"));
        Files.writeString(file, "[Conference]\ndeny = all \n");
        Files.setLastModifiedTime(file, fresh);
        assertFalse(settings.accessList("room@example.com").allows("bob@example.com"),
                "same size and time as a file read while fresh: read again");
    }

    /**
     * Spec §3.10 with issue 12's cost of a join: while the file stays as it is, a room's access list is made once
     * (rooms without a section of their own share the defaults'); a changed file makes them again.
     */
    @Test
    void anUnchangedFileGivesTheSameAccessListsToEveryInvite_spec3_10() throws Exception {
        Path file = config.resolve("conference.ini");
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() - 60_000);
        Files.writeString(file, "[Conference]\ndeny = none\n\n[vip@example.com]\nallow = alice@example.com\n"
                + "deny = all\naccess_policy = deny, allow\n");
        Files.setLastModifiedTime(file, old);
        ConferenceSettings settings = ConferenceSettings.load(config);
        AccessList vip = settings.accessList("vip@example.com");
        AccessList open = settings.accessList("room1@example.com");
        assertSame(vip, settings.accessList("vip@example.com"));
        assertSame(open, settings.accessList("room2@example.com"), "the defaults' list, for every room without a section");
        assertTrue(vip.allows("alice@example.com"));
        assertFalse(vip.allows("bob@example.com"));
        assertTrue(open.allows("bob@example.com"));

        Files.writeString(file, "[Conference]\ndeny = all\n");
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(old.toMillis() + 1000));
        assertNotSame(open, settings.accessList("room1@example.com"));
        assertFalse(settings.accessList("room1@example.com").allows("bob@example.com"), "changed: made again");
        assertFalse(settings.accessList("vip@example.com").allows("alice@example.com"), "its section is gone");
    }

    @Test
    void aRemovedFileLeavesTheStartsAccessListsToEveryInvite_spec3_10() throws Exception {
        Path file = config.resolve("conference.ini");
        Files.writeString(file, "[Conference]\ndeny = all\n");
        ConferenceSettings settings = ConferenceSettings.load(config);
        Files.delete(file);
        AccessList closed = settings.accessList("room1@example.com");
        assertSame(closed, settings.accessList("room2@example.com"), "made once from the start's settings");
        assertFalse(closed.allows("bob@example.com"), "the start's settings");
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
     * Issue 11: REFER options, off by default (spec §3.9: any participant adds anyone, removes anyone): with
     * {@code dial_out_domains} the room calls only those domains; with {@code moderators} (global, or the room's own)
     * only they remove others, while anyone may remove itself.
     */
    @Test
    void referOptionsAreOffByDefault_spec3_9() throws Exception {
        ConferenceSettings open = ConferenceSettings.load(config);
        assertTrue(open.mayDialOut("anywhere.example.org"));
        assertTrue(open.mayRemove("room@example.com", "bob@example.com", "alice@example.com"));
        assertEquals(5, open.pinFailuresPerMinute());
    }

    @Test
    void dialOutDomainsAndModeratorsNarrowTheRefers() throws Exception {
        Files.writeString(config.resolve("conference.ini"), String.join("\n", "[Conference]",
                "dial_out_domains = example.com, Example.NET", "moderators = boss@example.com", "pin_failures_per_minute = 0",
                "[board@example.com]", "moderators = chair@example.com, example.org", ""));
        ConferenceSettings settings = ConferenceSettings.load(config);
        assertTrue(settings.mayDialOut("EXAMPLE.com"));
        assertTrue(settings.mayDialOut("example.net"));
        assertFalse(settings.mayDialOut("attacker.example.org"));
        assertTrue(settings.mayRemove("room@example.com", "boss@example.com", "alice@example.com"));
        assertFalse(settings.mayRemove("room@example.com", "bob@example.com", "alice@example.com"));
        assertTrue(settings.mayRemove("room@example.com", "bob@example.com", "bob@example.com"), "leaving is free");
        assertFalse(settings.mayRemove("board@example.com", "boss@example.com", "alice@example.com"),
                "the room's own list replaces the global one");
        assertTrue(settings.mayRemove("board@example.com", "chair@example.com", "alice@example.com"));
        assertTrue(settings.mayRemove("board@example.com", "anyone@example.org", "alice@example.com"));
        assertEquals(0, settings.pinFailuresPerMinute());
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
