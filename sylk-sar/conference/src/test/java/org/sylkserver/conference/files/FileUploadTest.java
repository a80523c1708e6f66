package org.sylkserver.conference.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.sylkserver.core.files.FileSelector;
import org.sylkserver.core.files.FileUpload;
import org.sylkserver.protocols.msrp.Continuation;
import org.sylkserver.protocols.msrp.MsrpHeader;
import org.sylkserver.protocols.msrp.MsrpRequest;
import org.sylkserver.protocols.msrp.MsrpUri;

/**
 * An upload to a room (RFC 5547 §8.2) as its MSRP chunks arrive (RFC 4975 §5.1, §7.1.1): only a whole file with
 * the offered size and hash is listed; everything else leaves nothing behind.
 */
class FileUploadTest {

    @TempDir
    Path root;
    private RoomFiles files;
    private final List<RoomFiles.RoomFile> done = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private int tid;

    @BeforeEach
    void room() {
        files = new RoomFiles(root, "room@conference.example", new RoomFiles.Space(RoomFiles.Quota.NONE));
    }

    private FileUpload<RoomFiles.RoomFile> upload(FileSelector offered, long limit) throws IOException {
        return new FileUpload<>(files, offered, "alice@example.com", limit, done::add, failures::add, Runnable::run);
    }

    private MsrpRequest chunk(byte[] data, int from, int to, int total, Continuation flag) throws Exception {
        return new MsrpRequest("tr" + (1000 + tid++), MsrpRequest.SEND, List.of(MsrpUri.parse("msrp://127.0.0.1:2855/ours;tcp")),
                List.of(MsrpUri.parse("msrp://127.0.0.1:9/theirs;tcp")), List.of(
                new MsrpHeader("Message-ID", "msg00001"),
                new MsrpHeader("Byte-Range", (from + 1) + "-" + to + "/" + (total < 0 ? "*" : total)),
                new MsrpHeader("Content-Type", "application/octet-stream")),
                Arrays.copyOfRange(data, from, to), flag);
    }

    private static byte[] random(int size) {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return data;
    }

    private static String sha1(byte[] data) throws Exception {
        return FileSelector.sha1Hash(MessageDigest.getInstance("SHA-1").digest(data));
    }

    private long leftovers() throws IOException {
        if (!Files.exists(files.directory())) {
            return 0;
        }
        try (Stream<Path> list = Files.list(files.directory())) {
            return list.filter(p -> p.getFileName().toString().startsWith(".upload-")).count();
        }
    }

    @Test
    void chunksInAnyOrderMakeTheWholeFileWhichIsListedWithItsHash() throws Exception {
        byte[] data = random(10_000);
        FileUpload<RoomFiles.RoomFile> upload = upload(new FileSelector("report.pdf", "application/pdf", data.length, sha1(data)), 0);
        // RFC 4975 §7.1.1: the receiver places each chunk by its Byte-Range, whatever the order
        assertEquals(200, upload.request(chunk(data, 4000, 10_000, data.length, Continuation.COMPLETE), null));
        assertTrue(done.isEmpty(), "the last chunk came first: not complete yet");
        assertEquals(200, upload.request(chunk(data, 0, 2000, data.length, Continuation.MORE), null));
        assertEquals(200, upload.request(chunk(data, 1500, 4000, data.length, Continuation.MORE), null));
        assertEquals(1, done.size());
        RoomFiles.RoomFile file = done.get(0);
        assertArrayEquals(data, Files.readAllBytes(file.path()));
        assertEquals(sha1(data), file.hash());
        assertEquals("report.pdf", file.path().getFileName().toString());
        assertEquals(List.of(file), files.list());
        assertEquals(0, leftovers());
    }

    /**
     * Issue 11: uploads (stored and in progress) count against max_room_files_size and max_files_size; a chunk
     * beyond either fails its upload with 413 and gives its space back; a room that ends frees its share.
     */
    @Test
    void roomAndServerDiskQuotas() throws Exception {
        byte[] data = random(6000);
        RoomFiles.Space space = new RoomFiles.Space(new RoomFiles.Quota(15_000, 17_000));
        files = new RoomFiles(root, "room@conference.example", space);
        assertEquals(200, upload(new FileSelector("one.bin", null, data.length, null), 0)
                .request(chunk(data, 0, 6000, 6000, Continuation.COMPLETE), null));
        FileUpload<RoomFiles.RoomFile> second = upload(new FileSelector("two.bin", null, data.length, null), 0);
        FileUpload<RoomFiles.RoomFile> third = upload(new FileSelector("three.bin", null, data.length, null), 0);
        assertEquals(200, second.request(chunk(data, 0, 3000, 6000, Continuation.MORE), null));
        assertEquals(200, third.request(chunk(data, 0, 3000, 6000, Continuation.MORE), null));
        assertEquals(200, second.request(chunk(data, 3000, 6000, 6000, Continuation.COMPLETE), null));
        assertEquals(413, third.request(chunk(data, 3000, 6000, 6000, Continuation.COMPLETE), null),
                "6000 + 6000 + 6000 > 15000");
        assertEquals(2, done.size());
        assertTrue(failures.get(0).contains("max_room_files_size"), failures.get(0));
        assertEquals(0, leftovers());

        RoomFiles other = new RoomFiles(root, "other@conference.example", space);
        assertEquals(space.allRoomsBytes() + 5000, space.limits.total());
        FileUpload<RoomFiles.RoomFile> elsewhere = new FileUpload<>(other, new FileSelector("four.bin", null, data.length, null),
                "bob@example.com", 0, done::add, failures::add, Runnable::run);
        assertEquals(413, elsewhere.request(chunk(data, 0, 6000, 6000, Continuation.COMPLETE), null),
                "all rooms together over max_files_size");
        assertTrue(failures.get(1).contains("max_files_size"), failures.get(1));
        long before = space.allRoomsBytes();
        files.delete();
        assertEquals(before - 12_000, space.allRoomsBytes(), "the ended room's files are freed");
        assertEquals(200, new FileUpload<>(other, new FileSelector("four.bin", null, data.length, null),
                "bob@example.com", 0, done::add, failures::add, Runnable::run)
                .request(chunk(data, 0, 6000, 6000, Continuation.COMPLETE), null));
        other.delete();
    }

    @Test
    void anEmptyFileArrivesInOneEmptyChunk() throws Exception {
        FileUpload<RoomFiles.RoomFile> upload = upload(new FileSelector("empty.txt", null, 0, sha1(new byte[0])), 0);
        assertEquals(200, upload.request(new MsrpRequest("tr0000", MsrpRequest.SEND,
                List.of(MsrpUri.parse("msrp://127.0.0.1:2855/ours;tcp")),
                List.of(MsrpUri.parse("msrp://127.0.0.1:9/theirs;tcp")), List.of(new MsrpHeader("Message-ID", "msg00000"),
                new MsrpHeader("Byte-Range", "1-0/0"), new MsrpHeader("Content-Type", "text/plain")),
                new byte[0], Continuation.COMPLETE), null));
        assertEquals(1, done.size());
        assertEquals(0, Files.size(done.get(0).path()));
    }

    @Test
    void anInterruptedUploadIsDeletedAndNeverListed() throws Exception {
        byte[] data = random(5000);
        FileUpload<RoomFiles.RoomFile> upload = upload(new FileSelector("a.bin", null, data.length, null), 0);
        upload.request(chunk(data, 0, 2000, data.length, Continuation.MORE), null);
        // RFC 4975 §7.1.1: '#' ends a message the sender gave up on
        assertEquals(200, upload.request(chunk(data, 2000, 2500, data.length, Continuation.ABORTED), null));
        assertTrue(done.isEmpty());
        assertEquals(1, failures.size());
        assertTrue(files.list().isEmpty());
        assertEquals(0, leftovers());
    }

    @Test
    void aSenderThatHangsUpMidTransferLeavesNothing() throws Exception {
        byte[] data = random(5000);
        FileUpload<RoomFiles.RoomFile> upload = upload(new FileSelector("a.bin", null, data.length, null), 0);
        upload.request(chunk(data, 0, 2000, data.length, Continuation.MORE), null);
        upload.abort("the sender hung up");
        assertEquals(List.of("the sender hung up"), failures);
        assertTrue(files.list().isEmpty());
        assertEquals(0, leftovers());
        assertEquals(481, upload.request(chunk(data, 2000, 5000, data.length, Continuation.COMPLETE), null),
                "chunks after the end belong to no upload");
    }

    @Test
    void moreThanTheLimitIsRefusedWith413() throws Exception {
        byte[] data = random(3000);
        FileUpload<RoomFiles.RoomFile> upload = upload(new FileSelector("big.bin", null, -1, null), 2000);
        assertEquals(200, upload.request(chunk(data, 0, 1500, -1, Continuation.MORE), null));
        assertEquals(413, upload.request(chunk(data, 1500, 3000, -1, Continuation.COMPLETE), null));
        assertTrue(files.list().isEmpty());
        assertEquals(0, leftovers());
    }

    @Test
    void aFileWhoseHashIsNotTheOfferedOneIsDropped() throws Exception {
        byte[] data = random(1000);
        FileUpload<RoomFiles.RoomFile> upload = upload(new FileSelector("x.bin", null, data.length, sha1(random(999))), 0);
        upload.request(chunk(data, 0, 1000, data.length, Continuation.COMPLETE), null);
        assertTrue(done.isEmpty());
        assertEquals(1, failures.size());
        assertTrue(files.list().isEmpty());
        try (Stream<Path> list = Files.list(files.directory())) {
            assertEquals(0, list.count(), "nothing stays on disk");
        }
    }

    @Test
    void anUnknownTotalIsTakenFromTheLastChunk() throws Exception {
        byte[] data = random(4096);
        FileUpload<RoomFiles.RoomFile> upload = upload(new FileSelector("s.bin", null, -1, null), 0);
        upload.request(chunk(data, 0, 4000, -1, Continuation.MORE), null);
        upload.request(chunk(data, 4000, 4096, -1, Continuation.COMPLETE), null);
        assertEquals(1, done.size());
        assertEquals(4096, done.get(0).size());
    }

    @Test
    void theSendersNameNeverBecomesAPath() throws Exception {
        for (String hostile : List.of("../../etc/passwd", "/etc/shadow", "..\\..\\win.ini", "..", ".hidden", "a\u0000b")) {
            byte[] data = random(10);
            done.clear();
            FileUpload<RoomFiles.RoomFile> upload = upload(new FileSelector(hostile, null, data.length, null), 0);
            upload.request(chunk(data, 0, 10, 10, Continuation.COMPLETE), null);
            Path stored = done.get(0).path();
            assertEquals(files.directory(), stored.getParent(), hostile + " stays in the room's directory");
            assertFalse(stored.getFileName().toString().startsWith("."), hostile + " is not hidden");
            assertEquals(hostile, done.get(0).name(), "the offered name is kept for display");
        }
    }

    @Test
    void twoFilesWithTheSameNameAreBothKept() throws Exception {
        byte[] one = random(10);
        byte[] two = random(11);
        upload(new FileSelector("same.txt", null, 10, null), 0).request(chunk(one, 0, 10, 10, Continuation.COMPLETE), null);
        upload(new FileSelector("same.txt", null, 11, null), 0).request(chunk(two, 0, 11, 11, Continuation.COMPLETE), null);
        assertEquals("same.txt", done.get(0).path().getFileName().toString());
        assertEquals("same-1.txt", done.get(1).path().getFileName().toString());
        assertArrayEquals(one, Files.readAllBytes(done.get(0).path()));
    }

    @Test
    void theRoomsEndDeletesItsFiles() throws Exception {
        byte[] data = random(100);
        upload(new FileSelector("f.txt", null, 100, null), 0).request(chunk(data, 0, 100, 100, Continuation.COMPLETE), null);
        Path stored = done.get(0).path();
        files.delete();
        assertFalse(Files.exists(stored));
        assertFalse(Files.exists(files.directory()));
        assertTrue(files.list().isEmpty());
        assertNull(files.byHash(sha1(data)).orElse(null));
    }

    /** RFC 4975 §7.1.1: a chunk whose data is not the length its Byte-Range says is refused, never stored. */
    @Test
    void aChunkThatContradictsItsByteRangeIsRefused() throws Exception {
        byte[] data = random(1000);
        FileUpload<RoomFiles.RoomFile> upload = upload(new FileSelector("r.bin", null, data.length, null), 0);
        MsrpRequest lying = new MsrpRequest("tr9999", MsrpRequest.SEND, List.of(MsrpUri.parse("msrp://127.0.0.1:2855/ours;tcp")),
                List.of(MsrpUri.parse("msrp://127.0.0.1:9/theirs;tcp")), List.of(new MsrpHeader("Message-ID", "msg00009"),
                new MsrpHeader("Byte-Range", "1-1000/1000"), new MsrpHeader("Content-Type", "application/octet-stream")),
                Arrays.copyOf(data, 900), Continuation.COMPLETE);
        assertEquals(400, upload.request(lying, null));
        assertTrue(done.isEmpty());
        assertEquals(1, failures.size());
        assertEquals(0, leftovers());
    }
}
