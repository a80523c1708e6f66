package org.sylkserver.conference;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.logging.Logger;

import org.sylkserver.conference.chat.ChatSwitch;
import org.sylkserver.conference.chat.ChatMember;
import org.sylkserver.conference.chat.JoinInfo;
import org.sylkserver.conference.chat.Identity;
import org.sylkserver.conference.screen.ScreenSharing;
import org.sylkserver.core.files.FileSelector;
import org.sylkserver.core.files.FileSizes;
import org.sylkserver.conference.files.RoomFiles;
import org.sylkserver.core.SerialExecutor;
import org.sylkserver.core.Version;
import org.sylkserver.media.RtpAudioEndpoint;
import org.sylkserver.media.codec.AudioCodec;
import org.sylkserver.media.mixer.AudioMixer;
import org.sylkserver.media.mixer.Member;
import org.sylkserver.media.mixer.MixerClock;
import org.sylkserver.media.mixer.Prompt;

/**
 * One ad-hoc room (spec §3.1): created by its first participant, destroyed with all its state when the last one
 * leaves. Owns the mixer, the participants' state machines ({@link Participant.State}), music on hold and what its
 * conference-info says; publishes that through a {@link ConferenceInfoPublisher}.
 *
 * <p>Threads: the room's {@link SerialExecutor} owns its state. Every event is posted to it, whichever thread it
 * comes from: joins and leaves (from {@link Rooms}), re-INVITE changes (SIP threads), DTMF digits (the media I/O
 * thread), the ends of prompts (the mixer clock), screen sharing's announcements and upload news (MSRP threads and
 * timers). Other threads only read {@link #participants} (a copy-on-write list) and the participants' states.
 */
final class Room {

    private static final Logger log = Logger.getLogger(Room.class.getName());

    final String name;
    /** The room's chat (spec §3.4). */
    final ChatSwitch chat;
    /** The room's uploaded files (spec §3.5), deleted with it. */
    final RoomFiles files;
    /** The room's screen sharing (spec §3.7). */
    private final ScreenSharing screenSharing;
    private final AudioMixer mixer;
    private final MixerClock clock;
    private final boolean musicOnHoldEnabled;
    private final SerialExecutor owner;
    private final PinAttempts pinAttempts;
    private final Rooms.Calls calls;
    private final ConferenceInfoPublisher publisher;
    /** The participants the registry counts, to know when the last one leaves; only inside the registry's compute. */
    private final Set<Participant> members = new HashSet<>();
    /** The participants the room has taken in (executor); read by any thread. */
    private final List<Participant> participants = new CopyOnWriteArrayList<>();
    private long version;
    private Prompt musicOnHold;
    private Member musicListener;
    private boolean stopped;

    /** Attempts before a caller who keeps typing a wrong PIN is sent away. */
    static final int PIN_ATTEMPTS = 3;

    private final String pin;

    /** How others can join, for conference-info. */
    private final JoinInfo joinInfo;

    /** A room made with what {@code rooms} gives every room; its settings are read once, now. */
    Room(String name, Rooms rooms) {
        ConferenceSettings settings = rooms.settings;
        this.joinInfo = settings.joinInfo(name);
        this.pin = settings.pin(name).orElse(null);
        this.name = name;
        this.clock = rooms.clock;
        this.owner = new SerialExecutor(rooms.pool, log, "room " + name);
        this.pinAttempts = rooms.pinAttempts;
        this.calls = rooms.calls;
        this.mixer = new AudioMixer(name, settings.maxSpeakers());
        this.screenSharing = new ScreenSharing(name, rooms.screenSharing, owner,
                text -> owner.execute(() -> announce(text)), this::notifySubscribers);
        this.chat = new ChatSwitch(name, settings.historySize(), settings.historyBytes(), joinInfo,
                screenSharing::frame, owner, this::changed);
        this.files = new RoomFiles(rooms.filesRoot, name, rooms.filesSpace);
        this.musicOnHoldEnabled = settings.musicOnHold(name);
        this.publisher = rooms.publishers.apply(this);
        clock.start(mixer);
        log.info(() -> "room " + name + " created");
    }

    /** Where the room's conference-info goes. */
    ConferenceInfoPublisher publisher() {
        return publisher;
    }

    /** Runs {@code task} on the room's executor, after the events posted before it. */
    void execute(Runnable task) {
        owner.execute(task);
    }

    /** The registry's join (inside its compute): counted now, taken in on the executor, then published. */
    void join(Participant participant, int payloadType, Supplier<AudioCodec> codecs) {
        members.add(participant);
        owner.execute(() -> add(participant, payloadType, codecs));
        notifySubscribers();
    }

    /** The registry's leave (inside its compute): whether it was the last participant (the room is then stopped). */
    boolean leave(Participant participant) {
        if (!members.remove(participant)) {
            return false;
        }
        owner.execute(() -> remove(participant));
        if (members.isEmpty()) {
            owner.execute(this::stop);
            return true;
        }
        notifySubscribers();
        return false;
    }

    private void add(Participant participant, int payloadType, Supplier<AudioCodec> codecs) {
        long others = participants.stream().map(p -> p.uri).filter(uri -> !uri.equals(participant.uri)).distinct()
                .count();
        boolean sameUserHere = participants.stream().anyMatch(p -> p.uri.equals(participant.uri));
        if (pin == null || (participant.endpoint == null && admits(participant.uri))) {
            // a session without audio cannot type the PIN: the servlet lets it in only for a user who typed it already
            participant.admit();
        }
        participants.add(participant);
        participant.room = name;
        ChatMember stream = participant.chat;
        if (!sameUserHere) {
            String types = participant.endpoint != null && stream != null ? "audio and chat"
                    : participant.endpoint != null ? "audio" : "chat";
            chat.status(identity(participant) + " has joined the room with " + types, stream);
        }
        if (stream != null && participant.admitted()) {
            startChat(participant, stream, (int) others);
        }
        if (participant.endpoint == null) {
            log.info(() -> participant + " joined room " + name + " with chat only (" + participants.size()
                    + " sessions)");
            return;
        }
        joinMixer(participant, payloadType, codecs, true, (int) others);
        log.info(() -> participant + " joined room " + name + " (" + participants.size() + " sessions, "
                + others + " other users" + (sameUserHere ? ", same user again" : "") + ")");
    }

    /**
     * Whether {@code uri} ({@code user@host}) is in the room now, past its PIN if it has one (issue 11: before that
     * the room's chat, history, files and conference-info stay closed to it, whatever its streams). Any thread.
     */
    boolean admits(String uri) {
        return participants.stream().anyMatch(p -> p.uri.equals(uri) && p.admitted());
    }

    private void startChat(Participant participant, ChatMember stream, int others) {
        stream.joined(chat);
        chat.welcome(stream, others);
        chat.join(stream);
        zrtpSas(participant);
    }

    /** The participant's audio into the mixer, isolated while it hears its welcome (or is asked for the PIN). */
    private void joinMixer(Participant participant, int payloadType, Supplier<AudioCodec> codecs, boolean initial,
                           int others) {
        RtpAudioEndpoint endpoint = participant.endpoint;
        if (endpoint == null || endpoint.isClosed() || participant.left()) {
            return; // its audio went (or its call ended, or it left) before the room took it in
        }
        Member member = mixer.join(participant.uri + " " + participant.callId, payloadType, codecs,
                (payload, ts, marker) -> endpoint.send(payloadType, payload, ts, marker));
        member.isolate(true);
        member.hold(participant.onHold());
        participant.member = member;
        endpoint.receive(member::offer);
        if (!participant.admitted()) {
            participant.pinAsked();
            member.play(Prompt.once(Sounds.get("co_enter_pin"), () -> { }));
        } else {
            member.play(Prompt.once(Sounds.welcome(initial, others),
                    () -> owner.execute(() -> connected(participant))));
        }
    }

    private int othersThan(Participant participant) {
        return (int) participants.stream().map(p -> p.uri).filter(uri -> !uri.equals(participant.uri)).distinct()
                .count();
    }

    /** A re-INVITE added chat to the participant's session (spec §3.2): welcome, history, then the switch. */
    void addChat(Participant participant, ChatMember stream) {
        owner.execute(() -> {
            participant.chat = stream;
            if (participant.admitted()) {
                startChat(participant, stream, othersThan(participant));
            }
            log.info(() -> participant + " added chat in room " + name);
            changed();
        });
    }

    /** A re-INVITE removed the participant's chat. */
    void removeChat(Participant participant, ChatMember stream) {
        owner.execute(() -> {
            chat.leave(stream);
            log.info(() -> participant + " removed chat in room " + name);
            changed();
        });
    }

    /**
     * A re-INVITE added audio to the participant's session ({@code participant.endpoint} set and started): it
     * hears how many are here (not the welcome, spec §3.3), then joins the mix.
     */
    void addAudio(Participant participant, int payloadType, Supplier<AudioCodec> codecs) {
        owner.execute(() -> {
            joinMixer(participant, payloadType, codecs, false, othersThan(participant));
            log.info(() -> participant + " added audio in room " + name);
            changed();
        });
    }

    /** A re-INVITE removed the participant's audio: out of the mixer (the caller closes the endpoint). */
    void removeAudio(Participant participant) {
        owner.execute(() -> {
            Member member = participant.member;
            participant.member = null;
            if (member != null) {
                member.leave();
                if (member == musicListener) {
                    musicOnHold.stop();
                    musicListener = null;
                }
            }
            updateMusicOnHold();
            log.info(() -> participant + " removed audio in room " + name);
            changed();
        });
    }

    /**
     * A key pressed by {@code participant} (RFC 4733): while the room asks for its PIN, digits are collected until
     * {@code #} or as many as the PIN has; a wrong PIN is asked for again, three wrong ones end the call.
     */
    void digit(Participant participant, char key) {
        owner.execute(() -> typed(participant, key));
    }

    private void typed(Participant participant, char key) {
        Member member = participant.member;
        if (!participant.pinPending() || pin == null || member == null) {
            return; // late digits of a call that left, or whose audio a re-INVITE removed: nothing to answer with
        }
        if (key != '#') {
            participant.pinDigits.append(key);
        }
        if (key != '#' && participant.pinDigits.length() < pin.length()) {
            return;
        }
        boolean right = java.security.MessageDigest.isEqual(participant.pinDigits.toString().getBytes(),
                pin.getBytes());
        participant.pinDigits.setLength(0);
        if (right) {
            participant.admit();
            long others = participants.stream().map(p -> p.uri).filter(uri -> !uri.equals(participant.uri))
                    .distinct().count();
            log.info(() -> participant + ": PIN accepted for room " + name);
            if (participant.chat != null) {
                startChat(participant, participant.chat, (int) others);
            }
            List<short[]> pieces = new java.util.ArrayList<>(List.of(Sounds.get("co_right_pin"), Sounds.pause(300)));
            pieces.addAll(Sounds.welcome(true, (int) others));
            member.play(Prompt.once(pieces, () -> owner.execute(() -> connected(participant))));
        } else if (!mayTryAgain(participant)) {
            participant.pinRefused();
            int failures = participant.pinFailures;
            log.info(() -> participant + ": wrong PIN " + failures + " times for room " + name + ", refused"
                    + (failures < PIN_ATTEMPTS ? " (too many wrong PINs from " + participant.source + ")" : ""));
            member.play(Prompt.once(Sounds.get("co_pin_refused"),
                    () -> owner.execute(() -> calls.hangUp(participant, "PIN refused"))));
        } else {
            int failures = participant.pinFailures;
            log.info(() -> participant + ": wrong PIN for room " + name + " (attempt " + failures + ")");
            member.play(Prompt.once(List.of(Sounds.get("co_wrong_pin"), Sounds.pause(300), Sounds.get("co_enter_pin")),
                    () -> { }));
        }
    }

    /**
     * Counts a wrong PIN of {@code participant}, in its call and at its source address; whether it may try again
     * ({@value #PIN_ATTEMPTS} per call, {@code pin_failures_per_minute} per address).
     */
    private boolean mayTryAgain(Participant participant) {
        participant.pinFailures++;
        pinAttempts.failed(participant.source);
        return participant.pinFailures < PIN_ATTEMPTS && pinAttempts.allows(participant.source);
    }

    /** {@code Display Name <user@host>} or {@code user@host} (spec §3.3). */
    private static String identity(Participant participant) {
        return Identity.shown(participant.displayName, participant.uri);
    }

    /**
     * Tells the participant the SAS of its ZRTP audio over its own chat, when it has one, the chat is secure and
     * {@code zrtp_auto_verify} is on (spec §3.8): at the welcome, and whenever the SAS arrives later.
     */
    void zrtpSas(Participant participant) {
        owner.execute(() -> tellSas(participant));
    }

    private void tellSas(Participant participant) {
        ChatMember stream = participant.chat;
        String sas = participant.sas;
        if (stream != null && sas != null) {
            stream.tellSas(sas, chat);
        }
    }

    /** An upload to the room started (spec §3.5): the chat hears of it. */
    void uploadStarted(String identity, FileSelector file) {
        String name = file.name() == null ? "file" : file.name();
        int dot = name.lastIndexOf('.');
        announce("Room " + this.name + " - " + identity + " is uploading file "
                + (dot > 0 ? name.substring(0, dot) : name)
                + (file.size() >= 0 ? " (" + FileSizes.format(file.size()) + ")" : ""));
    }

    /** An upload arrived whole: announced, listed in conference-info. */
    void uploaded(String identity, RoomFiles.RoomFile file) {
        announce(identity + " has uploaded file " + file.name() + " (" + FileSizes.format(file.size()) + ")");
        notifySubscribers();
    }

    /** An upload failed: nothing was listed. */
    void uploadFailed(String name, String why) {
        announce("File transfer for " + (name == null ? "file" : name) + " failed: " + why);
    }

    /** A status message to every chat participant, in the order of the room's events. */
    private void announce(String text) {
        owner.execute(() -> chat.status(text, null));
    }

    /** After the welcome: into the mix; the others hear the join tone. */
    private void connected(Participant participant) {
        Member member = participant.member;
        if (participant.left() || stopped || member == null) {
            return;
        }
        mixer.play(Prompt.once(Sounds.get("joined_tone"), () -> { }));
        member.isolate(false);
        updateMusicOnHold();
    }

    private void remove(Participant participant) {
        if (!participants.remove(participant)) {
            return;
        }
        participant.leave();
        if (participant.chat != null) {
            chat.leave(participant.chat);
        }
        if (participants.stream().noneMatch(p -> p.uri.equals(participant.uri))) {
            chat.status(identity(participant) + " has left the room after "
                    + ChatSwitch.duration(java.time.Duration.between(participant.joined, java.time.Instant.now())), null);
        }
        Member member = participant.member;
        if (member != null) {
            member.leave();
        }
        if (member != null && member == musicListener) {
            musicOnHold.stop();
            musicListener = null;
        }
        mixer.play(Prompt.once(Sounds.get("left_tone"), () -> { }));
        updateMusicOnHold();
        log.info(() -> participant + " left room " + name + " (" + participants.size() + " sessions remain)");
    }

    /** The participant's hold state changed (re-INVITE with sendonly/inactive, or back to sendrecv). */
    void hold(Participant participant, boolean onHold) {
        owner.execute(() -> {
            if (!participant.hold(onHold)) {
                return;
            }
            Member member = participant.member;
            if (member != null) {
                member.hold(onHold);
            }
            updateMusicOnHold();
            changed();
        });
    }

    /** Music on hold plays to the only connected participant, if the room allows it (spec §3.3). */
    private void updateMusicOnHold() {
        List<Member> connected = participants.stream().map(p -> p.member)
                .filter(m -> m != null && !m.isolated() && !m.onHold()).toList();
        Member alone = connected.size() == 1 ? connected.get(0) : null;
        if (musicListener != null && musicListener != alone) {
            musicOnHold.stop();
            musicListener = null;
        }
        if (alone != null && musicListener == null && musicOnHoldEnabled && !stopped) {
            musicOnHold = Prompt.looping(Sounds.musicOnHold());
            musicListener = alone;
            alone.play(musicOnHold);
        }
    }

    /** The participants now. */
    List<Participant> participants() {
        return List.copyOf(participants);
    }

    private void stop() {
        stopped = true;
        clock.stop(mixer);
        files.delete();
        screenSharing.close();
        publisher.close(this::document);
        log.info(() -> "room " + name + " destroyed");
    }

    /** Publishes the room's conference-info (spec §3.6): after the events posted before. */
    void notifySubscribers() {
        owner.execute(this::changed);
    }

    /** The room's conference-info changed: publish it now (executor). */
    private void changed() {
        if (!stopped) {
            publisher.publish(this::document);
        }
    }

    /** The chat's nicknames as conference-info shows them (spec §3.4, §3.6); read on the executor. */
    private final ConferenceInfo.Nicknames nicknames = new ConferenceInfo.Nicknames() {
        @Override
        public String of(Participant participant) {
            ChatMember stream = participant.chat;
            return stream == null ? null : chat.nickname(stream);
        }

        @Override
        public String lastOf(String uri) {
            return chat.lastNickname(uri);
        }
    };

    /** A new version of the room's conference-info document (RFC 4575); on the executor. */
    String document() {
        version++;
        return ConferenceInfo.document(name, version, participants, nicknames, files.list(),
                screenSharing.imageUrls(), joinInfo, Version.current());
    }
}
