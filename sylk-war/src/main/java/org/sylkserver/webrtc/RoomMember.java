package org.sylkserver.webrtc;

import org.sylkserver.media.sfu.Publisher;
import org.sylkserver.media.sfu.RoomMix;
import org.sylkserver.webrtc.api.SylkRtcMessage;
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
    /** Its client's connection; null for a SIP phone (issue 13), which is told nothing. */
    final SylkRtcConnection connection;
    final Account account;
    final VideoRoom room;
    Publisher media;
    /** Its bridge into the SIP conference's chat (spec §4.7.4), from the join on. */
    RoomChat chat;
    State state = State.PROGRESS;
    /** Whether its audio and video reach the room ({@code videoroom-session-update}). */
    boolean audio = true;
    boolean video = true;
    /** The most its video may take as its client asked, in bit/s; 0 for the room's policy alone. */
    volatile long bitrateLimit;
    /** A SIP phone's place in the room's mix (issue 13); null for a browser. */
    RoomMix.Phone phone;

    RoomMember(String id, SylkRtcConnection connection, Account account, VideoRoom room) {
        this.id = id;
        this.connection = connection;
        this.account = account;
        this.room = room;
    }

    /** Sends {@code event} to the member's client, after what its connection is doing (any thread). */
    void tell(SylkRtcMessage event) {
        if (connection == null) {
            return;
        }
        connection.later(() -> connection.send(event));
    }

    /**
     * Sends {@code event} to the member's client as part of a request that {@code requester} is handling: at once
     * when that is the member's own connection (events of a request go before its ack, spec §4.3), else queued.
     */
    void tell(VideoroomEvent event, SylkRtcConnection requester) {
        if (connection == null) {
            return;
        }
        if (requester == connection) {
            connection.send(event);
        } else {
            tell(event);
        }
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
