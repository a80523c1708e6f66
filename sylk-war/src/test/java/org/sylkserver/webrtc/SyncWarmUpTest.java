package org.sylkserver.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.StringReader;

import javax.json.Json;
import javax.json.JsonObject;

import org.junit.jupiter.api.Test;
import org.sylkserver.webrtc.api.SyncConversationsEvent;
import org.sylkserver.webrtc.messaging.Messaging;

/** The sync warm-up (issue 14: the first 5,000-entry sync after a start was 2-4 times slower than the next). */
class SyncWarmUpTest {

    /**
     * spec §4.8.4: the warm-up runs what a sync of a full journal runs, the conversion of 5,000 entries and the
     * serialization of the {@code sync-conversations} event, and its event is the one a client would get.
     */
    @Test
    void theWarmUpSerializesAFullSyncAsAClientGetsIt_spec_4_8_4() {
        String json = SylkRtcConnection.json(new SyncConversationsEvent("warm-up@invalid",
                Messaging.items(SyncWarmUp.journal())));
        assertEquals(json.length(), SyncWarmUp.run());
        JsonObject event = Json.createReader(new StringReader(json)).readObject();
        assertEquals("sync-conversations", event.getString("event"));
        assertEquals(SyncWarmUp.ENTRIES, event.getJsonArray("messages").size());
        JsonObject first = event.getJsonArray("messages").getJsonObject(0);
        assertEquals("2026-01-01T10:00:00.123456+00:00", first.getString("timestamp"));
        assertEquals(2, first.getJsonArray("disposition").size());
    }
}
