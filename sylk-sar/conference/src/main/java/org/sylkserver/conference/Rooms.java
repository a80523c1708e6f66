package org.sylkserver.conference;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

import org.sylkserver.conference.screen.ScreenSharing;
import org.sylkserver.conference.files.RoomFiles;
import org.sylkserver.media.codec.AudioCodec;
import org.sylkserver.media.mixer.MixerClock;

/**
 * The conference's rooms by {@code user@host} (spec §3.1) and what every room is made with: the settings, the mixer
 * clock, the pool the rooms' executors run on, screen sharing, the files' place and quota, the PIN attempts per
 * source address, and how a room publishes conference-info and hangs up a call. No SIP here: the application
 * ({@link Conference}) passes the container's side in, a test its fakes.
 *
 * <p>Threads: the map is the only state shared by every room; a room's creation and destruction happen inside its
 * entry's {@code compute}, where the join or leave is also handed to the room's executor, so that a room is never
 * joined after its last participant left it.
 */
final class Rooms {

    /** What the rooms ask of a participant's call. */
    interface Calls {
        /** Ends the participant's call from our side (a PIN refused). */
        void hangUp(Participant participant, String why);
    }

    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    final ConferenceSettings settings;
    final MixerClock clock;
    /** Where the rooms' serial executors run. */
    final Executor pool;
    final ScreenSharing.Setup screenSharing;
    /** {@code file_transfer_dir}: each room keeps its files in a directory of its own under it. */
    final Path filesRoot;
    final RoomFiles.Space filesSpace;
    /** Wrong PINs by source address, across rooms ({@code pin_failures_per_minute}). */
    final PinAttempts pinAttempts;
    final Function<Room, ConferenceInfoPublisher> publishers;
    final Calls calls;

    Rooms(ConferenceSettings settings, MixerClock clock, Executor pool, ScreenSharing.Setup screenSharing,
          Path filesRoot, RoomFiles.Space filesSpace, PinAttempts pinAttempts,
          Function<Room, ConferenceInfoPublisher> publishers, Calls calls) {
        this.settings = settings;
        this.clock = clock;
        this.pool = pool;
        this.screenSharing = screenSharing;
        this.filesRoot = filesRoot;
        this.filesSpace = filesSpace;
        this.pinAttempts = pinAttempts;
        this.publishers = publishers;
        this.calls = calls;
    }

    /** The room, if it exists. */
    Room find(String name) {
        return rooms.get(name);
    }

    /** Whether {@code uri} is in room {@code name} now, past its PIN if it has one. Any thread. */
    boolean admits(String name, String uri) {
        Room room = rooms.get(name);
        return room != null && room.admits(uri);
    }

    /** Number of rooms now. */
    int count() {
        return rooms.size();
    }

    /** Whether a caller from {@code source} may try a PIN now (issue 11: PIN attempts limited per source). */
    boolean mayTryPin(String source) {
        return pinAttempts.allows(source);
    }

    /**
     * Adds {@code participant} to room {@code name}, creating the room if needed; it hears its welcome prompts
     * alone, then is connected to the others.
     *
     * @param payloadType the participant's audio payload type, -1 without audio
     */
    Room join(String name, Participant participant, int payloadType, Supplier<AudioCodec> codecs) {
        return rooms.compute(name, (key, room) -> {
            Room r = room != null ? room : new Room(key, this);
            r.join(participant, payloadType, codecs);
            return r;
        });
    }

    /**
     * Removes {@code participant} from room {@code name}; the last one out destroys the room: its mixer, its
     * subscriptions (final NOTIFY) and its state.
     */
    void leave(Participant participant, String name) {
        rooms.computeIfPresent(name, (key, room) -> room.leave(participant) ? null : room);
    }
}
