package org.sylkserver.webrtc.filetransfer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * Where uploads are written while their body arrives (1:1 file transfer, spec §4.10.2, and room file sharing,
 * §4.10.5): {@code <root>/.incoming/}, on the same file system as the stored files, so that a complete upload is moved
 * into its place in one rename and a cut-off or stopped one leaves nothing where downloads and notifications look.
 * What a previous run left there is removed at start: nobody was told about it.
 */
public final class UploadStaging {

    /** The staging directory's name under the root: housekeeping walks skip it. */
    public static final String DIRECTORY = ".incoming";
    private static final int BUFFER_BYTES = 64 * 1024;

    private final Path directory;

    /** The staging directory of {@code root}, emptied; {@code root} is created when missing. */
    public UploadStaging(Path root) throws IOException {
        directory = root.resolve(DIRECTORY);
        Files.createDirectories(root);
        deleteTree(directory);
        Files.createDirectories(directory);
    }

    /** The staging directory itself. */
    public Path directory() {
        return directory;
    }

    /**
     * A body of {@code length} bytes, read into a staged file with its SHA-1 computed on the way. The staged file is
     * the caller's until it {@linkplain Staged#moveTo moves} it or closes it (which deletes what is left).
     *
     * @param stopped asked between reads: true stops reading (the caller then tells why)
     * @throws IOException the body ended early, {@code stopped} said so, or the disk failed; nothing is left behind
     */
    public Staged receive(InputStream body, long length, BooleanSupplier stopped) throws IOException {
        Path path = directory.resolve(UUID.randomUUID().toString());
        try {
            MessageDigest sha1 = sha1();
            long read = 0;
            try (OutputStream out = Files.newOutputStream(path)) {
                byte[] buffer = new byte[BUFFER_BYTES];
                int n;
                while (!stopped.getAsBoolean() && read < length
                        && (n = body.read(buffer, 0, (int) Math.min(buffer.length, length - read))) >= 0) {
                    out.write(buffer, 0, n);
                    sha1.update(buffer, 0, n);
                    read += n;
                }
            }
            if (read < length) {
                throw new IOException("body cut off after " + read + " of " + length + " bytes");
            }
            return new Staged(path, length, sha1.digest());
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /** A complete upload in the staging directory, with its size and SHA-1 digest. */
    public static final class Staged implements AutoCloseable {
        private final Path path;
        private final long length;
        private final byte[] sha1;

        private Staged(Path path, long length, byte[] sha1) {
            this.path = path;
            this.length = length;
            this.sha1 = sha1;
        }

        public long length() {
            return length;
        }

        /** The body's SHA-1 digest. */
        public byte[] sha1() {
            return sha1.clone();
        }

        /** Moves the upload to {@code target} (replacing a file there), in one rename where the system can. */
        public void moveTo(Path target) throws IOException {
            move(path, target);
        }

        /** Deletes the staged file if it was not moved. */
        @Override
        public void close() throws IOException {
            Files.deleteIfExists(path);
        }
    }

    static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Writes {@code text} to a sibling and renames it: a reader never sees half of it (metadata files). */
    public static void writeAtomically(Path target, String text) throws IOException {
        Path temporary = target.resolveSibling("." + UUID.randomUUID() + ".tmp");
        try {
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            move(temporary, target);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Deletes {@code top} and everything under it; nothing when it does not exist. */
    public static void deleteTree(Path top) throws IOException {
        if (!Files.exists(top)) {
            return;
        }
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-1", e);
        }
    }
}
