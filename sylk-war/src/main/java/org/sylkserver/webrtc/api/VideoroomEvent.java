package org.sylkserver.webrtc.api;

import java.util.List;

import javax.json.bind.annotation.JsonbPropertyOrder;

/**
 * {@code videoroom-event} (spec §4.6): about the publisher session {@code session}: {@code session-state}
 * ({@code progress}, {@code accepted} with the answer and the room's media, {@code established}, {@code terminated}),
 * {@code initial-publishers}, {@code publishers-joined} (publishers as objects), {@code publishers-left} (session ids),
 * {@code feed-attached} with the feed's offer and {@code feed-established}. Properties not set are omitted.
 */
@JsonbPropertyOrder({"sylkrtc", "session", "event", "state", "reason", "feed", "sdp", "audio", "video",
        "publishers"})
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
}
