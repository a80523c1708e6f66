package org.sylkserver.webrtc;

import java.util.ArrayList;
import java.util.List;

/**
 * One video room (spec §4.6.1): its URI, its media (decided by the join that created it) and its publishers. Global
 * to the server; its state is guarded by the {@link VideoRooms} registry's monitor.
 */
final class VideoRoom {

    final String uri;
    final boolean audio;
    final boolean video;
    /** Admitted publishers, in the order they joined. */
    final List<RoomMember> members = new ArrayList<>();
    /** Joins under way: they count against the room's size and keep it from being destroyed. */
    int joining;

    VideoRoom(String uri, boolean audio, boolean video) {
        this.uri = uri;
        this.audio = audio;
        this.video = video;
    }

    boolean isEmpty() {
        return members.isEmpty() && joining == 0;
    }

    @Override
    public String toString() {
        return "room " + uri;
    }
}
