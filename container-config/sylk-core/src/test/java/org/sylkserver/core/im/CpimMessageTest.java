package org.sylkserver.core.im;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** message/cpim (RFC 3862) with IMDN headers (RFC 5438). */
class CpimMessageTest {

    /** Shaped like the example of RFC 3862 §6.2, with the IMDN namespace of RFC 5438 §6. */
    private static final String MESSAGE = "From: MR SANDERS <im:piglet@100akerwood.com>\r\n"
            + "To: Depressed Donkey <im:eeyore@100akerwood.com>\r\n"
            + "DateTime: 2000-12-13T13:40:00-08:00\r\n"
            + "Subject: the weather will be fine today\r\n"
            + "NS: imdn <urn:ietf:params:imdn>\r\n"
            + "imdn.Message-ID: 34jk324j\r\n"
            + "imdn.Disposition-Notification: positive-delivery, display\r\n"
            + "\r\n"
            + "Content-type: text/plain\r\n"
            + "Content-ID: <1234567890@foo.com>\r\n"
            + "\r\n"
            + "Here is the text of my message.";

    @Test
    void headersContentHeadersAndContent_rfc3862_s3() throws CpimException {
        CpimMessage cpim = CpimMessage.parse(MESSAGE.getBytes(StandardCharsets.UTF_8));
        assertEquals("MR SANDERS <im:piglet@100akerwood.com>", cpim.header("from"));
        assertEquals("im:eeyore@100akerwood.com", CpimMessage.address(cpim.header("To")));
        assertEquals("text/plain", cpim.contentType());
        assertArrayEquals("Here is the text of my message.".getBytes(StandardCharsets.UTF_8), cpim.content());
        assertEquals(MESSAGE, new String(cpim.toBytes(), StandardCharsets.UTF_8), "written back byte for byte");
    }

    @Test
    void namespacedHeadersAreFoundThroughTheirNsDeclaration_rfc3862_s3_3() throws CpimException {
        CpimMessage cpim = CpimMessage.parse(MESSAGE.replace("imdn", "x").replace("urn:ietf:params:x", CpimMessage.IMDN_NAMESPACE)
                .getBytes(StandardCharsets.UTF_8));
        assertEquals("34jk324j", cpim.namespaced(CpimMessage.IMDN_NAMESPACE, "Message-ID"));
        assertNull(cpim.namespaced("urn:other", "Message-ID"));
    }

    @Test
    void bareLineFeedsAreAccepted() throws CpimException {
        CpimMessage cpim = CpimMessage.parse(MESSAGE.replace("\r\n", "\n").getBytes(StandardCharsets.UTF_8));
        assertEquals("text/plain", cpim.contentType());
    }

    @Test
    void brokenMessagesAreRejectedWithTheReason() {
        assertTrue(assertThrows(CpimException.class, () -> CpimMessage.parse("From: <im:a@b>\r\nno blank line".getBytes()))
                .getMessage().contains("not ended by a blank line"));
        assertTrue(assertThrows(CpimException.class, () -> CpimMessage.parse("garbage line\r\n\r\n\r\nx".getBytes()))
                .getMessage().contains("malformed CPIM header line"));
        assertTrue(assertThrows(CpimException.class, () -> CpimMessage.parse("From: <im:a@b>\r\n\r\nContent-ID: <1>\r\n\r\nx".getBytes()))
                .getMessage().contains("no Content-Type"));
        assertTrue(assertThrows(CpimException.class, () -> CpimMessage.parse("From: nobody\r\n\r\nContent-Type: text/plain\r\n\r\nx".getBytes()))
                .getMessage().contains("without <uri>"));
        assertThrows(CpimException.class, () -> CpimMessage.parse(new byte[0]));
    }
}
