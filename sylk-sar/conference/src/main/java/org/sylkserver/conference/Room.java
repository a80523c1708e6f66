package org.sylkserver.conference;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipSession;

import org.sylkserver.core.Version;
import org.sylkserver.media.RtpAudioEndpoint;
import org.sylkserver.media.codec.AudioCodec;
import org.sylkserver.media.mixer.AudioMixer;
import org.sylkserver.media.mixer.Member;
import org.sylkserver.media.mixer.MixerClock;
import org.sylkserver.media.mixer.Prompt;

/**
 * One ad-hoc room (spec §3.1): created by its first participant, destroyed with all its state when the last one
 * leaves. Owns the mixer, the participants, the conference-event subscriptions and music on hold.
 */
final class Room {

    private static final Logger log = Logger.getLogger(Room.class.getName());

    /** Every room by {@code user@host}. */
    private static final Map<String, Room> ROOMS = new ConcurrentHashMap<>();
    /** {@code file_transfer_dir}: each room keeps its files in a directory of its own under it. */
    private static volatile java.nio.file.Path filesRoot =
            java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "sylk-conference-files");

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
    private final List<Participant> participants = new CopyOnWriteArrayList<>();
    private final Map<SipSession, Long> subscribers = new ConcurrentHashMap<>();
    private long version;
    private Prompt musicOnHold;
    private Member musicListener;
    private boolean stopped;

    /** Attempts before a caller who keeps typing a wrong PIN is sent away. */
    static final int PIN_ATTEMPTS = 3;

    private final String pin;

    /** How others can join, for conference-info. */
    private final JoinInfo joinInfo;

    private Room(String name, MixerClock clock, int maxSpeakers, boolean musicOnHold, String pin, int historySize,
                 long historyBytes, JoinInfo joinInfo) {
        this.joinInfo = joinInfo;
        this.pin = pin;
        this.name = name;
        this.clock = clock;
        this.mixer = new AudioMixer(name, maxSpeakers);
        this.screenSharing = new ScreenSharing(name, ScreenSharing.Setup.current(), this::announce,
                this::notifySubscribers);
        this.chat = new ChatSwitch(name, historySize, historyBytes, joinInfo, screenSharing::frame);
        this.files = new RoomFiles(filesRoot, name);
        this.musicOnHoldEnabled = musicOnHold;
        clock.start(mixer);
        log.info(() -> "room " + name + " created");
    }

    /** Wrong PINs by source address, across rooms ({@code pin_failures_per_minute}). */
    private static volatile PinAttempts pinAttempts = new PinAttempts(5);

    /** Counts wrong PINs from now on with {@code attempts}. */
    static void pinAttempts(PinAttempts attempts) {
        pinAttempts = attempts;
    }

    /** Whether a caller from {@code source} may try a PIN now (issue 11: PIN attempts limited per source). */
    static boolean mayTryPin(String source) {
        return pinAttempts.allows(source);
    }

    /** Where rooms created from now on keep their files ({@code file_transfer_dir}). */
    static void filesRoot(java.nio.file.Path root) {
        filesRoot = root;
    }

    /** The room, if it exists. */
    static Room find(String name) {
        return ROOMS.get(name);
    }

    /** Number of rooms now. */
    static int count() {
        return ROOMS.size();
    }

    /**
     * Adds {@code participant} to room {@code name}, creating the room if needed; it hears its welcome prompts
     * alone, then is connected to the others.
     */
    static Room join(String name, MixerClock clock, ConferenceSettings settings, Participant participant,
                     int payloadType, Supplier<AudioCodec> codecs) {
        Room[] joined = new Room[1];
        ROOMS.compute(name, (key, room) -> {
            Room r = room != null ? room : new Room(key, clock, settings.maxSpeakers(), settings.musicOnHold(key),
                    settings.pin(key).orElse(null), settings.historySize(), settings.historyBytes(),
                    settings.joinInfo(key));
            r.add(participant, payloadType, codecs);
            joined[0] = r;
            return r;
        });
        joined[0].notifySubscribers();
        return joined[0];
    }

    private synchronized void add(Participant participant, int payloadType, Supplier<AudioCodec> codecs) {
        long others = participants.stream().map(p -> p.uri).filter(uri -> !uri.equals(participant.uri)).distinct()
                .count();
        boolean sameUserHere = participants.stream().anyMatch(p -> p.uri.equals(participant.uri));
        if (pin != null && participant.endpoint == null && admits(participant.uri)) {
            // a session without audio cannot type the PIN: the servlet lets it in only for a user who typed it already
            participant.pinAccepted = true;
        }
        participants.add(participant);
        participant.room = name;
        ChatStream stream = participant.chat;
        if (!sameUserHere) {
            String types = participant.endpoint != null && stream != null ? "audio and chat"
                    : participant.endpoint != null ? "audio" : "chat";
            chat.status(identity(participant) + " has joined the room with " + types, stream);
        }
        if (stream != null && admitted(participant)) {
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
     * Whether {@code participant} has the room: it has no PIN, or the participant typed it (issue 11: before that the
     * room's chat, history, files and conference-info stay closed to it, whatever its streams).
     */
    synchronized boolean admitted(Participant participant) {
        return pin == null || participant.pinAccepted;
    }

    /** Whether {@code uri} ({@code user@host}) is in the room now, past its PIN if it has one. */
    synchronized boolean admits(String uri) {
        return participants.stream().anyMatch(p -> p.uri.equals(uri) && !p.left && admitted(p));
    }

    private void startChat(Participant participant, ChatStream stream, int others) {
        stream.chatSwitch = chat;
        chat.welcome(stream, others);
        chat.join(stream);
        zrtpSas(participant);
    }

    /** The participant's audio into the mixer, isolated while it hears its welcome (or is asked for the PIN). */
    private void joinMixer(Participant participant, int payloadType, Supplier<AudioCodec> codecs, boolean initial,
                           int others) {
        RtpAudioEndpoint endpoint = participant.endpoint;
        Member member = mixer.join(participant.uri + " " + participant.callId, payloadType, codecs,
                (payload, ts, marker) -> endpoint.send(payloadType, payload, ts, marker));
        member.isolate(true);
        member.hold(participant.onHold);
        participant.member = member;
        endpoint.receive(member::offer);
        if (pin != null && !participant.pinAccepted) {
            participant.pinPending = true;
            member.play(Prompt.once(Sounds.get("co_enter_pin"), () -> { }));
        } else {
            member.play(Prompt.once(Sounds.welcome(initial, others), () -> connected(participant)));
        }
    }

    private int othersThan(Participant participant) {
        return (int) participants.stream().map(p -> p.uri).filter(uri -> !uri.equals(participant.uri)).distinct()
                .count();
    }

    /** A re-INVITE added chat to the participant's session (spec §3.2): welcome, history, then the switch. */
    void addChat(Participant participant, ChatStream stream) {
        synchronized (this) {
            participant.chat = stream;
            if (admitted(participant)) {
                startChat(participant, stream, othersThan(participant));
            }
        }
        log.info(() -> participant + " added chat in room " + name);
        notifySubscribers();
    }

    /** A re-INVITE removed the participant's chat. */
    void removeChat(Participant participant) {
        synchronized (this) {
            ChatStream stream = participant.chat;
            if (stream == null) {
                return;
            }
            chat.leave(stream);
            participant.chat = null;
        }
        log.info(() -> participant + " removed chat in room " + name);
        notifySubscribers();
    }

    /**
     * A re-INVITE added audio to the participant's session ({@code participant.endpoint} set and started): it
     * hears how many are here (not the welcome, spec §3.3), then joins the mix.
     */
    void addAudio(Participant participant, int payloadType, Supplier<AudioCodec> codecs) {
        synchronized (this) {
            joinMixer(participant, payloadType, codecs, false, othersThan(participant));
        }
        log.info(() -> participant + " added audio in room " + name);
        notifySubscribers();
    }

    /** A re-INVITE removed the participant's audio: out of the mixer (the caller closes the endpoint). */
    void removeAudio(Participant participant) {
        synchronized (this) {
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
        }
        log.info(() -> participant + " removed audio in room " + name);
        notifySubscribers();
    }

    /**
     * A key pressed by {@code participant} (RFC 4733): while the room asks for its PIN, digits are collected until
     * {@code #} or as many as the PIN has; a wrong PIN is asked for again, three wrong ones end the call.
     */
    synchronized void digit(Participant participant, char key) {
        Member member = participant.member;
        if (!participant.pinPending || participant.left || pin == null || member == null) {
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
            participant.pinPending = false;
            participant.pinAccepted = true;
            long others = participants.stream().map(p -> p.uri).filter(uri -> !uri.equals(participant.uri))
                    .distinct().count();
            log.info(() -> participant + ": PIN accepted for room " + name);
            if (participant.chat != null) {
                startChat(participant, participant.chat, (int) others);
            }
            List<short[]> pieces = new java.util.ArrayList<>(List.of(Sounds.get("co_right_pin"), Sounds.pause(300)));
            pieces.addAll(Sounds.welcome(true, (int) others));
            member.play(Prompt.once(pieces, () -> connected(participant)));
        } else if (!mayTryAgain(participant)) {
            participant.pinPending = false;
            int failures = participant.pinFailures;
            log.info(() -> participant + ": wrong PIN " + failures + " times for room " + name + ", refused"
                    + (failures < PIN_ATTEMPTS ? " (too many wrong PINs from " + participant.source + ")" : ""));
            member.play(Prompt.once(Sounds.get("co_pin_refused"), participant.hangUp));
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
    private static boolean mayTryAgain(Participant participant) {
        participant.pinFailures++;
        pinAttempts.failed(participant.source);
        return participant.pinFailures < PIN_ATTEMPTS && pinAttempts.allows(participant.source);
    }

    /** {@code Display Name <user@host>} or {@code user@host} (spec §3.3). */
    private static String identity(Participant participant) {
        return identity(participant.displayName, participant.uri);
    }

    static String identity(String display, String uri) {
        return display == null || display.isBlank() ? uri : display + " <" + uri + ">";
    }

    /**
     * Tells the participant the SAS of its ZRTP audio over its own chat, when it has one, the chat is secure and
     * {@code zrtp_auto_verify} is on (spec §3.8): at the welcome, and whenever the SAS arrives later.
     */
    void zrtpSas(Participant participant) {
        ChatStream stream = participant.chat;
        String sas = participant.sas;
        if (stream != null && sas != null && sas.equals(stream.sas.get()) && stream.secure()) {
            chat.sas(stream, sas);
        }
    }

    /** An upload to the room started (spec §3.5): the chat hears of it. */
    void uploadStarted(String identity, FileSelector file) {
        String name = file.name() == null ? "file" : file.name();
        int dot = name.lastIndexOf('.');
        chat.status("Room " + this.name + " - " + identity + " is uploading file "
                + (dot > 0 ? name.substring(0, dot) : name)
                + (file.size() >= 0 ? " (" + FileSizes.format(file.size()) + ")" : ""), null);
    }

    /** An upload arrived whole: announced, listed in conference-info. */
    void uploaded(String identity, RoomFiles.RoomFile file) {
        chat.status(identity + " has uploaded file " + file.name() + " (" + FileSizes.format(file.size()) + ")", null);
        notifySubscribers();
    }

    /** An upload failed: nothing was listed. */
    void uploadFailed(String name, String why) {
        chat.status("File transfer for " + (name == null ? "file" : name) + " failed: " + why, null);
    }

    /** A status message to every chat participant. */
    private void announce(String text) {
        chat.status(text, null);
    }

    /** After the welcome: into the mix; the others hear the join tone. Mixer thread. */
    private synchronized void connected(Participant participant) {
        Member member = participant.member;
        if (participant.left || stopped || member == null) {
            return;
        }
        mixer.play(Prompt.once(Sounds.get("joined_tone"), () -> { }));
        member.isolate(false);
        updateMusicOnHold();
    }

    /**
     * Removes {@code participant}; the last one out destroys the room: its mixer, its subscriptions (final
     * NOTIFY) and its state.
     */
    static void leave(Participant participant, String name) {
        Room room = ROOMS.get(name);
        if (room == null) {
            return;
        }
        boolean[] destroyed = new boolean[1];
        ROOMS.computeIfPresent(name, (key, r) -> {
            r.remove(participant);
            if (r.participants.isEmpty()) {
                destroyed[0] = true;
                return null;
            }
            return r;
        });
        if (destroyed[0]) {
            room.stop();
        } else {
            room.notifySubscribers();
        }
    }

    private synchronized void remove(Participant participant) {
        if (!participants.remove(participant)) {
            return;
        }
        participant.left = true;
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
        synchronized (this) {
            participant.onHold = onHold;
            Member member = participant.member;
            if (member != null) {
                member.hold(onHold);
            }
            updateMusicOnHold();
        }
        notifySubscribers();
    }

    /** Music on hold plays to the only connected participant, if the room allows it (spec §3.3). */
    private synchronized void updateMusicOnHold() {
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
        synchronized (this) {
            stopped = true;
        }
        clock.stop(mixer);
        files.delete();
        screenSharing.close();
        for (SipSession subscriber : subscribers.keySet()) {
            notify(subscriber, "terminated;reason=noresource");
        }
        subscribers.clear();
        log.info(() -> "room " + name + " destroyed");
    }

    /**
     * Whether {@code session} may (still) be subscribed: it already is (a refresh), or the room has fewer than
     * {@code max} subscriptions that have not expired ({@code max_subscriptions}).
     */
    boolean subscriptionAllowed(SipSession session, int max) {
        long now = System.currentTimeMillis();
        for (Map.Entry<SipSession, Long> subscriber : subscribers.entrySet()) {
            if (subscriber.getValue() <= now && subscribers.remove(subscriber.getKey(), subscriber.getValue())) {
                notify(subscriber.getKey(), "terminated;reason=timeout");
            }
        }
        return subscribers.containsKey(session) || subscribers.size() < max;
    }

    /** Adds a conference-event subscription and sends it the current document. */
    void subscribe(SipSession session, long expiresAtMillis) {
        subscribers.put(session, expiresAtMillis);
        notify(session, "active;expires=" + Math.max(0, (expiresAtMillis - System.currentTimeMillis()) / 1000));
    }

    /** Ends a subscription (un-SUBSCRIBE) with a final NOTIFY. */
    void unsubscribe(SipSession session) {
        subscribers.remove(session);
        notify(session, "terminated;reason=timeout");
    }

    /** Sends the current document to every subscriber; expired subscriptions are ended. */
    void notifySubscribers() {
        long now = System.currentTimeMillis();
        for (Map.Entry<SipSession, Long> subscriber : subscribers.entrySet()) {
            if (subscriber.getValue() <= now) {
                subscribers.remove(subscriber.getKey());
                notify(subscriber.getKey(), "terminated;reason=timeout");
            } else {
                notify(subscriber.getKey(), "active;expires=" + (subscriber.getValue() - now) / 1000);
            }
        }
    }

    private void notify(SipSession session, String state) {
        String document;
        synchronized (this) {
            version++;
            document = ConferenceInfo.document(name, version, participants, files.list(),
                    screenSharing.imageUrls(), joinInfo, Version.current());
        }
        try {
            if (!session.isValid()) {
                subscribers.remove(session);
                return;
            }
            SipServletRequest notify = session.createRequest("NOTIFY");
            notify.setHeader("Event", "conference");
            notify.setHeader("Subscription-State", state);
            notify.setContent(document.getBytes(java.nio.charset.StandardCharsets.UTF_8), ConferenceInfo.CONTENT_TYPE);
            notify.send();
        } catch (IOException | IllegalStateException e) {
            log.log(Level.FINE, "room " + name + ": cannot NOTIFY a subscriber", e);
            subscribers.remove(session);
        }
    }
}
