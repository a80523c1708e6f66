package org.sylkserver.webrtc.api;

import javax.json.bind.annotation.JsonbProperty;
import javax.json.bind.annotation.JsonbPropertyOrder;

/**
 * {@code session-event} with {@code event: disposition-notification} (spec §4.5.7): the final response to a
 * {@code session-message}, {@code state} {@code accepted} for codes below 300, else {@code failed}.
 */
@JsonbPropertyOrder({"sylkrtc", "session", "event", "messageId", "messageTimestamp", "state", "code", "reason"})
public class SessionDispositionEvent extends SylkRtcMessage {

    private final String session;
    private final String messageId;
    private final String messageTimestamp;
    private final int code;
    private final String reason;

    public SessionDispositionEvent(String session, String messageId, String messageTimestamp, int code, String reason) {
        super("session-event");
        this.session = session;
        this.messageId = messageId;
        this.messageTimestamp = messageTimestamp;
        this.code = code;
        this.reason = reason;
    }

    public String getSession() {
        return session;
    }

    public String getEvent() {
        return "disposition-notification";
    }

    @JsonbProperty("message_id")
    public String getMessageId() {
        return messageId;
    }

    @JsonbProperty("message_timestamp")
    public String getMessageTimestamp() {
        return messageTimestamp;
    }

    public String getState() {
        return code < 300 ? "accepted" : "failed";
    }

    public int getCode() {
        return code;
    }

    public String getReason() {
        return reason;
    }
}
