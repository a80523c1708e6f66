package org.sylkserver.webrtc.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code sylk-db} commands of spec §7.5 on the SQLite store, as an operator or a script runs them. */
class SylkDbTest {

    private static final String BOB = "bob@example.com";

    @TempDir
    Path work;
    private Path config;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<String> questions = new ArrayList<>();

    @BeforeEach
    void storeWithBob() throws Exception {
        config = Files.createDirectories(work.resolve("config"));
        Files.writeString(config.resolve("webrtcgateway.ini"), "[FileStorage]\nstorage_dir = " + work.resolve("db") + "\n");
        try (MessageStore store = SqliteMessageStore.open(work.resolve("db"), false)) {
            store.touchAccount(BOB, Instant.parse("2026-12-01T08:00:00Z"));
            store.setApiToken(BOB, "token-1", Instant.parse("2027-01-01T00:00:00Z"));
            store.setPublicKey(BOB, "-----BEGIN PGP PUBLIC KEY BLOCK-----", Instant.parse("2026-12-01T08:00:00Z"));
            store.putDeviceToken(new DeviceToken(BOB, "com.example.sylk", "phone", "ios", "apns-1", null, false, "Sylk"));
            store.putDeviceToken(new DeviceToken(BOB, "com.example.sylk", "tablet", "android", "fcm-1", null, true, null));
            store.add(message("m1", "alice@example.com"));
            store.add(message("m2", "alice@example.com"));
            store.add(message("m3", "carol@example.com"));
            store.add(new StoredMessage("alice@example.com", BOB, StoredMessage.OUTGOING, "m1", "text/plain", "hi",
                    OffsetDateTime.of(2026, 12, 1, 9, 0, 0, 0, ZoneOffset.UTC), Instant.parse("2026-12-01T09:00:00Z"),
                    List.of(), "accepted"));
        }
    }

    private static StoredMessage message(String id, String contact) {
        return new StoredMessage(BOB, contact, StoredMessage.INCOMING, id, "text/plain", "hello " + id,
                OffsetDateTime.of(2026, 12, 1, 9, 0, 0, 0, ZoneOffset.UTC), Instant.parse("2026-12-01T09:00:00Z"),
                List.of("display"), "received");
    }

    private int run(SylkDb.Console console, String... args) {
        List<String> all = new ArrayList<>(List.of("--config-dir", config.toString(), "--var-dir", work.resolve("var").toString()));
        all.addAll(List.of(args));
        return SylkDb.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), console);
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private MessageStore reopen() throws StoreException {
        return SqliteMessageStore.open(work.resolve("db"), false);
    }

    @Test
    void showPrintsLoginTokenPushTokensMessagesAndKey() {
        assertEquals(0, run(null, "show", BOB));
        String shown = output();
        assertTrue(shown.contains("last login:  2026-12-01T08:00:00Z"), shown);
        assertTrue(shown.contains("API token:   token-1 (valid until 2027-01-01T00:00:00Z)"), shown);
        assertTrue(shown.contains("push tokens: 2") && shown.contains("phone ios apns-1"), shown);
        assertTrue(shown.contains("messages:    3") && shown.contains("alice@example.com: 2")
                && shown.contains("carol@example.com: 1"), shown);
        assertTrue(shown.contains("public key:  36 characters"), shown);
    }

    @Test
    void anUnknownAccountHasNothingToShow() {
        assertEquals(1, run(null, "show", "nobody@example.com"));
        assertTrue(output().contains("nobody@example.com: nothing stored"), output());
    }

    @Test
    void removingMessagesOfOneContactKeepsTheOthers() throws Exception {
        assertEquals(0, run(null, "--yes", "remove", "messages", BOB, "alice@example.com"));
        assertTrue(output().contains("2 messages removed with alice@example.com"), output());
        try (MessageStore store = reopen()) {
            assertEquals(List.of("m3"), store.journal(BOB, null, null, 10).stream().map(StoredMessage::messageId).toList());
            assertEquals(1, store.journal("alice@example.com", null, null, 10).size(), "another account's copy stays");
        }
    }

    @Test
    void removeAllAsksOnTheTerminalAndANoKeepsEverything() throws Exception {
        assertEquals(1, run(question -> {
            questions.add(question);
            return false;
        }, "remove", "all", BOB));
        assertEquals(List.of("Remove everything stored for " + BOB + "?"), questions);
        try (MessageStore store = reopen()) {
            assertTrue(store.isKnown(BOB));
            assertEquals(3, store.journal(BOB, null, null, 10).size());
        }
        assertEquals(0, run(question -> true, "remove", "all", BOB));
        try (MessageStore store = reopen()) {
            assertFalse(store.isKnown(BOB));
            assertEquals(List.of(), store.journal(BOB, null, null, 10));
            assertEquals(List.of(), store.deviceTokens(BOB));
            assertEquals(Optional.empty(), store.publicKey(BOB));
        }
    }

    @Test
    void withoutATerminalOrYesNothingIsRemoved() throws Exception {
        assertEquals(1, run(null, "remove", "public_key", BOB));
        assertTrue(output().contains("pass --yes"), output());
        try (MessageStore store = reopen()) {
            assertTrue(store.publicKey(BOB).isPresent());
        }
    }

    @Test
    void singleItemsAreRemoved() throws Exception {
        assertEquals(0, run(null, "--yes", "remove", "api_token", BOB));
        assertEquals(0, run(null, "--yes", "remove", "public_key", BOB));
        assertEquals(0, run(null, "--yes", "remove", "push_token", BOB, "tablet"));
        assertEquals(1, run(null, "--yes", "remove", "public_key", BOB), "a second removal finds nothing");
        try (MessageStore store = reopen()) {
            assertEquals(Optional.of(new AccountRecord(BOB, Instant.parse("2026-12-01T08:00:00Z"), null, null)),
                    store.account(BOB));
            assertEquals(Optional.empty(), store.publicKey(BOB));
            assertEquals(List.of("phone"), store.deviceTokens(BOB).stream().map(DeviceToken::deviceId).toList());
            assertEquals(3, store.journal(BOB, null, null, 10).size());
        }
    }

    @Test
    void dbinitCreatesTheStore() throws IOException {
        Files.writeString(config.resolve("webrtcgateway.ini"), "[FileStorage]\nstorage_dir = " + work.resolve("new") + "\n");
        assertEquals(0, run(null, "dbinit"));
        assertTrue(Files.isRegularFile(work.resolve("new").resolve(SqliteMessageStore.FILE)));
        assertTrue(output().contains("store ready: SQLite database " + work.resolve("new")), output());
    }

    @Test
    void usageAndConfigurationErrorsSayWhatIsWrong() throws IOException {
        assertEquals(2, run(null, "frobnicate", BOB));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown command 'frobnicate'"));
        assertEquals(2, run(null, "remove", "everything", BOB));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown item to remove 'everything'"));
        Files.writeString(config.resolve("webrtcgateway.ini"), "[FileStorage]\nfsync = sometimes\n");
        assertEquals(2, run(null, "show", BOB));
        String error = err.toString(StandardCharsets.UTF_8);
        assertTrue(error.contains("webrtcgateway.ini") && error.contains("fsync") && error.contains("sometimes"), error);
    }
}
