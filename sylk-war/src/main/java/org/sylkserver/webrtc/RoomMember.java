package org.sylkserver.webrtc;

import org.sylkserver.media.sfu.Publisher;
import org.sylkserver.webrtc.api.VideoroomEvent;
import org.sylkserver.webrtc.api.VideoroomPublisher;

/**
 * A publisher session of a video room (spec §4.16): {@code progress} once the join is taken, {@code accepted} when
 * the room answered and admitted it (a member the others see), {@code established} when its media are up,
 * {@code terminated} when it left, lost its media or its connection closed. Its state is owned by its connection's
 * executor; other connections only reach it through {@link #tell}.
 */
final class RoomMember {

    enum State { PROGRESS, ACCEPTED, ESTABLISHED, TERMINATED }

    final String id;
    final SylkRtcConnection connection;
    final Account account;
    final VideoRoom room;
    Publisher media;
    State state = State.PROGRESS;

    RoomMember(String id, SylkRtcConnection connection, Account account, VideoRoom room) {
        this.id = id;
        this.connection = connection;
        this.account = account;
        this.room = room;
    }

    /** Sends {@code event} to the member's client, after what its connection is doing (any thread). */
    void tell(VideoroomEvent event) {
        connection.later(() -> connection.send(event));
    }

    /** How {@code initial-publishers} and {@code publishers-joined} name this member. */
    VideoroomPublisher describe() {
        return new VideoroomPublisher(id, account.aor(), account.displayName());
    }

    @Override
    public String toString() {
        return "publisher " + id + " (" + account.aor() + " in " + room.uri + ")";
    }
}
