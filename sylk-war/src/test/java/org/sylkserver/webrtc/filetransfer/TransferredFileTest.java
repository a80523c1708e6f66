package org.sylkserver.webrtc.filetransfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.OffsetDateTime;

import org.junit.jupiter.api.Test;

import org.sylkserver.core.files.FileSelector;

/** The metadata file and the {@code application/sylk-file-transfer} content (spec §4.10.1). */
class TransferredFileTest {

    static final TransferredFile FILE = new TransferredFile("photo.jpg", 482133,
            new TransferredFile.Party("alice@example.com", null), new TransferredFile.Party("bob@example.com", "Bob"),
            "9c1f", "w", "/srv/ft/w/a/b/9c1f/photo.jpg", OffsetDateTime.parse("2025-05-01T10:01:00Z"),
            OffsetDateTime.parse("2025-05-16T10:01:00Z"), "https://sylk.example.com/webrtcgateway/filetransfer/a/b/9c1f/photo.jpg",
            "image/jpeg", "sha-1:3A");

    @Test
    void metadataHasTheSpecsFieldsAndReadsBack() {
        String json = FILE.toMetadataJson();
        assertTrue(json.startsWith("{\"filename\":\"photo.jpg\",\"filesize\":482133,\"sender\":{\"uri\":"
                + "\"alice@example.com\",\"display_name\":\"\"},\"receiver\":{\"uri\":\"bob@example.com\","
                + "\"display_name\":\"Bob\"},\"transfer_id\":\"9c1f\",\"prefix\":\"w\",\"path\":"), json);
        assertTrue(json.contains("\"timestamp\":\"2025-05-01T10:01:00+00:00\",\"until\":\"2025-05-16T10:01:00+00:00\""));
        assertTrue(json.endsWith("\"filetype\":\"image/jpeg\",\"hash\":\"sha-1:3A\"}"));
        assertEquals(FILE, TransferredFile.fromJson(json));
    }

    @Test
    void theMessageLeavesOutWhereTheFileIsOnDisk() {
        String json = FILE.toMessageJson();
        assertFalse(json.contains("\"path\""));
        assertFalse(json.contains("\"prefix\""));
        TransferredFile read = TransferredFile.fromJson(json);
        assertEquals(FILE.url(), read.url());
        assertEquals(null, read.path());
    }

    @Test
    void notMetadataIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> TransferredFile.fromJson("[]"));
        assertThrows(IllegalArgumentException.class, () -> TransferredFile.fromJson("{\"filename\":\"a\"}"));
        assertThrows(IllegalArgumentException.class, () -> TransferredFile.fromJson("not json"));
    }

    @Test
    void hashIsSha1InUpperCaseHexPairs() throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-1").digest("hello".getBytes(StandardCharsets.UTF_8));
        assertEquals("sha-1:AA:F4:C6:1D:DC:C5:E8:A2:DA:BE:DE:0F:3B:48:2C:D9:AE:A9:43:4D", FileSelector.sha1Hash(digest));
    }
}
