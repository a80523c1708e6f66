package org.sylkserver.protocols.msrp;

import java.util.Arrays;
import java.util.function.ToIntFunction;

/** {@link MessageSink#inMemory}: positioned writes into an array that grows as far as the message reaches. */
final class MemorySink implements MessageSink {

    private final ToIntFunction<byte[]> completed;
    private byte[] data = new byte[256];

    MemorySink(ToIntFunction<byte[]> completed) {
        this.completed = completed;
    }

    @Override
    public void write(long offset, byte[] chunk) {
        int end = Math.toIntExact(offset + chunk.length);
        if (end > data.length) {
            data = Arrays.copyOf(data, (int) Math.max(end, Math.min(2L * data.length, Integer.MAX_VALUE - 8)));
        }
        System.arraycopy(chunk, 0, data, (int) offset, chunk.length);
    }

    @Override
    public int complete(long size) {
        return completed.applyAsInt(Arrays.copyOf(data, Math.toIntExact(size)));
    }

    @Override
    public void abort() {
        data = new byte[0];
    }
}
