package org.sylkserver.webrtc.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.sylkserver.cassandra.CassandraNode;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;

/**
 * The store contract against a real Cassandra node ({@link CassandraNode}, issue 14: no mock). The tests share one
 * keyspace (a schema change takes the node a second or more); a test's first {@link #open} empties its tables, a
 * second open of the same directory (reopening) keeps them.
 */
class CassandraMessageStoreTest extends MessageStoreContract {

    static final String KEYSPACE = "contract";
    private static final List<String> TABLES = List.of("chat_messages_by_timestamp", "chat_message_created_at_by_id",
            "chat_accounts", "public_key_by_account", "push_tokens");
    private static CqlSession admin;
    private static Path lastDirectory;

    static CassandraConfig config(CassandraNode node, String keyspace) {
        return new CassandraConfig(List.of(node.contactPoint()), keyspace, "push_tokens", null,
                CassandraConfig.DEFAULT_REQUEST_TIMEOUT);
    }

    @Override
    protected MessageStore open(Path directory) throws StoreException {
        try {
            CassandraNode node = CassandraNode.shared();
            CassandraMessageStore store = CassandraMessageStore.open(config(node, KEYSPACE));
            if (!store.isConnected()) {
                store.close();
                throw new StoreException("the test node did not answer:\n" + node.logTail(), null);
            }
            if (!directory.equals(lastDirectory)) {
                lastDirectory = directory;
                if (admin == null) {
                    // TRUNCATE waits for every replica's flush: seconds on a loaded machine
                    admin = CqlSession.builder().addContactPoint(node.contactPoint())
                            .withLocalDatacenter(CassandraNode.DATACENTER)
                            .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                                    .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(60)).build())
                            .build();
                }
                TABLES.forEach(table -> admin.execute("TRUNCATE " + KEYSPACE + "." + table));
            }
            return store;
        } catch (IOException e) {
            throw new StoreException("no Cassandra node: " + e.getMessage(), e);
        }
    }

    @AfterAll
    static void closeAdmin() {
        if (admin != null) {
            admin.close();
            admin = null;
        }
    }

    /**
     * Our addition to spec §4.8.6's layout, on a keyspace the original made: {@code chat_message_created_at_by_id}
     * names one copy of a message id (the last stored), and the sender's and the recipient's copies share the id; the
     * other copy is found through an index of the journal's {@code message_id}, not by reading the whole journal.
     */
    @Test
    void theOriginalsKeyspaceGetsAnIndexThatFindsTheOtherCopyOfAMessageId_spec_4_8_6() throws Exception {
        CassandraNode node = CassandraNode.shared();
        String keyspace = "original_layout";
        try (CqlSession original = CqlSession.builder().addContactPoint(node.contactPoint())
                .withLocalDatacenter(CassandraNode.DATACENTER)
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(60)).build())
                .build()) {
            original.execute("DROP KEYSPACE IF EXISTS " + keyspace);
            original.execute("CREATE KEYSPACE " + keyspace
                    + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
            original.execute("CREATE TABLE " + keyspace + ".chat_messages_by_timestamp (account text, created_at"
                    + " timestamp, message_id text, contact text, direction text, content text, content_type text,"
                    + " disposition list<text>, state text, msg_timestamp timestamp,"
                    + " PRIMARY KEY (account, created_at, message_id))");
            original.execute("CREATE TABLE " + keyspace + ".chat_message_created_at_by_id (message_id text PRIMARY KEY,"
                    + " created_at timestamp)");
            Instant sent = Instant.parse("2026-12-01T10:00:00Z");
            String insert = "INSERT INTO " + keyspace + ".chat_messages_by_timestamp (account, created_at, message_id,"
                    + " contact, direction, content, content_type, disposition, state, msg_timestamp)"
                    + " VALUES (?, ?, 'm1', ?, ?, 'hello', 'text/plain', ['display'], ?, ?)";
            original.execute(SimpleStatement.newInstance(insert, "alice@example.com", sent, "bob@example.com",
                    StoredMessage.OUTGOING, "accepted", sent));
            original.execute(SimpleStatement.newInstance(insert, "bob@example.com", sent.plusMillis(7),
                    "alice@example.com", StoredMessage.INCOMING, "received", sent));
            original.execute(SimpleStatement.newInstance("INSERT INTO " + keyspace
                    + ".chat_message_created_at_by_id (message_id, created_at) VALUES ('m1', ?)", sent.plusMillis(7)));
            String byId = "SELECT message_id FROM " + keyspace + ".chat_messages_by_timestamp"
                    + " WHERE account = 'alice@example.com' AND message_id = 'm1'";
            // the original's layout alone cannot answer this without reading the partition
            assertThrows(InvalidQueryException.class, () -> original.execute(byId));

            try (CassandraMessageStore store = CassandraMessageStore.open(config(node, keyspace))) {
                assertTrue(store.isConnected());
                assertEquals(1, original.execute(byId).all().size());
                StoredMessage alices = store.find("alice@example.com", "m1").orElseThrow();
                assertEquals(StoredMessage.OUTGOING, alices.direction());
                assertFalse(store.add(alices), "the copy is there: a second one is ignored (spec §4.8.4)");
                assertTrue(store.update("alice@example.com", "m1", "displayed", List.of()));
                assertEquals("displayed", store.find("alice@example.com", "m1").orElseThrow().state());
                assertEquals("received", store.find("bob@example.com", "m1").orElseThrow().state());
            }
            original.execute("DROP KEYSPACE " + keyspace);
        }
    }

    /** spec §4.8.6: the original's columns are CQL {@code timestamp}s, milliseconds in UTC. */
    @Override
    protected StoredMessage asStored(StoredMessage message) {
        return new StoredMessage(message.account(), message.contact(), message.direction(), message.messageId(),
                message.contentType(), message.content(),
                message.timestamp().toInstant().truncatedTo(ChronoUnit.MILLIS).atOffset(ZoneOffset.UTC),
                message.createdAt().truncatedTo(ChronoUnit.MILLIS), message.disposition(), message.state());
    }
}
