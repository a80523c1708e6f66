package org.sylkserver.core.im;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.sylkserver.protocols.cpim.CpimException;
import org.sylkserver.protocols.cpim.CpimMessage;
import org.sylkserver.protocols.imdn.ImdnDocument;

/** The echo application's handling of SIP MESSAGE (spec §6.1). */
class EchoReplyTest {

    private static final String ALICE = "sip:alice@example.com";
    private static final String ECHO = "sip:echo@example.com";

    private static EchoReply reply(String contentType, String body) {
        return EchoReply.to(contentType, body == null ? null : body.getBytes(StandardCharsets.UTF_8), ALICE, ECHO);
    }

    private static String cpimRequest(String extraHeaders, String contentType, String content) {
        return "From: \"Alice\" <sip:alice@example.com>\r\nTo: <sip:echo@example.com>\r\n"
                + "DateTime: 2025-05-01T10:00:00.000Z\r\nNS: imdn <urn:ietf:params:imdn>\r\n" + extraHeaders
                + "\r\nContent-Type: " + contentType + "\r\n\r\n" + content;
    }

    private static String text(MessageBody body) {
        return new String(body.content(), StandardCharsets.UTF_8);
    }

    @Test
    void spec6_1_missingContentTypeIs400() {
        EchoReply reply = reply(null, "x");
        assertEquals(400, reply.status());
        assertEquals("Missing Content-Type", reply.reason());
        assertFalse(reply.accepted());
        assertEquals(List.of(), reply.outgoing());
        assertEquals("Missing Content-Type", reply(" ", "x").reason());
    }

    @Test
    void spec6_1_emptyBodyIs400() {
        assertEquals(400, reply("text/plain", "").status());
        assertEquals("Empty body", reply("text/plain", null).reason());
    }

    @Test
    void spec6_1_badCpimIs400WithTheParserReason() {
        EchoReply reply = reply("message/cpim", "not cpim at all");
        assertEquals(400, reply.status());
        assertEquals("Invalid CPIM: CPIM message headers are not ended by a blank line", reply.reason());
        assertTrue(reply("Message/CPIM", cpimRequest("", "text/plain", "x").replace("<sip:echo@example.com>", "echo"))
                .reason().startsWith("Invalid CPIM: bad CPIM To header"));
    }

    @Test
    void spec6_1_plainTextIsQuotedLineByLine() {
        EchoReply reply = reply("text/plain; charset=utf-8", "one\r\ntwo\rthree\nfour\n");
        assertEquals(200, reply.status());
        assertEquals("OK", reply.reason());
        assertTrue(reply.deliveryNotification().isEmpty());
        MessageBody echo = reply.echo().orElseThrow();
        assertEquals("text/plain; charset=utf-8", echo.contentType(), "same content type, bare like the request");
        assertEquals("Echo:\n>> one\n>> twothree\n>> four\n>> ", text(echo),
                "CRLF to LF, lone CR dropped, every line quoted including the empty last one");
        assertEquals(List.of(echo), reply.outgoing());
    }

    @Test
    void spec6_1_htmlIsEchoedUnquoted() {
        assertEquals("Echo:\n<p>a\r\nb</p>", text(reply("text/html", "<p>a\r\nb</p>").echo().orElseThrow()));
    }

    @Test
    void echoKeepsThePayloadCharset() {
        byte[] latin1 = "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1);
        EchoReply reply = EchoReply.to("text/plain; charset=\"ISO-8859-1\"", latin1, ALICE, ECHO);
        assertArrayEquals("Echo:\n>> caf\u00e9".getBytes(StandardCharsets.ISO_8859_1), reply.echo().orElseThrow().content());
    }

    @Test
    void undecodableTextIs400() {
        EchoReply invalid = EchoReply.to("text/plain", new byte[] {'a', (byte) 0xff}, ALICE, ECHO);
        assertEquals(400, invalid.status());
        assertEquals("Body is not valid UTF-8", invalid.reason());
        assertEquals("Unsupported charset klingon", reply("text/plain; charset=klingon", "x").reason());
    }

    @Test
    void spec6_1_otherContentTypesAreAcceptedWithoutReply() {
        EchoReply json = reply("application/json", "{}");
        assertEquals(200, json.status());
        assertEquals(List.of(), json.outgoing());
        EchoReply cpimImage = reply("message/cpim", cpimRequest("imdn.Message-ID: m1\r\n"
                + "imdn.Disposition-Notification: positive-delivery\r\n", "image/png", "PNG"));
        assertEquals(200, cpimImage.status());
        assertEquals(List.of(), cpimImage.outgoing(), "no IMDN either: only text is answered");
    }

    @Test
    void spec6_1_rfc5438_positiveDeliveryGetsAnImdnFirstThenTheEcho() throws Exception {
        OffsetDateTime before = OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(1);
        EchoReply reply = reply("message/cpim", cpimRequest("imdn.Message-ID: abc123\r\n"
                + "imdn.Disposition-Notification: Positive-Delivery, display\r\n", "text/plain;charset=UTF-8", "hello\r\nworld"));
        assertEquals(200, reply.status());
        List<MessageBody> outgoing = reply.outgoing();
        assertEquals(2, outgoing.size());
        assertEquals(reply.deliveryNotification().orElseThrow().contentType(), outgoing.get(0).contentType());
        assertArrayEquals(reply.deliveryNotification().orElseThrow().content(), outgoing.get(0).content());

        MessageBody notification = outgoing.get(0);
        assertEquals("message/cpim", notification.contentType());
        CpimMessage imdnCpim = CpimMessage.parse(notification.content());
        assertEquals(ECHO, imdnCpim.from().orElseThrow().uri(), "sent by the original recipient");
        assertEquals(new CpimMessage.Address("Alice", ALICE), imdnCpim.to().get(0), "to the original sender");
        assertEquals("notification", imdnCpim.contentHeader("Content-Disposition"));
        assertNotEquals("abc123", imdnCpim.imdnMessageId().orElseThrow(), "the wrapper has its own id");
        ImdnDocument imdn = ImdnDocument.fromCpim(imdnCpim);
        assertEquals("abc123", imdn.messageId());
        assertEquals(OffsetDateTime.parse("2025-05-01T10:00:00Z"), imdn.dateTime(), "the original DateTime (RFC 5438 §7.2.1.2)");
        assertEquals(ImdnDocument.Status.DELIVERED, imdn.status());
        assertEquals(ECHO, imdn.recipientUri());

        MessageBody echo = outgoing.get(1);
        assertEquals("message/cpim", echo.contentType());
        CpimMessage echoCpim = CpimMessage.parse(echo.content());
        assertEquals("<sip:echo@example.com>", echoCpim.header("From"));
        assertEquals("\"Alice\" <sip:alice@example.com>", echoCpim.header("To"));
        assertEquals("text/plain;charset=UTF-8", echoCpim.contentHeader("Content-Type"));
        assertEquals("Echo:\n>> hello\n>> world", new String(echoCpim.content(), StandardCharsets.UTF_8));
        assertTrue(echoCpim.dispositionNotification().isEmpty());
        assertNotEquals(imdnCpim.imdnMessageId(), echoCpim.imdnMessageId());
        OffsetDateTime sent = echoCpim.dateTime().orElseThrow();
        assertTrue(Duration.between(before, sent).toSeconds() < 60 && !sent.isBefore(before), sent.toString());
    }

    @Test
    void spec6_1_withoutMessageIdTheImdnUsesARandomId() throws Exception {
        EchoReply reply = reply("message/cpim", cpimRequest("imdn.Disposition-Notification: positive-delivery\r\n",
                "text/html", "<b>hi</b>"));
        ImdnDocument imdn = ImdnDocument.fromCpim(CpimMessage.parse(reply.deliveryNotification().orElseThrow().content()));
        UUID.fromString(imdn.messageId());
        assertEquals("Echo:\n<b>hi</b>", new String(CpimMessage.parse(reply.echo().orElseThrow().content()).content(),
                StandardCharsets.UTF_8));
    }

    @Test
    void spec6_1_noImdnUnlessPositiveDeliveryIsRequested() {
        assertEquals(1, reply("message/cpim", cpimRequest("imdn.Message-ID: m1\r\nimdn.Disposition-Notification: display\r\n",
                "text/plain", "hi")).outgoing().size());
        assertTrue(reply("message/cpim", cpimRequest("", "text/plain", "hi")).deliveryNotification().isEmpty());
    }

    @Test
    void cpimWithoutFromAndToFallsBackToTheSipAddresses() throws CpimException {
        EchoReply reply = reply("message/cpim", "Subject: hi\r\n\r\nContent-Type: text/plain\r\n\r\nhi");
        CpimMessage echo = CpimMessage.parse(reply.echo().orElseThrow().content());
        assertEquals(ECHO, echo.from().orElseThrow().uri());
        assertEquals(ALICE, echo.to().get(0).uri());
    }

    @Test
    void echoTextRules() {
        assertEquals("Echo:\n>> ", EchoReply.echoText("text/plain", ""));
        assertEquals("Echo:\n>> a\n>> \n>> b", EchoReply.echoText("text/plain", "a\r\n\r\nb"));
        assertEquals("Echo:\na\r\nb", EchoReply.echoText("text/html", "a\r\nb"));
    }
}
