package org.sylkserver.webrtc.messaging;

import java.io.IOException;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The store contract against a real Cassandra node ({@link CassandraNode}, issue 14: no mock). Each test has a
 * keyspace of its own, named after its directory, so that reopening finds what was stored and tests do not see each
 * other's data.
 */
class CassandraMessageStoreTest extends MessageStoreContract {

    @Override
    protected MessageStore open(Path directory) throws StoreException {
        try {
            CassandraNode node = CassandraNode.shared();
            String keyspace = "contract_" + Integer.toHexString(directory.toString().hashCode());
            CassandraMessageStore store = CassandraMessageStore.open(new CassandraConfig(List.of(node.contactPoint()),
                    keyspace, "push_tokens", null, CassandraConfig.DEFAULT_REQUEST_TIMEOUT));
            if (!store.isConnected()) {
                store.close();
                throw new StoreException("the test node did not answer", null);
            }
            return store;
        } catch (IOException e) {
            throw new StoreException("no Cassandra node: " + e.getMessage(), e);
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
