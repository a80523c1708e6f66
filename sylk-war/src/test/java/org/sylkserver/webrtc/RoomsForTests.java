package org.sylkserver.webrtc;

import java.util.List;

import org.sylkserver.core.config.AccessList;
import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.sfu.Publisher;

/** Video rooms for tests outside this package: a publisher without a connection, the members of a room. */
public final class RoomsForTests {

    private RoomsForTests() {
    }

    /** Rooms of two publishers at most, at most one phone each. */
    public static VideoRoomConfig config() {
        return new VideoRoomConfig(new VideoRoomConfig.Room(2016000, "vp8", false, AccessList.OPEN, false, false),
                java.util.Map.of(), 2, java.time.Duration.ofMillis(500), 64, java.time.Duration.ofMillis(500), 1);
    }

    /** Rooms of {@link #config()} without browsers' media, chat, files or recording, mixed on {@code mixing}. */
    public static VideoRooms rooms(org.sylkserver.media.mixer.MixerClock mixing) {
        return new VideoRooms(config(), (name, offer, settings, listener) -> {
            throw new UnsupportedOperationException("no browsers here");
        }, RoomChats.NONE, RoomFiles.DISABLED, RoomRecordings.DISABLED, mixing);
    }

    /** Room {@code uri} with one audio publisher {@code id} in it (made if it did not exist). */
    public static void publisher(VideoRooms rooms, MediaEngine engine, String uri, String id) throws Exception {
        VideoRoom room = rooms.enter(uri, id + "@example.com", true, false);
        RoomMember member = new RoomMember(id, null, new Account(id + "@example.com", null, id, null, List.of()), room);
        member.media = Publisher.local(engine, id, rooms.phoneSettings());
        rooms.admit(member);
    }

    /** The publisher session ids of room {@code uri}, in the order they joined; none when it does not exist. */
    public static List<String> members(VideoRooms rooms, String uri) {
        return rooms.publishers(uri);
    }
}
