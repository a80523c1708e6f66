package org.sylkserver.webrtc.filetransfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploads, their checks, cancel and housekeeping (spec §4.10.2, §4.10.4) on a real directory, with a set clock. */
class FileTransfersTest {

    private static final Instant NOW = Instant.parse("2026-01-10T12:00:00Z");
    private static final String BASE = "https://sylk.example.com/webrtcgateway/filetransfer";

    @TempDir
    Path root;

    private final List<TransferredFile> announced = new ArrayList<>();
    /** What each announcement runs once its notifications are out, in the order of {@link #announced}. */
    private final List<Runnable> outs = new ArrayList<>();
    private final Set<String> known = new java.util.HashSet<>(Set.of("alice@example.com"));
    /** How many announcements the notifications take at once, like TransferNotifications' bound. */
    private int room = Integer.MAX_VALUE;
    private Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private FileTransfers transfers;

    @BeforeEach
    void start() throws IOException {
        transfers = transfers(Duration.ofDays(15), 1024 * 1024);
    }

    private FileTransfers transfers(Duration expiry, long max) throws IOException {
        return new FileTransfers(new FileTransferConfig(root, expiry, max),
                (account, address) -> account.equals("alice@example.com") && address.equals("10.0.0.1"),
                known::contains, (file, done) -> {
                    if (outs.size() >= room) {
                        return false;
                    }
                    announced.add(file);
                    outs.add(() -> {
                        outs.remove(0);
                        done.done(true);
                    });
                    return true;
                }, new Clock() {
                    @Override
                    public ZoneOffset getZone() {
                        return ZoneOffset.UTC;
                    }

                    @Override
                    public Clock withZone(java.time.ZoneId zone) {
                        throw new UnsupportedOperationException();
                    }

                    @Override
                    public Instant instant() {
                        return clock.instant();
                    }
                }, BASE);
    }

    private FileTransfers.Upload start(String id, String name, long length) throws UploadRefused {
        return transfers.start("alice@example.com", "bob@example.com", id, name, "text/plain", length, "10.0.0.1", "");
    }

    @Test
    void anUploadIsStoredWithMetadataThenAnnounced_4_10_2() throws Exception {
        byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
        TransferredFile file = start("t1", "hello.txt", body.length).receive(new ByteArrayInputStream(body));
        TransferLayout layout = TransferLayout.of("alice@example.com", "bob@example.com", true, "t1", "hello.txt");
        assertEquals("hello", Files.readString(layout.file(root)));
        assertEquals(file, TransferredFile.fromJson(Files.readString(layout.metadata(root))));
        assertEquals(List.of(file), announced);
        assertEquals("sha-1:AA:F4:C6:1D:DC:C5:E8:A2:DA:BE:DE:0F:3B:48:2C:D9:AE:A9:43:4D", file.hash());
        assertEquals(BASE + "/" + layout.urlPath(), file.url());
        assertEquals(NOW.plus(Duration.ofDays(15)), file.until().toInstant());
        assertEquals("text/plain", file.filetype());
        assertEquals(layout.file(root), transfers.stored(TransferLayout.parse(layout.first(), layout.second(), "t1",
                "hello.txt")));
    }

    /**
     * A download (spec §4.10.2) reads no metadata: the URL's layout names the file and the name it is served under, so
     * a download costs no more file reads than a plain static file's. A file not (or no longer) in its place is none.
     */
    @Test
    void aDownloadFindsItsFileWithoutReadingTheMetadata_4_10_2() throws Exception {
        byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
        start("t1", "hello.txt", body.length).receive(new ByteArrayInputStream(body));
        TransferLayout layout = TransferLayout.of("alice@example.com", "bob@example.com", true, "t1", "hello.txt");
        Files.writeString(layout.metadata(root), "not read");
        assertEquals(layout.file(root), transfers.stored(layout));
        assertNull(transfers.stored(TransferLayout.of("alice@example.com", "bob@example.com", true, "t1", "other.txt")));
        Files.delete(layout.file(root));
        assertNull(transfers.stored(layout));
    }

    /**
     * spec §4.10.1: the notifications may go out after the upload's answer, so until they are out the transfer is
     * marked on disk (its metadata, in {@code .announce}); a stop meanwhile, and the next start announces it, in the
     * uploads' order, once each.
     */
    @Test
    void aTransferIsMarkedUntilAnnouncedAndAStopLosesNoAnnouncement_4_10_1() throws Exception {
        TransferredFile first = start("t1", "a.txt", 1).receive(new ByteArrayInputStream(new byte[1]));
        TransferredFile second = start("t2", "b.txt", 1).receive(new ByteArrayInputStream(new byte[1]));
        TransferredFile third = start("t3", "c.txt", 1).receive(new ByteArrayInputStream(new byte[1]));
        assertEquals(List.of(first, second, third), announced);
        assertEquals(3, marks().size());
        assertEquals(second, TransferredFile.fromJson(Files.readString(marks().get(1))));
        outs.get(0).run();
        assertEquals(2, marks().size(), "the first is out");
        outs.clear();
        // the third's file removed (its message was) before a stop; one mark cut off by the stop while written
        Files.delete(Path.of(third.path()));
        Files.writeString(root.resolve(FileTransfers.ANNOUNCING).resolve("9999999999999999-cut.json"), "{\"filen");

        announced.clear();
        outs.clear();
        FileTransfers restarted = transfers(Duration.ofDays(15), 1024 * 1024);
        assertEquals(3, marks().size(), "a start keeps the marks");
        assertEquals(1, restarted.announceLeftOvers());
        assertEquals(List.of(second), announced);
        assertEquals(1, marks().size(), "the removed file's and the unreadable marks went");
        outs.get(0).run();
        assertEquals(List.of(), marks());
        assertEquals(0, transfers(Duration.ofDays(15), 1024 * 1024).announceLeftOvers());
    }

    /**
     * No upload waits for other transfers' notifications: when the notifications take no more, the upload is answered
     * and its mark waits on disk; marks are offered in the uploads' order as room is made, later uploads behind them.
     */
    @Test
    void anUploadThatFindsNoRoomIsAnsweredAndAnnouncedInItsTurn_4_10_1() throws Exception {
        room = 1;
        TransferredFile first = start("t1", "a.txt", 1).receive(new ByteArrayInputStream(new byte[1]));
        TransferredFile second = start("t2", "b.txt", 1).receive(new ByteArrayInputStream(new byte[1]));
        TransferredFile third = start("t3", "c.txt", 1).receive(new ByteArrayInputStream(new byte[1]));
        assertEquals(List.of(first), announced, "the second and third wait on disk");
        assertEquals(3, marks().size());
        outs.get(0).run();
        assertEquals(List.of(first, second), announced, "the second offered once the first is out");
        TransferredFile fourth = start("t4", "d.txt", 1).receive(new ByteArrayInputStream(new byte[1]));
        assertEquals(List.of(first, second), announced, "the fourth does not pass the third");
        outs.get(0).run();
        outs.get(0).run();
        outs.get(0).run();
        assertEquals(List.of(first, second, third, fourth), announced);
        assertEquals(List.of(), marks());
        room = Integer.MAX_VALUE;
        TransferredFile fifth = start("t5", "e.txt", 1).receive(new ByteArrayInputStream(new byte[1]));
        assertEquals(fifth, announced.get(4), "offered at once again");
    }

    private List<Path> marks() throws IOException {
        try (Stream<Path> marks = Files.list(root.resolve(FileTransfers.ANNOUNCING))) {
            return marks.sorted().toList();
        }
    }

    @Test
    void checksComeBeforeTheBodyInTheSpecsOrder_4_10_2() {
        assertEquals(403, refused(() -> start("..", "a.txt", 1)));
        assertEquals(403, refused(() -> start("t", "..", 1)));
        assertEquals(403, refused(() -> transfers.start("alice@example.com", "bob@example.com", "t", "a", null, 1,
                "10.0.0.2", "")));
        assertEquals(403, refused(() -> transfers.start("carol@example.com", "bob@example.com", "t", "a", null, 1,
                "10.0.0.1", "")));
        known.clear();
        assertEquals(404, refused(() -> start("t", "a.txt", 1)));
        known.add("bob@example.com");
        assertEquals(411, refused(() -> start("t", "a.txt", -1)));
        assertEquals(413, refused(() -> start("t", "a.txt", 1024 * 1024 + 1)));
        assertTrue(announced.isEmpty());
    }

    @Test
    void aTransferIdUploadingTwiceIsAConflictUntilTheFirstIsClosed() throws Exception {
        FileTransfers.Upload first = start("t", "a.txt", 1);
        assertEquals(409, refused(() -> start("t", "b.txt", 1)));
        first.close();
        start("t", "b.txt", 1).close();
    }

    @Test
    void aCutOffUploadLeavesNothing() throws Exception {
        FileTransfers.Upload upload = start("t", "a.txt", 10);
        assertThrows(IOException.class, () -> upload.receive(new ByteArrayInputStream(new byte[4])));
        upload.close();
        assertEquals(List.of(), files());
        assertTrue(announced.isEmpty());
        // and the id is free again
        start("t", "a.txt", 1).receive(new ByteArrayInputStream(new byte[1]));
    }

    @Test
    void cancelStopsAnUploadInProgress_4_10_2() throws Exception {
        FileTransfers.Upload upload = start("slow", "a.bin", 1000);
        InputStream slow = new InputStream() {
            private int sent;

            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                if (sent++ == 2) {
                    assertTrue(transfers.cancel("slow"));
                }
                buffer[offset] = 1;
                return 1;
            }
        };
        assertThrows(FileTransfers.CancelledException.class, () -> upload.receive(slow));
        upload.close();
        assertFalse(transfers.cancel("slow"));
        assertEquals(List.of(), files());
        assertTrue(announced.isEmpty());
    }

    @Test
    void bigFilesExpireAfterTheDaysSmallOnesAfterTwice_4_10_4() throws Exception {
        Path bigOld = stored("b1", "big.bin", FileTransfers.BIG_FILE_BYTES, Duration.ofDays(16));
        Path bigFresh = stored("b2", "big.bin", FileTransfers.BIG_FILE_BYTES, Duration.ofDays(14));
        Path smallOld = stored("s1", "small.txt", 10, Duration.ofDays(31));
        Path smallMiddle = stored("s2", "small.txt", 10, Duration.ofDays(16));
        assertEquals(2, transfers.expire());
        assertFalse(Files.exists(bigOld));
        assertFalse(Files.exists(bigOld.resolveSibling("meta-big.bin")));
        assertFalse(Files.exists(bigOld.getParent()), "its empty directory went too");
        assertFalse(Files.exists(smallOld));
        assertTrue(Files.exists(bigFresh));
        assertTrue(Files.exists(smallMiddle));
        assertTrue(Files.exists(smallMiddle.resolveSibling("meta-small.txt")));
        clock = Clock.fixed(NOW.plus(Duration.ofDays(20)), ZoneOffset.UTC);
        assertEquals(2, transfers.expire());
        assertEquals(List.of(), files());
        try (Stream<Path> left = Files.list(root)) {
            assertEquals(Set.of(root.resolve(UploadStaging.DIRECTORY), root.resolve(FileTransfers.ANNOUNCING)),
                    Set.copyOf(left.toList()), "only the staging and announcing directories");
        }
    }

    @Test
    void removingTheMessageRemovesTheFile_4_8_5() throws Exception {
        TransferredFile file = start("t1", "a b.txt", 1).receive(new ByteArrayInputStream(new byte[1]));
        transfers.removed("{\"not\": \"a transfer\"}");
        transfers.removed(file.toMessageJson().replace(BASE, "https://elsewhere.example.com/x"));
        assertEquals(2, files().size());
        transfers.removed(file.toMessageJson());
        assertEquals(List.of(), files());
    }

    @Test
    void aRestartClearsHalfWrittenUploads() throws Exception {
        Path stale = root.resolve(UploadStaging.DIRECTORY).resolve("left-over");
        Files.writeString(stale, "partial");
        transfers(Duration.ofDays(15), 10);
        assertFalse(Files.exists(stale));
    }

    /** A stored transfer whose file and metadata were written {@code age} ago. */
    private Path stored(String id, String name, long size, Duration age) throws Exception {
        TransferLayout layout = TransferLayout.of("alice@example.com", "bob@example.com", true, id, name);
        Files.createDirectories(layout.directory(root));
        Path file = layout.file(root);
        try (var out = Files.newByteChannel(file, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.SPARSE)) {
            out.position(size - 1);
            out.write(java.nio.ByteBuffer.wrap(new byte[1]));
        }
        Files.writeString(layout.metadata(root), "{}");
        FileTime then = FileTime.from(NOW.minus(age));
        Files.setLastModifiedTime(file, then);
        Files.setLastModifiedTime(layout.metadata(root), then);
        return file;
    }

    /** The files under the root but the marks of transfers to announce. */
    private List<Path> files() throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile)
                    .filter(path -> !path.getParent().equals(root.resolve(FileTransfers.ANNOUNCING))).toList();
        }
    }

    @FunctionalInterface
    private interface Attempt {
        void run() throws Exception;
    }

    private static int refused(Attempt attempt) {
        try {
            attempt.run();
        } catch (UploadRefused refused) {
            return refused.status();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("not refused");
    }
}
