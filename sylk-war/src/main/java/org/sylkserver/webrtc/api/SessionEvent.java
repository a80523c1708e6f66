package org.sylkserver.webrtc.api;

import java.util.Map;

import javax.json.bind.annotation.JsonbProperty;
import javax.json.bind.annotation.JsonbPropertyOrder;

/**
 * {@code session-event} (spec §4.5.3-4.5.6): {@code event: state} with the call's {@code state}
 * ({@code progress}, {@code proceeding} with {@code code}, {@code ringing}, {@code early-media} with {@code sdp} and
 * {@code call_id}, {@code accepted} with or without them, {@code established}, {@code terminated} with
 * {@code reason}), or {@code event: update} with {@code state} {@code accepted} (the answer to our re-INVITE) or
 * {@code received} (the remote party's re-INVITE offer) and its {@code sdp}. Properties not set are omitted.
 */
@JsonbPropertyOrder({"sylkrtc", "session", "event", "state", "code", "reason", "sdp", "callId", "headers"})
public class SessionEvent extends SylkRtcMessage {

    private final String session;
    private final String event;
    private final String state;
    private Integer code;
    private String reason;
    private String sdp;
    private String callId;
    private Map<String, String> headers;

    private SessionEvent(String session, String event, String state) {
        super("session-event");
        this.session = session;
        this.event = event;
        this.state = state;
    }

    /** The INVITE went out. */
    public static SessionEvent progress(String session) {
        return new SessionEvent(session, "state", "progress");
    }

    /** A provisional response other than 180 and 183 with SDP. */
    public static SessionEvent proceeding(String session, int code) {
        SessionEvent event = new SessionEvent(session, "state", "proceeding");
        event.code = code;
        return event;
    }

    /** 180 Ringing. */
    public static SessionEvent ringing(String session) {
        return new SessionEvent(session, "state", "ringing");
    }

    /** 183 with SDP: the browser's answer for the early media. */
    public static SessionEvent earlyMedia(String session, String sdp, String callId) {
        SessionEvent event = new SessionEvent(session, "state", "early-media");
        event.sdp = sdp;
        event.callId = callId;
        return event;
    }

    /** An outgoing call was answered: the browser's answer, and the 2xx's headers when there are some. */
    public static SessionEvent accepted(String session, String sdp, String callId, Map<String, String> headers) {
        SessionEvent event = new SessionEvent(session, "state", "accepted");
        event.sdp = sdp;
        event.callId = callId;
        event.headers = headers == null || headers.isEmpty() ? null : headers;
        return event;
    }

    /** An incoming call was answered, or an outgoing one after early media: no SDP. */
    public static SessionEvent accepted(String session) {
        return new SessionEvent(session, "state", "accepted");
    }

    public static SessionEvent established(String session) {
        return new SessionEvent(session, "state", "established");
    }

    /** The call ended; {@code reason} such as {@code 486 Busy Here} or {@code 200 OK}. */
    public static SessionEvent terminated(String session, String reason) {
        SessionEvent event = new SessionEvent(session, "state", "terminated");
        event.reason = reason;
        return event;
    }

    /** The answer to a re-INVITE the browser offered (spec §4.5.6). */
    public static SessionEvent updateAccepted(String session, String sdp) {
        SessionEvent event = new SessionEvent(session, "update", "accepted");
        event.sdp = sdp;
        return event;
    }

    /** The remote party's re-INVITE offer, for the browser to answer (spec §4.5.6). */
    public static SessionEvent updateReceived(String session, String sdp) {
        SessionEvent event = new SessionEvent(session, "update", "received");
        event.sdp = sdp;
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

    public Integer getCode() {
        return code;
    }

    public String getReason() {
        return reason;
    }

    public String getSdp() {
        return sdp;
    }

    @JsonbProperty("call_id")
    public String getCallId() {
        return callId;
    }

    public Map<String, String> getHeaders() {
        return headers;
    }
}
