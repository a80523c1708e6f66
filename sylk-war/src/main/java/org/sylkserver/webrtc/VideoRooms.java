package org.sylkserver.webrtc;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

import org.sylkserver.webrtc.api.RequestError;
import org.sylkserver.webrtc.api.VideoroomEvent;
import org.sylkserver.webrtc.api.VideoroomPublisher;

/**
 * The video rooms of the server by URI (spec §4.6.1): a room is created by the first join and destroyed when its
 * last publisher leaves. Membership changes go through this registry's monitor, and so do the events they cause to
 * the other members (queued onto each member's connection under the monitor, so every member sees the joins and
 * leaves of a room in one order). Shared by every connection of the gateway.
 */
public final class VideoRooms {

    private static final Logger LOG = Logger.getLogger("webrtcgateway.videoroom");

    private final VideoRoomConfig config;
    private final RoomMedia media;
    private final Map<String, VideoRoom> rooms = new HashMap<>();

    public VideoRooms(VideoRoomConfig config, RoomMedia media) {
        this.config = config;
        this.media = media;
    }

    VideoRoomConfig config() {
        return config;
    }

    RoomMedia media() {
        return media;
    }

    /**
     * A join begins: the room {@code uri}, created with these media if it does not exist.
     *
     * @throws RequestError the room has {@code max_publishers} publishers already
     */
    synchronized VideoRoom enter(String uri, boolean audio, boolean video) throws RequestError {
        VideoRoom room = rooms.computeIfAbsent(uri, created -> {
            LOG.info(() -> "room " + created + " created");
            return new VideoRoom(created, audio, video);
        });
        if (room.members.size() + room.joining >= config.maxPublishers()) {
            throw new RequestError("Maximum number of publishers (" + config.maxPublishers() + ") already reached");
        }
        room.joining++;
        return room;
    }

    /** A join that {@link #enter} began failed. */
    synchronized void abandon(VideoRoom room) {
        room.joining--;
        destroyIfEmpty(room);
    }

    /**
     * A join completes: {@code member} becomes a publisher of its room, and every other publisher is told
     * ({@code publishers-joined}, spec §4.6.3).
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
        LOG.info(() -> member + " joined, " + room.members.size() + " publishers");
        return others;
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
        LOG.info(() -> member + " left, " + room.members.size() + " publishers");
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

    /** Whether room {@code uri} exists now. */
    synchronized boolean exists(String uri) {
        return rooms.containsKey(uri);
    }

    private void destroyIfEmpty(VideoRoom room) {
        if (room.isEmpty() && rooms.remove(room.uri, room)) {
            LOG.info(() -> room + " destroyed");
        }
    }
}
