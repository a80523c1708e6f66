package org.sylkserver.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.sylkserver.core.im.CpimMessage;

/** The echo application's answer to SIP MESSAGE (spec §6.1). */
class EchoMessageTest {

    private static EchoMessage reply(String type, String body) {
        return EchoMessage.reply(type, body == null ? null : body.getBytes(StandardCharsets.UTF_8),
                "sip:alice@example.com", "sip:echo@example.com");
    }

    private static String text(EchoMessage.Body body) {
        return new String(body.content(), StandardCharsets.UTF_8);
    }

    @Test
    void plainTextIsQuotedLineByLineWithNormalisedLineEnds_spec6_1() {
        EchoMessage message = reply("text/plain; charset=utf-8", "one\r\ntwo\rthree\nfour");
        assertEquals(200, message.status());
        assertEquals(1, message.requests().size());
        assertEquals("text/plain; charset=utf-8", message.requests().get(0).contentType());
        assertEquals("Echo:\n>> one\n>> two\n>> three\n>> four", text(message.requests().get(0)));
    }

    @Test
    void htmlIsEchoedUnquoted() {
        assertEquals("Echo:\n<b>hi</b>", text(reply("text/html", "<b>hi</b>").requests().get(0)));
    }

    @Test
    void otherContentTypesAreAcceptedWithoutReply() {
        EchoMessage message = reply("application/json", "{}");
        assertEquals(200, message.status());
        assertEquals(0, message.requests().size());
    }

    @Test
    void missingContentTypeEmptyBodyAndBadCpimGet400_spec6_1() {
        assertEquals(400, reply(null, "x").status());
        assertEquals("Empty body", reply("text/plain", "").reason());
        EchoMessage bad = reply("message/cpim", "not cpim at all");
        assertEquals(400, bad.status());
        assertTrue(bad.reason().startsWith("Invalid CPIM: "), bad.reason());
    }

    @Test
    void cpimWithPositiveDeliveryGetsAnImdnFirstThenTheEchoWithFromAndToSwapped_rfc5438() throws Exception {
        String request = "From: <sip:alice@example.com>\r\nTo: <sip:echo@example.com>\r\n"
                + "DateTime: 2026-11-24T10:00:00Z\r\nNS: imdn <urn:ietf:params:imdn>\r\n"
                + "imdn.Message-ID: abc123\r\nimdn.Disposition-Notification: positive-delivery\r\n\r\n"
                + "Content-Type: text/plain\r\n\r\nhello";
        EchoMessage message = reply("message/cpim", request);
        assertEquals(200, message.status());
        assertEquals(2, message.requests().size());
        CpimMessage imdn = CpimMessage.parse(message.requests().get(0).content());
        assertEquals("message/imdn+xml", imdn.contentType());
        assertEquals("notification", imdn.contentHeader("Content-Disposition"));
        String notification = new String(imdn.content(), StandardCharsets.UTF_8);
        assertTrue(notification.contains("<message-id>abc123</message-id>"), notification);
        assertTrue(notification.contains("<delivered/>"), notification);
        CpimMessage echo = CpimMessage.parse(message.requests().get(1).content());
        assertEquals("<sip:echo@example.com>", echo.header("From"));
        assertEquals("<sip:alice@example.com>", echo.header("To"));
        assertEquals("Echo:\n>> hello", new String(echo.content(), StandardCharsets.UTF_8));
    }

    @Test
    void cpimWithoutDeliveryRequestGetsOnlyTheEcho() {
        EchoMessage message = reply("message/cpim", "From: <sip:alice@example.com>\r\nTo: <sip:echo@example.com>\r\n\r\n"
                + "Content-Type: text/plain\r\n\r\nhi");
        assertEquals(1, message.requests().size());
    }
}
