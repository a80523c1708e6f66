package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.json.Json;
import javax.json.JsonObject;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 13's room chat end to end (spec §4.6.8, §4.7.4): two sylkRTC clients publish in the video room
 * {@code room1@videoconference.example.com} and a SIP MSRP client (the tests' {@link ChatClient}) is in the SIP
 * conference {@code room1@conference.example.com}. Each publisher's chat bridge calls that conference through the
 * outbound proxy, which is the server itself (as the original's deployments route it), so the real conference
 * application is the MSRP switch between them: messages, delivery reports, the room's notices and composing
 * indications go every way.
 */
@ExtendWith(ArquillianExtension.class)
class RoomChatIT {

    private static final String ROOM = "room1@videoconference.example.com";
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** A browser's publisher offer (BUNDLE, ICE, fingerprint, Opus and VP8), JSON-escaped: its media never flow here. */
    private static final String OFFER = Json.createValue(String.join("\r\n", "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-",
            "t=0 0", "a=group:BUNDLE 0 1", "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0",
            "a=ice-ufrag:abcd", "a=ice-pwd:abcdefghijklmnopqrstuvwx", "a=fingerprint:sha-256 " + "AB:".repeat(31) + "AB",
            "a=setup:actpass", "a=mid:0", "a=sendonly", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2",
            "m=video 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 0.0.0.0", "a=ice-ufrag:abcd", "a=ice-pwd:abcdefghijklmnopqrstuvwx",
            "a=fingerprint:sha-256 " + "AB:".repeat(31) + "AB", "a=setup:actpass", "a=mid:1", "a=sendonly", "a=rtcp-mux",
            "a=rtpmap:96 VP8/90000", "")).toString();

    /** The bridges' calls go to the server's own SIP port: the route the original's deployments give them. */
    @Deployment(testable = false)
    static EnterpriseArchive everything() throws IOException {
        ServerConfig.write("webrtcgateway.ini", "[General]\noutbound_sip_proxy = " + Sipp.SERVER + ":" + Sipp.SIP_PORT
                + ";transport=udp\nsip_domains = *\n");
        return Archives.all();
    }

    @AfterAll
    static void closeSipConnections() throws IOException {
        ChatClient.closeSipConnections();
    }

    /** A sylkRTC client that keeps every frame, so that events can be awaited in any order. */
    private static final class Member {
        final SylkRtcClient client;
        final String session;
        final List<JsonObject> seen = new ArrayList<>();

        Member(String account, String display, String session) throws Exception {
            this.session = session;
            client = SylkRtcClient.connect("sylkRTC-2");
            assertEquals("{\"sylkrtc\":\"ready-event\"}", client.next());
            client.send("{\"sylkrtc\":\"account-add\",\"transaction\":\"add\",\"account\":\"" + account
                    + "\",\"password\":\"0123456789abcdef0123456789abcdef\",\"display_name\":\"" + display + "\"}");
            await("ack", "add");
            client.send("{\"sylkrtc\":\"videoroom-join\",\"transaction\":\"join\",\"account\":\"" + account
                    + "\",\"session\":\"" + session + "\",\"uri\":\"" + ROOM + "\",\"sdp\":" + OFFER + "}");
            await("ack", "join");
            awaitEvent("session-state", "accepted");
        }

        void send(String json) {
            client.send(json);
        }

        /** The first frame (seen or to come) whose {@code sylkrtc} and {@code transaction} are these. */
        JsonObject await(String sylkrtc, String transaction) throws Exception {
            return awaitFrame(m -> m.getString("sylkrtc").equals(sylkrtc)
                    && transaction.equals(m.getString("transaction", null)), sylkrtc + " " + transaction);
        }

        /** The first videoroom event of this kind whose property {@code key} (state, content, ...) has {@code value}. */
        JsonObject awaitEvent(String event, String value) throws Exception {
            return awaitFrame(m -> m.getString("sylkrtc").equals("videoroom-event")
                    && m.getString("event").equals(event) && m.toString().contains(value), event + " " + value);
        }

        private JsonObject awaitFrame(java.util.function.Predicate<JsonObject> wanted, String what) throws Exception {
            long deadline = System.nanoTime() + WAIT.toNanos();
            int checked = 0;
            while (true) {
                for (; checked < seen.size(); checked++) {
                    if (wanted.test(seen.get(checked))) {
                        return seen.remove(checked);
                    }
                }
                long left = (deadline - System.nanoTime()) / 1_000_000;
                String frame = left > 0 ? client.next(Duration.ofMillis(left)) : null;
                if (frame == null) {
                    throw new AssertionError(session + ": no " + what + " among " + seen);
                }
                seen.add(Json.createReader(new StringReader(frame)).readObject());
            }
        }
    }

    /**
     * Spec §4.6.8/§4.7.4: alice's message, sent before her chat is up, waits and is delivered (the conference's REPORT
     * becomes message-delivery); it reaches the SIP client and, from the room's history, bob; the SIP client's message
     * reaches both browsers as message events, the room's join notices as status messages; composing indications go
     * both ways; alice leaves and her bridge leaves the conference with her.
     */
    @Test
    void browsersAndASipClientShareTheRoomChat_spec_4_7_4() throws Exception {
        try (ChatClient carol = new ChatClient("carol", "room1", "conference.example.com")) {
            carol.join();
            Member alice = new Member("alice@example.com", "Alice", "a1");
            alice.send("{\"sylkrtc\":\"videoroom-message\",\"transaction\":\"m1\",\"session\":\"a1\","
                    + "\"message_id\":\"rm-1\",\"content\":\"Hello from the browser \u00e9\",\"content_type\":\"text/plain\"}");
            alice.await("ack", "m1");
            JsonObject delivery = alice.awaitEvent("message-delivery", "rm-1");
            assertTrue(delivery.getBoolean("delivered") && delivery.getInt("code") == 200, delivery.toString());

            String atCarol = carol.readUntil(m -> m.contains("Hello from the browser"), "alice's message");
            assertTrue(atCarol.contains("From: \"Alice\" <sip:alice@example.com>"), atCarol);
            assertTrue(atCarol.contains("imdn.Message-ID: rm-1"), "the client's message id: " + atCarol);

            Member bob = new Member("bob@example.com", "Bob", "b1");
            JsonObject history = bob.awaitEvent("message", "Hello from the browser");
            assertEquals("Hello from the browser \u00e9", history.getString("content"), "UTF-8 both ways");
            assertEquals("normal", history.getString("type"));
            assertEquals("alice@example.com", history.getJsonObject("sender").getString("uri"));
            JsonObject notice = alice.awaitEvent("message", "bob@example.com");
            assertEquals("status", notice.getString("type"), "the room's join notice: " + notice);

            carol.send("say00001", "message/cpim", "From: <sip:carol@127.0.0.1>\r\nTo: <sip:room1@conference.example.com>"
                    + "\r\n\r\nContent-Type: text/plain\r\n\r\nHi browsers, SIP here");
            for (Member member : List.of(alice, bob)) {
                JsonObject message = member.awaitEvent("message", "Hi browsers, SIP here");
                assertEquals("normal", message.getString("type"));
                assertEquals("carol@127.0.0.1", message.getJsonObject("sender").getString("uri"));
                assertEquals("text/plain", message.getString("content_type"));
            }

            alice.send("{\"sylkrtc\":\"videoroom-composing-indication\",\"transaction\":\"c1\",\"session\":\"a1\","
                    + "\"state\":\"active\",\"refresh\":60}");
            alice.await("ack", "c1");
            String composing = carol.readUntil(m -> m.contains("application/im-iscomposing+xml")
                    && m.contains("sip:alice@example.com"), "alice's composing indication");
            assertTrue(composing.contains("<state>active</state>") && composing.contains("<refresh>60</refresh>"),
                    composing);
            JsonObject atBob = bob.awaitEvent("composing-indication", "alice@example.com");
            assertEquals("active", atBob.getString("state"));
            assertEquals(60, atBob.getInt("refresh"));

            carol.send("cmp00001", "message/cpim", "From: <sip:carol@127.0.0.1>\r\nTo: <sip:room1@conference.example.com>"
                    + "\r\n\r\nContent-Type: application/im-iscomposing+xml\r\n\r\n<?xml version=\"1.0\"?>"
                    + "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\"><state>idle</state></isComposing>");
            JsonObject idle = alice.awaitEvent("composing-indication", "carol@127.0.0.1");
            assertEquals("idle", idle.getString("state"));

            alice.send("{\"sylkrtc\":\"videoroom-leave\",\"transaction\":\"l1\",\"session\":\"a1\"}");
            alice.await("ack", "l1");
            carol.readUntil(m -> m.contains("alice@example.com") && m.contains("has left the room"),
                    "the notice that alice's bridge left with her");
            bob.awaitEvent("message", "has left the room");
            bob.send("{\"sylkrtc\":\"videoroom-leave\",\"transaction\":\"l2\",\"session\":\"b1\"}");
            bob.await("ack", "l2");
            alice.client.close();
            bob.client.close();
        }
    }
}
