package org.sylkserver.webrtc.messaging;

/**
 * The message store {@code webrtcgateway.ini} selects (spec §4.8.6: Cassandra when {@code [Cassandra]
 * cluster_contact_points} is set, else the embedded SQLite database), for the gateway and for {@code sylk-db}.
 */
public final class MessageStores {

    private MessageStores() {
    }

    /**
     * Opens the configured store for the gateway, creating its tables where missing. A Cassandra cluster that does
     * not answer yet gives a store that refuses every call and keeps trying to connect.
     */
    public static MessageStore open(MessagingConfig config) throws StoreException {
        return config.cassandra() != null ? CassandraMessageStore.open(config.cassandra())
                : SqliteMessageStore.open(config.storageDir(), config.fsync());
    }

    /** Opens the configured store for a command ({@code sylk-db}): one attempt, an error if the store is unreachable. */
    public static MessageStore openNow(MessagingConfig config) throws StoreException {
        return config.cassandra() != null ? CassandraMessageStore.openNow(config.cassandra())
                : SqliteMessageStore.open(config.storageDir(), config.fsync());
    }

    /** Where the configured store is, for messages to the operator. */
    public static String describe(MessagingConfig config) {
        return config.cassandra() != null ? "Cassandra at " + config.cassandra().describe()
                : "SQLite database " + config.storageDir().resolve(SqliteMessageStore.FILE);
    }
}
