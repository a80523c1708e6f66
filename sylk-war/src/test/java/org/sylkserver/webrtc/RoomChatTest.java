package org.sylkserver.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import javax.json.Json;
import javax.json.JsonObject;
import javax.json.bind.JsonbBuilder;

import org.junit.jupiter.api.Test;
import org.sylkserver.core.session.ChatLine;
import org.sylkserver.protocols.cpim.CpimMessage;
import org.sylkserver.protocols.iscomposing.IsComposing;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.webrtc.api.RequestError;
import org.sylkserver.webrtc.api.SipHeader;
import org.sylkserver.webrtc.api.VideoroomEvent;

/**
 * The room chat bridge's state machine (spec §4.6.8, §4.7.4) with a fake SIP side and a fake MSRP line: who is called,
 * what waits for the chat and what goes when it is up, how deliveries and failures reach the client, what comes from
 * the room, and that the bridge ends with the publisher.
 */
class RoomChatTest {

    private static final String ROOM = "room1@videoconference.example.com";

    private final Account alice = new Account("alice@example.com", "0123456789abcdef0123456789abcdef", "Alice", null,
            List.of());
    private final List<JsonObject> events = new ArrayList<>();
    private final FakeCalls calls = new FakeCalls();
    private FakeLine line;
    private final RoomChat chat = new RoomChat("s1", alice, ROOM, Runnable::run,
            event -> events.add(json(event)), 3, 100);

    private static JsonObject json(VideoroomEvent event) {
        try (var jsonb = JsonbBuilder.create()) {
            return Json.createReader(new StringReader(jsonb.toJson(event))).readObject();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A SIP side that records the calls placed. */
    private static final class FakeCalls implements SipCalls {
        Account from;
        String uri;
        String offer;
        SipCall.Listener listener;
        final FakeCall call = new FakeCall();
        IOException refuse;

        @Override
        public SipCall dial(Account account, String to, String sdp, List<SipHeader> headers,
                            SipCall.Listener callListener) throws IOException {
            if (refuse != null) {
                throw refuse;
            }
            from = account;
            uri = to;
            offer = sdp;
            listener = callListener;
            return call;
        }
    }

    private static final class FakeCall implements SipCall {
        boolean hungUp;
        int rejectedReinvite;

        @Override
        public String callId() {
            return "call-1";
        }

        @Override
        public InetAddress signallingSource() {
            return null;
        }

        @Override
        public void ringing() {
        }

        @Override
        public void answer(String sdp, List<SipHeader> headers) {
        }

        @Override
        public void decline(int status) {
        }

        @Override
        public void hangUp() {
            hungUp = true;
        }

        @Override
        public void reinvite(String sdp, List<SipHeader> headers) {
        }

        @Override
        public void acceptReinvite(String sdp) {
        }

        @Override
        public void rejectReinvite(int status) {
            rejectedReinvite = status;
        }

        @Override
        public void dtmf(char digit, int durationMillis) {
        }

        @Override
        public void message(String contentType, byte[] content) {
        }
    }

    /** An MSRP line that records what is sent and lets the test play the room. */
    private static final class FakeLine implements ChatLine {
        final Listener listener;
        final List<CpimMessage> sent = new ArrayList<>();
        final List<Delivery> deliveries = new ArrayList<>();
        final List<CpimMessage> quiet = new ArrayList<>();
        String answer;
        boolean closed;

        FakeLine(Listener listener) {
            this.listener = listener;
        }

        @Override
        public String offer() {
            return "v=0\r\nm=message 2855 TCP/TLS/MSRP *\r\n";
        }

        @Override
        public void answered(String sdp) throws SdpException {
            if (sdp.contains("m=message 0")) {
                throw new SdpException("the chat stream was declined");
            }
            answer = sdp;
        }

        @Override
        public void send(CpimMessage message, Delivery delivery) {
            sent.add(message);
            deliveries.add(delivery);
        }

        @Override
        public void sendQuietly(CpimMessage message) {
            quiet.add(message);
        }

        @Override
        public void nickname(String nickname, Delivery outcome) {
            throw new AssertionError("a room chat sets no nickname");
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private void start() {
        chat.start(calls, listener -> line = new FakeLine(listener));
    }

    /** Answered and connected: the chat is up. */
    private void up() {
        start();
        calls.listener.answered("v=0\r\nm=message 2856 TCP/TLS/MSRP *\r\n", Map.of());
        line.listener.connected();
        assertEquals(RoomChat.State.ACTIVE, chat.state());
    }

    private String summary() {
        String text = events.stream().map(e -> e.getString("event") + ":" + (e.containsKey("message_id")
                ? e.getString("message_id") + ":" + e.getBoolean("delivered") + ":" + e.getInt("code") + ":"
                + e.getString("reason") : "")).collect(Collectors.joining(", "));
        events.clear();
        return text;
    }

    /** Spec §4.7.4: the first videoconference label of the host becomes conference; nothing else changes. */
    @Test
    void theConferenceOfARoom_spec_4_7_4() {
        assertEquals("room1@conference.example.com", RoomChat.conferenceUri("room1@videoconference.example.com"));
        assertEquals("r@conference.videoconference.example.com",
                RoomChat.conferenceUri("r@videoconference.videoconference.example.com"));
        assertEquals("videoconference@conference.example.com",
                RoomChat.conferenceUri("videoconference@videoconference.example.com"));
        assertEquals("room@example.com", RoomChat.conferenceUri("room@example.com"));
    }

    /** Spec §4.7.4: the call goes from the account (its credentials) to the room's conference with one chat stream. */
    @Test
    void callsTheConferenceFromTheAccount_spec_4_7_4() {
        start();
        assertEquals(alice, calls.from);
        assertEquals("room1@conference.example.com", calls.uri);
        assertTrue(calls.offer.contains("m=message"), calls.offer);
        assertEquals(RoomChat.State.CALLING, chat.state());
        calls.listener.answered("v=0\r\nm=message 2856 TCP/TLS/MSRP *\r\n", Map.of());
        assertEquals(RoomChat.State.CONNECTING, chat.state());
        assertTrue(line.answer.contains("2856"));
    }

    /**
     * Spec §4.6.8: messages sent before the chat is up wait and go, in order, once it is; each is CPIM from the
     * account to the conference with the client's message id (RFC 5438 imdn.Message-ID), and its REPORT becomes
     * message-delivery.
     */
    @Test
    void messagesWaitForTheChatAndTheirReportsComeBack_spec_4_6_8() throws Exception {
        start();
        chat.message("m1", "text/plain", "hello é");
        chat.message("m2", "text/html", "<b>hi</b>");
        assertTrue(line.sent.isEmpty(), "nothing goes before the chat is up");
        calls.listener.answered("v=0\r\n", Map.of());
        assertTrue(line.sent.isEmpty(), "nor while it connects");
        line.listener.connected();
        assertEquals(2, line.sent.size());
        CpimMessage first = line.sent.get(0);
        assertEquals("sip:alice@example.com", first.from().orElseThrow().uri());
        assertEquals("Alice", first.from().orElseThrow().displayName());
        assertEquals("sip:room1@conference.example.com", first.to().get(0).uri());
        assertEquals("m1", first.imdnMessageId().orElseThrow());
        assertEquals("text/plain", first.contentType());
        assertEquals("hello é", new String(first.content(), StandardCharsets.UTF_8));
        assertEquals("m2", line.sent.get(1).imdnMessageId().orElseThrow());
        assertEquals("", summary(), "no delivery before the reports");
        line.deliveries.get(1).outcome(200, "OK");
        line.deliveries.get(0).outcome(413, "Unwanted Message");
        line.deliveries.get(0).outcome(200, "OK"); // only the first outcome of a message counts
        assertEquals("message-delivery:m2:true:200:OK, message-delivery:m1:false:413:Unwanted Message", summary());
        chat.message("m3", "text/plain", "now");
        assertEquals(3, line.sent.size(), "sent at once when the chat is up");
    }

    /** Spec §4.6.8: the chat ends; what waited or was not reported fails with code 0, and so does what comes after. */
    @Test
    void whenTheChatEndsMessagesFail_spec_4_6_8() throws Exception {
        up();
        chat.message("sent1", "text/plain", "in flight");
        calls.listener.ended();
        assertEquals(RoomChat.State.ENDED, chat.state());
        assertTrue(calls.call.hungUp && line.closed, "the call and the line end");
        assertEquals("message-delivery:sent1:false:0:Chat session ended", summary());
        line.deliveries.get(0).outcome(200, "OK");
        assertEquals("", summary(), "a late report is not told twice");
        chat.message("late", "text/plain", "too late");
        assertEquals("message-delivery:late:false:0:Chat session ended", summary());
    }

    /** Spec §4.6.8, §4.7.4: a refused call (or none at all) fails the waiting messages; the join is not affected. */
    @Test
    void aRefusedCallFailsTheWaitingMessages_spec_4_7_4() throws Exception {
        start();
        chat.message("q1", "text/plain", "queued");
        calls.listener.rejected(404, "Not Found");
        assertEquals("message-delivery:q1:false:0:Chat session ended", summary());

        RoomChat unreachable = new RoomChat("s2", alice, ROOM, Runnable::run, event -> events.add(json(event)), 3, 100);
        calls.refuse = new IOException("no route");
        unreachable.start(calls, listener -> new FakeLine(listener));
        assertEquals(RoomChat.State.ENDED, unreachable.state());
        unreachable.message("x", "text/plain", "lost");
        assertEquals("message-delivery:x:false:0:Chat session ended", summary());
    }

    /** A declined chat stream or a lost MSRP connection ends the chat and its call. */
    @Test
    void aDeclinedStreamOrALostConnectionEndsIt() throws Exception {
        start();
        chat.message("q1", "text/plain", "queued");
        calls.listener.answered("v=0\r\nm=message 0 TCP/TLS/MSRP *\r\n", Map.of());
        assertEquals(RoomChat.State.ENDED, chat.state());
        assertTrue(calls.call.hungUp);
        assertEquals("message-delivery:q1:false:0:Chat session ended", summary());

        RoomChat other = new RoomChat("s2", alice, ROOM, Runnable::run, event -> events.add(json(event)), 3, 100);
        FakeCalls otherCalls = new FakeCalls();
        FakeLine[] otherLine = new FakeLine[1];
        other.start(otherCalls, listener -> otherLine[0] = new FakeLine(listener));
        otherCalls.listener.answered("v=0\r\n", Map.of());
        otherLine[0].listener.connected();
        otherLine[0].listener.closed("connection reset");
        assertEquals(RoomChat.State.ENDED, other.state());
        assertTrue(otherCalls.call.hungUp, "the call ends with its connection");
    }

    /**
     * At most chat_queue_size messages wait, contents up to max_message_body_size (as account messages); bad
     * properties and reused ids get the original's style of error.
     */
    @Test
    void theQueueIsBoundedAndBadRequestsAreRefused() throws Exception {
        start();
        chat.message("1", "text/plain", "a");
        chat.message("2", "text/plain", "b");
        chat.message("3", "text/plain", "c");
        RequestError full = assertThrows(RequestError.class, () -> chat.message("4", "text/plain", "d"));
        assertTrue(full.getMessage().contains("chat_queue_size 3"), full.getMessage());
        RequestError reused = assertThrows(RequestError.class, () -> chat.message("1", "text/plain", "again"));
        assertTrue(reused.getMessage().startsWith("Invalid value for 'message_id' property"), reused.getMessage());
        RequestError large = assertThrows(RequestError.class, () -> chat.message("big", "text/plain", "x".repeat(101)));
        assertEquals("Message content too large (max_message_body_size 100 bytes)", large.getMessage());
        assertThrows(RequestError.class, () -> chat.message("5", "not a type", "x"));
        assertThrows(RequestError.class, () -> chat.message("6\n", "text/plain", "x"));
        RequestError state = assertThrows(RequestError.class, () -> chat.composing("typing", null));
        assertEquals("Invalid value for 'state' property: 'typing' (expected: active or idle)", state.getMessage());
        assertThrows(RequestError.class, () -> chat.composing("active", 0));
    }

    /** Spec §4.6.8: composing indications go to the room as RFC 3994 documents once the chat is up, without reports. */
    @Test
    void composingIsRelayedToTheRoom_rfc3994() throws Exception {
        start();
        chat.composing("active", 60);
        assertTrue(line.quiet.isEmpty(), "dropped before the chat is up");
        calls.listener.answered("v=0\r\n", Map.of());
        line.listener.connected();
        chat.composing("active", 60);
        chat.composing("idle", null);
        assertEquals(2, line.quiet.size());
        CpimMessage active = line.quiet.get(0);
        assertEquals(IsComposing.CONTENT_TYPE, active.contentType());
        assertEquals("sip:alice@example.com", active.from().orElseThrow().uri());
        IsComposing document = IsComposing.parse(active.content());
        assertTrue(document.active());
        assertEquals(60, document.refresh());
        assertFalse(IsComposing.parse(line.quiet.get(1).content()).active());
        assertTrue(line.sent.isEmpty(), "composing is not a message");
    }

    /**
     * Spec §4.6.8: what the room says becomes message events (status for the room's notices, marked with the AG
     * Projects header), composing indications become composing-indication events.
     */
    @Test
    void whatTheRoomSaysReachesTheClient_spec_4_6_8() throws Exception {
        up();
        OffsetDateTime when = OffsetDateTime.of(2025, 5, 1, 10, 0, 5, 0, ZoneOffset.UTC);
        line.listener.received(CpimMessage.builder().from(new CpimMessage.Address("Bob", "sip:bob@example.com"))
                .to(CpimMessage.Address.of("sip:room1@conference.example.com")).dateTime(when)
                .contentHeader("Content-Type", "text/plain").content("hello".getBytes(StandardCharsets.UTF_8)).build());
        line.listener.received(CpimMessage.builder()
                .from(new CpimMessage.Address("Conference Room", "sip:room1@conference.example.com"))
                .to(CpimMessage.Address.of("sip:room1@conference.example.com")).dateTime(when)
                .namespace("agp", CpimMessage.AGP_NAMESPACE).header("agp.Message-Type", "status")
                .contentHeader("Content-Type", "text/plain")
                .content("bob@example.com has joined the room".getBytes(StandardCharsets.UTF_8)).build());
        line.listener.received(CpimMessage.builder().from(new CpimMessage.Address("Bob", "sip:bob@example.com"))
                .to(CpimMessage.Address.of("sip:room1@conference.example.com"))
                .contentHeader("Content-Type", IsComposing.CONTENT_TYPE)
                .content(new IsComposing(true, 60, null, null).toXml()).build());
        assertEquals(3, events.size(), events.toString());
        JsonObject message = events.get(0);
        assertEquals("message", message.getString("event"));
        assertEquals("s1", message.getString("session"));
        assertEquals("normal", message.getString("type"));
        assertEquals("hello", message.getString("content"));
        assertEquals("text/plain", message.getString("content_type"));
        assertEquals("bob@example.com", message.getJsonObject("sender").getString("uri"));
        assertEquals("Bob", message.getJsonObject("sender").getString("display_name"));
        assertEquals("2025-05-01T10:00:05+00:00", message.getString("timestamp"));
        assertEquals("status", events.get(1).getString("type"));
        JsonObject composing = events.get(2);
        assertEquals("composing-indication", composing.getString("event"));
        assertEquals("active", composing.getString("state"));
        assertEquals(60, composing.getInt("refresh"));
        assertEquals("text", composing.getString("content_type"), "RFC 3994 §4: the default content is text");
        assertEquals("bob@example.com", composing.getJsonObject("sender").getString("uri"));
    }

    /** Spec §4.7.4: re-INVITE proposals on the chat's call are rejected. */
    @Test
    void reinvitesAreRejected_spec_4_7_4() {
        up();
        calls.listener.reoffered("v=0\r\n");
        assertEquals(488, calls.call.rejectedReinvite);
        assertEquals(RoomChat.State.ACTIVE, chat.state());
    }

    /** The publisher leaves: the call and line end, and nothing more is told to its (gone) client. */
    @Test
    void theBridgeEndsWithThePublisher() throws Exception {
        up();
        chat.message("m1", "text/plain", "bye");
        chat.close();
        assertTrue(calls.call.hungUp && line.closed);
        line.deliveries.get(0).outcome(200, "OK");
        line.listener.received(CpimMessage.builder().from(CpimMessage.Address.of("sip:bob@example.com"))
                .contentHeader("Content-Type", "text/plain").content(new byte[] {'x'}).build());
        assertEquals("", summary());
    }
}
