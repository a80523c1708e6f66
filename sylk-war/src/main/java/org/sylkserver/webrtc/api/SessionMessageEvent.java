package org.sylkserver.webrtc.api;

import javax.json.bind.annotation.JsonbProperty;
import javax.json.bind.annotation.JsonbPropertyOrder;

/**
 * {@code session-event} with {@code event: message} (spec §4.5.7): an in-dialog MESSAGE from the remote party,
 * CPIM unwrapped. {@code disposition_notification} is always {@code null} as in the original.
 */
@JsonbPropertyOrder({"sylkrtc", "session", "event", "sender", "timestamp", "dispositionNotification", "messageId",
        "contentType", "content"})
public class SessionMessageEvent extends SylkRtcMessage {

    private final String session;
    private final SipIdentity sender;
    private final String timestamp;
    private final String messageId;
    private final String contentType;
    private final String content;

    public SessionMessageEvent(String session, SipIdentity sender, String timestamp, String messageId,
                               String contentType, String content) {
        super("session-event");
        this.session = session;
        this.sender = sender;
        this.timestamp = timestamp;
        this.messageId = messageId;
        this.contentType = contentType;
        this.content = content;
    }

    public String getSession() {
        return session;
    }

    public String getEvent() {
        return "message";
    }

    public SipIdentity getSender() {
        return sender;
    }

    public String getTimestamp() {
        return timestamp;
    }

    @JsonbProperty(value = "disposition_notification", nillable = true)
    public String getDispositionNotification() {
        return null;
    }

    @JsonbProperty("message_id")
    public String getMessageId() {
        return messageId;
    }

    @JsonbProperty("content_type")
    public String getContentType() {
        return contentType;
    }

    public String getContent() {
        return content;
    }
}
