package org.sylkserver.webrtc.filetransfer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.sylkserver.core.files.FileSelector;
import org.sylkserver.core.files.UploadStore;

/**
 * File transfer between accounts over HTTP (spec §4.10): uploads streamed to disk with their SHA-1 computed on the way,
 * the stored layout and metadata, cancelling an upload in progress, the files a download URL names, and housekeeping
 * (spec §4.10.4). Thread-safe: every upload runs on its own request thread; uploads in progress are in a concurrent map.
 *
 * <p>An upload is written under {@code <file_transfer_dir>/.incoming/} and moved into its place only once complete, so
 * a cut-off or cancelled upload leaves no partial file where downloads and notifications look.
 */
public final class FileTransfers {

    /** Who may send (spec §4.10.2): an account authenticated on a live sylkRTC connection from the client's address. */
    @FunctionalInterface
    public interface Senders {
        boolean authenticatedFrom(String account, String address);
    }

    /** Whether an account is a storage account (one that uses messaging, spec §4.8.2). */
    @FunctionalInterface
    public interface Accounts {
        boolean isKnown(String account);
    }

    /** Announces a completed transfer (spec §4.10.1: the three notifications, in order). */
    @FunctionalInterface
    public interface Notifications {
        /**
         * Takes {@code file} to announce, possibly after returning (the upload is answered meanwhile), or refuses it at
         * once ({@code false}) when too many transfers wait for theirs. {@code done} is told, once, whether the three
         * are stored or handed on, or whether the announcement should be made again at the next start (the store
         * failed, or the server is stopping).
         */
        boolean offer(TransferredFile file, Done done);
    }

    /** The end of one announcement. */
    @FunctionalInterface
    public interface Done {
        /** @param announced {@code false} when it is to be made again at the next start */
        void done(boolean announced);
    }

    /**
     * Where a completed transfer waits for its announcement, under the root: one file per transfer (its metadata),
     * written before the upload is answered and removed once the notifications are out. What a stop left there is
     * announced at the next start ({@link #housekeeping}). It is also the queue's overflow: when the notifications
     * take no more, an upload is answered all the same and its mark waits here, offered in its turn when there is
     * room, so that no upload waits for the notifications of others and memory holds a bounded number.
     */
    static final String ANNOUNCING = ".announce";
    /** Files this big or bigger expire after {@code filetransfer_expire_days}, smaller ones after twice that. */
    static final long BIG_FILE_BYTES = 50L * 1024 * 1024;
    private static final Logger LOG = Logger.getLogger("webrtcgateway.filetransfer");
    /** {@code -<digits>} at the end of a name's stem: the copy number a client adds to a file it already has. */
    private static final Pattern COPY_NUMBER = Pattern.compile("-\\d+(\\.[^.]*)?$");

    private final FileTransferConfig config;
    private final Senders senders;
    private final Accounts accounts;
    private final Notifications notifications;
    private final Clock clock;
    private final String urlBase;
    private final Map<String, Upload> uploads = new ConcurrentHashMap<>();
    private final UploadStaging staging;
    private final Path announcing;
    /** The stamp of the latest mark's name. */
    private final AtomicLong lastMark = new AtomicLong();
    /** Guards the announcement queue's state: the fields below. */
    private final Object queue = new Object();
    /** The marks offered whose announcement is not done yet. */
    private final Set<Path> inFlight = new HashSet<>();
    /** The marks whose announcement is to be made again at the next start. */
    private final Set<Path> deferred = new HashSet<>();
    /** Whether marks wait on disk, not offered: later transfers then wait there too, so that the order is kept. */
    private boolean spilled;
    /** While {@link #spilled}: the marks are offered again once fewer than this many are in flight. */
    private int refillBelow = 1;
    private boolean refilling;

    /**
     * @param urlBase where download URLs start: {@code <web base>/webrtcgateway/filetransfer}
     */
    public FileTransfers(FileTransferConfig config, Senders senders, Accounts accounts, Notifications notifications,
                         Clock clock, String urlBase) throws IOException {
        this.config = config;
        this.senders = senders;
        this.accounts = accounts;
        this.notifications = notifications;
        this.clock = clock;
        this.urlBase = urlBase;
        this.staging = new UploadStaging(config.directory());
        this.announcing = Files.createDirectories(config.directory().resolve(ANNOUNCING));
    }

    /**
     * An upload the checks let through, not yet read. It holds its transfer id until closed: close it whatever
     * happens (the servlet's try-with-resources), so that an id is never left taken.
     */
    public final class Upload implements AutoCloseable {
        private final String sender;
        private final String receiver;
        private final String senderDisplayName;
        private final TransferLayout layout;
        private final String filetype;
        private final long length;
        private volatile boolean cancelled;

        private Upload(String sender, String receiver, String senderDisplayName, TransferLayout layout,
                       String filetype, long length) {
            this.sender = sender;
            this.receiver = receiver;
            this.senderDisplayName = senderDisplayName;
            this.layout = layout;
            this.filetype = filetype;
            this.length = length;
        }

        public String transferId() {
            return layout.transferId();
        }

        /**
         * Reads the body into place: the file, its metadata, then the notifications.
         *
         * @throws CancelledException when {@link FileTransfers#cancel} stopped it
         * @throws IOException        when the body ended early or the disk failed; nothing is left behind
         */
        public TransferredFile receive(InputStream body) throws IOException {
            UploadStaging.Staged staged;
            try {
                staged = staging.receive(body, length, () -> cancelled);
            } catch (IOException e) {
                if (cancelled) {
                    throw new CancelledException(layout.transferId());
                }
                throw new IOException("upload " + layout.transferId() + ": " + e.getMessage(), e);
            }
            try (staged) {
                return place(staged::moveTo, layout, new TransferredFile.Party(sender, senderDisplayName),
                        new TransferredFile.Party(receiver, ""), filetype, length, FileSelector.sha1Hash(staged.sha1()));
            }
        }

        /** The transfer id is free again. */
        @Override
        public void close() {
            uploads.remove(layout.transferId(), this);
        }
    }

    /** An upload stopped by {@code .../filetransfer/cancel/<id>} (spec §4.10.2). */
    public static final class CancelledException extends IOException {
        private static final long serialVersionUID = 1L;

        CancelledException(String transferId) {
            super("upload " + transferId + " cancelled");
        }
    }

    /**
     * The checks of spec §4.10.2 before the body is read, in its order: names (403), the sender's connection (403), a
     * known party (404); then the size limit (413) and a transfer id already uploading (409).
     *
     * @param contentLength the request's {@code Content-Length}, negative when absent (411)
     */
    public Upload start(String sender, String receiver, String transferId, String filename, String contentType,
                        long contentLength, String clientAddress, String senderDisplayName) throws UploadRefused {
        String id = TransferLayout.transferId(transferId);
        String name = TransferLayout.filename(filename);
        if (id == null || name == null) {
            throw new UploadRefused(403, "Invalid transfer id or file name");
        }
        if (!senders.authenticatedFrom(sender, clientAddress)) {
            throw new UploadRefused(403, "Sender " + sender + " has no authenticated sylkRTC connection from " + clientAddress);
        }
        boolean senderKnown = accounts.isKnown(sender);
        if (!senderKnown && !accounts.isKnown(receiver)) {
            throw new UploadRefused(404, "Neither " + sender + " nor " + receiver + " is a known account");
        }
        if (contentLength < 0) {
            throw new UploadRefused(411, "Content-Length required");
        }
        if (contentLength > config.maxUploadBytes()) {
            throw new UploadRefused(413, "File larger than filetransfer_max_size (" + config.maxUploadBytes() + " bytes)");
        }
        String type = contentType == null || contentType.isBlank() ? "application/octet-stream" : contentType.strip();
        Upload upload = new Upload(sender, receiver, senderDisplayName,
                TransferLayout.of(sender, receiver, senderKnown, id, name), type, contentLength);
        if (uploads.putIfAbsent(id, upload) != null) {
            throw new UploadRefused(409, "An upload with transfer_id " + id + " is in progress");
        }
        return upload;
    }

    /**
     * A complete file into its place (spec §4.10.1): moved from {@code staged} under {@code layout}, its metadata
     * written, then announced. HTTP and MSRP uploads both end here. The notifications go out after this returns (the
     * upload's answer does not wait for the journal), so a file in {@link #ANNOUNCING} says that this transfer is yet
     * to be announced, should the server stop first.
     */
    private TransferredFile place(Mover staged, TransferLayout layout, TransferredFile.Party sender,
                                  TransferredFile.Party receiver, String filetype, long length, String hash)
            throws IOException {
        Files.createDirectories(layout.directory(config.directory()));
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Path file = layout.file(config.directory());
        TransferredFile transferred = new TransferredFile(layout.filename(), length, sender, receiver,
                layout.transferId(), layout.prefix(), file.toAbsolutePath().toString(), now.atOffset(ZoneOffset.UTC),
                now.plus(config.expiry()).atOffset(ZoneOffset.UTC), urlBase + "/" + layout.urlPath(), filetype, hash);
        staged.moveTo(file);
        String metadata = transferred.toMetadataJson();
        UploadStaging.writeAtomically(layout.metadata(config.directory()), metadata);
        LOG.info(() -> "file transfer " + layout.transferId() + " from " + sender.uri() + " to " + receiver.uri()
                + ": " + length + " bytes stored");
        announce(transferred, metadata);
        return transferred;
    }

    /**
     * Hands {@code file} to the notifications, marked in {@link #ANNOUNCING} until they are out. The mark's name starts
     * with a time in microseconds that increases from mark to mark, so that left-overs are announced in their order.
     */
    private void announce(TransferredFile file, String metadata) {
        long stamp = lastMark.accumulateAndGet(System.currentTimeMillis() * 1000, (last, now) -> Math.max(last + 1, now));
        Path marker = announcing.resolve(String.format(Locale.ROOT, "%016d-%s.json", stamp, UUID.randomUUID()));
        boolean marked = true;
        try {
            Files.writeString(marker, metadata, StandardCharsets.UTF_8);
        } catch (IOException e) {
            marked = false;
            LOG.log(Level.WARNING, "file transfer " + file.transferId() + ": not marked in " + announcing
                    + "; announced all the same, but a stop before its notifications are out loses them", e);
        }
        synchronized (queue) {
            if (spilled && marked) {
                LOG.fine(() -> "file transfer " + file.transferId() + " waits on disk for its notifications");
                refillIfRoom();
            } else if (!offer(file, marker) && !marked) {
                LOG.warning(() -> "file transfer " + file.transferId() + " not announced: neither marked nor taken");
            }
        }
    }

    /** Under the queue's lock: whether the notifications took {@code file}; when not, its mark waits on disk. */
    private boolean offer(TransferredFile file, Path marker) {
        inFlight.add(marker);
        if (notifications.offer(file, announced -> done(marker, announced))) {
            return true;
        }
        inFlight.remove(marker);
        if (!spilled) {
            LOG.warning(() -> inFlight.size() + " file transfers wait for their notifications: the next wait on disk,"
                    + " in " + announcing);
        }
        spilled = true;
        refillBelow = Math.max(1, inFlight.size() / 2);
        return false;
    }

    private void done(Path marker, boolean announced) {
        synchronized (queue) {
            inFlight.remove(marker);
            if (announced) {
                unmark(marker);
            } else {
                deferred.add(marker);
            }
            refillIfRoom();
        }
    }

    private void refillIfRoom() {
        if (spilled && !refilling && inFlight.size() < refillBelow) {
            refill();
        }
    }

    /**
     * Under the queue's lock: the marks waiting on disk offered in their order, those whose file is still there, until
     * the notifications take no more. Returns how many were taken.
     */
    private int refill() {
        refilling = true;
        try {
            List<Path> markers;
            try (Stream<Path> listed = Files.list(announcing)) {
                markers = listed.sorted().toList();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "file transfer marks in " + announcing + " not listed: tried again later", e);
                return 0;
            }
            int taken = 0;
            for (Path marker : markers) {
                if (inFlight.contains(marker) || deferred.contains(marker)) {
                    continue;
                }
                TransferredFile file;
                try {
                    file = TransferredFile.fromJson(Files.readString(marker, StandardCharsets.UTF_8));
                } catch (IOException | IllegalArgumentException e) {
                    // cut off by a stop while written: its upload was never answered, the client sends it again
                    LOG.log(Level.WARNING, "file transfer mark " + marker + " unreadable; removed", e);
                    unmark(marker);
                    continue;
                }
                if (!Files.isRegularFile(Path.of(file.path()))) {
                    unmark(marker);
                } else if (offer(file, marker)) {
                    taken++;
                } else {
                    return taken;
                }
            }
            spilled = false;
            return taken;
        } finally {
            refilling = false;
        }
    }

    private static void unmark(Path marker) {
        try {
            Files.deleteIfExists(marker);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "file transfer mark " + marker + " not removed: announced again at the next start", e);
        }
    }

    /**
     * The transfers a stop left unannounced ({@link #ANNOUNCING}) announced again, in their order, those whose file is
     * still there. The journal keeps one entry per transfer id, so a notification 1 stored before the stop is not
     * repeated (2 and 3, to SIP devices, may be). Returns how many were taken now (the others are offered as the
     * notifications make room, before any new transfer).
     */
    int announceLeftOvers() {
        int announced;
        synchronized (queue) {
            spilled = true;
            announced = refill();
        }
        if (announced > 0) {
            LOG.info(() -> announced + " file transfer(s) left unannounced by the last stop announced again");
        }
        return announced;
    }

    /** Moves a complete staged file to its place. */
    private interface Mover {
        void moveTo(Path target) throws IOException;
    }

    /** The largest file taken ({@code filetransfer_max_size}), in bytes. */
    public long maxUploadBytes() {
        return config.maxUploadBytes();
    }

    /**
     * Where an MSRP push (spec §4.10.3) is received: a staging file, like an HTTP upload's, moved into {@code layout}
     * once whole and its hash checked, then announced as an HTTP upload is. The size limit is the upload's own
     * ({@link #maxUploadBytes}); there is no shared quota. The push holds its transfer id as an HTTP upload does, until
     * closed: a second push (or an HTTP upload) of an id in progress would replace the file under it.
     *
     * @throws UploadRefused 409 when an upload of the same transfer id is in progress
     */
    public MsrpUpload msrpUpload(TransferLayout layout, TransferredFile.Party sender, TransferredFile.Party receiver,
                                 String filetype) throws UploadRefused {
        Upload holder = new Upload(sender.uri(), receiver.uri(), sender.displayName(), layout, filetype, -1);
        if (uploads.putIfAbsent(layout.transferId(), holder) != null) {
            throw new UploadRefused(409, "An upload with transfer_id " + layout.transferId() + " is in progress");
        }
        return new MsrpUpload(holder, sender, receiver, filetype);
    }

    /** An MSRP push's store; it holds the transfer id until closed (the push's session ended). */
    public final class MsrpUpload implements UploadStore<TransferredFile>, AutoCloseable {
        private final Upload holder;
        private final TransferredFile.Party sender;
        private final TransferredFile.Party receiver;
        private final String filetype;

        private MsrpUpload(Upload holder, TransferredFile.Party sender, TransferredFile.Party receiver,
                           String filetype) {
            this.holder = holder;
            this.sender = sender;
            this.receiver = receiver;
            this.filetype = filetype;
        }

        @Override
        public Path partial() throws IOException {
            return Files.createFile(staging.directory().resolve(UUID.randomUUID().toString()));
        }

        @Override
        public boolean reserve(long bytes) {
            return true;
        }

        @Override
        public void release(long bytes) {
            // nothing reserved
        }

        @Override
        public String quotaText() {
            return "";
        }

        @Override
        public TransferredFile add(Path partial, FileSelector offered, String hash, String from) throws IOException {
            try {
                return place(target -> UploadStaging.move(partial, target), holder.layout, sender, receiver, filetype,
                        Files.size(partial), hash);
            } finally {
                Files.deleteIfExists(partial);
            }
        }

        /** The transfer id is free again. */
        @Override
        public void close() {
            holder.close();
        }
    }

    /** What a pull asked for (spec §4.10.3): the stored file, or the SIP status that refuses the request. */
    public record Located(TransferredFile file, Path path, int status, String reason) {

        static Located refused(int status, String reason) {
            return new Located(null, null, status, reason);
        }
    }

    /**
     * The file a SIP client pulls (spec §4.10.3): one transferred between {@code one} and {@code other} (either way, in
     * either layout) named {@code name} or, failing that, {@code name} without a trailing {@code -<digits>} (the copy
     * number a client adds), whose metadata hash is {@code hash}. No metadata of that name and hash: 404; the
     * metadata found but the file not readable: 500.
     */
    public Located locate(String one, String other, String name, String hash) {
        String h1 = TransferLayout.hash(one);
        String h2 = TransferLayout.hash(other);
        List<String> names = new ArrayList<>();
        String safe = TransferLayout.filename(name);
        if (safe != null) {
            names.add(safe);
            String unnumbered = COPY_NUMBER.matcher(safe).replaceFirst("$1");
            if (!unnumbered.equals(safe)) {
                names.add(unnumbered);
            }
        }
        for (String candidate : names) {
            for (Path pair : List.of(pairDirectory(h1, h2), pairDirectory(h2, h1))) {
                if (!Files.isDirectory(pair)) {
                    continue;
                }
                try (DirectoryStream<Path> transfers = Files.newDirectoryStream(pair)) {
                    for (Path transfer : transfers) {
                        Path metadata = transfer.resolve("meta-" + candidate);
                        if (!Files.isRegularFile(metadata)) {
                            continue;
                        }
                        TransferredFile stored;
                        try {
                            stored = TransferredFile.fromJson(Files.readString(metadata, StandardCharsets.UTF_8));
                        } catch (IOException | IllegalArgumentException e) {
                            LOG.log(Level.WARNING, "metadata " + metadata + " unreadable", e);
                            continue;
                        }
                        if (!stored.hash().equalsIgnoreCase(hash)) {
                            continue;
                        }
                        Path file = transfer.resolve(candidate);
                        return Files.isReadable(file) ? new Located(stored, file, 200, "OK")
                                : Located.refused(500, "File not readable");
                    }
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "cannot list " + pair, e);
                }
            }
        }
        return Located.refused(404, "File not found");
    }

    private Path pairDirectory(String first, String second) {
        return config.directory().resolve(first.substring(0, 1)).resolve(first).resolve(second);
    }

    /** Stops the upload of {@code transferId} in progress; whether there was one (spec §4.10.2 cancel). */
    public boolean cancel(String transferId) {
        Upload upload = transferId == null ? null : uploads.get(transferId);
        if (upload == null) {
            return false;
        }
        upload.cancelled = true;
        LOG.info(() -> "upload " + transferId + " cancelled");
        return true;
    }

    /**
     * The stored file a download URL names, or null when there is none. Its metadata is not read: the layout already
     * holds the name it is served under, and a file is in its place only once its upload completed ({@link #place}).
     */
    public Path stored(TransferLayout layout) {
        Path file = layout.file(config.directory());
        return Files.isRegularFile(file) ? file : null;
    }

    /**
     * A file-transfer message was removed (spec §4.8.5): its transfer's directory goes too. {@code content} is the
     * message's {@code application/sylk-file-transfer} JSON; a URL that names no transfer of this server changes nothing.
     */
    public void removed(String content) {
        TransferredFile message;
        try {
            message = TransferredFile.fromJson(content);
        } catch (IllegalArgumentException e) {
            return;
        }
        if (!message.url().startsWith(urlBase + "/")) {
            return;
        }
        String[] segments = message.url().substring(urlBase.length() + 1).split("/", -1);
        TransferLayout layout = segments.length == 4 ? TransferLayout.parse(segments[0], segments[1],
                TransferLayout.unquote(segments[2]), TransferLayout.unquote(segments[3])) : null;
        if (layout == null) {
            return;
        }
        try {
            UploadStaging.deleteTree(layout.directory(config.directory()));
            removeEmptyDirectories();
            LOG.info(() -> "file transfer " + layout.transferId() + " removed with its message");
        } catch (IOException e) {
            LOG.log(Level.WARNING, "file transfer " + layout.transferId() + " not removed", e);
        }
    }

    /**
     * Housekeeping (spec §4.10.4): files of {@value #BIG_FILE_BYTES} bytes or more whose upload is older than
     * {@code filetransfer_expire_days} are deleted, smaller ones older than twice that, each with its metadata; then
     * the empty directories. Returns how many files went.
     */
    public int expire() throws IOException {
        Instant now = clock.instant();
        Duration big = config.expiry();
        Duration small = config.expiry().multipliedBy(2);
        int[] removed = {0};
        Path root = config.directory();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                return isWorkDirectory(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                String name = file.getFileName().toString();
                if (name.startsWith("meta-") && Files.exists(file.resolveSibling(name.substring(5)))) {
                    return FileVisitResult.CONTINUE;
                }
                Duration age = Duration.between(attributes.lastModifiedTime().toInstant(), now);
                if (age.compareTo(attributes.size() >= BIG_FILE_BYTES ? big : small) > 0) {
                    Files.deleteIfExists(file);
                    if (!name.startsWith("meta-")) {
                        Files.deleteIfExists(file.resolveSibling("meta-" + name));
                        removed[0]++;
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                // removed meanwhile (a message removal, a sibling's metadata): nothing left to expire
                return FileVisitResult.CONTINUE;
            }
        });
        removeEmptyDirectories();
        if (removed[0] > 0) {
            LOG.info(() -> "housekeeping: " + removed[0] + " expired file transfer(s) removed");
        }
        return removed[0];
    }

    /** The staging and announcing directories: they hold no transfers, and housekeeping leaves them alone. */
    private boolean isWorkDirectory(Path dir) {
        return dir.equals(staging.directory()) || dir.equals(announcing);
    }

    /**
     * On {@code executor}, which nothing else should wait on (a big tree takes a while to walk): at once, the transfers
     * a stop left unannounced ({@link #announceLeftOvers}); then {@link #expire} now and every hour (spec §4.10.4).
     */
    public void housekeeping(ScheduledExecutorService executor) {
        executor.execute(() -> {
            try {
                announceLeftOvers();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "file transfers left unannounced by the last stop: not announced", e);
            }
        });
        executor.scheduleWithFixedDelay(() -> {
            try {
                expire();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "file-transfer housekeeping failed; next run in an hour", e);
            }
        }, 0, 1, TimeUnit.HOURS);
    }

    /** Every empty directory under the root (not the root nor the work directories), deepest first. */
    private void removeEmptyDirectories() throws IOException {
        Path root = config.directory();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                return isWorkDirectory(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (!dir.equals(root)) {
                    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                        if (!entries.iterator().hasNext()) {
                            Files.deleteIfExists(dir);
                        }
                    } catch (NoSuchFileException gone) {
                        // removed meanwhile
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
