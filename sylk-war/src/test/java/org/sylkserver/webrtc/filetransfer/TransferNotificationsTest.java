package org.sylkserver.webrtc.filetransfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.concurrent.RejectedExecutionException;

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
import org.sylkserver.webrtc.messaging.StoreException;
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
    private final List<Runnable> after = new ArrayList<>();
    /** The transfers whose notifications are out (their marks would be removed). */
    private final List<String> announced = new ArrayList<>();
    private Messaging messaging;

    @BeforeEach
    void start() throws Exception {
        store = SqliteMessageStore.open(directory, false);
        messaging = new Messaging(store, new StoreQueue(Runnable::run, 1000), (message, outcome) -> sent.add(message), new Messaging.Devices() {
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
        notifications = new TransferNotifications(messaging, (message, outcome) -> sent.add(message), after::add);
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
        after.forEach(Runnable::run);
        after.clear();
    }

    private boolean journaled(String account) {
        try {
            return store.find(account, "ft1").isPresent();
        } catch (StoreException e) {
            throw new AssertionError(e);
        }
    }

    private boolean completed(TransferredFile file) {
        return notifications.offer(file, done -> {
            if (done) {
                announced.add(file.transferId());
            }
        });
    }

    @Test
    void journalThenRcsThenLinkEachToBothParties_4_10_1() throws Exception {
        completed(file("photo.png"));
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
        completed(file("secret.txt.ASC"));
        afterTheAnswer();
        assertEquals(2, sent.size());
        assertTrue(sent.stream().allMatch(message -> message.contentType().equals(CpimMessage.CONTENT_TYPE)));
    }

    /**
     * spec §4.10.1: the notifications wait for nothing of the upload's answer (completed returns first), and then go
     * out in their order: 1 is in both journals and on the WebRTC devices before 2 and 3 are sent.
     */
    @Test
    void theAnswerComesFirstThenTheThreeInOrder_4_10_1() throws Exception {
        List<Boolean> journaledWhenSent = new ArrayList<>();
        notifications = new TransferNotifications(messaging, (message, outcome) -> {
            journaledWhenSent.add(journaled("bob@example.com") && journaled("alice@example.com")
                    && published.size() == 2);
            sent.add(message);
        }, after::add);
        completed(file("photo.png"));
        assertTrue(store.find("bob@example.com", "ft1").isEmpty(), "nothing journaled before the answer");
        assertEquals(List.of(), published);
        assertEquals(List.of(), sent);
        assertEquals(List.of(), announced);
        afterTheAnswer();
        assertTrue(store.find("bob@example.com", "ft1").isPresent());
        assertEquals(List.of(CpimMessage.CONTENT_TYPE, CpimMessage.CONTENT_TYPE, "text/plain", "text/plain"),
                sent.stream().map(SipMessages.Outgoing::contentType).toList());
        assertEquals(List.of(true, true, true, true), journaledWhenSent);
        assertEquals(List.of("ft1"), announced, "its mark can go");
    }

    /** A store that fails keeps the transfer marked: the next start announces it again (1 would be lost otherwise). */
    @Test
    void aTransferNotJournaledStaysMarked_4_10_1() {
        store.close();
        completed(file("photo.png"));
        afterTheAnswer();
        assertEquals(List.of(), announced);
        assertEquals(4, sent.size(), "the SIP devices are told all the same");
    }

    /** A stopping gateway takes no more work: the transfer stays marked for the next start, and takes no room. */
    @Test
    void aStoppingGatewayLeavesTheTransferMarked() {
        notifications = new TransferNotifications(messaging, (message, outcome) -> sent.add(message), task -> {
            throw new RejectedExecutionException("stopped");
        }, 1);
        completed(file("a.png"));
        completed(file("b.png"));
        assertEquals(List.of(), announced);
        assertEquals(List.of(), sent);
    }

    /**
     * At most so many transfers wait for their notifications; the next is refused at once (its upload does not wait),
     * and taken again once the first's are out.
     */
    @Test
    void theWaitingTransfersAreBoundedAndTheNextRefusedAtOnce() {
        notifications = new TransferNotifications(messaging, (message, outcome) -> sent.add(message), after::add, 1);
        assertTrue(completed(file("a.png")));
        assertFalse(completed(file("b.png")), "no room");
        assertEquals(1, after.size());
        afterTheAnswer();
        assertTrue(completed(file("b.png")), "room made by the first's notifications");
        afterTheAnswer();
        assertEquals(List.of("ft1", "ft1"), announced);
    }

    @Test
    void sizesAreWrittenForPeople() {
        assertEquals("512 B", TransferNotifications.size(512));
        assertEquals("1.5 MB", TransferNotifications.size(1536 * 1024));
        assertEquals("1.0 GB", TransferNotifications.size(1024L * 1024 * 1024));
    }
}
