package org.sylkserver.webrtc.filetransfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.protocols.cpim.CpimMessage;
import org.sylkserver.protocols.rcs.FileTransferHttpDocument;
import org.sylkserver.webrtc.SylkRtcConnection;
import org.sylkserver.webrtc.api.SylkRtcMessage;
import org.sylkserver.webrtc.messaging.Messaging;
import org.sylkserver.webrtc.messaging.MessagingConfig;
import org.sylkserver.webrtc.messaging.SipMessages;
import org.sylkserver.webrtc.messaging.SqliteMessageStore;
import org.sylkserver.webrtc.messaging.StoreQueue;
import org.sylkserver.webrtc.messaging.StoredMessage;

/** The three notifications of a completed transfer, in the spec's order (§4.10.1), with the real message store. */
class TransferNotificationsTest {

    @TempDir
    Path directory;
    private SqliteMessageStore store;
    private final List<SipMessages.Outgoing> sent = new ArrayList<>();
    private final List<String> published = new ArrayList<>();
    private TransferNotifications notifications;
    /** What the notifications left for after the upload's answer; {@link #afterTheAnswer} runs it. */
    private final List<Runnable> sipSide = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        store = SqliteMessageStore.open(directory, false);
        Messaging messaging = new Messaging(store, new StoreQueue(Runnable::run, 1000), (message, outcome) -> sent.add(message), new Messaging.Devices() {
            @Override
            public void publish(String account, SylkRtcMessage event, SylkRtcConnection except) {
                published.add(account);
            }

            @Override
            public void send(SylkRtcConnection connection, SylkRtcMessage event) {
            }
        }, null, Clock.fixed(Instant.parse("2026-01-01T12:00:00Z"), ZoneOffset.UTC),
                new MessagingConfig(directory, false, 65536, Duration.ofDays(31), null, null, null, null, 1, 1000), "192.0.2.10",
                "http://192.0.2.10:10888/webrtcgateway/messages/history");
        messaging.authenticated("alice@example.com", null);
        messaging.authenticated("bob@example.com", null);
        notifications = new TransferNotifications(messaging, (message, outcome) -> sent.add(message), sipSide::add);
    }

    @AfterEach
    void stop() {
        store.close();
    }

    private static TransferredFile file(String name) {
        return new TransferredFile(name, 2048, new TransferredFile.Party("alice@example.com", "Alice"),
                new TransferredFile.Party("bob@example.com", ""), "ft1", "w", "/x", OffsetDateTime.parse(
                "2026-01-01T12:00:00Z"), OffsetDateTime.parse("2026-01-16T12:00:00Z"),
                "https://sylk.example.com/webrtcgateway/filetransfer/a/b/ft1/" + name, "image/png", "sha-1:AA");
    }

    private void afterTheAnswer() {
        sipSide.forEach(Runnable::run);
        sipSide.clear();
    }

    @Test
    void journalThenRcsThenLinkEachToBothParties_4_10_1() throws Exception {
        notifications.completed(file("photo.png"));
        afterTheAnswer();
        // 1: both journals, as the loop-back MESSAGE would (the transfer id is the message id)
        StoredMessage bobs = store.find("bob@example.com", "ft1").orElseThrow();
        assertEquals(List.of("incoming", TransferredFile.CONTENT_TYPE, "alice@example.com"),
                List.of(bobs.direction(), bobs.contentType(), bobs.contact()));
        assertEquals(List.of("positive-delivery", "display"), bobs.disposition());
        assertEquals(file("photo.png").toMessageJson(), bobs.content());
        StoredMessage alices = store.find("alice@example.com", "ft1").orElseThrow();
        assertEquals(List.of("outgoing", "bob@example.com"), List.of(alices.direction(), alices.contact()));
        assertEquals(List.of("bob@example.com", "alice@example.com"), published);
        // 2 and 3: to bob, then the replicated copy to alice, marked for SIP devices only
        assertEquals(List.of("bob@example.com", "alice@example.com", "bob@example.com", "alice@example.com"),
                sent.stream().map(SipMessages.Outgoing::to).toList());
        CpimMessage rcs = CpimMessage.parse(sent.get(0).body());
        assertEquals(FileTransferHttpDocument.CONTENT_TYPE, rcs.contentType());
        assertEquals(new FileTransferHttpDocument("photo.png", 2048, "image/png", file("photo.png").url(),
                OffsetDateTime.parse("2026-01-16T12:00:00Z"), "sha-1:AA"), FileTransferHttpDocument.parse(rcs.content()));
        assertEquals("yes", sent.get(1).headers().get("X-Replicated-Message"));
        assertEquals("yes", sent.get(0).headers().get("X-Sylk-To-Sip"));
        assertEquals("text/plain", sent.get(2).contentType());
        assertEquals("File transfer available at " + file("photo.png").url() + " (2.0 KB)",
                new String(sent.get(2).body(), StandardCharsets.UTF_8));
    }

    @Test
    void noPlainLinkForPgpEncryptedFiles_4_10_1() {
        notifications.completed(file("secret.txt.ASC"));
        afterTheAnswer();
        assertEquals(2, sent.size());
        assertTrue(sent.stream().allMatch(message -> message.contentType().equals(CpimMessage.CONTENT_TYPE)));
    }

    /**
     * spec §4.10.1: when the upload is answered the transfer is in both journals and on the parties' WebRTC devices;
     * the SIP notifications (2 and 3) go out after the answer, still in their order.
     */
    @Test
    void journaledBeforeTheAnswerSipNotificationsAfterIt_4_10_1() throws Exception {
        notifications.completed(file("photo.png"));
        assertTrue(store.find("bob@example.com", "ft1").isPresent());
        assertTrue(store.find("alice@example.com", "ft1").isPresent());
        assertEquals(List.of("bob@example.com", "alice@example.com"), published);
        assertEquals(List.of(), sent, "nothing sent to SIP devices before the answer");
        afterTheAnswer();
        assertEquals(List.of(CpimMessage.CONTENT_TYPE, CpimMessage.CONTENT_TYPE, "text/plain", "text/plain"),
                sent.stream().map(SipMessages.Outgoing::contentType).toList());
    }

    @Test
    void sizesAreWrittenForPeople() {
        assertEquals("512 B", TransferNotifications.size(512));
        assertEquals("1.5 MB", TransferNotifications.size(1536 * 1024));
        assertEquals("1.0 GB", TransferNotifications.size(1024L * 1024 * 1024));
    }
}
