package org.sylkserver.webrtc.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The store contract against the embedded SQLite backend, and its group commit. */
class SqliteMessageStoreTest extends MessageStoreContract {

    @Override
    protected MessageStore open(Path directory) throws StoreException {
        return SqliteMessageStore.open(directory, false);
    }

    private static StoredMessage message(String account, String id) {
        return new StoredMessage(account, "alice@example.com", StoredMessage.INCOMING, id, "text/plain", "hello",
                OffsetDateTime.parse("2026-01-01T10:00:00Z"), Instant.parse("2026-01-01T10:00:00Z"), List.of(),
                "received");
    }

    /**
     * Issue 14, session 23: the store reads no generated keys, so the driver does not follow each INSERT with a
     * {@code SELECT last_insert_rowid()} of its own; the rest of the settings are as before.
     */
    @Test
    void theConnectionsAskForNoGeneratedKeys() {
        assertFalse(SqliteMessageStore.config(false).isGetGeneratedKeys());
        assertFalse(SqliteMessageStore.config(true).isGetGeneratedKeys());
        assertEquals("NORMAL", SqliteMessageStore.config(false).toProperties().getProperty("synchronous"));
        assertEquals("FULL", SqliteMessageStore.config(true).toProperties().getProperty("synchronous"));
        assertEquals("WAL", SqliteMessageStore.config(true).toProperties().getProperty("journal_mode"));
    }

    /**
     * Issue 14 "a message is acknowledged only once it is durably stored": adds and updates of many threads share
     * the writer's commits, and each returns only once its change is committed (another connection sees it).
     */
    @Test
    void concurrentAddsAndUpdatesReturnOnceCommitted() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(16);
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + directory.resolve(SqliteMessageStore.FILE))) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                String account = "u" + t + "@example.com";
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 40; i++) {
                        assertTrue(store.add(message(account, "m" + i)));
                        assertTrue(store.update(account, "m" + i, "delivered", List.of("display")));
                        synchronized (other) {
                            try (ResultSet row = other.createStatement().executeQuery("SELECT state FROM chat_messages"
                                    + " WHERE account = '" + account + "' AND message_id = 'm" + i + "'")) {
                                assertTrue(row.next(), account + " m" + i + " committed");
                                assertEquals("delivered", row.getString(1));
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(40, store.journal("u7@example.com", null, null, 100).size());
    }

    /**
     * Issue 14: {@code write}s of many threads, each several changes (a conversation's waiting messages), share the
     * commits with each other and each returns only once all of its changes are committed, stored in its order.
     */
    @Test
    void concurrentWritesReturnOnceCommittedInTheirOrder() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(16);
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + directory.resolve(SqliteMessageStore.FILE))) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                String account = "w" + t + "@example.com";
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 40; i += 2) {
                        List<MessageStore.Written> written = store.write(List.of(
                                new MessageStore.Add(message(account, "m" + i)),
                                new MessageStore.Add(message(account, "m" + (i + 1))),
                                new MessageStore.Update(account, "m" + i, "delivered", List.of("display"))));
                        for (MessageStore.Written outcome : written) {
                            assertTrue(outcome.get());
                        }
                        synchronized (other) {
                            try (ResultSet row = other.createStatement().executeQuery("SELECT count(*),"
                                    + " sum(state = 'delivered') FROM chat_messages WHERE account = '" + account + "'")) {
                                assertTrue(row.next());
                                assertEquals(i + 2, row.getInt(1), account + " m" + (i + 1) + " committed");
                                assertEquals(i / 2 + 1, row.getInt(2), account + " m" + i + " updated");
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        List<String> ids = store.journal("w7@example.com", null, null, 100).stream().map(StoredMessage::messageId).toList();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            expected.add("m" + i);
        }
        assertEquals(expected, ids);
    }

    /**
     * A message's time (spec §4.3 timestamps) comes back exactly in every form the JDK writes it: read by CPIM's reader
     * of the usual RFC 3339 form, by the JDK's parser otherwise (a whole minute has no seconds, a year past 9999 a
     * sign, an offset may have seconds).
     */
    @Test
    void messageTimesComeBackExactlyInEveryForm() throws Exception {
        List<String> forms = List.of("2026-01-01T10:00Z", "2026-01-01T10:00:01Z", "2026-01-01T10:00:01.500+05:30",
                "2026-01-01T10:00:01.123456Z", "2026-01-01T10:00:01.123456789-08:00", "+12026-01-01T10:00:01Z",
                "2026-01-01T10:00:01+01:00:30");
        for (int i = 0; i < forms.size(); i++) {
            OffsetDateTime time = OffsetDateTime.parse(forms.get(i));
            assertEquals(forms.get(i), time.toString(), "the form the store writes");
            store.add(new StoredMessage("t@example.com", "alice@example.com", StoredMessage.INCOMING, "t" + i,
                    "text/plain", "hello", time, Instant.parse("2026-01-01T10:00:00Z"), List.of(), "received"));
            OffsetDateTime read = store.find("t@example.com", "t" + i).orElseThrow().timestamp();
            assertEquals(time, read, forms.get(i));
            assertEquals(time.getOffset(), read.getOffset(), forms.get(i));
        }
    }

    /**
     * Every form {@code OffsetDateTime.toString} writes for years 0000-9999 and offsets in whole minutes (RFC 3339
     * §5.6's date-time, with seconds and fraction left out when zero) is read without the JDK's formatter, to the same
     * time: a sync reads thousands (a bench's messages, all sent on a whole minute, went to the formatter one by one).
     */
    @Test
    void rfc3339_s5_6_everyUsualFormTheStoreWritesIsReadWithoutTheFormatter() {
        java.util.Random random = new java.util.Random(17);
        int[] nanos = {0, 500_000_000, 123_000_000, 123_456_000, 123_456_789};
        for (int i = 0; i < 2000; i++) {
            OffsetDateTime time = OffsetDateTime.of(random.nextInt(10_000), 1 + random.nextInt(12), 1 + random.nextInt(28),
                    random.nextInt(24), random.nextInt(60), i % 2 == 0 ? 0 : random.nextInt(60), nanos[i % nanos.length],
                    java.time.ZoneOffset.ofTotalSeconds(60 * (random.nextInt(18 * 60 * 2 + 1) - 18 * 60)));
            String stored = time.toString();
            OffsetDateTime read = SqliteMessageStore.usualTimestamp(stored);
            assertEquals(time, read, stored);
            assertEquals(time.getOffset(), read.getOffset(), stored);
        }
        assertEquals(null, SqliteMessageStore.usualTimestamp("+12026-01-01T10:00:01Z"), "for the JDK's parser");
        assertEquals(null, SqliteMessageStore.usualTimestamp("2026-01-01T10:00:01+01:00:30"), "for the JDK's parser");
    }

    /** An interrupted caller still gets its message stored (it is queued), and keeps its interrupt. */
    @Test
    void anInterruptedAddIsStoredAndTheInterruptKept() throws Exception {
        Thread.currentThread().interrupt();
        try {
            assertTrue(store.add(message("bob@example.com", "m1")));
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
        assertTrue(store.find("bob@example.com", "m1").isPresent());
    }

    /** What is queued before close is committed; later changes fail with a clear error instead of waiting forever. */
    @Test
    void changesAfterCloseFail() throws Exception {
        store.add(message("bob@example.com", "m1"));
        store.close();
        StoreException closed = assertThrows(StoreException.class, () -> store.add(message("bob@example.com", "m2")));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        store = open(directory);
        assertTrue(store.find("bob@example.com", "m1").isPresent());
    }

    /**
     * An account removed by another process ({@code sylk-db remove} while the server runs, spec §7.5) stops being
     * known to the running store within {@link SqliteMessageStore#KNOWN_RECHECK_NANOS}; before, the running store's
     * cache answered "known" until it restarted, and messages for the removed account were journaled again.
     */
    @Test
    void anAccountRemovedByAnotherProcessIsForgottenAfterTheRecheck() throws Exception {
        AtomicLong nanos = new AtomicLong();
        try (SqliteMessageStore running = SqliteMessageStore.open(directory.resolve("shared"), false, nanos::get)) {
            running.touchAccount("bob@example.com", Instant.parse("2026-01-01T10:00:00Z"));
            assertTrue(running.isKnown("bob@example.com"));
            try (SqliteMessageStore tool = SqliteMessageStore.open(directory.resolve("shared"), false)) {
                tool.removeAccount("bob@example.com");
            }
            assertTrue(running.isKnown("bob@example.com"), "within the recheck interval the cache answers");
            nanos.addAndGet(SqliteMessageStore.KNOWN_RECHECK_NANOS);
            assertFalse(running.isKnown("bob@example.com"));
        }
    }
}
