package org.sylkserver.conference;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.IniFile;
import org.sylkserver.core.config.SectionReader;

/**
 * {@code conference.ini} (spec §8.2): {@code [Conference]} with the server-wide defaults and one optional section
 * per room named {@code [user@host]} that overrides the access lists and {@code disable_music_on_hold}.
 * {@code answer_delay} (the time between 180 Ringing and the answer; 4 s as the original) is ours, so that load
 * tests can answer at once.
 *
 * <p>Access lists are read again from the file on every check (spec §3.10: no restart needed); a broken file at
 * that point keeps the last good settings and is logged by the caller.
 */
final class ConferenceSettings {

    private static final Set<String> POLICIES = Set.of("allow,deny", "deny,allow");

    private final Path file;
    private final IniFile ini;
    private final Duration answerDelay;
    private final boolean disableMusicOnHold;
    private final int maxSpeakers;
    private final Duration screenSharingIdleTimeout;

    private ConferenceSettings(Path file, IniFile ini) throws ConfigException {
        this.file = file;
        this.ini = ini;
        SectionReader conference = new SectionReader(ini, "Conference");
        this.answerDelay = conference.seconds("answer_delay", Duration.ofSeconds(4));
        this.disableMusicOnHold = conference.bool("disable_music_on_hold", false);
        this.maxSpeakers = conference.integer("max_speakers", 4, 0, 1000);
        this.screenSharingIdleTimeout = conference.seconds("screensharing_idle_timeout", Duration.ofSeconds(10));
        if (screenSharingIdleTimeout.isZero()) {
            throw conference.error("screensharing_idle_timeout", "0", "must be more than 0 seconds");
        }
        for (String room : ini.sectionNames()) {
            if (!room.equals("Conference")) {
                accessList(ini, room);
                new SectionReader(ini, room).bool("disable_music_on_hold", false);
                pin(ini, room);
            }
        }
        accessList(ini, "Conference");
    }

    /** Reads {@code conference.ini} from {@code configDir} (a missing file gives the defaults). */
    static ConferenceSettings load(Path configDir) throws ConfigException {
        Path file = configDir.resolve("conference.ini");
        return new ConferenceSettings(file, IniFile.read(file));
    }

    Duration answerDelay() {
        return answerDelay;
    }

    int maxSpeakers() {
        return maxSpeakers;
    }

    /**
     * How long after its last image a shared screen counts as no longer shared (spec §3.7: 10 s);
     * {@code screensharing_idle_timeout} is ours, so that tests need not wait 10 s.
     */
    Duration screenSharingIdleTimeout() {
        return screenSharingIdleTimeout;
    }

    /**
     * {@code screensharing_images_dir} (spec §8.2), relative to the configuration directory; by default
     * {@code <spool_dir>/conference/screensharing}.
     */
    Path screenSharingImagesDir(Path spoolDir) {
        return new SectionReader(ini, "Conference").path("screensharing_images_dir", file.getParent(),
                spoolDir.resolve("conference/screensharing"));
    }

    /** {@code disable_music_on_hold} for {@code room}: its own section, else {@code [Conference]}. */
    boolean musicOnHold(String room) {
        try {
            if (ini.sectionNames().contains(room)) {
                return !new SectionReader(ini, room).bool("disable_music_on_hold", disableMusicOnHold);
            }
        } catch (ConfigException checkedAtLoad) {
            // validated when the file was loaded
        }
        return !disableMusicOnHold;
    }

    /**
     * The PIN that protects {@code room} ({@code pin} in its section: 1 to 16 digits), if any. Beyond the original,
     * which ships the prompts but no PIN logic (spec §3.3).
     */
    java.util.Optional<String> pin(String room) {
        try {
            return ini.sectionNames().contains(room) ? pin(ini, room) : java.util.Optional.empty();
        } catch (ConfigException checkedAtLoad) {
            return java.util.Optional.empty();
        }
    }

    private static java.util.Optional<String> pin(IniFile ini, String room) throws ConfigException {
        SectionReader section = new SectionReader(ini, room);
        String pin = section.string("pin", "").trim();
        if (pin.isEmpty()) {
            return java.util.Optional.empty();
        }
        if (!pin.matches("[0-9]{1,16}")) {
            throw section.error("pin", pin, "must be 1 to 16 digits");
        }
        return java.util.Optional.of(pin);
    }

    /** The access list of {@code room}, read from the file now (its section's options, else the defaults). */
    AccessList accessList(String room) throws ConfigException {
        IniFile current = Files.exists(file) ? IniFile.read(file) : ini;
        return accessList(current, current.sectionNames().contains(room) ? room : "Conference");
    }

    private static AccessList accessList(IniFile ini, String section) throws ConfigException {
        SectionReader global = new SectionReader(ini, "Conference");
        SectionReader own = new SectionReader(ini, section);
        String policy = own.string("access_policy", global.string("access_policy", "allow, deny"));
        String normalized = policy.replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
        if (!POLICIES.contains(normalized)) {
            throw own.error("access_policy", policy, "must be 'allow, deny' or 'deny, allow'");
        }
        List<String> allow = own.list("allow", global.list("allow", List.of("all")));
        List<String> deny = own.list("deny", global.list("deny", List.of("none")));
        return new AccessList(normalized.equals("deny,allow"),
                allow.stream().map(s -> s.trim().toLowerCase(Locale.ROOT)).toList(),
                deny.stream().map(s -> s.trim().toLowerCase(Locale.ROOT)).toList());
    }
}
