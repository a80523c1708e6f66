package org.sylkserver.protocols.rcs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;

import org.junit.jupiter.api.Test;

/** The RCS file-transfer-over-HTTP document (GSMA RCC.07 "File Transfer via HTTP"; spec §4.9, §4.10.1). */
class FileTransferHttpDocumentTest {

    private static final FileTransferHttpDocument PHOTO = new FileTransferHttpDocument("car & co.png", 171008,
            "image/png", "https://ft.example.com/s/01?x=1&y=2", OffsetDateTime.parse("2021-01-21T14:09:31Z"),
            "sha-1:3A:7F");

    private static byte[] xml(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void whatIsBuiltParsesBack() throws Exception {
        String xml = new String(PHOTO.toXml(), StandardCharsets.UTF_8);
        assertTrue(xml.contains("<file xmlns=\"urn:gsma:params:xml:ns:rcs:rcs:fthttp\""), xml);
        assertTrue(xml.contains("<file-info type=\"file\"><file-size>171008</file-size><file-name>car &amp; co.png"
                + "</file-name><content-type>image/png</content-type><data url=\"https://ft.example.com/s/01?x=1&amp;y=2\""
                + " until=\"2021-01-21T14:09:31Z\"/><x:file-hash>sha-1:3A:7F</x:file-hash></file-info>"), xml);
        assertEquals(PHOTO, FileTransferHttpDocument.parse(PHOTO.toXml()));
    }

    @Test
    void aPhonesDocumentWithThumbnailAndExtensionsGivesTheFile() throws Exception {
        FileTransferHttpDocument parsed = FileTransferHttpDocument.parse(xml("""
                <?xml version="1.0" encoding="UTF-8"?>
                <file xmlns="urn:gsma:params:xml:ns:rcs:rcs:fthttp" xmlns:e="urn:gsma:params:xml:ns:rcs:rcs:up:fthttpext">
                  <file-info type="thumbnail">
                    <file-size>9216</file-size>
                    <content-type>image/jpg</content-type>
                    <data url="https://ft.example.com/s/thumb" until="2021-01-21T14:09:31Z"/>
                  </file-info>
                  <file-info type="file" file-disposition="render">
                    <file-size> 171008 </file-size>
                    <file-name>car.png</file-name>
                    <content-type>image/png</content-type>
                    <data url="https://ft.example.com/s/car.png" until="2021-01-21T14:09:31+02:00"/>
                    <e:branded-url>https://b.example.com/car.png</e:branded-url>
                  </file-info>
                </file>
                """));
        assertEquals(new FileTransferHttpDocument("car.png", 171008, "image/png", "https://ft.example.com/s/car.png",
                OffsetDateTime.parse("2021-01-21T14:09:31+02:00"), null), parsed);
    }

    @Test
    void nameAndValidityAreOptional() throws Exception {
        FileTransferHttpDocument parsed = FileTransferHttpDocument.parse(xml("<file xmlns=\"urn:gsma:params:xml:ns:rcs:"
                + "rcs:fthttp\"><file-info type=\"file\"><file-size>1</file-size><content-type>text/plain</content-type>"
                + "<data url=\"http://h/a.txt\"/></file-info></file>"));
        assertNull(parsed.fileName());
        assertNull(parsed.until());
    }

    /** External entities never resolve: a DOCTYPE is refused outright (OWASP XXE prevention). */
    @Test
    void aDoctypeIsRefused() {
        FileTransferHttpException e = assertThrows(FileTransferHttpException.class, () -> FileTransferHttpDocument.parse(
                xml("<?xml version=\"1.0\"?><!DOCTYPE file [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                        + "<file xmlns=\"urn:gsma:params:xml:ns:rcs:rcs:fthttp\"><file-info type=\"file\"><file-size>1"
                        + "</file-size><file-name>&x;</file-name><content-type>a/b</content-type><data url=\"http://h/\"/>"
                        + "</file-info></file>")));
        assertTrue(e.getMessage().contains("DOCTYPE"), e.getMessage());
    }

    @Test
    void unusableDocumentsAreRefusedWithTheReason() {
        String head = "<file xmlns=\"urn:gsma:params:xml:ns:rcs:rcs:fthttp\"><file-info type=\"file\">";
        String tail = "</file-info></file>";
        assertThrows(FileTransferHttpException.class, () -> FileTransferHttpDocument.parse(new byte[0]));
        assertThrows(FileTransferHttpException.class, () -> FileTransferHttpDocument.parse(xml("<file")));
        assertThrows(FileTransferHttpException.class, () -> FileTransferHttpDocument.parse(xml("<file/>")));
        assertThrows(FileTransferHttpException.class, () -> FileTransferHttpDocument.parse(xml(
                "<file xmlns=\"urn:gsma:params:xml:ns:rcs:rcs:fthttp\"><file-info type=\"thumbnail\"/></file>")));
        assertThrows(FileTransferHttpException.class, () -> FileTransferHttpDocument.parse(xml(head
                + "<file-size>-1</file-size><content-type>a/b</content-type><data url=\"http://h/\"/>" + tail)));
        assertThrows(FileTransferHttpException.class, () -> FileTransferHttpDocument.parse(xml(head
                + "<file-size>1</file-size><content-type>a/b</content-type><data url=\"file:///etc/passwd\"/>" + tail)));
        assertThrows(FileTransferHttpException.class, () -> FileTransferHttpDocument.parse(xml(head
                + "<file-size>1</file-size><data url=\"http://h/\"/>" + tail)));
        assertThrows(FileTransferHttpException.class, () -> FileTransferHttpDocument.parse(xml(head
                + "<file-size>1</file-size><content-type>a/b</content-type><data url=\"http://h/\" until=\"soon\"/>"
                + tail)));
    }
}
