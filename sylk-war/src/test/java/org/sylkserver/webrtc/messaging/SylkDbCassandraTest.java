package org.sylkserver.webrtc.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.cassandra.CassandraNode;

/**
 * spec §7.5: {@code sylk-db} on the Cassandra store that {@code [Cassandra] cluster_contact_points} selects (SylkDbTest
 * has every command on the embedded store), against the real test node.
 */
class SylkDbCassandraTest {

    private static final String BOB = "sylkdb-bob@example.com";

    @TempDir
    Path work;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String cassandraSection, String... args) throws Exception {
        Path config = Files.createDirectories(work.resolve("config"));
        Files.writeString(config.resolve("webrtcgateway.ini"), "[Cassandra]\n" + cassandraSection);
        List<String> all = new ArrayList<>(List.of("--config-dir", config.toString(), "--var-dir", work.resolve("var").toString()));
        all.addAll(List.of(args));
        return SylkDb.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), null);
    }

    @Test
    void dbinitShowAndRemoveOnCassandra_spec_7_5() throws Exception {
        CassandraNode node = CassandraNode.shared();
        String section = "cluster_contact_points = 127.0.0.1:" + node.contactPoint().getPort() + "\n"
                + "keyspace = " + CassandraMessageStoreTest.KEYSPACE + "\n";
        assertEquals(0, run(section, "dbinit"), err::toString);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("store ready: Cassandra at 127.0.0.1:"
                + node.contactPoint().getPort() + " (keyspace " + CassandraMessageStoreTest.KEYSPACE + ")"), out::toString);
        try (CassandraMessageStore store = CassandraMessageStore.openNow(CassandraMessageStoreTest.config(node,
                CassandraMessageStoreTest.KEYSPACE))) {
            store.touchAccount(BOB, Instant.parse("2026-12-01T08:00:00Z"));
            store.add(new StoredMessage(BOB, "alice@example.com", StoredMessage.INCOMING, "sylkdb-m1", "text/plain", "hi",
                    OffsetDateTime.of(2026, 12, 1, 9, 0, 0, 0, ZoneOffset.UTC), Instant.now(), List.of(), "received"));
        }
        assertEquals(0, run(section, "show", BOB), err::toString);
        String shown = out.toString(StandardCharsets.UTF_8);
        assertTrue(shown.contains("last login:  2026-12-01T08:00:00Z") && shown.contains("messages:    1"), shown);
        assertEquals(0, run(section, "--yes", "remove", "all", BOB), err::toString);
        try (CassandraMessageStore store = CassandraMessageStore.openNow(CassandraMessageStoreTest.config(node,
                CassandraMessageStoreTest.KEYSPACE))) {
            assertFalse(store.isKnown(BOB));
            assertEquals(List.of(), store.journal(BOB, null, null, 10));
        }
    }

    /** A command against a cluster that does not answer fails at once, naming it (exit 3), instead of retrying. */
    @Test
    void anUnreachableClusterIsAnError() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        assertEquals(3, run("cluster_contact_points = 127.0.0.1:" + port + "\nkeyspace = nowhere\n", "dbinit"));
        String error = err.toString(StandardCharsets.UTF_8);
        assertTrue(error.contains("Cassandra at 127.0.0.1:" + port) && error.contains("unreachable"), error);
    }
}
