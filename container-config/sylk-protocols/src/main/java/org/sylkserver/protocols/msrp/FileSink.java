package org.sylkserver.protocols.msrp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@link MessageSink#toFile}: positioned writes into one file. */
final class FileSink implements MessageSink {

    private static final Logger log = Logger.getLogger(FileSink.class.getName());

    private final Path file;
    private final Consumer<Path> completed;
    private final FileChannel channel;

    FileSink(Path file, Consumer<Path> completed) throws IOException {
        this.file = file;
        this.completed = completed;
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
    }

    @Override
    public void write(long offset, byte[] data) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(data);
        while (buffer.hasRemaining()) {
            channel.write(buffer, offset + buffer.position());
        }
    }

    @Override
    public void complete(long size) throws IOException {
        channel.close();
        completed.accept(file);
    }

    @Override
    public void abort() {
        try {
            channel.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.log(Level.WARNING, "cannot remove the interrupted message in " + file, e);
        }
    }
}
