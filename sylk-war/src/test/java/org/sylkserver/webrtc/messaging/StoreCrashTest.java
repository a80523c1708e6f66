package org.sylkserver.webrtc.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, "acknowledged means stored": a writer process stores messages and acknowledges each once
 * {@link MessageStore#add} returned; it is killed with SIGKILL mid-stream; after reopening, every acknowledged message
 * is in the journal, once.
 */
class StoreCrashTest {

    private static final int ACKNOWLEDGED_BEFORE_KILL = 2000;

    /** The writer: stores m0, m1, ... until killed, printing each id once stored. */
    public static void main(String[] args) throws Exception {
        try (SqliteMessageStore store = SqliteMessageStore.open(Path.of(args[0]), false)) {
            for (int i = 0; ; i++) {
                store.add(new StoredMessage("bob@example.com", "alice@example.com", StoredMessage.INCOMING, "m" + i,
                        "text/plain", "message " + i, OffsetDateTime.parse("2026-01-01T10:00:00Z"), Instant.now(),
                        List.of("display"), "received"));
                System.out.println("m" + i);
                System.out.flush();
            }
        }
    }

    @Test
    void everyAcknowledgedMessageSurvivesAKill() throws Exception {
        Path directory = this.directory;
        Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StoreCrashTest.class.getName(), directory.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Set<String> acknowledged = new HashSet<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (acknowledged.size() < ACKNOWLEDGED_BEFORE_KILL && (line = out.readLine()) != null) {
                acknowledged.add(line);
            }
            // SIGKILL while it writes: no shutdown hook, no close; what it acknowledged after this line is not checked
            writer.destroyForcibly();
            writer.waitFor(10, TimeUnit.SECONDS);
        }
        assertEquals(ACKNOWLEDGED_BEFORE_KILL, acknowledged.size(), "the writer's acknowledgements");
        try (SqliteMessageStore store = SqliteMessageStore.open(directory, false)) {
            List<StoredMessage> journal = store.journal("bob@example.com", null, null, Integer.MAX_VALUE);
            Set<String> stored = new HashSet<>();
            for (StoredMessage message : journal) {
                assertTrue(stored.add(message.messageId()), "stored twice: " + message.messageId());
            }
            Set<String> lost = new HashSet<>(acknowledged);
            lost.removeAll(stored);
            assertEquals(Set.of(), lost, "acknowledged but lost");
        }
    }

    @TempDir
    Path directory;
}
