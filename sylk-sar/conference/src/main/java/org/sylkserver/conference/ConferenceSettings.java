package org.sylkserver.conference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.sylkserver.conference.chat.ChatSwitch;
import org.sylkserver.conference.chat.Identity;
import org.sylkserver.conference.chat.JoinInfo;
import org.sylkserver.conference.files.RoomFiles;
import org.sylkserver.core.config.AccessList;
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


    private final Path file;
    private final IniFile ini;
    private final Duration answerDelay;
    private final boolean disableMusicOnHold;
    private final int maxSpeakers;
    private final boolean pushFileTransfer;
    private final boolean advertiseXmpp;
    private final boolean zrtpAutoVerify;
    private final org.sylkserver.media.msrp.RelayConfig msrpRelay;
    private final int historySize;
    private final long historyBytes;
    private final int maxSubscriptions;
    private final long maxFileSize;
    private final RoomFiles.Quota filesQuota;
    private final Duration screenSharingIdleTimeout;
    private final int pinFailuresPerMinute;
    private final List<String> dialOutDomains;
    /** How old the file must be when read for that reading to be reused. */
    private static final Duration SETTLED = Duration.ofSeconds(2);
    /** Volatile: server-wide, read and replaced by the access checks of every SIP thread, not one room's. */
    private volatile FileVersion lastRead;
    /** The settings of the start, used while the file is gone, with the access lists made from them. */
    private final FileVersion started;

    private ConferenceSettings(Path file, IniFile ini) throws ConfigException {
        this.file = file;
        this.ini = ini;
        this.started = FileVersion.unversioned(ini);
        SectionReader conference = new SectionReader(ini, "Conference");
        this.answerDelay = conference.seconds("answer_delay", Duration.ofSeconds(4));
        this.disableMusicOnHold = conference.bool("disable_music_on_hold", false);
        this.maxSpeakers = conference.integer("max_speakers", 4, 0, 1000);
        this.pushFileTransfer = conference.bool("push_file_transfer", false);
        this.advertiseXmpp = conference.bool("advertise_xmpp_support", false);
        this.zrtpAutoVerify = conference.bool("zrtp_auto_verify", true);
        this.msrpRelay = relay(conference);
        this.historySize = conference.integer("history_size", 20, 0, 10_000);
        this.historyBytes = conference.integer("history_max_size", (int) (ChatSwitch.HISTORY_BYTES / 1024), 0,
                1024 * 1024) * 1024L;
        this.maxSubscriptions = conference.integer("max_subscriptions", 100, 1, 1_000_000);
        this.maxFileSize = conference.integer("max_file_size", 1024, 0, 1024 * 1024) * 1024L * 1024L;
        this.filesQuota = new RoomFiles.Quota(
                conference.integer("max_room_files_size", 4096, 0, 1024 * 1024 * 1024) * 1024L * 1024L,
                conference.integer("max_files_size", 10240, 0, 1024 * 1024 * 1024) * 1024L * 1024L);
        this.screenSharingIdleTimeout = conference.seconds("screensharing_idle_timeout", Duration.ofSeconds(10));
        if (screenSharingIdleTimeout.isZero()) {
            throw conference.error("screensharing_idle_timeout", "0", "must be more than 0 seconds");
        }
        this.pinFailuresPerMinute = conference.integer("pin_failures_per_minute", 5, 0, 1000);
        this.dialOutDomains = conference.list("dial_out_domains", List.of("*")).stream()
                .map(domain -> domain.strip().toLowerCase(Locale.ROOT)).filter(domain -> !domain.isEmpty()).toList();
        // the directories are resolved when the servlet starts; a value that is no path at all stops the loading here
        conference.path("file_transfer_dir", file.getParent(), null);
        conference.path("screensharing_images_dir", file.getParent(), null);
        for (String room : ini.sectionNames()) {
            if (!room.equals("Conference")) {
                accessList(ini, room);
                new SectionReader(ini, room).bool("disable_music_on_hold", false);
                pin(ini, room);
            }
        }
        accessList(ini, "Conference");
    }

    private static org.sylkserver.media.msrp.RelayConfig relay(SectionReader conference) throws ConfigException {
        String uri = conference.string("msrp_relay", "").strip();
        if (uri.isEmpty()) {
            return null;
        }
        org.sylkserver.protocols.msrp.MsrpUri relay;
        try {
            relay = org.sylkserver.protocols.msrp.MsrpUri.parse(uri);
        } catch (org.sylkserver.protocols.msrp.MalformedMsrpException e) {
            throw conference.error("msrp_relay", uri, e.getMessage());
        }
        if (relay.port() < 0) {
            throw conference.error("msrp_relay", uri, "the relay URI needs a port");
        }
        return new org.sylkserver.media.msrp.RelayConfig(relay, conference.string("msrp_relay_username", ""),
                conference.string("msrp_relay_password", ""));
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
     * {@code push_file_transfer}: offer every upload to the other participants at once (spec §3.5). Read from the
     * file now, like the access lists, so that it can be switched without a restart; a file broken since the
     * start keeps the value read then.
     */
    boolean pushFileTransfer() {
        try {
            if (Files.exists(file)) {
                return new SectionReader(IniFile.read(file), "Conference").bool("push_file_transfer", pushFileTransfer);
            }
        } catch (ConfigException broken) {
            // validated at start; the value of then stands
        }
        return pushFileTransfer;
    }

    /**
     * Largest file a participant may upload, in bytes ({@code max_file_size} in MiB, default 1024; 0 for no
     * limit). Ours: the original has none (spec §3.5).
     */
    long maxFileSize() {
        return maxFileSize;
    }

    /**
     * Ours: disk space for uploaded files, {@code max_room_files_size} per room (MiB, default 4096) and
     * {@code max_files_size} for all rooms together (MiB, default 10240); 0 for no limit.
     */
    RoomFiles.Quota filesQuota() {
        return filesQuota;
    }

    /** {@code zrtp_auto_verify}: SAS told and checked over a secure chat (spec §3.8). */
    boolean zrtpAutoVerify() {
        return zrtpAutoVerify;
    }

    /**
     * The operator's MSRP relay (RFC 4976), ours: {@code msrp_relay} (an {@code msrp://} or {@code msrps://} URI
     * with a port), {@code msrp_relay_username}, {@code msrp_relay_password}; empty when not set.
     */
    java.util.Optional<org.sylkserver.media.msrp.RelayConfig> msrpRelay() {
        return java.util.Optional.ofNullable(msrpRelay);
    }

    /** {@code history_size}: public messages replayed to chat joiners (spec §3.3, default 20). */
    int historySize() {
        return historySize;
    }

    /**
     * {@code history_max_size} (KiB, default 1024), ours: content bytes of the history a room keeps, however large
     * its messages (up to 4 MiB each), so that the history of every room together stays bounded.
     */
    long historyBytes() {
        return historyBytes;
    }

    /** {@code max_subscriptions} (default 100), ours: conference-event subscriptions to one room at once. */
    int maxSubscriptions() {
        return maxSubscriptions;
    }

    /**
     * How others can join {@code room} (spec §8.2): {@code advertise_xmpp_support}, {@code pstn_access_numbers}
     * (the room's section, else {@code [Conference]}), {@code webrtc_gateway_url}.
     */
    JoinInfo joinInfo(String room) {
        SectionReader global = new SectionReader(ini, "Conference");
        List<String> phones = global.list("pstn_access_numbers", List.of());
        if (ini.sectionNames().contains(room)) {
            phones = new SectionReader(ini, room).list("pstn_access_numbers", phones);
        }
        return new JoinInfo(advertiseXmpp, phones.stream().map(String::strip).filter(p -> !p.isEmpty()).toList(),
                global.string("webrtc_gateway_url", "").strip());
    }

    /** {@code file_transfer_dir}: where rooms keep their files, by default {@code <spool>/conference/files}. */
    Path fileTransferDir(Path spoolDir) {
        return directory("file_transfer_dir", spoolDir.resolve("conference").resolve("files"));
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
        return directory("screensharing_images_dir", spoolDir.resolve("conference/screensharing"));
    }

    private Path directory(String option, Path defaultValue) {
        try {
            return new SectionReader(ini, "Conference").path(option, file.getParent(), defaultValue);
        } catch (ConfigException e) {
            throw new IllegalStateException("checked when the settings were loaded", e);
        }
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

    /**
     * {@code pin_failures_per_minute} (ours, issue 11): wrong PINs one source address may type within a minute before
     * its calls to PIN rooms are refused (default 5; 0: no limit).
     */
    int pinFailuresPerMinute() {
        return pinFailuresPerMinute;
    }

    /**
     * Whether a REFER may make the room call {@code host} ({@code dial_out_domains}, ours, issue 11: the domains the
     * focus dials out to on a participant's behalf; default {@code *}, any, as the original). Without a limit the
     * room calls whatever a participant names, anywhere, from the server's address.
     */
    boolean mayDialOut(String host) {
        return dialOutDomains.contains("*") || dialOutDomains.contains(host.toLowerCase(Locale.ROOT));
    }

    /**
     * Whether {@code referrer}, a participant of {@code room}, may have {@code target} removed (REFER with
     * {@code method=BYE}, spec §3.9). Anyone may leave; removing others is for everyone, as the original's clients use
     * it, unless {@code moderators} (ours, issue 11; the room's section, else {@code [Conference]}; items as in
     * {@code allow}: {@code user@domain}, {@code domain} or {@code all}) names who may: the spec knows no moderator, so
     * the operator says who is one. Read from the file now, like the access lists.
     */
    boolean mayRemove(String room, String referrer, String target) throws ConfigException {
        if (referrer.equals(target)) {
            return true;
        }
        IniFile current = current();
        SectionReader global = new SectionReader(current, "Conference");
        List<String> moderators = global.list("moderators", List.of());
        if (current.sectionNames().contains(room)) {
            moderators = new SectionReader(current, room).list("moderators", moderators);
        }
        List<String> items = moderators.stream().map(item -> item.strip().toLowerCase(Locale.ROOT))
                .filter(item -> !item.isEmpty()).toList();
        return items.isEmpty() || new AccessList(false, items, List.of("none")).allows(Identity.bare(referrer));
    }

    /** The access list of {@code room}, read from the file now (its section's options, else the defaults). */
    AccessList accessList(String room) throws ConfigException {
        FileVersion version = currentVersion();
        // by section, not by room: a section per room of the file at most, whatever rooms callers ask for
        String section = version.ini().sectionNames().contains(room) ? room : "Conference";
        AccessList kept = version.accessLists().get(section);
        if (kept != null) {
            return kept;
        }
        AccessList list = accessList(version.ini(), section);
        version.accessLists().put(section, list);
        return list;
    }

    /**
     * The file as it is now, or the settings of the start when it is gone. Parsed again only when its modification
     * time, size or identity changed: every INVITE checks the access list, and a read and parse of the file per
     * call was a measurable part of a join (bench/conference-calls.sh); a stat is not. A file modified less than
     * {@link #SETTLED} before it was read is read every time (as git treats "racily clean" files): a rewrite of
     * the same size within the file system's timestamp granularity would otherwise go unseen.
     */
    private IniFile current() throws ConfigException {
        return currentVersion().ini();
    }

    /**
     * {@link #current()} with what was derived from it: a room's access list is made once per version of the file
     * (every INVITE asks for it; parsing its options per call was 2-3 % of a SIP thread's samples in a join, issue
     * 12). A version read while fresh is used once; while the file is gone, the start's settings and lists serve.
     */
    private FileVersion currentVersion() throws ConfigException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException gone) {
            return started;
        }
        FileVersion seen = lastRead;
        if (seen != null && seen.isOf(attributes)) {
            return seen;
        }
        long readAt = System.currentTimeMillis();
        IniFile read = IniFile.read(file);
        if (attributes.lastModifiedTime().toMillis() >= readAt - SETTLED.toMillis()) {
            lastRead = null;
            return FileVersion.unversioned(read);
        }
        FileVersion version = new FileVersion(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey(),
                read, new ConcurrentHashMap<>());
        lastRead = version;
        return version;
    }

    /**
     * What {@link #currentVersion()} read last, from which version of the file, and the access lists made from it by
     * section (immutable, so shared by every INVITE to its rooms while the file stays as it is).
     */
    private record FileVersion(FileTime modified, long size, Object key, IniFile ini,
                               Map<String, AccessList> accessLists) {

        /** Settings of no version of the file: the start's, or a read while the file was fresh (used once). */
        static FileVersion unversioned(IniFile ini) {
            return new FileVersion(null, -1, null, ini, new ConcurrentHashMap<>());
        }

        boolean isOf(BasicFileAttributes attributes) {
            return modified.equals(attributes.lastModifiedTime()) && size == attributes.size()
                    && java.util.Objects.equals(key, attributes.fileKey());
        }
    }

    private static AccessList accessList(IniFile ini, String section) throws ConfigException {
        return AccessList.read(new SectionReader(ini, section), new SectionReader(ini, "Conference"));
    }
}
