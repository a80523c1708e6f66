package org.sylkserver.webrtc.messaging;

import java.nio.file.Path;

/** The store contract against the embedded SQLite backend. */
class SqliteMessageStoreTest extends MessageStoreContract {

    @Override
    protected MessageStore open(Path directory) throws StoreException {
        return SqliteMessageStore.open(directory, false);
    }
}
