package org.sylkserver.media.msrp;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The content of a message to send, read one chunk at a time so that a file is never held in memory whole
 * (RFC 4975 §5.1: chunking exists so that large messages need not be).
 */
public interface MessageBody extends Closeable {

    /** The number of bytes of the whole message. */
    long size();

    /** {@code length} bytes from {@code offset} (counted from 0). */
    byte[] read(long offset, int length) throws IOException;

    @Override
    default void close() throws IOException {
    }

    /** A body already in memory (not copied: do not change it while it is sent). */
    static MessageBody of(byte[] bytes) {
        return new MessageBody() {
            @Override
            public long size() {
                return bytes.length;
            }

            @Override
            public byte[] read(long offset, int length) {
                return Arrays.copyOfRange(bytes, (int) offset, (int) offset + length);
            }
        };
    }

    /** A file's content, read as chunks go out; the file stays open until the message is sent or fails. */
    static MessageBody of(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        long size = channel.size();
        return new MessageBody() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public byte[] read(long offset, int length) throws IOException {
                ByteBuffer buffer = ByteBuffer.allocate(length);
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer, offset + buffer.position()) < 0) {
                        throw new IOException(file + " shrank to " + (offset + buffer.position())
                                + " bytes while it was sent (it had " + size + ")");
                    }
                }
                return buffer.array();
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }
}
