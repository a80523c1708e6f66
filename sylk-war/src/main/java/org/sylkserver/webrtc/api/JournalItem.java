package org.sylkserver.webrtc.api;

import java.util.List;

import javax.json.bind.annotation.JsonbProperty;
import javax.json.bind.annotation.JsonbPropertyOrder;

/** One entry of the account's journal as {@code sync-conversations} and the history API give it (spec §4.8.4). */
@JsonbPropertyOrder({"contact", "timestamp", "disposition", "messageId", "contentType", "content", "direction", "state"})
public class JournalItem {

    private final String contact;
    private final String timestamp;
    private final List<String> disposition;
    private final String messageId;
    private final String contentType;
    private final String content;
    private final String direction;
    private final String state;

    public JournalItem(String contact, String timestamp, List<String> disposition, String messageId,
                       String contentType, String content, String direction, String state) {
        this.contact = contact;
        this.timestamp = timestamp;
        this.disposition = disposition;
        this.messageId = messageId;
        this.contentType = contentType;
        this.content = content;
        this.direction = direction;
        this.state = state;
    }

    public String getContact() {
        return contact;
    }

    public String getTimestamp() {
        return timestamp;
    }

    public List<String> getDisposition() {
        return disposition;
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

    public String getDirection() {
        return direction;
    }

    public String getState() {
        return state;
    }
}
