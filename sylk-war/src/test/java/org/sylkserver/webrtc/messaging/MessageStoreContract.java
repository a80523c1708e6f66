package org.sylkserver.webrtc.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link MessageStore} backend must do (spec §4.8.4-4.8.6, issue 14): a backend's test extends this
 * class and says how to open its store; the same tests run against each.
 */
public abstract class MessageStoreContract {

    /** A store of the backend under test, keeping its data under {@code directory} (or wherever the backend does). */
    protected abstract MessageStore open(Path directory) throws StoreException;

    /**
     * The message as the backend gives it back: by default exactly as it was stored. A backend whose times are
     * coarser (Cassandra's {@code timestamp}: milliseconds, UTC) says so here; nothing else may differ.
     */
    protected StoredMessage asStored(StoredMessage message) {
        return message;
    }

    @TempDir
    Path directory;
    MessageStore store;
    private final Instant start = Instant.parse("2026-01-01T10:00:00Z");

    @BeforeEach
    void openStore() throws StoreException {
        store = open(directory);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private StoredMessage message(String account, String contact, String id, int second) {
        return new StoredMessage(account, contact, StoredMessage.INCOMING, id, "text/plain", "hello " + id,
                OffsetDateTime.of(2026, 1, 1, 9, 0, second, 0, ZoneOffset.UTC), start.plusSeconds(second).plusNanos(1000),
                List.of("positive-delivery", "display"), "received");
    }

    /** spec §4.8.4: "A message whose id is already stored is ignored (de-duplication)". */
    @Test
    void aMessageIsStoredOnceAndFoundAsItWasStored_spec_4_8_4() throws StoreException {
        StoredMessage hello = message("bob@example.com", "alice@example.com", "m1", 1);
        assertTrue(store.add(hello));
        assertFalse(store.add(hello.with("delivered", List.of())));
        assertEquals(Optional.of(asStored(hello)), store.find("bob@example.com", "m1"));
        assertEquals(Optional.empty(), store.find("alice@example.com", "m1"));
        // the other party's copy has the same id in its own journal
        assertTrue(store.add(new StoredMessage("alice@example.com", "bob@example.com", StoredMessage.OUTGOING, "m1",
                "text/plain", "hello m1", hello.timestamp(), hello.createdAt(), List.of(), "pending")));
    }

    /** spec §4.8.3: an IMDN changes a stored message's state and pending notifications. */
    @Test
    void stateAndDispositionAreUpdated_spec_4_8_3() throws StoreException {
        store.add(message("bob@example.com", "alice@example.com", "m1", 1));
        assertTrue(store.update("bob@example.com", "m1", "delivered", List.of("display")));
        StoredMessage updated = store.find("bob@example.com", "m1").orElseThrow();
        assertEquals("delivered", updated.state());
        assertEquals(List.of("display"), updated.disposition());
        assertFalse(store.update("bob@example.com", "unknown", "delivered", List.of()));
    }

    /**
     * spec §4.8.4 selection: after the entry {@code message_id} when known, else after {@code since}, else all (Q20:
     * one default for every backend); storage order; the first {@code limit}.
     */
    @Test
    void theJournalIsSelectedByMessageIdThenSinceThenAll_spec_4_8_4() throws StoreException {
        for (int i = 1; i <= 5; i++) {
            store.add(message("bob@example.com", "alice@example.com", "m" + i, i));
        }
        store.add(message("carol@example.com", "alice@example.com", "c1", 3));
        assertEquals(List.of("m3", "m4", "m5"), ids(store.journal("bob@example.com", "m2", null, 100)));
        assertEquals(List.of("m3", "m4", "m5"), ids(store.journal("bob@example.com", "m2", start, 100)));
        assertEquals(List.of("m4", "m5"), ids(store.journal("bob@example.com", "unknown", start.plusSeconds(3).plusNanos(1000), 100)));
        assertEquals(List.of("m1", "m2", "m3", "m4", "m5"), ids(store.journal("bob@example.com", null, null, 100)));
        assertEquals(List.of("m1", "m2"), ids(store.journal("bob@example.com", "unknown", null, 2)));
        assertEquals(List.of(), ids(store.journal("bob@example.com", "m5", null, 100)));
        assertEquals(List.of("c1"), ids(store.journal("carol@example.com", null, null, 100)));
    }

    /** Storage order is the order of {@link MessageStore#add}, even when the clock gives two entries the same time. */
    @Test
    void storageOrderSurvivesEqualTimes() throws StoreException {
        for (String id : List.of("z", "a", "m")) {
            store.add(new StoredMessage("bob@example.com", "alice@example.com", StoredMessage.INCOMING, id, "text/plain",
                    id, OffsetDateTime.of(2026, 1, 1, 9, 0, 0, 0, ZoneOffset.UTC), start, List.of(), "received"));
        }
        assertEquals(List.of("z", "a", "m"), ids(store.journal("bob@example.com", null, null, 10)));
        assertEquals(List.of("m"), ids(store.journal("bob@example.com", "a", null, 10)));
    }

    /** spec §4.8.5: removing a message, a conversation, marking one read. */
    @Test
    void conversationManagement_spec_4_8_5() throws StoreException {
        store.add(message("bob@example.com", "alice@example.com", "m1", 1));
        store.add(message("bob@example.com", "alice@example.com", "m2", 2));
        store.add(message("bob@example.com", "carol@example.com", "c1", 3));
        assertEquals(2, store.clearDispositions("bob@example.com", "alice@example.com"));
        assertEquals(List.of(), store.find("bob@example.com", "m1").orElseThrow().disposition());
        assertEquals(List.of("positive-delivery", "display"), store.find("bob@example.com", "c1").orElseThrow().disposition());
        assertTrue(store.remove("bob@example.com", "m1"));
        assertFalse(store.remove("bob@example.com", "m1"));
        assertEquals(1, store.removeConversation("bob@example.com", "alice@example.com"));
        assertEquals(List.of("c1"), ids(store.journal("bob@example.com", null, null, 10)));
    }

    /** spec §4.11 badge: incoming messages of the given types whose display notification is still pending. */
    @Test
    void undisplayedMessagesAreCounted_spec_4_11() throws StoreException {
        store.add(message("bob@example.com", "alice@example.com", "m1", 1));
        store.add(message("bob@example.com", "alice@example.com", "m2", 2));
        store.add(message("bob@example.com", "alice@example.com", "m3", 3).with("received", List.of("positive-delivery")));
        store.add(new StoredMessage("bob@example.com", "alice@example.com", StoredMessage.INCOMING, "i1", "message/imdn",
                "{}", OffsetDateTime.of(2026, 1, 1, 9, 0, 4, 0, ZoneOffset.UTC), start, List.of("display"), "received"));
        store.add(new StoredMessage("bob@example.com", "alice@example.com", StoredMessage.OUTGOING, "o1", "text/plain",
                "x", OffsetDateTime.of(2026, 1, 1, 9, 0, 5, 0, ZoneOffset.UTC), start, List.of("display"), "pending"));
        List<String> types = List.of("text/plain", "text/html", "application/sylk-file-transfer");
        assertEquals(2, store.undisplayed("bob@example.com", types));
        store.clearDispositions("bob@example.com", "alice@example.com");
        assertEquals(0, store.undisplayed("bob@example.com", types));
    }

    /** spec §4.8.2, §4.9, §4.13: known accounts and their history API token, valid until it expires. */
    @Test
    void accountsAndApiTokens_spec_4_9() throws StoreException {
        assertFalse(store.isKnown("bob@example.com"));
        store.touchAccount("bob@example.com", start);
        assertTrue(store.isKnown("bob@example.com"));
        assertFalse(store.hasApiToken("bob@example.com", "t", start));
        store.setApiToken("alice@example.com", "t", start.plusSeconds(60));
        assertTrue(store.isKnown("alice@example.com"));
        assertTrue(store.hasApiToken("alice@example.com", "t", start));
        assertFalse(store.hasApiToken("alice@example.com", "other", start));
        assertFalse(store.hasApiToken("alice@example.com", "t", start.plusSeconds(60)));
        store.touchAccount("alice@example.com", start.plusSeconds(1));
        assertTrue(store.hasApiToken("alice@example.com", "t", start), "a login keeps the token");
    }

    /** spec §4.8.4: a public key replaces the stored one. */
    @Test
    void publicKeys_spec_4_8_4() throws StoreException {
        assertEquals(Optional.empty(), store.publicKey("bob@example.com"));
        store.setPublicKey("bob@example.com", "key 1", start);
        store.setPublicKey("bob@example.com", "key 2", start.plusSeconds(1));
        assertEquals(Optional.of("key 2"), store.publicKey("bob@example.com"));
    }

    /** spec §4.4 account-devicetoken, §4.8.6 push_tokens: one token per account, app and device. */
    @Test
    void deviceTokens_spec_4_8_6() throws StoreException {
        DeviceToken phone = new DeviceToken("bob@example.com", "com.example.sylk", "d1", "ios", "tok", "voip", false, "Sylk");
        store.putDeviceToken(phone);
        DeviceToken replaced = new DeviceToken("bob@example.com", "com.example.sylk", "d1", "ios", "tok2", null, true, null);
        store.putDeviceToken(replaced);
        DeviceToken tablet = new DeviceToken("bob@example.com", "com.example.sylk", "d2", "android", "tok3", null, false, null);
        store.putDeviceToken(tablet);
        assertEquals(List.of(replaced, tablet), store.deviceTokens("bob@example.com"));
        assertTrue(store.removeDeviceToken("bob@example.com", "com.example.sylk", "d1"));
        assertFalse(store.removeDeviceToken("bob@example.com", "com.example.sylk", "d1"));
        assertEquals(List.of(tablet), store.deviceTokens("bob@example.com"));
    }

    /** spec §7.5 {@code sylk-db show}, {@code remove api_token}, {@code remove public_key}. */
    @Test
    void accountRecordsAndSingleRemovals_spec_7_5() throws StoreException {
        String bob = "bob@example.com";
        assertEquals(Optional.empty(), store.account(bob));
        store.touchAccount(bob, start);
        assertEquals(Optional.of(new AccountRecord(bob, start, null, null)), store.account(bob));
        store.setApiToken(bob, "t", start.plusSeconds(60));
        AccountRecord withToken = store.account(bob).orElseThrow();
        assertEquals(start, withToken.lastLogin());
        assertEquals("t", withToken.apiToken());
        assertTrue(withToken.apiTokenExpires() != null, "the token's expiry is shown");
        assertTrue(store.removeApiToken(bob));
        assertFalse(store.removeApiToken(bob));
        assertFalse(store.hasApiToken(bob, "t", start));
        assertEquals(Optional.of(new AccountRecord(bob, start, null, null)), store.account(bob));
        store.setPublicKey(bob, "key", start);
        store.setPublicKey("alice@example.com", "other key", start);
        assertTrue(store.removePublicKey(bob));
        assertFalse(store.removePublicKey(bob));
        assertEquals(Optional.empty(), store.publicKey(bob));
        assertEquals(Optional.of("other key"), store.publicKey("alice@example.com"));
        assertTrue(store.isKnown(bob), "the account itself stays");
    }

    /** spec §7.5 {@code sylk-db remove all}: nothing of the account is left, others keep theirs. */
    @Test
    void removingAnAccountRemovesAllItsData_spec_7_5() throws StoreException {
        store.add(message("bob@example.com", "alice@example.com", "m1", 1));
        store.add(message("alice@example.com", "bob@example.com", "m1", 1));
        store.setApiToken("bob@example.com", "t", start.plusSeconds(60));
        store.setPublicKey("bob@example.com", "key", start);
        store.putDeviceToken(new DeviceToken("bob@example.com", "app", "d1", "ios", "tok", null, false, null));
        store.removeAccount("bob@example.com");
        assertFalse(store.isKnown("bob@example.com"));
        assertEquals(List.of(), store.journal("bob@example.com", null, null, 10));
        assertEquals(Optional.empty(), store.publicKey("bob@example.com"));
        assertEquals(List.of(), store.deviceTokens("bob@example.com"));
        assertEquals(List.of("m1"), ids(store.journal("alice@example.com", null, null, 10)));
    }

    /**
     * Issue 14: {@code write} makes its changes as add and update one after the other would: stored in the list's
     * order, a second copy of an id ignored (spec §4.8.4), an update finding an entry added earlier in the same call, one
     * outcome per change; all there when it returns.
     */
    @Test
    void writeMakesItsChangesInOrderWithAnOutcomeEach_spec_4_8_4() throws StoreException {
        StoredMessage first = message("bob@example.com", "alice@example.com", "w1", 1);
        List<MessageStore.Written> written = store.write(List.of(new MessageStore.Add(first),
                new MessageStore.Add(message("bob@example.com", "alice@example.com", "w2", 1)),
                new MessageStore.Add(first.with("delivered", List.of())),
                new MessageStore.Update("bob@example.com", "w2", "delivered", List.of("display")),
                new MessageStore.Update("bob@example.com", "none", "delivered", List.of()),
                new MessageStore.Add(message("bob@example.com", "carol@example.com", "w3", 1))));
        List<Boolean> changed = new ArrayList<>();
        for (MessageStore.Written outcome : written) {
            changed.add(outcome.get());
        }
        assertEquals(List.of(true, true, false, true, false, true), changed);
        assertEquals(List.of("w1", "w2", "w3"), ids(store.journal("bob@example.com", null, null, 10)));
        assertEquals(Optional.of(asStored(first)), store.find("bob@example.com", "w1"));
        assertEquals("delivered", store.find("bob@example.com", "w2").orElseThrow().state());
        assertEquals(List.of(), store.write(List.of()));
    }

    /** Issue 14: what a method stored is there after the store is closed and opened again. */
    @Test
    void whatWasStoredSurvivesReopening() throws StoreException {
        StoredMessage hello = message("bob@example.com", "alice@example.com", "m1", 1);
        store.add(hello);
        store.touchAccount("bob@example.com", start);
        store.close();
        store = open(directory);
        assertEquals(Optional.of(asStored(hello)), store.find("bob@example.com", "m1"));
        assertTrue(store.isKnown("bob@example.com"));
    }

    /** Many threads storing at once (SIP threads, connections' executors): nothing is lost, nothing doubled. */
    @Test
    void concurrentWritersLoseNothing() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                int n = i;
                results.add(pool.submit(() -> store.add(message("bob@example.com", "alice@example.com", "m" + (n % 200), n % 60))));
            }
            int stored = 0;
            for (Future<Boolean> result : results) {
                stored += result.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertEquals(200, stored);
            assertEquals(200, store.journal("bob@example.com", null, null, 1000).size());
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<String> ids(List<StoredMessage> messages) {
        return messages.stream().map(StoredMessage::messageId).toList();
    }
}
