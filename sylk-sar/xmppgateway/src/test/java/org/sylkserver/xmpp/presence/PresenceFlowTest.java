package org.sylkserver.xmpp.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.junit.jupiter.api.Test;

/** Spec §5.5.1. */
class PresenceFlowTest {

    private record Notification(String state, String pidf) {
    }

    private static final class RecordingWatcher implements PresenceFlow.Watcher {
        final List<Notification> notifications = new ArrayList<>();
        boolean alive = true;

        @Override
        public void notify(String state, byte[] pidf) {
            notifications.add(new Notification(state, pidf == null ? null : new String(pidf, StandardCharsets.UTF_8)));
        }

        @Override
        public boolean alive() {
            return alive;
        }
    }

    private static Presence presence(Presence.Type type, Presence.Mode mode, String status) {
        var builder = StanzaBuilder.buildPresence().ofType(type);
        if (mode != null) {
            builder.setMode(mode);
        }
        if (status != null) {
            builder.setStatus(status);
        }
        return builder.build();
    }

    @Test
    void pendingUntilSubscribedThenPidfForEveryAvailability() {
        PresenceFlow flow = new PresenceFlow("sip:romeo@sylk.example", "juliet@xmpp.example");
        RecordingWatcher watcher = new RecordingWatcher();
        flow.watch(watcher);
        assertEquals(new Notification("pending", null), watcher.notifications.get(0));
        flow.presence(presence(Presence.Type.subscribed, null, null), null);
        assertEquals(PresenceFlow.State.ACTIVE, flow.state());
        flow.presence(presence(Presence.Type.available, Presence.Mode.dnd, "in a meeting"), "balcony");
        Notification last = watcher.notifications.get(watcher.notifications.size() - 1);
        assertEquals("active", last.state());
        assertTrue(last.pidf().contains("<basic>open</basic>") && last.pidf().contains(">busy<"), last.pidf());
        assertTrue(last.pidf().contains("<note>in a meeting</note>"), last.pidf());
        // a second SIP subscription joins the active flow and gets the document at once
        RecordingWatcher second = new RecordingWatcher();
        flow.watch(second);
        assertEquals("active", second.notifications.get(0).state());
        assertTrue(second.notifications.get(0).pidf().contains("balcony"));
    }

    /** Any availability activates a pending flow, and an unavailable resource is reported once, then forgotten. */
    @Test
    void anUnavailableResourceIsReportedOnceAsOffline() {
        PresenceFlow flow = new PresenceFlow("sip:romeo@sylk.example", "juliet@xmpp.example");
        RecordingWatcher watcher = new RecordingWatcher();
        flow.watch(watcher);
        flow.presence(presence(Presence.Type.available, null, null), "phone");
        flow.presence(presence(Presence.Type.unavailable, null, null), "phone");
        String offline = watcher.notifications.get(2).pidf();
        assertTrue(offline.contains("<basic>closed</basic>") && offline.contains(">offline<"), offline);
        flow.presence(presence(Presence.Type.available, null, null), "laptop");
        String now = watcher.notifications.get(3).pidf();
        assertFalse(now.contains(">phone<"), now);
    }

    @Test
    void unsubscribedEndsTheFlowAndItsSubscriptions() {
        PresenceFlow flow = new PresenceFlow("sip:romeo@sylk.example", "juliet@xmpp.example");
        RecordingWatcher watcher = new RecordingWatcher();
        flow.watch(watcher);
        assertTrue(flow.presence(presence(Presence.Type.unsubscribed, null, null), null));
        assertEquals("terminated;reason=rejected", watcher.notifications.get(1).state());
        assertNull(watcher.notifications.get(1).pidf());
    }

    @Test
    void theLastSubscriptionLeavingEndsTheFlow() {
        PresenceFlow flow = new PresenceFlow("sip:romeo@sylk.example", "juliet@xmpp.example");
        RecordingWatcher one = new RecordingWatcher();
        RecordingWatcher two = new RecordingWatcher();
        flow.watch(one);
        flow.watch(two);
        assertFalse(flow.leave(one));
        two.alive = false;
        assertTrue(flow.leave(new RecordingWatcher()));
        assertEquals(PresenceFlow.State.ENDED, flow.state());
    }

    /** The document of §5.5.1 step 5: person activities, tuple ids, contact with gr, device info. */
    @Test
    void thePidfDocument() {
        Map<String, Presence> resources = new LinkedHashMap<>();
        resources.put("balcony", presence(Presence.Type.available, Presence.Mode.xa, null));
        resources.put("phone", presence(Presence.Type.available, null, null));
        String pidf = new String(Pidf.of("juliet@xmpp.example", resources, Instant.parse("2026-12-05T08:00:00Z")),
                StandardCharsets.UTF_8);
        assertTrue(pidf.contains("entity=\"sip:juliet@xmpp.example\""), pidf);
        assertTrue(pidf.contains("<dm:person id=\"PID-") && pidf.contains("<rpid:activities><rpid:away/></rpid:activities>"), pidf);
        assertTrue(pidf.contains("<tuple id=\"SID-62616c636f6e79\">"), pidf);
        assertTrue(pidf.contains("<contact>sip:juliet@xmpp.example;gr=62616c636f6e79;xmpp</contact>"), pidf);
        assertTrue(pidf.contains("<agp:description>balcony</agp:description>"), pidf);
        assertTrue(pidf.contains("<agp:extended>away</agp:extended>") && pidf.contains("<agp:extended>available</agp:extended>"), pidf);
        assertTrue(pidf.contains("<timestamp>2026-12-05T08:00:00Z</timestamp>"), pidf);
    }

    /** One flow per pair; subscribe when made, probe only once approved (RFC 6121 §4.3.2, see PresenceFlows). */
    @Test
    void flowsSubscribeFirstAndProbeOnceApproved() {
        List<String> sent = new ArrayList<>();
        PresenceFlows flows = new PresenceFlows(flow -> sent.add("subscribe " + flow.bareJid()),
                flow -> sent.add("probe " + flow.bareJid()));
        PresenceFlow flow = flows.flow("sip:romeo@sylk.example", "juliet@xmpp.example");
        assertEquals(flow, flows.flow("sip:romeo@sylk.example", "juliet@xmpp.example"));
        assertEquals(List.of("subscribe juliet@xmpp.example"), sent);
        flows.presence("sip:romeo@sylk.example", "juliet@xmpp.example", null, presence(Presence.Type.subscribed, null, null));
        assertEquals(List.of("subscribe juliet@xmpp.example", "probe juliet@xmpp.example"), sent);
    }
}
