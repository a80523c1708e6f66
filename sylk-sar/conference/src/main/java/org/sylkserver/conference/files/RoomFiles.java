package org.sylkserver.conference.files;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

import org.sylkserver.core.files.FileSelector;
import org.sylkserver.core.files.FileSizes;
import org.sylkserver.core.files.SentFile;
import org.sylkserver.core.files.UploadStore;

/**
 * The files uploaded to one room (spec §3.5): kept under {@code <file_transfer_dir>/<room>/}, listed in the
 * conference-info document, offered to participants, and deleted with the room (which the original failed to do,
 * quirk Q6). A file is listed only once it arrived whole and its hash is known; uploads in progress live in hidden
 * {@code .upload-*} files of the same directory and are never offered.
 *
 * <p>Threads: the space taken and whether the room has ended belong to the room's executor, where its uploads
 * ({@link org.sylkserver.core.files.FileUpload}, made there) make their partial files, take and give back space and
 * are listed, and where the room deletes its files. The list itself is copy-on-write: SIP threads look files up
 * for downloads and pushes.
 */
public final class RoomFiles implements UploadStore<RoomFiles.RoomFile> {

    private static final Logger log = Logger.getLogger(RoomFiles.class.getName());

    /**
     * One file the room has.
     *
     * @param name   the file name as offered (display only; the stored name is {@link #path}'s)
     * @param hash   {@code sha-1:...} as in file selectors (spec §3.5)
     * @param sender {@code user@host} of the uploader
     */
    public record RoomFile(String name, String type, long size, String hash, String sender, Path path)
            implements SentFile {

        public FileSelector selector() {
            return new FileSelector(name, type, size, hash);
        }
    }

    private final Path dir;
    private final List<RoomFile> files = new CopyOnWriteArrayList<>();
    /** The room has ended (executor). */
    private boolean deleted;

    /**
     * Disk space the rooms' files may take ({@code max_room_files_size}, {@code max_files_size}; bytes, 0 for no
     * limit): what is stored and what uploads in progress have reached counts, so that one sender cannot fill the
     * disk with many files, or many uploads at once.
     */
    public record Quota(long perRoom, long total) {
        public static final Quota NONE = new Quota(0, 0);
    }

    /** The conference's limits and the bytes every room's files take together, shared by the rooms it creates. */
    public static final class Space {
        final Quota limits;
        private final java.util.concurrent.atomic.AtomicLong allRooms = new java.util.concurrent.atomic.AtomicLong();

        public Space(Quota limits) {
            this.limits = limits;
        }

        /** Bytes the files of every room take now. */
        long allRoomsBytes() {
            return allRooms.get();
        }
    }

    private final Space space;
    /** Bytes taken by this room's files now (executor). */
    private long used;

    public RoomFiles(Path root, String room, Space space) {
        this.dir = root.resolve(RoomDirectory.name(room));
        this.space = space;
    }

    /** The room's directory (created on the first upload). */
    Path directory() {
        return dir;
    }

    public List<RoomFile> list() {
        return List.copyOf(files);
    }

    /** The file with this {@code sha-1:} hash (a pull, RFC 5547 §8.3), if the room has it. */
    public Optional<RoomFile> byHash(String hash) {
        return files.stream().filter(f -> f.hash().equalsIgnoreCase(hash)).findFirst();
    }

    /** A place for an upload in progress: a new hidden file in the room's directory (executor). */
    @Override
    public Path partial() throws IOException {
        if (deleted) {
            throw new IOException("the room has ended");
        }
        Files.createDirectories(dir);
        return Files.createTempFile(dir, ".upload-", ".part");
    }

    /**
     * Lists a completely received upload whose hash is {@code hash}: moves it to a name derived from the offered
     * one (never a path the sender chose). On the executor.
     */
    @Override
    public RoomFile add(Path partial, FileSelector offered, String hash, String sender) throws IOException {
        String offeredName = offered.name();
        String type = offered.type();
        String base = safeName(offeredName, "file");
        Path target = null;
        for (int n = 0; target == null; n++) {
            if (n > 1000) {
                throw new IOException("no free name for " + base);
            }
            Path candidate = dir.resolve(n == 0 ? base : numbered(base, n));
            try {
                Files.createFile(candidate); // reserves the name: a rename would replace an existing file
                target = candidate;
            } catch (FileAlreadyExistsException taken) {
                // next number
            }
        }
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        RoomFile file = new RoomFile(offeredName == null ? target.getFileName().toString() : offeredName, type,
                Files.size(target), hash, sender, target);
        if (deleted) {
            Files.deleteIfExists(target);
            throw new IOException("the room has ended");
        }
        files.add(file);
        return file;
    }

    /**
     * Takes {@code bytes} more of the room's and the server's space for an upload; false (nothing taken) when that
     * would go over {@code max_room_files_size} or {@code max_files_size}. On the executor.
     */
    @Override
    public boolean reserve(long bytes) {
        Quota limits = space.limits;
        if (limits.perRoom() > 0 && used + bytes > limits.perRoom()) {
            return false;
        }
        long all = space.allRooms.addAndGet(bytes);
        if (limits.total() > 0 && all > limits.total()) {
            space.allRooms.addAndGet(-bytes);
            return false;
        }
        used += bytes;
        return true;
    }

    /** Gives back space an upload took and no longer needs (it failed, or the file is smaller). On the executor. */
    @Override
    public void release(long bytes) {
        used -= bytes;
        space.allRooms.addAndGet(-bytes);
    }

    /** Why no more can be reserved, for the sender's failure message. */
    @Override
    public String quotaText() {
        Quota limits = space.limits;
        return "the room's files would take more than "
                + (limits.perRoom() > 0 ? FileSizes.format(limits.perRoom()) + " (max_room_files_size)" : "")
                + (limits.perRoom() > 0 && limits.total() > 0 ? " or " : "")
                + (limits.total() > 0 ? "all rooms' files " + FileSizes.format(limits.total()) + " (max_files_size)" : "");
    }

    /** Deletes every file and the directory: the room has ended. On the executor. */
    public void delete() {
        deleted = true;
        files.clear();
        space.allRooms.addAndGet(-used);
        used = 0;
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(dir)) {
            tree.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    log.log(Level.WARNING, "cannot delete " + p, e);
                }
            });
        } catch (IOException e) {
            log.log(Level.WARNING, "cannot delete the files of " + dir, e);
        }
    }

    /**
     * A single file-name component made from {@code offered}: its last path segment, without control characters,
     * separators or a leading dot; {@code fallback} when nothing usable is left.
     */
    static String safeName(String offered, String fallback) {
        if (offered == null) {
            return fallback;
        }
        String last = offered.substring(Math.max(offered.lastIndexOf('/'), offered.lastIndexOf('\\')) + 1);
        StringBuilder out = new StringBuilder();
        last.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) || c == ':' ? '_' : c));
        String name = out.toString().strip();
        while (name.startsWith(".")) {
            name = name.substring(1);
        }
        if (name.length() > 200) {
            name = name.substring(name.length() - 200);
        }
        return name.isEmpty() ? fallback : name;
    }

    private static String numbered(String name, int n) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) + "-" + n + name.substring(dot) : name + "-" + n;
    }
}
