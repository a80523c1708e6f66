package org.sylkserver.protocols.msrp;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Where the chunks of one incoming message go as they arrive (RFC 4975 §5.1), so that a large message can be
 * stored without being held in memory. A session hands one out per message through a {@link MessageAssembler}.
 * Chunks may come in any order, so writes are positioned.
 */
public interface MessageSink {

    /** Stores {@code data} at {@code offset} (counted from 0) of the message. */
    void write(long offset, byte[] data) throws IOException;

    /** Every byte of the message, {@code size} in all, has been written. */
    void complete(long size) throws IOException;

    /** The message was interrupted or refused: forget what was written. */
    void abort();

    /**
     * A sink writing into {@code file} (created or emptied), which it deletes when aborted.
     *
     * @param completed told the file once the message is complete in it
     */
    static MessageSink toFile(Path file, Consumer<Path> completed) throws IOException {
        return new FileSink(file, completed);
    }
}
