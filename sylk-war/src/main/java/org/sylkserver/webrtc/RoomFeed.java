package org.sylkserver.webrtc;

import org.sylkserver.media.sfu.Feed;

/**
 * A feed session (spec §4.16): a member's subscription to another publisher of its room, created on
 * {@code videoroom-feed-attach} (the server's offer), answered with {@code videoroom-feed-answer}, established when
 * its media are up, ended by {@code videoroom-feed-detach}. Owned by the subscribing connection's executor.
 */
final class RoomFeed {

    final String id;
    /** The subscriber's own publisher session. */
    final RoomMember parent;
    /** The publisher whose media it receives. */
    final RoomMember publisher;
    final Feed media;
    boolean established;

    RoomFeed(String id, RoomMember parent, RoomMember publisher, Feed media) {
        this.id = id;
        this.parent = parent;
        this.publisher = publisher;
        this.media = media;
    }

    @Override
    public String toString() {
        return "feed " + id + " of " + parent.id + " on " + publisher.id;
    }
}
