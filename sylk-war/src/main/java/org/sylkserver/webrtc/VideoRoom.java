package org.sylkserver.webrtc;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.sylkserver.media.sfu.ActiveSpeaker;
import org.sylkserver.media.sfu.RoomMix;
import org.sylkserver.webrtc.api.ParticipantAudioLevel;
import org.sylkserver.webrtc.api.SharedFile;

/**
 * One video room (spec §4.6.1): its URI, its media (decided by the join that created it) and its publishers. Global
 * to the server; its state is guarded by the {@link VideoRooms} registry's monitor.
 */
final class VideoRoom {

    final String uri;
    final VideoRoomConfig.Room config;
    final boolean audio;
    final boolean video;
    /** Admitted publishers, in the order they joined. */
    final List<RoomMember> members = new ArrayList<>();
    /** Joins under way: they count against the room's size and keep it from being destroyed. */
    int joining;
    /** At most two members' session ids the bandwidth favours (spec §4.6.6). */
    List<String> activeParticipants = List.of();
    /** Session ids with a raised hand, in the order raised (spec §4.6.7). */
    final List<String> raisedHands = new ArrayList<>();
    /**
     * Files shared in the room, in the order shared (spec §4.10.5): changed under the registry's monitor, read by an
     * upload's checks before its body without it.
     */
    final List<SharedFile> sharedFiles = new CopyOnWriteArrayList<>();
    /** Who speaks, from the publishers' audio levels (spec Q23); a challenger takes over after a second. */
    final ActiveSpeaker activeSpeaker = new ActiveSpeaker(2);
    /** The audio levels and speaker last told to the members, so that only a change is told again. */
    List<ParticipantAudioLevel> toldLevels = List.of();
    String toldSpeaker;
    /**
     * The room's audio mix (issue 13), made by the first admission when the room records (its mixed track), fed by
     * every publisher, closed with the room; null without one.
     */
    RoomMix mix;

    /** {@code video} is off in a room whose options disable it (spec §4.6.1). */
    VideoRoom(String uri, VideoRoomConfig.Room config, boolean audio, boolean video) {
        this.uri = uri;
        this.config = config;
        this.audio = audio;
        this.video = video && !config.videoDisabled();
    }

    boolean hasMember(String id) {
        return members.stream().anyMatch(member -> member.id.equals(id));
    }

    boolean isEmpty() {
        return members.isEmpty() && joining == 0;
    }

    @Override
    public String toString() {
        return "room " + uri;
    }
}
