package org.sylkserver.webrtc;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

import org.sylkserver.media.sfu.Feed;
import org.sylkserver.media.sfu.Publisher;
import org.sylkserver.media.webrtc.WebRtcTransport;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.webrtc.api.ConferenceInviteEvent;
import org.sylkserver.webrtc.api.IceCandidate;
import org.sylkserver.webrtc.api.RequestError;
import org.sylkserver.webrtc.api.SipAor;
import org.sylkserver.webrtc.api.SipIdentity;
import org.sylkserver.webrtc.api.VideoroomEvent;
import org.sylkserver.webrtc.api.VideoroomFeedAnswerRequest;
import org.sylkserver.webrtc.api.VideoroomFeedAttachRequest;
import org.sylkserver.webrtc.api.VideoroomJoinRequest;
import org.sylkserver.webrtc.api.VideoroomMessageRequest;
import org.sylkserver.webrtc.api.VideoroomPublisher;
import org.sylkserver.webrtc.api.VideoroomSessionOptions;

/**
 * The video room sessions of one sylkRTC connection (spec §4.6): its publisher sessions and its feeds, by id (one
 * namespace for both, as the original's). Owned by the connection's executor: every method runs there, and what the
 * media report (on their own threads) is queued there too.
 *
 * <p>Events come in the original's order: {@code session-state progress} before the join's ack, then
 * {@code accepted} with the answer and {@code initial-publishers}; {@code feed-attached} with the offer after the
 * attach's ack; {@code terminated} before the leave's ack.
 */
final class ConnectionVideoRooms {

    private static final Logger LOG = Logger.getLogger("webrtcgateway.videoroom");

    private final SylkRtcConnection connection;
    private final Map<String, RoomMember> members = new LinkedHashMap<>();
    private final Map<String, RoomFeed> feeds = new LinkedHashMap<>();

    ConnectionVideoRooms(SylkRtcConnection connection) {
        this.connection = connection;
    }

    /** videoroom-join (spec §4.6.2). */
    void join(VideoroomJoinRequest request) throws RequestError {
        String id = request.getSession();
        if (inUse(id)) {
            throw new RequestError("Session ID " + id + " already in use");
        }
        Account account = connection.accounts().get(request.getAccount());
        if (account == null) {
            throw new RequestError("Unknown account specified: " + request.getAccount());
        }
        checkSessionLimit();
        VideoRooms rooms = connection.gateway().rooms();
        VideoRoom room = rooms.enter(request.getUri(), request.getAccount(), request.audio(), request.video());
        RoomMember member = new RoomMember(id, connection, account, room);
        try {
            member.media = rooms.media().publish(id, request.getSdp(), rooms.config().settings(room),
                    listener(() -> established(member), why -> lost(member, why)));
        } catch (SdpException e) {
            rooms.abandon(room);
            throw new RequestError("Invalid SDP: " + e.getMessage());
        } catch (IOException e) {
            rooms.abandon(room);
            throw new RequestError("No media resources: " + e.getMessage());
        }
        members.put(id, member);
        LOG.info(() -> connection + ": " + member + " publishing " + media(member.media));
        member.chat = new RoomChat(id, account, room.uri, connection::later, connection::send,
                rooms.chats().queueSize, rooms.chats().maxBodyBytes);
        member.chat.start(connection.gateway().calls(), rooms.chats().lines);
        connection.send(VideoroomEvent.progress(id));
        connection.later(() -> accept(member));
    }

    /** The room answered: the member is admitted, learns its answer and the other publishers. */
    private void accept(RoomMember member) {
        if (member.state != RoomMember.State.PROGRESS) {
            return;
        }
        member.state = RoomMember.State.ACCEPTED;
        connection.send(VideoroomEvent.accepted(member.id, member.media.answer(), member.room.audio,
                member.room.video));
        VideoRooms rooms = connection.gateway().rooms();
        List<VideoroomPublisher> others = rooms.admit(member);
        connection.send(VideoroomEvent.initialPublishers(member.id, others));
        rooms.state(member).forEach(connection::send);
    }

    /** videoroom-configure (spec §4.6.6). */
    void configure(String id, List<String> activeParticipants) throws RequestError {
        if (activeParticipants.size() > 2 || activeParticipants.stream().distinct().count() < activeParticipants.size()) {
            throw new RequestError("Invalid value for 'active_participants' property: " + activeParticipants
                    + " (expected: at most 2 distinct session ids)");
        }
        connection.gateway().rooms().configure(admitted(id), activeParticipants);
    }

    /**
     * videoroom-invite (spec §4.6.7): a {@code conference-invite} account event to every other connection where an
     * invited account is authenticated (a registration, as for its calls: a connection that only named the account
     * learns nothing of it). Push notifications (§4.11) are not sent: the gateway has no push service yet.
     */
    void invite(String id, List<String> participants) throws RequestError {
        RoomMember member = admitted(id);
        List<String> invited = new java.util.ArrayList<>();
        for (String participant : participants) {
            if (!SipAor.Syntax.isValid(participant)) {
                throw new RequestError("Invalid value for 'participants' property: '" + participant
                        + "' (expected: SIP address of record)");
            }
            String aor = SipAor.Syntax.strip(participant);
            if (invited.contains(aor)) {
                throw new RequestError("Invalid value for 'participants' property: '" + participant
                        + "' (expected: unique items)");
            }
            invited.add(aor);
        }
        String invitation = java.util.UUID.randomUUID().toString();
        SipIdentity originator = new SipIdentity(member.account.aor(), member.account.displayName());
        for (String aor : invited) {
            for (SylkRtcConnection other : connection.gateway().incoming().connectionsOf(aor)) {
                if (other != connection) {
                    ConferenceInviteEvent event = new ConferenceInviteEvent(aor, member.room.uri, invitation,
                            originator);
                    other.later(() -> other.send(event));
                    LOG.info(() -> member + " invites " + aor + " on " + other);
                }
            }
        }
    }

    /** videoroom-mute-audio-participants (spec §4.6.7). */
    void muteAudio(String id) throws RequestError {
        connection.gateway().rooms().muteAudio(admitted(id));
    }

    /** videoroom-toggle-hand (spec §4.6.7). */
    void toggleHand(String id, String sessionId) throws RequestError {
        connection.gateway().rooms().toggleHand(admitted(id), sessionId == null ? id : sessionId);
    }

    /** A publisher session admitted to its room. */
    private RoomMember admitted(String id) throws RequestError {
        RoomMember member = member(id);
        if (member.state == RoomMember.State.PROGRESS) {
            throw new RequestError("Invalid state for room session " + id + ": progress");
        }
        return member;
    }

    /** The publisher's media are up (the original's {@code webrtcup}). */
    private void established(RoomMember member) {
        if (member.state == RoomMember.State.ACCEPTED) {
            member.state = RoomMember.State.ESTABLISHED;
            connection.send(VideoroomEvent.established(member.id));
        }
    }

    /** The publisher's media failed or its browser went silent: it is dropped from the room. */
    private void lost(RoomMember member, String why) {
        if (member.state != RoomMember.State.TERMINATED && members.get(member.id) == member) {
            LOG.info(() -> connection + ": " + member + " lost its media: " + why);
            end(member, why);
        }
    }

    /** videoroom-leave (spec §4.6.5). */
    void leave(String id) throws RequestError {
        RoomMember member = members.get(id);
        if (member == null) {
            throw new RequestError("Unknown room session: " + id);
        }
        end(member, null);
    }

    /** Ends a publisher session: terminated, out of the room, its media and its own feeds closed. */
    private void end(RoomMember member, String reason) {
        RoomMember.State before = member.state;
        member.state = RoomMember.State.TERMINATED;
        members.remove(member.id);
        connection.send(VideoroomEvent.terminated(member.id, reason));
        VideoRooms rooms = connection.gateway().rooms();
        if (before == RoomMember.State.PROGRESS) {
            rooms.abandon(member.room);
        } else {
            rooms.leave(member);
        }
        for (RoomFeed feed : List.copyOf(feeds.values())) {
            if (feed.parent == member) {
                feeds.remove(feed.id);
                feed.media.close();
            }
        }
        member.media.close();
        member.chat.close();
    }

    /** videoroom-message (spec §4.6.8): into the room's chat, by the publisher's bridge (§4.7.4). */
    void message(VideoroomMessageRequest request) throws RequestError {
        member(request.getSession()).chat.message(request.getMessageId(), request.getContentType(),
                request.getContent());
    }

    /** videoroom-composing-indication (spec §4.6.8): relayed to the room's chat. */
    void composing(String id, String state, Integer refresh) throws RequestError {
        member(id).chat.composing(state, refresh);
    }

    /** videoroom-feed-attach (spec §4.6.4). */
    void attach(VideoroomFeedAttachRequest request) throws RequestError {
        String id = request.getFeed();
        if (inUse(id)) {
            throw new RequestError("Video room session ID " + id + " already in use");
        }
        RoomMember parent = member(request.getSession());
        VideoRooms rooms = connection.gateway().rooms();
        RoomMember publisher = rooms.member(parent.room, request.getPublisher());
        if (publisher == null || publisher == parent) {
            throw new RequestError("Unknown publisher room session to attach to: " + request.getPublisher());
        }
        checkSessionLimit();
        RoomFeed[] feed = new RoomFeed[1];
        Feed media;
        try {
            media = publisher.media.subscribe(id, listener(() -> feedUp(feed[0]), why -> feedLost(feed[0], why)));
        } catch (IOException e) {
            throw new RequestError("No media resources: " + e.getMessage());
        }
        feed[0] = new RoomFeed(id, parent, publisher, media);
        feeds.put(id, feed[0]);
        LOG.info(() -> connection + ": " + feed[0] + " attached");
        connection.later(() -> {
            if (feeds.get(id) == feed[0]) {
                connection.send(VideoroomEvent.feedAttached(parent.id, id, media.offer()));
            }
        });
    }

    /** videoroom-feed-answer (spec §4.6.4). */
    void answer(VideoroomFeedAnswerRequest request) throws RequestError {
        RoomFeed feed = feeds.get(request.getFeed());
        if (feed == null) {
            throw new RequestError("Unknown room session: " + request.getFeed());
        }
        checkParent(feed, request.getSession());
        try {
            feed.media.answer(request.getSdp());
        } catch (SdpException e) {
            throw new RequestError("Invalid SDP: " + e.getMessage());
        }
    }

    /** videoroom-feed-detach (spec §4.6.4). */
    void detach(String session, String id) throws RequestError {
        RoomFeed feed = feeds.get(id);
        if (feed == null) {
            throw new RequestError("Unknown room session to detach: " + id);
        }
        checkParent(feed, session);
        feeds.remove(id);
        feed.media.close();
        LOG.info(() -> connection + ": " + feed + " detached");
    }

    private void feedUp(RoomFeed feed) {
        if (feed != null && feeds.get(feed.id) == feed && !feed.established) {
            feed.established = true;
            connection.send(VideoroomEvent.feedEstablished(feed.parent.id, feed.id));
        }
    }

    /**
     * The feed's browser went silent or its DTLS failed: its media end, the session stays until the client detaches
     * it (as a feed of a publisher that left does).
     */
    private void feedLost(RoomFeed feed, String why) {
        if (feed != null && feeds.get(feed.id) == feed) {
            LOG.info(() -> connection + ": " + feed + " lost its media: " + why);
            feed.media.close();
        }
    }

    /** videoroom-session-trickle (spec §4.4): for a publisher session or a feed. */
    void trickle(String id, List<IceCandidate> candidates) throws RequestError {
        RoomMember member = members.get(id);
        RoomFeed feed = feeds.get(id);
        if (member == null && feed == null) {
            throw new RequestError("Unknown room session: " + id);
        }
        try {
            for (IceCandidate candidate : candidates) {
                if (member != null) {
                    member.media.addBrowserCandidate(candidate.getSdpMid(), candidate.getSdpMLineIndex(),
                            candidate.getCandidate());
                } else {
                    feed.media.addBrowserCandidate(candidate.getSdpMid(), candidate.getSdpMLineIndex(),
                            candidate.getCandidate());
                }
            }
        } catch (IllegalArgumentException e) {
            throw new RequestError("Invalid candidate: " + e.getMessage());
        }
    }

    /** videoroom-session-update (spec §4.4): a publisher session's or a feed's media options. */
    void update(String id, VideoroomSessionOptions options) throws RequestError {
        RoomMember member = members.get(id);
        RoomFeed feed = feeds.get(id);
        if (member == null && feed == null) {
            throw new RequestError("Unknown room session: " + id);
        }
        Integer bitrate = options.getBitrate();
        if (bitrate != null && bitrate <= 0) {
            throw new RequestError("Invalid value for 'bitrate' property: " + bitrate + " (expected: bit/s above 0)");
        }
        if (member != null) {
            member.audio = options.getAudio() == null ? member.audio : options.getAudio();
            member.video = options.getVideo() == null ? member.video : options.getVideo();
            member.media.forwarding(member.audio, member.video);
            if (bitrate != null) {
                connection.gateway().rooms().limitBitrate(member, bitrate);
            }
        } else {
            feed.audio = options.getAudio() == null ? feed.audio : options.getAudio();
            feed.video = options.getVideo() == null ? feed.video : options.getVideo();
            feed.media.forwarding(feed.audio, feed.video);
            if (bitrate != null) {
                // of a simulcast publisher, the best layer under it (the original passes it to Janus unused)
                feed.media.maxBitrate(bitrate);
            }
        }
        LOG.info(() -> connection + ": " + (member != null ? member : feed) + " audio " + (member != null
                ? member.audio : feed.audio) + ", video " + (member != null ? member.video : feed.video)
                + (bitrate == null ? "" : ", bitrate " + bitrate));
    }

    /** The connection closed: its publishers leave their rooms, its feeds end (spec §4.2 teardown). */
    void closeAll() {
        for (RoomFeed feed : List.copyOf(feeds.values())) {
            feed.media.close();
        }
        feeds.clear();
        for (RoomMember member : List.copyOf(members.values())) {
            end(member, null);
        }
    }

    private RoomMember member(String id) throws RequestError {
        RoomMember member = members.get(id);
        if (member == null) {
            throw new RequestError("Unknown room session: " + id);
        }
        return member;
    }

    private static void checkParent(RoomFeed feed, String session) throws RequestError {
        if (!feed.parent.id.equals(session)) {
            throw new RequestError(feed.id + " is not an attached feed of " + session);
        }
    }

    private boolean inUse(String id) {
        return members.containsKey(id) || feeds.containsKey(id);
    }

    /** Room sessions count against {@code max_sessions_per_connection} like calls do. */
    private void checkSessionLimit() throws RequestError {
        int limit = connection.gateway().config().limits().maxSessionsPerConnection();
        if (!ClientLimits.roomFor(members.size() + feeds.size(), limit)) {
            throw new RequestError("Too many sessions on this connection (max_sessions_per_connection " + limit + ")");
        }
    }

    /** Media news, queued onto the connection's executor. */
    private WebRtcTransport.Listener listener(Runnable up, java.util.function.Consumer<String> lost) {
        return new WebRtcTransport.Listener() {
            @Override
            public void connected() {
                connection.later(up);
            }

            @Override
            public void failed(String reason) {
                connection.later(() -> lost.accept(reason));
            }
        };
    }

    private static String media(Publisher publisher) {
        return publisher.hasAudio() && publisher.hasVideo() ? "audio and video"
                : publisher.hasVideo() ? "video only" : "audio only";
    }
}
