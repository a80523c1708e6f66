package org.sylkserver.webrtc.filetransfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The storage layout (spec §4.10.1) and the name rules that keep clients inside it (spec §4.10.2, issue 15). */
class TransferLayoutTest {

    private static final String ALICE = "wWD4zGmk8L8rA2J1I1PQYA";
    private static final String BOB = "S5u4BiDwPrNxngoGHBQoPQ";

    @Test
    void hashesAreUrlSafeBase64OfMd5WithoutPadding_4_10_1() {
        assertEquals(ALICE, TransferLayout.hash("alice@example.com"));
        assertEquals(BOB, TransferLayout.hash("bob@example.com"));
    }

    @Test
    void pathIsPrefixSenderReceiverIdName_4_10_1() {
        TransferLayout layout = TransferLayout.of("alice@example.com", "bob@example.com", true, "t1", "photo.jpg");
        Path root = Path.of("/srv/ft");
        assertEquals(root.resolve("w/" + ALICE + "/" + BOB + "/t1/photo.jpg"), layout.file(root));
        assertEquals(root.resolve("w/" + ALICE + "/" + BOB + "/t1/meta-photo.jpg"), layout.metadata(root));
        assertEquals(ALICE + "/" + BOB + "/t1/photo.jpg", layout.urlPath());
    }

    @Test
    void anUnknownSenderMirrorsThePath_4_10_1() {
        TransferLayout layout = TransferLayout.of("alice@example.com", "bob@example.com", false, "t1", "a b.txt");
        assertEquals(Path.of("/r/S/" + BOB + "/" + ALICE + "/t1/a b.txt"), layout.file(Path.of("/r")));
        assertEquals(BOB + "/" + ALICE + "/t1/a%20b.txt", layout.urlPath());
    }

    @Test
    void traversalKeepsOnlyTheLastComponent() {
        assertNull(TransferLayout.filename(".."));
        assertNull(TransferLayout.filename("."));
        assertNull(TransferLayout.filename("../"));
        assertEquals("passwd", TransferLayout.filename("../../etc/passwd"));
        assertEquals("boot.ini", TransferLayout.filename("..\\..\\boot.ini"));
        // an encoded slash decodes to a slash inside one segment: still only the last component
        assertEquals("b.txt", TransferLayout.filename(TransferLayout.unquote("a%2Fb.txt")));
        assertEquals("b.txt", TransferLayout.filename(TransferLayout.unquote("..%2F..%2Fb.txt")));
    }

    @Test
    void noHiddenNamesControlCharactersOrDevices() {
        assertEquals("bashrc", TransferLayout.filename(".bashrc"));
        assertEquals("ab.txt", TransferLayout.filename("a\0b.txt"));
        assertEquals("ab.txt", TransferLayout.filename("a\r\nb.txt"));
        assertEquals("report.pdf", TransferLayout.filename("report.pdf. . "));
        assertEquals("_CON.txt", TransferLayout.filename("CON.txt"));
        assertEquals("_nul", TransferLayout.filename("nul"));
        assertEquals("console.txt", TransferLayout.filename("console.txt"));
        assertNull(TransferLayout.filename(""));
        assertNull(TransferLayout.filename(" \0 "));
        assertNull(TransferLayout.filename(null));
        assertEquals("photo é.jpg", TransferLayout.filename("photo e\u0301.jpg"));
    }

    /** A metadata file is never a download: its name is never a file name (it holds the server's path). */
    @Test
    void namesOfMetadataFilesAreNotFileNames() {
        assertEquals("_meta-photo.jpg", TransferLayout.filename("meta-photo.jpg"));
        assertEquals("_META-x", TransferLayout.filename("META-x"));
        assertNull(TransferLayout.parse(ALICE, BOB, "t1", "meta-photo.jpg"));
        assertEquals("metadata.txt", TransferLayout.filename("metadata.txt"));
    }

    @Test
    void veryLongNamesAreCutKeepingTheExtension() {
        String name = TransferLayout.filename("x".repeat(5000) + ".jpeg");
        assertEquals(TransferLayout.MAX_FILENAME_BYTES, name.getBytes(StandardCharsets.UTF_8).length);
        assertTrue(name.endsWith(".jpeg"));
        String multibyte = TransferLayout.filename("\u00e9".repeat(300) + ".png");
        assertTrue(multibyte.getBytes(StandardCharsets.UTF_8).length <= TransferLayout.MAX_FILENAME_BYTES);
        assertTrue(multibyte.endsWith(".png"));
    }

    @Test
    void transferIdsAreTokens() {
        assertEquals("9c1f-ab_c.d", TransferLayout.transferId("9c1f-ab_c.d"));
        assertNull(TransferLayout.transferId(".."));
        assertNull(TransferLayout.transferId("a/b"));
        assertNull(TransferLayout.transferId("a\0b"));
        assertNull(TransferLayout.transferId(""));
        assertNull(TransferLayout.transferId("x".repeat(129)));
    }

    @Test
    void aDownloadUrlMustNameWhatOfCouldHaveMade() {
        assertEquals(new TransferLayout(ALICE, BOB, "t1", "a.txt"), TransferLayout.parse(ALICE, BOB, "t1", "a.txt"));
        assertNull(TransferLayout.parse("..", BOB, "t1", "a.txt"));
        assertNull(TransferLayout.parse(ALICE, BOB, "..", "a.txt"));
        assertNull(TransferLayout.parse(ALICE, BOB, "t1", ".."));
        assertNull(TransferLayout.parse(ALICE, BOB, "t1", "meta/../a.txt"));
    }

    @Test
    void unquoteIsRfc3986PercentDecoding() {
        assertEquals("a b+c/é", TransferLayout.unquote("a%20b+c%2F%C3%A9"));
        assertNull(TransferLayout.unquote("%zz"));
        assertNull(TransferLayout.unquote("%4"));
        assertNull(TransferLayout.unquote("%FF"));
        assertEquals("a%20b.txt", TransferLayout.quote("a b.txt").replace("%20", "%20"));
    }
}
