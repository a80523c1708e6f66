package org.sylkserver.webrtc.messaging;

/** The message store {@code webrtcgateway.ini} selects, for the gateway and for {@code sylk-db}. */
public final class MessageStores {

    private MessageStores() {
    }

    /** Opens the configured store, creating its tables where missing. */
    public static MessageStore open(MessagingConfig config) throws StoreException {
        return SqliteMessageStore.open(config.storageDir(), config.fsync());
    }

    /** Where the configured store is, for messages to the operator. */
    public static String describe(MessagingConfig config) {
        return "SQLite database " + config.storageDir().resolve(SqliteMessageStore.FILE);
    }
}
