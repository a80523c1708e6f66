package org.sylkserver.webrtc.api;

import javax.json.bind.annotation.JsonbProperty;

/**
 * {@code videoroom-message} (spec §4.6.8): a chat message to the room, carried by the publisher's chat bridge into the
 * SIP conference of the room (§4.7.4); its fate comes back as a {@code message-delivery} event.
 */
public class VideoroomMessageRequest extends SessionRequest {

    public static final String TYPE = "videoroom-message";

    @Mandatory
    @JsonbProperty("message_id")
    private String messageId;
    @Mandatory
    private String content;
    @Mandatory
    @JsonbProperty("content_type")
    private String contentType;

    public VideoroomMessageRequest() {
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
}
