package org.sylkserver.webrtc.api;

import javax.json.bind.annotation.JsonbProperty;

/** {@code session-message} (spec §4.5.7): an in-dialog SIP MESSAGE, CPIM-wrapped, in state {@code established}. */
public class SessionMessageRequest extends SessionRequest {

    public static final String TYPE = "session-message";

    @Mandatory
    @JsonbProperty("message_id")
    private String messageId;
    @Mandatory
    private String content;
    @Mandatory
    @JsonbProperty("content_type")
    private String contentType;
    @Mandatory
    private String timestamp;

    public SessionMessageRequest() {
        super(TYPE);
    }

    public String getMessageId() {
        return messageId;
    }

    public void setMessageId(String messageId) {
        this.messageId = messageId;
    }

    public String getContent() {
        return content;
    }

    public void setContent(String content) {
        this.content = content;
    }

    public String getContentType() {
        return contentType;
    }

    public void setContentType(String contentType) {
        this.contentType = contentType;
    }

    /** ISO-8601, as the client's {@code Date.toISOString()}. */
    public String getTimestamp() {
        return timestamp;
    }

    public void setTimestamp(String timestamp) {
        this.timestamp = timestamp;
    }
}
