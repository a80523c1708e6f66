package org.sylkserver.webrtc.api;

import java.util.List;

import javax.json.bind.annotation.JsonbProperty;
import javax.json.bind.annotation.JsonbPropertyOrder;

/**
 * {@code videoroom-event} (spec §4.6): about the publisher session {@code session}: {@code session-state}
 * ({@code progress}, {@code accepted} with the answer and the room's media, {@code established}, {@code terminated}),
 * {@code initial-publishers}, {@code publishers-joined} (publishers as objects), {@code publishers-left} (session ids),
 * {@code feed-attached} with the feed's offer and {@code feed-established}, {@code configure} (the active participants,
 * §4.6.6), {@code mute-audio} and {@code raised-hands} (§4.6.7), and the room chat's {@code message-delivery},
 * {@code message} and {@code composing-indication} (§4.6.8), and {@code conference-audio-levels} (Q23). Properties
 * not set are omitted.
 */
@JsonbPropertyOrder({"sylkrtc", "session", "event", "type", "messageId", "delivered", "code", "state", "reason",
        "feed", "sdp", "audio", "video", "publishers", "originator", "activeParticipants", "raisedHands", "content",
        "contentType", "refresh", "sender", "timestamp", "levels", "activeSpeaker"})
public class VideoroomEvent extends SylkRtcMessage {

    private final String session;
    private final String event;
    private String state;
    private String reason;
    private String feed;
    private String sdp;
    private Boolean audio;
    private Boolean video;
    private List<?> publishers;
    private String originator;
    private List<String> activeParticipants;
    private List<String> raisedHands;
    private String type;
    private String messageId;
    private Boolean delivered;
    private Integer code;
    private String content;
    private String contentType;
    private Integer refresh;
    private SipIdentity sender;
    private String timestamp;
    private List<ParticipantAudioLevel> levels;
    private String activeSpeaker;

    private VideoroomEvent(String session, String event) {
        super("videoroom-event");
        this.session = session;
        this.event = event;
    }

    private static VideoroomEvent state(String session, String state) {
        VideoroomEvent event = new VideoroomEvent(session, "session-state");
        event.state = state;
        return event;
    }

    /** The join was taken (before its ack). */
    public static VideoroomEvent progress(String session) {
        return state(session, "progress");
    }

    /** The room answered the publisher's offer; {@code audio}/{@code video} are the room's media. */
    public static VideoroomEvent accepted(String session, String sdp, boolean audio, boolean video) {
        VideoroomEvent event = state(session, "accepted");
        event.sdp = sdp;
        event.audio = audio;
        event.video = video;
        return event;
    }

    /** The publisher's media are up (ICE and DTLS). */
    public static VideoroomEvent established(String session) {
        return state(session, "established");
    }

    /** The publisher session ended; {@code reason} null when the client left. */
    public static VideoroomEvent terminated(String session, String reason) {
        VideoroomEvent event = state(session, "terminated");
        event.reason = reason;
        return event;
    }

    /** The room's other publishers when this one joined. */
    public static VideoroomEvent initialPublishers(String session, List<VideoroomPublisher> publishers) {
        VideoroomEvent event = new VideoroomEvent(session, "initial-publishers");
        event.publishers = publishers;
        return event;
    }

    public static VideoroomEvent publishersJoined(String session, List<VideoroomPublisher> publishers) {
        VideoroomEvent event = new VideoroomEvent(session, "publishers-joined");
        event.publishers = publishers;
        return event;
    }

    /** Publishers that left, by session id. */
    public static VideoroomEvent publishersLeft(String session, List<String> publishers) {
        VideoroomEvent event = new VideoroomEvent(session, "publishers-left");
        event.publishers = publishers;
        return event;
    }

    /** The server's offer for a feed. */
    public static VideoroomEvent feedAttached(String session, String feed, String sdp) {
        VideoroomEvent event = new VideoroomEvent(session, "feed-attached");
        event.feed = feed;
        event.sdp = sdp;
        return event;
    }

    /** The feed's media are up. */
    public static VideoroomEvent feedEstablished(String session, String feed) {
        VideoroomEvent event = new VideoroomEvent(session, "feed-established");
        event.feed = feed;
        return event;
    }

    /**
     * The room's active participants changed; {@code originator} is the session that set them, or
     * {@code videoroom} when the room did (a join, an active participant that left).
     */
    public static VideoroomEvent configure(String session, String originator, List<String> activeParticipants) {
        VideoroomEvent event = new VideoroomEvent(session, "configure");
        event.originator = originator;
        event.activeParticipants = activeParticipants;
        return event;
    }

    /** {@code originator} asks everyone to mute their microphone (advisory). */
    public static VideoroomEvent muteAudio(String session, String originator) {
        VideoroomEvent event = new VideoroomEvent(session, "mute-audio");
        event.originator = originator;
        return event;
    }

    /** The sessions with a raised hand, in the order they raised it. */
    public static VideoroomEvent raisedHands(String session, List<String> raisedHands) {
        VideoroomEvent event = new VideoroomEvent(session, "raised-hands");
        event.raisedHands = raisedHands;
        return event;
    }

    /**
     * What became of the room chat message {@code messageId} (spec §4.6.8): delivered or not, with the MSRP status
     * code and reason (0 and {@code Chat session ended} when the chat ended before it could go).
     */
    public static VideoroomEvent messageDelivery(String session, String messageId, boolean delivered, int code,
                                                 String reason) {
        VideoroomEvent event = new VideoroomEvent(session, "message-delivery");
        event.messageId = messageId;
        event.delivered = delivered;
        event.code = code;
        event.reason = reason;
        return event;
    }

    /**
     * A room chat message (spec §4.6.8); {@code status} for the room's own notices, else {@code normal}.
     *
     * @param timestamp ISO 8601 with offset
     */
    public static VideoroomEvent message(String session, boolean status, String content, String contentType,
                                         SipIdentity sender, String timestamp) {
        VideoroomEvent event = new VideoroomEvent(session, "message");
        event.type = status ? "status" : "normal";
        event.content = content;
        event.contentType = contentType;
        event.sender = sender;
        event.timestamp = timestamp;
        return event;
    }

    /** Someone in the room is composing ({@code active}, for {@code refresh} seconds, null when not said) or not. */
    public static VideoroomEvent composingIndication(String session, String state, Integer refresh,
                                                     String contentType, SipIdentity sender) {
        VideoroomEvent event = new VideoroomEvent(session, "composing-indication");
        event.state = state;
        event.refresh = refresh;
        event.contentType = contentType;
        event.sender = sender;
        return event;
    }

    /**
     * The room's publishers' audio levels, and its active speaker (null when nobody spoke yet), the server's own
     * addition that sylkrtc.js ignores (spec Q23: the client reads {@code levels[]} with {@code participant_id} and
     * {@code rx}).
     */
    public static VideoroomEvent audioLevels(String session, List<ParticipantAudioLevel> levels, String activeSpeaker) {
        VideoroomEvent event = new VideoroomEvent(session, "conference-audio-levels");
        event.levels = levels;
        event.activeSpeaker = activeSpeaker;
        return event;
    }

    public String getSession() {
        return session;
    }

    public String getEvent() {
        return event;
    }

    public String getState() {
        return state;
    }

    public String getReason() {
        return reason;
    }

    public String getFeed() {
        return feed;
    }

    public String getSdp() {
        return sdp;
    }

    public Boolean getAudio() {
        return audio;
    }

    public Boolean getVideo() {
        return video;
    }

    public List<?> getPublishers() {
        return publishers;
    }

    public String getOriginator() {
        return originator;
    }

    @JsonbProperty("active_participants")
    public List<String> getActiveParticipants() {
        return activeParticipants;
    }

    @JsonbProperty("raised_hands")
    public List<String> getRaisedHands() {
        return raisedHands;
    }

    public String getType() {
        return type;
    }

    @JsonbProperty("message_id")
    public String getMessageId() {
        return messageId;
    }

    public Boolean getDelivered() {
        return delivered;
    }

    public Integer getCode() {
        return code;
    }

    public String getContent() {
        return content;
    }

    @JsonbProperty("content_type")
    public String getContentType() {
        return contentType;
    }

    public Integer getRefresh() {
        return refresh;
    }

    public SipIdentity getSender() {
        return sender;
    }

    public String getTimestamp() {
        return timestamp;
    }

    public List<ParticipantAudioLevel> getLevels() {
        return levels;
    }

    @JsonbProperty("active_speaker")
    public String getActiveSpeaker() {
        return activeSpeaker;
    }
}
