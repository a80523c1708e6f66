package org.sylkserver.webrtc;

import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.sylkserver.media.mixer.MixerClock;
import org.sylkserver.media.sfu.Publisher;
import org.sylkserver.media.sfu.RoomMix;
import org.sylkserver.media.sfu.SfuSettings;
import org.sylkserver.webrtc.api.ParticipantAudioLevel;
import org.sylkserver.webrtc.api.RequestError;
import org.sylkserver.webrtc.api.SharedFile;
import org.sylkserver.webrtc.api.SylkRtcMessage;
import org.sylkserver.webrtc.api.VideoroomEvent;
import org.sylkserver.webrtc.api.VideoroomFileSharingEvent;
import org.sylkserver.webrtc.api.VideoroomPublisher;
import org.sylkserver.webrtc.filetransfer.UploadRefused;
import org.sylkserver.webrtc.filetransfer.UploadStaging;

/**
 * The video rooms of the server by URI (spec §4.6.1): a room is created by the first join and destroyed when its
 * last publisher leaves. Membership changes go through this registry's monitor, and so do the events they cause to
 * the other members (queued onto each member's connection under the monitor, so every member sees the joins and
 * leaves of a room in one order). Shared by every connection of the gateway.
 */
public final class VideoRooms {

    private static final Logger LOG = Logger.getLogger("webrtcgateway.videoroom");
    /** The originator of what the room itself changes (spec §4.6.6). */
    private static final String ROOM = "videoroom";

    private final VideoRoomConfig config;
    private final RoomMedia media;
    private final RoomChats chats;
    private final Map<String, VideoRoom> rooms = new HashMap<>();
    private final RoomFiles files;
    private final RoomRecordings recordings;
    /** Runs the rooms' audio mixes; null: rooms have none. */
    private final MixerClock mixing;

    /** Rooms without a chat bridge ({@link RoomChats#NONE}) or file sharing. */
    public VideoRooms(VideoRoomConfig config, RoomMedia media) {
        this(config, media, RoomChats.NONE, RoomFiles.DISABLED);
    }

    /** Rooms with a chat bridge, without file sharing. */
    public VideoRooms(VideoRoomConfig config, RoomMedia media, RoomChats chats) {
        this(config, media, chats, RoomFiles.DISABLED);
    }

    /** Rooms without a chat bridge whose members share files in {@code files} (spec §4.10.5). */
    public VideoRooms(VideoRoomConfig config, RoomMedia media, RoomFiles files) {
        this(config, media, RoomChats.NONE, files);
    }

    /** Rooms whose members' chat is bridged by {@code chats} (spec §4.7.4) and who share files in {@code files}. */
    public VideoRooms(VideoRoomConfig config, RoomMedia media, RoomChats chats, RoomFiles files) {
        this(config, media, chats, files, RoomRecordings.DISABLED);
    }

    /**
     * Rooms as above whose publishers are recorded by {@code recordings} where the room's options say so; no mixed
     * track (no mixer clock).
     */
    public VideoRooms(VideoRoomConfig config, RoomMedia media, RoomChats chats, RoomFiles files,
                      RoomRecordings recordings) {
        this(config, media, chats, files, recordings, null);
    }

    /** Rooms as above whose audio mixes (a recorded room's mixed track) run on {@code mixing}. */
    public VideoRooms(VideoRoomConfig config, RoomMedia media, RoomChats chats, RoomFiles files,
                      RoomRecordings recordings, MixerClock mixing) {
        this.mixing = mixing;
        this.recordings = recordings;
        this.config = config;
        this.media = media;
        this.chats = chats;
        this.files = files;
    }

    /** How the members' chat bridges are made (spec §4.7.4). */
    RoomChats chats() {
        return chats;
    }

    VideoRoomConfig config() {
        return config;
    }

    RoomMedia media() {
        return media;
    }

    RoomFiles files() {
        return files;
    }

    /** What a SIP phone's voice publisher forwards with (issue 13): audio only, the rooms' forwarding limits. */
    public SfuSettings phoneSettings() {
        return new SfuSettings(config.defaults().videoCodec(), true, false, config.keyframeRequestInterval(),
                config.retransmissionCacheSize());
    }

    /**
     * A join of {@code account} begins: the room {@code uri}, created with these media if it does not exist.
     *
     * @throws RequestError the room's access list refuses the account (spec §4.6.2, §8.3), or the room has
     *                      {@code max_publishers} publishers already
     */
    synchronized VideoRoom enter(String uri, String account, boolean audio, boolean video) throws RequestError {
        if (!config.room(uri).access().allows(account)) {
            throw new RequestError(account + " is not allowed to join room " + uri);
        }
        VideoRoom room = rooms.computeIfAbsent(key(uri), created -> {
            LOG.info(() -> "room " + uri + " created");
            VideoRoom made = new VideoRoom(uri, config.room(uri), audio, video);
            made.sharedFiles.addAll(files.restore(made));
            return made;
        });
        if (room.members.size() + room.joining >= config.maxPublishers()) {
            throw new RequestError("Maximum number of publishers (" + config.maxPublishers() + ") already reached");
        }
        room.joining++;
        return room;
    }

    /**
     * A room's identity: its URI in lower case, as its files directory and the file-sharing URLs name it (spec
     * §4.10.5), so that {@code Room1@...} and {@code room1@...} are one room rather than two sharing one directory.
     */
    private static String key(String uri) {
        return uri.toLowerCase(Locale.ROOT);
    }

    /** A join that {@link #enter} began failed. */
    synchronized void abandon(VideoRoom room) {
        room.joining--;
        destroyIfEmpty(room);
    }

    /**
     * A join completes: {@code member} becomes a publisher of its room, and every other publisher is told
     * ({@code publishers-joined}, spec §4.6.3); its recording starts if the room records.
     *
     * @return the room's other publishers (for the joiner's {@code initial-publishers})
     */
    synchronized List<VideoroomPublisher> admit(RoomMember member) {
        VideoRoom room = member.room;
        room.joining--;
        List<VideoroomPublisher> others = room.members.stream().map(RoomMember::describe).toList();
        for (RoomMember other : room.members) {
            other.tell(VideoroomEvent.publishersJoined(other.id, List.of(member.describe())));
        }
        room.members.add(member);
        recordings.start(member);
        mix(member);
        LOG.info(() -> member + " joined, " + room.members.size() + " publishers");
        applyBitrates(room);
        return others;
    }

    /**
     * A publisher just admitted into its room's audio mix, the mix made first when the room needs one and has none: a
     * recorded room's mixed track starts with its first publisher (issue 13).
     */
    private void mix(RoomMember member) {
        VideoRoom room = member.room;
        if (room.mix == null && mixing != null && recordings.records(room)) {
            room.mix = new RoomMix(room.uri, mixing);
            recordings.startMix(room);
        }
        // a phone is in the mix both ways already (RoomMix#phone): its voice publisher talking there too would make
        // it hear itself
        if (room.mix != null && member.media != null && member.phone == null) {
            member.media.mixInto(room.mix);
        }
    }

    /** Why a SIP phone is not let into a room: the final response to its INVITE. */
    public static final class PhoneRefused extends Exception {

        private static final long serialVersionUID = 1L;

        private final int status;

        PhoneRefused(int status, String reason) {
            super(reason);
            this.status = status;
        }

        /** The SIP status code. */
        public int status() {
            return status;
        }
    }

    /** A SIP phone in a video room, from {@link #joinPhone} until {@link #leave()}. */
    public final class PhoneMember {

        private final RoomMember member;

        private PhoneMember(RoomMember member) {
            this.member = member;
        }

        /** Its publisher session id, as browsers see it in {@code publishers-joined} and attach its feed. */
        public String id() {
            return member.id;
        }

        /**
         * The phone hung up (or was hung up on): out of the mix, its voice publisher and every feed of it closed, the
         * other members told ({@code publishers-left}); the room goes if it was the last. Idempotent.
         */
        public void leave() {
            leavePhone(member);
        }

        /**
         * Puts the phone on hold or takes it off (RFC 3264 §8.4, its re-INVITE): held, it neither hears the room nor
         * is heard in its mix (as a conference's members, {@code Member#hold}).
         */
        public void hold(boolean held) {
            member.phone.member().hold(held);
        }

        /** Whether the phone is on hold. */
        public boolean onHold() {
            return member.phone.member().onHold();
        }

        @Override
        public String toString() {
            return member.toString();
        }
    }

    /**
     * A SIP phone joins the video room {@code uri} (issue 13) as an audio-only publisher: the room's audio mix is made
     * if it has none (every publisher's audio goes in), {@code line} puts the phone's RTP into it (what it hears, mix
     * minus itself, and its voice re-encoded into {@code voice}), and the other members are told of it
     * ({@code publishers-joined} with {@code displayName}) and attach {@code voice} like any publisher's feed.
     *
     * @param aor  the caller's {@code user@host}, for the room's access list (spec §8.3) and the member's identity
     * @param line {@code (mix, id) -> RoomMix#phone}: the phone in the room's mix, under this registry's monitor
     * @throws PhoneRefused 404 there is no such room now (a video room exists while it has publishers, spec §4.6.1;
     *                      a phone does not create one), 403 the room's access list refuses the caller, 486 the
     *                      room has {@code max_phones} phones or {@code max_publishers} publishers, 503 the rooms
     *                      have no audio mixing
     */
    public synchronized PhoneMember joinPhone(String uri, String aor, String displayName, Publisher voice,
                                              BiFunction<RoomMix, String, RoomMix.Phone> line) throws PhoneRefused {
        VideoRoom room = rooms.get(key(uri));
        if (room == null) {
            throw new PhoneRefused(404, "No video room " + uri);
        }
        if (!room.config.access().allows(aor)) {
            throw new PhoneRefused(403, aor + " is not allowed to join room " + uri);
        }
        if (mixing == null) {
            throw new PhoneRefused(503, "Video rooms take no phones here");
        }
        long phones = room.members.stream().filter(member -> member.phone != null).count();
        if (phones >= config.maxPhones()) {
            throw new PhoneRefused(486, "Room " + uri + " has " + phones + " phones already");
        }
        if (room.members.size() + room.joining >= config.maxPublishers()) {
            throw new PhoneRefused(486, "Maximum number of publishers (" + config.maxPublishers()
                    + ") already reached");
        }
        if (room.mix == null) {
            room.mix = new RoomMix(room.uri, mixing);
            for (RoomMember member : room.members) {
                if (member.media != null) {
                    member.media.mixInto(room.mix);
                }
            }
        }
        RoomMember phone = new RoomMember(UUID.randomUUID().toString(), null,
                new Account(aor, null, displayName, null, List.of()), room);
        phone.media = voice;
        phone.phone = line.apply(room.mix, phone.id);
        phone.state = RoomMember.State.ESTABLISHED;
        room.joining++;
        admit(phone);
        return new PhoneMember(phone);
    }

    /**
     * A phone leaves; when it was the room's last and the room does not record, the mix it needed stops (it would
     * decode every publisher's audio for nobody) and its publishers leave it.
     */
    private synchronized void leavePhone(RoomMember phone) {
        if (phone.state == RoomMember.State.TERMINATED) {
            return;
        }
        phone.phone.leave();
        phone.state = RoomMember.State.TERMINATED;
        leave(phone);
        phone.media.close();
        VideoRoom room = phone.room;
        if (room.mix != null && rooms.get(key(room.uri)) == room && !recordings.records(room)
                && room.members.stream().noneMatch(member -> member.phone != null)) {
            for (RoomMember member : room.members) {
                if (member.media != null) {
                    member.media.leaveMix();
                }
            }
            room.mix.close();
            room.mix = null;
        }
    }

    /** Members of room {@code uri}'s audio mix (talkers, phones, the recording); 0 without a mix or a room. */
    synchronized int mixMembers(String uri) {
        VideoRoom room = rooms.get(key(uri));
        return room == null || room.mix == null ? 0 : room.mix.members();
    }

    /**
     * What a member just admitted learns of the room after its {@code initial-publishers} (spec §4.6.2): the active
     * participants, the files shared and the raised hands, when there are some.
     */
    synchronized List<SylkRtcMessage> state(RoomMember member) {
        VideoRoom room = member.room;
        List<SylkRtcMessage> events = new java.util.ArrayList<>();
        if (!room.activeParticipants.isEmpty()) {
            events.add(VideoroomEvent.configure(member.id, ROOM, room.activeParticipants));
        }
        if (!room.sharedFiles.isEmpty()) {
            events.add(new VideoroomFileSharingEvent(member.id, room.sharedFiles));
        }
        if (!room.raisedHands.isEmpty()) {
            events.add(VideoroomEvent.raisedHands(member.id, List.copyOf(room.raisedHands)));
        }
        return events;
    }

    /**
     * videoroom-configure (spec §4.6.6): the room's active participants, told to every member; the bandwidth is
     * shared again.
     *
     * @throws RequestError an id is not a publisher session of the room
     */
    synchronized void configure(RoomMember originator, List<String> active) throws RequestError {
        VideoRoom room = originator.room;
        List<String> unknown = active.stream().filter(id -> !room.hasMember(id)).toList();
        if (!unknown.isEmpty()) {
            throw new RequestError("unknown participant session id: " + String.join(", ", unknown));
        }
        room.activeParticipants = List.copyOf(active);
        for (RoomMember member : room.members) {
            member.tell(VideoroomEvent.configure(member.id, originator.id, room.activeParticipants),
                    originator.connection);
        }
        applyBitrates(room);
    }

    /** A publisher's own bitrate limit ({@code videoroom-session-update}), under the room's policy. */
    synchronized void limitBitrate(RoomMember member, long bitsPerSecond) {
        member.bitrateLimit = bitsPerSecond;
        if (member.room.members.contains(member)) {
            applyBitrates(member.room);
        }
    }

    /** videoroom-mute-audio-participants (spec §4.6.7): every member is asked to mute (the client does). */
    synchronized void muteAudio(RoomMember originator) {
        for (RoomMember member : originator.room.members) {
            member.tell(VideoroomEvent.muteAudio(member.id, originator.id), originator.connection);
        }
    }

    /**
     * videoroom-toggle-hand (spec §4.6.7): raises or lowers the hand of {@code id}, told to every member.
     *
     * @throws RequestError {@code id} is not a publisher session of the room
     */
    synchronized void toggleHand(RoomMember originator, String id) throws RequestError {
        VideoRoom room = originator.room;
        if (!room.hasMember(id)) {
            throw new RequestError("unknown participant session id: " + id);
        }
        if (!room.raisedHands.remove(id)) {
            room.raisedHands.add(id);
        }
        tellRaisedHands(room, originator.connection);
    }

    private void tellRaisedHands(VideoRoom room, SylkRtcConnection requester) {
        for (RoomMember member : room.members) {
            member.tell(VideoroomEvent.raisedHands(member.id, List.copyOf(room.raisedHands)), requester);
        }
    }

    /** The room's bandwidth policy (spec §4.6.6) applied to its publishers, as REMB. */
    private void applyBitrates(VideoRoom room) {
        Map<String, Long> bitrates = BitratePolicy.bitrates(room.members.stream().map(member -> member.id).toList(),
                room.activeParticipants, room.config.maxBitrate());
        for (RoomMember member : room.members) {
            long limit = member.bitrateLimit;
            member.media.maxBitrate(limit > 0 ? Math.min(limit, bitrates.get(member.id)) : bitrates.get(member.id));
        }
    }

    /**
     * {@code member} leaves its room: every other publisher is told ({@code publishers-left}, spec §4.6.3; all of
     * them, not only those that attached its feed as the original does, quirk Q10).
     */
    synchronized void leave(RoomMember member) {
        VideoRoom room = member.room;
        if (!room.members.remove(member)) {
            return;
        }
        for (RoomMember other : room.members) {
            other.tell(VideoroomEvent.publishersLeft(other.id, List.of(member.id)));
        }
        if (room.activeParticipants.contains(member.id)) {
            room.activeParticipants = room.activeParticipants.stream().filter(id -> !id.equals(member.id)).toList();
            for (RoomMember other : room.members) {
                other.tell(VideoroomEvent.configure(other.id, ROOM, room.activeParticipants));
            }
        }
        if (room.raisedHands.remove(member.id)) {
            tellRaisedHands(room, member.connection);
        }
        LOG.info(() -> member + " left, " + room.members.size() + " publishers");
        applyBitrates(room);
        destroyIfEmpty(room);
    }

    /** The admitted publisher {@code id} of {@code room}, or null. */
    synchronized RoomMember member(VideoRoom room, String id) {
        for (RoomMember member : room.members) {
            if (member.id.equals(id)) {
                return member;
            }
        }
        return null;
    }

    /**
     * The admitted publisher session {@code id} of room {@code uri} (looked up lower-cased, spec §4.10.5), or null:
     * who may share a file there.
     */
    synchronized RoomMember publisher(String uri, String id) {
        VideoRoom room = rooms.get(key(uri));
        return room == null ? null : member(room, id);
    }

    /**
     * A publisher shares a file (spec §4.10.5): {@code staged} is kept in its room as {@code name} and every member is
     * told ({@code file-sharing} with that file, §4.6.8). Under this monitor, so that a member joining meanwhile
     * learns of it once, and the room's files are not being discarded meanwhile.
     *
     * @throws UploadRefused the uploader left the room during the upload (403), or the room's files would take
     *                        more than {@code filesharing_max_room_size} (413)
     * @throws IOException    the file could not be stored
     */
    synchronized SharedFile share(RoomMember uploader, String name, UploadStaging.Staged staged)
            throws UploadRefused, IOException {
        VideoRoom room = uploader.room;
        if (!room.members.contains(uploader)) {
            throw new UploadRefused(403, "Session " + uploader.id + " left room " + room.uri + " during the upload");
        }
        files.check(room, staged.length());
        SharedFile file = files.keep(uploader, name, staged);
        room.sharedFiles.add(file);
        LOG.info(() -> uploader + " shared " + file);
        for (RoomMember member : room.members) {
            member.tell(new VideoroomFileSharingEvent(member.id, List.of(file)));
        }
        return file;
    }

    /**
     * Tells every room's members its publishers' audio levels and active speaker ({@code conference-audio-levels},
     * spec Q23) every {@code [VideoRooms] audio_levels_interval} on {@code timer}, when they changed; none when the
     * interval is 0.
     */
    public void audioLevels(ScheduledExecutorService timer) {
        long interval = config.audioLevelsInterval().toMillis();
        if (interval > 0) {
            timer.scheduleWithFixedDelay(() -> {
                try {
                    tellAudioLevels();
                } catch (RuntimeException e) {
                    // a failed round must not cancel the next ones
                    LOG.log(Level.WARNING, "audio levels not told", e);
                }
            }, interval, interval, TimeUnit.MILLISECONDS);
        }
    }

    /** One round of {@link #audioLevels}: the levels of each room's publishers (silence until their audio comes). */
    synchronized void tellAudioLevels() {
        for (VideoRoom room : rooms.values()) {
            Map<String, Integer> dBov = new LinkedHashMap<>();
            for (RoomMember member : room.members) {
                if (member.media != null) {
                    dBov.put(member.id, member.media.audioLevel());
                }
            }
            String speaker = room.activeSpeaker.update(dBov);
            List<ParticipantAudioLevel> levels = dBov.entrySet().stream()
                    .map(level -> new ParticipantAudioLevel(level.getKey(),
                            ParticipantAudioLevel.amplitude(level.getValue())))
                    .toList();
            if (levels.equals(room.toldLevels) && Objects.equals(speaker, room.toldSpeaker)) {
                continue;
            }
            room.toldLevels = levels;
            room.toldSpeaker = speaker;
            for (RoomMember member : room.members) {
                member.tell(VideoroomEvent.audioLevels(member.id, levels, speaker));
            }
        }
    }

    /** The publisher session ids of room {@code uri} in the order they joined; none when it does not exist. */
    synchronized List<String> publishers(String uri) {
        VideoRoom room = rooms.get(key(uri));
        return room == null ? List.of() : room.members.stream().map(member -> member.id).toList();
    }

    /** Whether room {@code uri} exists now. */
    synchronized boolean exists(String uri) {
        return rooms.containsKey(key(uri));
    }

    private void destroyIfEmpty(VideoRoom room) {
        if (room.isEmpty() && rooms.remove(key(room.uri), room)) {
            LOG.info(() -> room + " destroyed");
            if (room.mix != null) {
                room.mix.close();
            }
            files.discard(room);
        }
    }
}
