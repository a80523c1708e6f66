package org.sylkserver.webrtc.api;

import javax.json.bind.annotation.JsonbProperty;

/** {@code account-message} (spec §4.8.1): a message to {@code uri}, sent as a SIP MESSAGE and stored. */
public class AccountMessageRequest extends AccountRequest {

    public static final String TYPE = "account-message";

    @Mandatory
    @SipAor
    private String uri;
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
    @JsonbProperty("server_generated")
    private Boolean serverGenerated;

    public AccountMessageRequest() {
        super(TYPE);
    }

    /** The recipient, {@code user@domain}. */
    public String getUri() {
        return uri;
    }

    public void setUri(String uri) {
        this.uri = SipAor.Syntax.strip(uri);
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

    public Boolean getServerGenerated() {
        return serverGenerated;
    }

    public void setServerGenerated(Boolean serverGenerated) {
        this.serverGenerated = serverGenerated;
    }
}
