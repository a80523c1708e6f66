package org.sylkserver.webrtc.messaging;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.sylkserver.cassandra.CassandraNode;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;

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
                throw new StoreException("the test node did not answer", null);
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

    /** spec §4.8.6: the original's columns are CQL {@code timestamp}s, milliseconds in UTC. */
    @Override
    protected StoredMessage asStored(StoredMessage message) {
        return new StoredMessage(message.account(), message.contact(), message.direction(), message.messageId(),
                message.contentType(), message.content(),
                message.timestamp().toInstant().truncatedTo(ChronoUnit.MILLIS).atOffset(ZoneOffset.UTC),
                message.createdAt().truncatedTo(ChronoUnit.MILLIS), message.disposition(), message.state());
    }
}
