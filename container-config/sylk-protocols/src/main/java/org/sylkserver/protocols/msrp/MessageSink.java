package org.sylkserver.protocols.msrp;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * Where the chunks of one incoming message go as they arrive (RFC 4975 §5.1), so that a large message can be
 * stored without being held in memory. A session hands one out per message through a {@link MessageAssembler}.
 * Chunks may come in any order, so writes are positioned.
 */
public interface MessageSink {

    /** Stores {@code data} at {@code offset} (counted from 0) of the message. */
    void write(long offset, byte[] data) throws IOException;

    /**
     * Every byte of the message, {@code size} in all, has been written. Returns the status code that answers the
     * chunk which completed the message (RFC 4975 §7.2): 200, or the receiver's refusal of the whole message (415
     * for a content type it does not take, 400 for content it cannot read).
     */
    int complete(long size) throws IOException;

    /** The message was interrupted or refused: forget what was written. */
    void abort();

    /**
     * {@link #abort()}, saying why (RFC 4975 §7.1.1: interrupted by the sender, a chunk that does not fit its
     * Byte-Range, too large, the session ended), for a sink that reports its failures.
     */
    default void abort(String why) {
        abort();
    }

    /**
     * A sink's refusal of the message, thrown when a sink is opened, written or completed: the chunk is answered
     * with {@link #status()} (413 for more than the receiver takes, 403 for what it may not store, RFC 4975 §7.2)
     * and the message is dropped. The sink has already reported why; it is aborted all the same.
     */
    final class Refusal extends IOException {
        private static final long serialVersionUID = 1L;
        private final int status;

        public Refusal(int status, String why) {
            super(why);
            this.status = status;
        }

        /** The status code of the response to the chunk. */
        public int status() {
            return status;
        }
    }

    /**
     * A sink writing into {@code file} (created or emptied), which it deletes when aborted.
     *
     * @param completed told the file once the message is complete in it
     */
    static MessageSink toFile(Path file, Consumer<Path> completed) throws IOException {
        return new FileSink(file, completed);
    }

    /**
     * A sink holding the message in memory (a chat message: the assembler's size limits bound it), which gives the
     * whole message to {@code completed}; what that returns answers the last chunk.
     */
    static MessageSink inMemory(ToIntFunction<byte[]> completed) {
        return new MemorySink(completed);
    }
}
