package org.sylkserver.webrtc.filetransfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link UploadStaging}, shared by 1:1 file transfer (spec §4.10.2) and room file sharing (§4.10.5): a complete body
 * is moved into place with its SHA-1, anything else leaves nothing behind.
 */
class UploadStagingTest {

    @TempDir
    Path root;

    private boolean stagingEmpty(UploadStaging staging) throws IOException {
        try (Stream<Path> left = Files.list(staging.directory())) {
            return left.findAny().isEmpty();
        }
    }

    @Test
    void aCompleteBodyIsMovedWithItsDigest() throws Exception {
        UploadStaging staging = new UploadStaging(root);
        byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
        try (UploadStaging.Staged staged = staging.receive(new ByteArrayInputStream(body), body.length, () -> false)) {
            assertEquals(5, staged.length());
            assertEquals("aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d", HexFormat.of().formatHex(staged.sha1()));
            staged.moveTo(root.resolve("hello.txt"));
        }
        assertEquals("hello", Files.readString(root.resolve("hello.txt")));
        assertEquals(true, stagingEmpty(staging));
    }

    /** Only the announced length is read: what follows it is not part of the file. */
    @Test
    void readsNoMoreThanTheLength() throws Exception {
        UploadStaging staging = new UploadStaging(root);
        try (UploadStaging.Staged staged = staging.receive(new ByteArrayInputStream(new byte[10]), 4, () -> false)) {
            staged.moveTo(root.resolve("four"));
        }
        assertEquals(4, Files.size(root.resolve("four")));
    }

    @Test
    void aCutOffOrStoppedBodyLeavesNothing() throws Exception {
        UploadStaging staging = new UploadStaging(root);
        IOException cut = assertThrows(IOException.class,
                () -> staging.receive(new ByteArrayInputStream(new byte[3]), 8, () -> false));
        assertEquals("body cut off after 3 of 8 bytes", cut.getMessage());
        assertThrows(IOException.class, () -> staging.receive(new ByteArrayInputStream(new byte[8]), 8, () -> true));
        assertEquals(true, stagingEmpty(staging));
        try (UploadStaging.Staged unused = staging.receive(new ByteArrayInputStream(new byte[2]), 2, () -> false)) {
            assertFalse(stagingEmpty(staging));
        }
        assertEquals(true, stagingEmpty(staging), "closing an unmoved upload deletes it");
    }

    /** What a previous run left half-written is removed at start: nobody was told about it. */
    @Test
    void leftoversOfAPreviousRunGo() throws Exception {
        Files.createDirectories(root.resolve(UploadStaging.DIRECTORY));
        Files.writeString(root.resolve(UploadStaging.DIRECTORY).resolve("half"), "x");
        assertEquals(true, stagingEmpty(new UploadStaging(root)));
    }

    @Test
    void metadataIsWrittenWholeAndTreesDeleted() throws Exception {
        Path dir = Files.createDirectories(root.resolve("a").resolve("b"));
        UploadStaging.writeAtomically(dir.resolve("meta-x"), "{}");
        assertEquals("{}", Files.readString(dir.resolve("meta-x")));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left");
        }
        UploadStaging.deleteTree(root.resolve("a"));
        assertFalse(Files.exists(root.resolve("a")));
        UploadStaging.deleteTree(root.resolve("a"));
    }
}
