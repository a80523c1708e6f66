package org.sylkserver.webrtc.api;

import java.util.List;

import javax.json.bind.annotation.JsonbProperty;
import javax.json.bind.annotation.JsonbPropertyOrder;
import javax.json.bind.annotation.JsonbTypeSerializer;
import javax.json.bind.serializer.JsonbSerializer;
import javax.json.bind.serializer.SerializationContext;
import javax.json.stream.JsonGenerator;

/**
 * One entry of the account's journal as {@code sync-conversations} and the history API give it (spec §4.8.4).
 * Written by {@link Writer}: a sync carries thousands of them.
 */
@JsonbPropertyOrder({"contact", "timestamp", "disposition", "messageId", "contentType", "content", "direction", "state"})
@JsonbTypeSerializer(JournalItem.Writer.class)
public class JournalItem {

    /**
     * Writes an item as JSON-B's default binding of this class would (same properties, order and escaping; a null
     * property left out), straight to the generator: JSON-B's reflective binding took half of a 5,000-message sync's
     * time warm, and 300 ms of the first sync after a start (issue 14's benchmark).
     */
    public static final class Writer implements JsonbSerializer<JournalItem> {
        @Override
        public void serialize(JournalItem item, JsonGenerator json, SerializationContext context) {
            json.writeStartObject();
            write(json, "contact", item.contact);
            write(json, "timestamp", item.timestamp);
            if (item.disposition != null) {
                json.writeStartArray("disposition");
                for (String notification : item.disposition) {
                    if (notification == null) {
                        json.writeNull();
                    } else {
                        json.write(notification);
                    }
                }
                json.writeEnd();
            }
            write(json, "message_id", item.messageId);
            write(json, "content_type", item.contentType);
            write(json, "content", item.content);
            write(json, "direction", item.direction);
            write(json, "state", item.state);
            json.writeEnd();
        }

        private static void write(JsonGenerator json, String name, String value) {
            if (value != null) {
                json.write(name, value);
            }
        }
    }

    /** Appends the item as {@link Writer} writes it. */
    void write(StringBuilder json) {
        json.append('{');
        boolean first = property(json, "contact", contact, true);
        first = property(json, "timestamp", timestamp, first);
        if (disposition != null) {
            json.append(first ? "\"disposition\":[" : ",\"disposition\":[");
            first = false;
            for (int i = 0; i < disposition.size(); i++) {
                if (i > 0) {
                    json.append(',');
                }
                String notification = disposition.get(i);
                if (notification == null) {
                    json.append("null");
                } else {
                    JsonText.quote(json, notification);
                }
            }
            json.append(']');
        }
        first = property(json, "message_id", messageId, first);
        first = property(json, "content_type", contentType, first);
        first = property(json, "content", content, first);
        first = property(json, "direction", direction, first);
        property(json, "state", state, first);
        json.append('}');
    }

    /** Appends {@code "name":value} unless the value is null; whether nothing was written yet after that. */
    private static boolean property(StringBuilder json, String name, String value, boolean first) {
        if (value == null) {
            return first;
        }
        if (!first) {
            json.append(',');
        }
        json.append('"').append(name).append("\":");
        JsonText.quote(json, value);
        return false;
    }

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
