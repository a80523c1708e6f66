package org.sylkserver.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.Deflater;

import javax.json.bind.Jsonb;
import javax.json.bind.JsonbBuilder;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.protocols.cpim.CpimMessage;
import org.sylkserver.webrtc.api.AccountDispositionNotificationRequest;
import org.sylkserver.webrtc.api.AccountMessageRequest;
import org.sylkserver.webrtc.api.AccountSyncConversationsRequest;
import org.sylkserver.webrtc.api.RequestError;
import org.sylkserver.webrtc.api.SylkRtcMessage;
import org.sylkserver.webrtc.messaging.IncomingSipMessage;
import org.sylkserver.webrtc.messaging.Messaging;
import org.sylkserver.webrtc.messaging.MessagingConfig;
import org.sylkserver.webrtc.messaging.SipMessages;
import org.sylkserver.webrtc.messaging.SqliteMessageStore;
import org.sylkserver.webrtc.messaging.StoreException;
import org.sylkserver.webrtc.messaging.StoreQueue;
import org.sylkserver.webrtc.messaging.StoredMessage;

/** Messaging's rules per content type and journal entry (spec §4.8, §4.9), with the embedded store and fake SIP. */
class MessagingTest {

    private static final Jsonb JSONB = JsonbBuilder.create();

    /** An event as a device got it. */
    record Published(String account, String json, SylkRtcConnection except) {
    }

    /** A MESSAGE the gateway sent, and how to answer it. */
    record Sent(SipMessages.Outgoing message, SipMessages.Outcome outcome) {
        String body() {
            return new String(message.body(), StandardCharsets.UTF_8);
        }
    }

    @TempDir
    Path directory;
    private SqliteMessageStore store;
    private Messaging messaging;
    private final List<Published> events = new ArrayList<>();
    private final List<Sent> sent = new ArrayList<>();
    private final List<String> pushed = new ArrayList<>();
    private final Account alice = new Account("alice@example.com", "0123456789abcdef0123456789abcdef", "Alice", null, null);
    private final SylkRtcConnection origin = new SylkRtcConnection("192.0.2.1:1", new SylkRtcConnectionTest.RecordingTransport(),
            Runnable::run, RequestCatalogue.SYLKRTC_2, Gateway.notStarted());

    @BeforeEach
    void start() throws StoreException {
        store = SqliteMessageStore.open(directory, false);
        messaging = new Messaging(store, new StoreQueue(Runnable::run, 1000), (message, outcome) -> sent.add(new Sent(message, outcome)),
                new Messaging.Devices() {
                    @Override
                    public void publish(String account, SylkRtcMessage event, SylkRtcConnection except) {
                        events.add(new Published(account, JSONB.toJson(event), except));
                    }

                    @Override
                    public void send(SylkRtcConnection connection, SylkRtcMessage event) {
                        events.add(new Published(null, JSONB.toJson(event), connection));
                    }
                }, (account, sender, contentType, content) -> pushed.add(account + " " + contentType + " " + content),
                Clock.fixed(Instant.parse("2026-01-01T12:00:00Z"), ZoneOffset.UTC),
                new MessagingConfig(directory, false, 1024, Duration.ofDays(31), null, null, null, null, 1, 1000), "192.0.2.10",
                "http://192.0.2.10:10888/webrtcgateway/messages/history");
        messaging.authenticated("alice@example.com", null);
        messaging.authenticated("bob@example.com", null);
    }

    @AfterEach
    void stop() {
        store.close();
    }

    private static byte[] cpim(String id, String contentType, String content) {
        return String.join("\r\n", "From: \"Bob\" <sip:bob@example.com>", "To: <sip:alice@example.com>",
                "DateTime: 2026-01-01T10:00:00Z", "NS: imdn <urn:ietf:params:imdn>", "imdn.Message-ID: " + id,
                "imdn.Disposition-Notification: positive-delivery, display", "", "Content-Type: " + contentType, "",
                content).getBytes(StandardCharsets.UTF_8);
    }

    private static IncomingSipMessage fromBob(String contentType, byte[] body) {
        return new IncomingSipMessage("bob@example.com", "Bob", "alice@example.com", contentType, null, body, false);
    }

    private static String imdn(String id, String notification, String status) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"><message-id>" + id
                + "</message-id><datetime>2026-01-01T10:00:00Z</datetime><" + notification + "><status><" + status
                + "/></status></" + notification + "></imdn>";
    }

    /** spec §4.8.2: a CPIM message is unwrapped, stored for its known recipient, delivered; its id de-duplicates. */
    @Test
    void aCpimMessageIsStoredAndDeliveredOnce_spec_4_8_2() throws StoreException {
        assertEquals(new Messaging.Answer(200, "OK"), messaging.received(fromBob("message/cpim", cpim("b1", "text/plain", "Hi"))));
        assertEquals(List.of(new Published("alice@example.com", "{\"sylkrtc\":\"account-event\",\"account\":\"alice@example.com\","
                + "\"event\":\"message\",\"sender\":{\"uri\":\"bob@example.com\",\"display_name\":\"Bob\"},"
                + "\"timestamp\":\"2026-01-01T10:00:00+00:00\",\"disposition_notification\":[\"positive-delivery\",\"display\"],"
                + "\"message_id\":\"b1\",\"content_type\":\"text/plain\",\"content\":\"Hi\"}", null)), events);
        StoredMessage stored = store.find("alice@example.com", "b1").orElseThrow();
        assertEquals(List.of("incoming", "received", "bob@example.com"), List.of(stored.direction(), stored.state(), stored.contact()));
        assertEquals(200, messaging.received(fromBob("message/cpim", cpim("b1", "text/plain", "Hi"))).status());
        assertEquals(1, events.size(), "a message already stored is not delivered again");
        assertEquals(List.of("alice@example.com text/plain Hi"), pushed, "pushed once (spec §4.11)");
    }

    /** spec §4.8.2: a body that is not CPIM gets a fresh id and no disposition; deflate is inflated. */
    @Test
    void aPlainDeflatedBodyIsInflatedAndGetsAFreshId_spec_4_8_2() {
        Deflater deflater = new Deflater();
        deflater.setInput("Hello".getBytes(StandardCharsets.UTF_8));
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[100];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        assertEquals(200, messaging.received(new IncomingSipMessage("bob@example.com", null, "alice@example.com",
                "text/plain", "deflate", out.toByteArray(), false)).status());
        assertTrue(events.get(0).json().contains("\"disposition_notification\":null,\"message_id\":\""), events.toString());
        assertTrue(events.get(0).json().endsWith("\"content_type\":\"text/plain\",\"content\":\"Hello\"}"), events.toString());
    }

    /** spec §4.8.2: 400 for missing From/To/Content-Type, an empty body, bad CPIM or IMDN; 413 over the limit. */
    @Test
    void badMessagesAreRefusedAndChangeNothing_spec_4_8_2() throws StoreException {
        assertEquals(400, messaging.received(new IncomingSipMessage(null, null, "alice@example.com", "text/plain", null,
                "x".getBytes(StandardCharsets.UTF_8), false)).status());
        assertEquals(400, messaging.received(fromBob("text/plain", new byte[0])).status());
        assertEquals(400, messaging.received(fromBob("message/cpim", "From: <sip:bob@example.com>\r\nno end".getBytes(StandardCharsets.UTF_8))).status());
        assertEquals(400, messaging.received(fromBob("message/cpim", cpim("i1", "message/imdn+xml", "<imdn"))).status());
        assertEquals(400, messaging.received(new IncomingSipMessage("bob@example.com", null, "alice@example.com",
                "text/plain", "deflate", "not deflate".getBytes(StandardCharsets.UTF_8), false)).status());
        assertEquals(413, messaging.received(fromBob("text/plain", new byte[1025])).status());
        assertEquals(List.of(), events);
        assertEquals(List.of(), store.journal("alice@example.com", null, null, 10));
    }

    /** spec §4.8.2: only accounts known to storage have messages stored. */
    @Test
    void anUnknownRecipientHasNothingStored_spec_4_8_2() throws StoreException {
        assertEquals(200, messaging.received(new IncomingSipMessage("bob@example.com", null, "carol@example.com",
                "text/plain", null, "hi".getBytes(StandardCharsets.UTF_8), false)).status());
        assertEquals(List.of(), store.journal("carol@example.com", null, null, 10));
    }

    /**
     * spec §4.8.5: a message from one of the sender's SIP devices ({@code X-Sylk-From-Sip}) is also stored as the
     * sender's, accepted, and announced to the sender's WebRTC devices as a server-generated account-message; once.
     */
    @Test
    void aMessageFromTheSendersSipDeviceIsAlsoTheSendersOwn_spec_4_8_5() throws StoreException {
        IncomingSipMessage fromSip = new IncomingSipMessage("bob@example.com", "Bob", "alice@example.com", "message/cpim",
                null, cpim("b1", "text/plain", "Hi"), true);
        assertEquals(200, messaging.received(fromSip).status());
        StoredMessage bobs = store.find("bob@example.com", "b1").orElseThrow();
        assertEquals(List.of("outgoing", "accepted", "alice@example.com"), List.of(bobs.direction(), bobs.state(), bobs.contact()));
        assertEquals(new Published("bob@example.com", "{\"sylkrtc\":\"account-event\",\"account\":\"bob@example.com\","
                + "\"event\":\"sync\",\"type\":\"message\",\"action\":\"add\",\"content\":{\"transaction\":\"1\","
                + "\"sylkrtc\":\"account-message\",\"account\":\"bob@example.com\",\"uri\":\"alice@example.com\","
                + "\"message_id\":\"b1\",\"content\":\"Hi\",\"content_type\":\"text/plain\","
                + "\"timestamp\":\"2026-01-01T10:00:00+00:00\",\"server_generated\":true}}", null), events.get(1));
        messaging.received(fromSip);
        assertEquals(2, events.size());
    }

    private static IncomingSipMessage api(String to, String contentType, String body) {
        return new IncomingSipMessage("alice@example.com", null, to, contentType, null,
                body.getBytes(StandardCharsets.UTF_8), false);
    }

    /**
     * spec §4.9, the SIP API of an account's SIP devices: mark read, remove a message, a bad body (400), a public key
     * lookup answered From the looked-up AOR; the notifications the gateway sends to SIP devices are not kept.
     */
    @Test
    void theSipApiOfAnAccountsSipDevices_spec_4_9() throws Exception {
        messaging.received(fromBob("message/cpim", cpim("b1", "text/plain", "Hi")));
        events.clear();
        assertEquals(200, messaging.received(api("alice@example.com", "application/sylk-api-conversation-read",
                "{\"contact\": \"bob@example.com\"}")).status());
        assertEquals(List.of(), store.find("alice@example.com", "b1").orElseThrow().disposition());
        assertEquals(List.of("bob@example.com", "alice@example.com", "application/sylk-conversation-read"),
                List.of(sent.get(0).message().from(), sent.get(0).message().to(), sent.get(0).message().contentType()));
        assertEquals(null, sent.get(0).message().credentials());
        assertTrue(events.get(0).json().contains("\"type\":\"conversation\",\"action\":\"read\""), events.toString());

        assertEquals(200, messaging.received(api("bob@example.com", "application/sylk-api-message-remove", "b1")).status());
        assertEquals(Optional.empty(), store.find("alice@example.com", "b1"));
        assertEquals("application/sylk-message-remove", sent.get(1).message().contentType());

        assertEquals(400, messaging.received(api("alice@example.com", "application/sylk-api-conversation-remove",
                "not json")).status());
        assertEquals(400, messaging.received(api("alice@example.com", "application/sylk-api-conversation-remove",
                "{\"contact\": 7}")).status());
        assertEquals(2, sent.size());

        store.setPublicKey("bob@example.com", "BOB KEY", Instant.now());
        assertEquals(200, messaging.received(api("bob@example.com", "application/sylk-api-pgp-key-lookup", "?")).status());
        assertEquals(List.of("bob@example.com", "alice@example.com", "text/pgp-public-key", "BOB KEY"),
                List.of(sent.get(2).message().from(), sent.get(2).message().to(), sent.get(2).message().contentType(),
                        sent.get(2).body()));
        assertEquals(200, messaging.received(api("carol@example.com", "application/sylk-api-pgp-key-lookup", "?")).status());
        assertEquals(3, sent.size(), "no key, no answer");

        int journal = store.journal("alice@example.com", null, null, 100).size();
        assertEquals(200, messaging.received(fromBob("application/sylk-conversation-read", "{\"contact\": \"x@y\"}"
                .getBytes(StandardCharsets.UTF_8))).status());
        assertEquals(journal, store.journal("alice@example.com", null, null, 100).size());
    }

    /** spec §4.9: is-composing is neither stored nor delivered. */
    @Test
    void isComposingIsIgnored_spec_4_9() throws StoreException {
        assertEquals(200, messaging.received(fromBob("message/cpim", cpim("c1", "application/im-iscomposing+xml",
                "<isComposing/>"))).status());
        assertEquals(List.of(), events);
        assertEquals(List.of(), store.journal("alice@example.com", null, null, 10));
        assertEquals(List.of(), pushed);
    }

    /** spec §4.5.1: lookup-public-key answers the asking connection, public_key null when none is stored. */
    @Test
    void lookupPublicKey_spec_4_5_1() throws Exception {
        messaging.lookupPublicKey(origin, "bob@example.com");
        store.setPublicKey("bob@example.com", "KEY", Instant.now());
        messaging.lookupPublicKey(origin, "bob@example.com");
        assertEquals(List.of(new Published(null, "{\"sylkrtc\":\"lookup-public-key-event\",\"uri\":\"bob@example.com\","
                + "\"public_key\":null}", origin), new Published(null, "{\"sylkrtc\":\"lookup-public-key-event\","
                + "\"uri\":\"bob@example.com\",\"public_key\":\"KEY\"}", origin)), events);
    }

    /** spec §4.8.4: a public key replaces the sender's stored key and is delivered but not journaled. */
    @Test
    void aPublicKeyIsStoredNotJournaled_spec_4_8_4() throws StoreException {
        messaging.received(fromBob("message/cpim", cpim("k1", "text/pgp-public-key", "KEY")));
        assertEquals(Optional.of("KEY"), store.publicKey("bob@example.com"));
        assertEquals(List.of(), store.journal("alice@example.com", null, null, 10));
        assertEquals(1, events.size());
    }

    /**
     * spec §4.8.1: stored pending, a sync event to the other devices, a CPIM MESSAGE with the IMDN headers and the
     * account's credentials; the final response makes it accepted (or failed), told to every device.
     */
    @Test
    void sendingStoresSyncsAndReportsTheOutcome_spec_4_8_1() throws Exception {
        assertEquals("ack", send(message("m1", "Hello Bob")), "acknowledged once stored");
        assertEquals("pending", store.find("alice@example.com", "m1").orElseThrow().state());
        assertEquals(1, events.size());
        assertEquals(origin, events.get(0).except(), "the sync event goes to the other devices");
        assertTrue(events.get(0).json().startsWith("{\"sylkrtc\":\"account-event\",\"account\":\"alice@example.com\","
                + "\"event\":\"sync\",\"type\":\"message\",\"action\":\"add\",\"content\":{\"transaction\":\"t1\""), events.toString());
        Sent request = sent.get(0);
        assertEquals(List.of("alice@example.com", "bob@example.com", "message/cpim"),
                List.of(request.message().from(), request.message().to(), request.message().contentType()));
        assertEquals(alice, request.message().credentials());
        CpimMessage cpim = CpimMessage.parse(request.message().body());
        assertEquals(Optional.of("m1"), cpim.imdnMessageId());
        assertEquals(java.util.Set.of("positive-delivery", "display"), cpim.dispositionNotification());
        assertEquals("Hello Bob", new String(cpim.content(), StandardCharsets.UTF_8));
        request.outcome().completed(202, "Accepted");
        assertEquals("accepted", store.find("alice@example.com", "m1").orElseThrow().state());
        assertEquals("{\"sylkrtc\":\"account-event\",\"account\":\"alice@example.com\",\"event\":\"disposition-notification\","
                + "\"message_id\":\"m1\",\"message_timestamp\":\"2026-01-01T10:00:00+00:00\",\"state\":\"accepted\",\"code\":202,"
                + "\"reason\":\"Accepted\"}", events.get(1).json());
        send(message("m2", "Again"));
        sent.get(1).outcome().completed(480, "Temporarily Unavailable");
        assertEquals("failed", store.find("alice@example.com", "m2").orElseThrow().state());
        assertTrue(events.get(3).json().contains("\"state\":\"failed\",\"code\":480"), events.toString());
    }

    /**
     * issue 14: content over max_message_body_size, a content type that is no MIME type, a message id CPIM cannot
     * carry are refused with an error, and nothing is stored, synced or sent.
     */
    @Test
    void badRequestsAreRefusedAndChangeNothing() throws StoreException {
        RequestError error = assertThrows(RequestError.class, () -> send(message("m1", "x".repeat(1025))));
        assertEquals("Message content too large (max_message_body_size 1024 bytes)", error.getMessage());
        AccountMessageRequest badType = message("m1", "x");
        badType.setContentType("plain text");
        assertEquals("Invalid value for 'content_type' property: 'plain text' (expected: a MIME type)",
                assertThrows(RequestError.class, () -> send(badType)).getMessage());
        assertThrows(RequestError.class, () -> send(message("m1\r\nX-Injected: 1", "x")));
        AccountMessageRequest badTime = message("m1", "x");
        badTime.setTimestamp("now");
        assertThrows(RequestError.class, () -> send(badTime));
        assertEquals(List.of(), store.journal("alice@example.com", null, null, 10));
        assertEquals(List.of(), sent);
        assertEquals(List.of(), events);
    }

    /**
     * spec §4.8.3, received: both copies take the state (delivered ends positive-delivery), one message/imdn journal
     * entry, the sender's devices told; a copy stored as received keeps its state.
     */
    @Test
    void aReceivedImdnUpdatesBothCopiesAndIsJournaledOnce_spec_4_8_3() throws Exception {
        send(message("m1", "Hello Bob"));
        store.add(new StoredMessage("bob@example.com", "alice@example.com", StoredMessage.INCOMING, "m1", "text/plain",
                "Hello Bob", java.time.OffsetDateTime.parse("2026-01-01T10:00:00Z"), Instant.now(),
                List.of("positive-delivery", "display"), "received"));
        events.clear();
        byte[] delivered = cpim("i1", "message/imdn+xml", imdn("m1", "delivery-notification", "delivered"));
        assertEquals(200, messaging.received(fromBob("message/cpim", delivered)).status());
        StoredMessage mine = store.find("alice@example.com", "m1").orElseThrow();
        assertEquals(List.of("delivered", "display"), List.of(mine.state(), String.join(",", mine.disposition())));
        StoredMessage theirs = store.find("bob@example.com", "m1").orElseThrow();
        assertEquals(List.of("received", "display"), List.of(theirs.state(), String.join(",", theirs.disposition())));
        assertEquals("message/imdn", store.find("alice@example.com", "i1").orElseThrow().contentType());
        assertEquals(1, events.size());
        assertTrue(events.get(0).json().contains("\"state\":\"delivered\",\"code\":200,\"reason\":\"\""), events.toString());
        messaging.received(fromBob("message/cpim", delivered));
        assertEquals(1, events.size(), "the same IMDN is journaled and announced once");
    }

    /** spec §4.8.3 sending, fixing quirk Q7: failed and forbidden work; other states are refused. */
    @Test
    void dispositionNotificationsOfEveryState_spec_4_8_3_Q7() throws Exception {
        messaging.received(fromBob("message/cpim", cpim("b1", "text/plain", "Hi")));
        for (String state : List.of("delivered", "displayed", "failed", "forbidden", "error")) {
            messaging.notifyDisposition(alice, notification("b1", state));
        }
        assertEquals(5, sent.size());
        assertTrue(sent.get(0).body().contains("<delivery-notification><status><delivered/>"), sent.get(0).body());
        assertTrue(sent.get(1).body().contains("<display-notification><status><displayed/>"), sent.get(1).body());
        assertTrue(sent.get(3).body().contains("<forbidden/>"), sent.get(3).body());
        assertFalse(sent.get(1).body().contains("Disposition-Notification"), "an IMDN asks for none (RFC 5438 §7)");
        assertEquals(List.of(), store.find("alice@example.com", "b1").orElseThrow().disposition());
        RequestError error = assertThrows(RequestError.class, () -> messaging.notifyDisposition(alice, notification("b1", "read")));
        assertEquals("Invalid value for 'state' property: 'read' (expected: delivered, failed, displayed, forbidden or error)",
                error.getMessage());
    }

    /** spec §4.8.4: sync answers the requesting connection only; a bad limit or since is an error. */
    @Test
    void syncAnswersTheRequesterWithTheJournal_spec_4_8_4() throws Exception {
        messaging.received(fromBob("message/cpim", cpim("b1", "text/plain", "Hi")));
        messaging.received(fromBob("message/cpim", cpim("b2", "text/plain", "Again")));
        events.clear();
        AccountSyncConversationsRequest sync = new AccountSyncConversationsRequest();
        sync.setAccount("alice@example.com");
        sync.setMessageId("b1");
        messaging.sync(alice, origin, sync);
        assertEquals(origin, events.get(0).except());
        assertEquals("{\"sylkrtc\":\"account-event\",\"account\":\"alice@example.com\",\"event\":\"sync-conversations\","
                + "\"messages\":[{\"contact\":\"bob@example.com\",\"timestamp\":\"2026-01-01T10:00:00+00:00\","
                + "\"disposition\":[\"positive-delivery\",\"display\"],\"message_id\":\"b2\",\"content_type\":\"text/plain\","
                + "\"content\":\"Again\",\"direction\":\"incoming\",\"state\":\"received\"}]}", events.get(0).json());
        sync.setLimit(0);
        assertThrows(RequestError.class, () -> messaging.sync(alice, origin, sync));
        sync.setLimit(null);
        sync.setSince("yesterday");
        assertEquals("Invalid value for 'since' property: 'yesterday' (expected: ISO 8601 time)",
                assertThrows(RequestError.class, () -> messaging.sync(alice, origin, sync)).getMessage());
    }

    /**
     * spec §4.8.5: mark read clears the dispositions; removing a message removes the recipient's copy too; each change
     * is journaled, synced to the other devices and sent to the account's SIP devices (X-Sylk-To-Sip).
     */
    @Test
    void conversationManagement_spec_4_8_5() throws Exception {
        messaging.received(fromBob("message/cpim", cpim("b1", "text/plain", "Hi")));
        send(message("m1", "Hello Bob"));
        store.add(new StoredMessage("bob@example.com", "alice@example.com", StoredMessage.INCOMING, "m1", "text/plain",
                "Hello Bob", java.time.OffsetDateTime.parse("2026-01-01T10:00:00Z"), Instant.now(), List.of(), "received"));
        events.clear();
        sent.clear();
        messaging.markRead(alice, origin, "bob@example.com");
        assertEquals(List.of(), store.find("alice@example.com", "b1").orElseThrow().disposition());
        assertEquals("{\"sylkrtc\":\"account-event\",\"account\":\"alice@example.com\",\"event\":\"sync\",\"type\":\"conversation\","
                + "\"action\":\"read\",\"content\":{\"contact\":\"bob@example.com\"}}", events.get(0).json());
        assertEquals(List.of("bob@example.com", "alice@example.com", "application/sylk-conversation-read", "yes"),
                List.of(sent.get(0).message().from(), sent.get(0).message().to(), sent.get(0).message().contentType(),
                        sent.get(0).message().headers().get("X-Sylk-To-Sip")));
        assertEquals("{\"contact\":\"bob@example.com\"}", sent.get(0).body());

        messaging.removeMessage(alice, origin, "m1", "bob@example.com");
        assertEquals(Optional.empty(), store.find("alice@example.com", "m1"));
        assertEquals(Optional.empty(), store.find("bob@example.com", "m1"));
        assertEquals(new Published("bob@example.com", "{\"sylkrtc\":\"account-event\",\"account\":\"bob@example.com\","
                + "\"event\":\"sync\",\"type\":\"message\",\"action\":\"remove\",\"content\":{\"contact\":\"alice@example.com\","
                + "\"message_id\":\"m1\",\"direction\":\"incoming\"}}", null), events.get(2));

        messaging.removeConversation(alice, origin, "bob@example.com");
        List<String> types = store.journal("alice@example.com", null, null, 10).stream().map(StoredMessage::contentType).toList();
        assertEquals(List.of("application/sylk-conversation-remove"), types, "the conversation and its journal entries are gone");
        assertEquals("application/sylk-conversation-remove", sent.get(2).message().contentType());
    }

    /**
     * spec §4.9 {@code application/sylk-api-token}, §4.13: a token sent back to the sender's own AOR, From
     * sylkserver@local_ip, opens that account's history and no other.
     */
    @Test
    void anApiTokenOpensTheAccountsHistory_spec_4_9_4_13() throws Exception {
        messaging.received(fromBob("message/cpim", cpim("b1", "text/plain", "Hi")));
        assertEquals(200, messaging.received(new IncomingSipMessage("alice@example.com", null, "alice@example.com",
                "application/sylk-api-token", null, "{}".getBytes(StandardCharsets.UTF_8), false)).status());
        SipMessages.Outgoing reply = sent.get(0).message();
        assertEquals(List.of("sylkserver@192.0.2.10", "alice@example.com", "application/sylk-api-token"),
                List.of(reply.from(), reply.to(), reply.contentType()));
        java.util.Map<?, ?> body = JSONB.fromJson(sent.get(0).body(), java.util.Map.class);
        assertEquals("http://192.0.2.10:10888/webrtcgateway/messages/history/alice@example.com", body.get("url"));
        String token = (String) body.get("token");
        assertTrue(token.length() >= 40, token);
        assertEquals(List.of("b1"), messaging.history("alice@example.com", token, null).stream()
                .map(org.sylkserver.webrtc.api.JournalItem::getMessageId).toList());
        assertEquals(List.of(), messaging.history("alice@example.com", token, "b1"));
        assertEquals(null, messaging.history("alice@example.com", "guessed", null));
        assertEquals(null, messaging.history("alice@example.com", null, null));
        assertEquals(null, messaging.history("bob@example.com", token, null));
    }

    /** issue 14: when the store fails, the MESSAGE is not acknowledged (500: the sender retries) and nothing is told. */
    @Test
    void aStoreFailureIsNeverAnAcknowledgement() throws RequestError {
        store.close();
        assertEquals(500, messaging.received(fromBob("message/cpim", cpim("b1", "text/plain", "Hi"))).status());
        assertEquals(List.of(), events);
        assertEquals("Message store unavailable", send(message("m1", "x")), "answered with an error, not acknowledged");
        assertEquals(List.of(), sent);
    }

    /**
     * Sends as the connection's handler does, with the store's lane on this thread; the request's answer: {@code ack},
     * or its error.
     */
    private String send(AccountMessageRequest request) throws RequestError {
        List<String> answers = new ArrayList<>();
        messaging.send(alice, origin, request, () -> rest -> {
            try {
                rest.run();
                answers.add("ack");
            } catch (RequestError e) {
                answers.add(e.getMessage());
            }
        });
        assertEquals(1, answers.size(), "answered once");
        return answers.get(0);
    }

    private static AccountMessageRequest message(String id, String content) {
        AccountMessageRequest request = new AccountMessageRequest();
        request.setTransaction("t1");
        request.setAccount("alice@example.com");
        request.setUri("bob@example.com");
        request.setMessageId(id);
        request.setContent(content);
        request.setContentType("text/plain");
        request.setTimestamp("2026-01-01T10:00:00.000Z");
        return request;
    }

    private static AccountDispositionNotificationRequest notification(String id, String state) {
        AccountDispositionNotificationRequest request = new AccountDispositionNotificationRequest();
        request.setAccount("alice@example.com");
        request.setUri("bob@example.com");
        request.setMessageId(id);
        request.setState(state);
        request.setTimestamp("2026-01-01T10:00:05.000Z");
        return request;
    }

    private static final String RCS = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><file xmlns=\"urn:gsma:params:xml:ns:rcs:"
            + "rcs:fthttp\"><file-info type=\"file\"><file-size>482133</file-size><file-name>../photo.jpg</file-name>"
            + "<content-type>image/jpeg</content-type><data url=\"https://ft.example.com/s/p.jpg\" "
            + "until=\"2026-01-16T10:00:00Z\"/></file-info></file>";

    /**
     * spec §4.9: an RCS file transfer over HTTP, in CPIM or plain, is stored and delivered as the
     * {@code application/sylk-file-transfer} message of Sylk clients (its name made safe); an unusable one is 400.
     */
    @Test
    void anRcsFileTransferBecomesASylkFileTransfer_spec_4_9() throws StoreException {
        assertEquals(200, messaging.received(fromBob("message/cpim", cpim("r1",
                "application/vnd.gsma.rcs-ft-http+xml", RCS))).status());
        StoredMessage stored = store.find("alice@example.com", "r1").orElseThrow();
        assertEquals("application/sylk-file-transfer", stored.contentType());
        assertEquals("{\"filename\":\"photo.jpg\",\"filesize\":482133,\"sender\":{\"uri\":\"bob@example.com\","
                + "\"display_name\":\"Bob\"},\"receiver\":{\"uri\":\"alice@example.com\",\"display_name\":\"\"},"
                + "\"transfer_id\":\"r1\",\"timestamp\":\"2026-01-01T10:00:00+00:00\",\"until\":\"2026-01-16T10:00:00+00:00\","
                + "\"url\":\"https://ft.example.com/s/p.jpg\",\"filetype\":\"image/jpeg\",\"hash\":\"\"}", stored.content());
        assertTrue(events.get(0).json().contains("\"content_type\":\"application/sylk-file-transfer\""), events.get(0).json());
        assertEquals(200, messaging.received(fromBob("application/vnd.gsma.rcs-ft-http+xml",
                RCS.getBytes(StandardCharsets.UTF_8))).status());
        assertEquals(2, events.size());
        assertEquals(400, messaging.received(fromBob("application/vnd.gsma.rcs-ft-http+xml",
                "<file xmlns=\"urn:gsma:params:xml:ns:rcs:rcs:fthttp\"/>".getBytes(StandardCharsets.UTF_8))).status());
        assertEquals(2, events.size(), "nothing delivered for a bad document");
    }

    /** spec §4.8.5: removing a file-transfer message removes its stored file too (and only for such messages). */
    @Test
    void removingAFileTransferMessageRemovesItsFile_spec_4_8_5() throws Exception {
        List<String> removedFiles = new ArrayList<>();
        messaging.onFileTransferRemoved(removedFiles::add);
        messaging.received(fromBob("message/cpim", cpim("r1", "application/vnd.gsma.rcs-ft-http+xml", RCS)));
        messaging.received(fromBob("message/cpim", cpim("b1", "text/plain", "Hi")));
        messaging.removeMessage(alice, origin, "b1", "bob@example.com");
        assertEquals(List.of(), removedFiles);
        messaging.removeMessage(alice, origin, "r1", "bob@example.com");
        assertEquals(1, removedFiles.size());
        assertTrue(removedFiles.get(0).contains("\"transfer_id\":\"r1\""), removedFiles.get(0));
    }
}
