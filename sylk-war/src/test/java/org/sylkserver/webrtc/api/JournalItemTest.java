package org.sylkserver.webrtc.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;

import javax.json.bind.Jsonb;
import javax.json.bind.JsonbBuilder;
import javax.json.bind.annotation.JsonbProperty;
import javax.json.bind.annotation.JsonbPropertyOrder;

import org.junit.jupiter.api.Test;

/** {@link JournalItem.Writer} writes what JSON-B's default binding wrote before it (spec §4.8.4 sync entries). */
class JournalItemTest {

    private static final Jsonb JSONB = JsonbBuilder.create();

    /** The item class as it was bound before the writer: the reference. */
    @JsonbPropertyOrder({"contact", "timestamp", "disposition", "messageId", "contentType", "content", "direction", "state"})
    public static class Bound {
        private final JournalItem item;
        private final List<String> disposition;
        private final String[] fields;

        Bound(String contact, String timestamp, List<String> disposition, String messageId, String contentType,
              String content, String direction, String state) {
            this.item = new JournalItem(contact, timestamp, disposition, messageId, contentType, content, direction, state);
            this.disposition = disposition;
            this.fields = new String[] {contact, timestamp, messageId, contentType, content, direction, state};
        }

        public String getContact() {
            return fields[0];
        }

        public String getTimestamp() {
            return fields[1];
        }

        public List<String> getDisposition() {
            return disposition;
        }

        @JsonbProperty("message_id")
        public String getMessageId() {
            return fields[2];
        }

        @JsonbProperty("content_type")
        public String getContentType() {
            return fields[3];
        }

        public String getContent() {
            return fields[4];
        }

        public String getDirection() {
            return fields[5];
        }

        public String getState() {
            return fields[6];
        }
    }

    private static void sameAsTheBinding(Bound... items) {
        List<Bound> bound = Arrays.asList(items);
        List<JournalItem> written = bound.stream().map(b -> b.item).toList();
        assertEquals(JSONB.toJson(bound), JSONB.toJson(written));
        assertEquals(JSONB.toJson(new SyncConversationsEventOf(bound)).replace("\"messages\"", "\"m\""),
                JSONB.toJson(new SyncConversationsEvent("alice@example.com", written)).replace("\"messages\"", "\"m\""));
        // the event written by hand, as a connection sends it
        assertEquals(JSONB.toJson(new SyncConversationsEventOf(bound)),
                new SyncConversationsEvent("alice@example.com", written).toJson());
    }

    /** Every character is escaped as the binding escapes it (RFC 8259 §7), one string of each UTF-16 unit. */
    @Test
    void escapesEveryCharacterAsTheBindingDoes() {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x800; c++) {
            all.append(c);
        }
        all.append("\u2028\u2029\ud800\udfff\uffff\ud83d\ude00");
        sameAsTheBinding(new Bound("bob@example.com", "2026-01-01T10:00:00+00:00", List.of(all.toString()), "m",
                "text/plain", all.toString(), "incoming", "received"));
    }

    /** The event around bound items, for comparing whole events. */
    @JsonbPropertyOrder({"sylkrtc", "account", "event", "messages"})
    public static class SyncConversationsEventOf extends SylkRtcMessage {
        private final List<Bound> messages;

        SyncConversationsEventOf(List<Bound> messages) {
            super("account-event");
            this.messages = messages;
        }

        public String getAccount() {
            return "alice@example.com";
        }

        public String getEvent() {
            return "sync-conversations";
        }

        public List<Bound> getMessages() {
            return messages;
        }
    }

    @Test
    void writesWhatTheBindingWrote_spec_4_8_4() {
        sameAsTheBinding(
                new Bound("bob@example.com", "2026-01-01T10:00:00.123456+00:00", List.of("positive-delivery", "display"),
                        "m1", "text/plain", "Hello \"Bob\" \\ \u00e9\u4e2d\ud83d\ude00\n\t\u0001 </script>", "outgoing", "accepted"),
                new Bound("carol@example.com", "2026-01-01T10:00:01+00:00", List.of(), "m2", "message/imdn",
                        "{\"state\":\"delivered\"}", "", ""),
                new Bound(null, "2026-01-01T10:00:02+00:00", Arrays.asList("display", null), "m3", null, null, null, null));
        sameAsTheBinding();
    }
}
