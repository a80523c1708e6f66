package org.sylkserver.protocols.cpim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** message/cpim (RFC 3862) with the IMDN headers of RFC 5438. */
class CpimMessageTest {

    /** Shaped like the full example of RFC 3862 §6.1: parameters, a private namespace, Require, MIME content. */
    private static final String FULL = "From: Captain Hook <im:hook@neverland.example>\r\n"
            + "To: \"Peter \\\"Pan\\\"\" <im:peter@neverland.example>\r\n"
            + "cc: <im:wendy@neverland.example>\r\n"
            + "DateTime: 2004-06-01T12:30:00-05:00\r\n"
            + "Subject: the crocodile is late\r\n"
            + "Subject:;lang=fr le crocodile est en retard\r\n"
            + "NS: Ship <mid:features@jolly-roger.example>\r\n"
            + "Require: Ship.Priority\r\n"
            + "Ship.Priority: urgent\r\n"
            + "\r\n"
            + "Content-type: text/xml; charset=utf-8\r\n"
            + "Content-ID: <42@jolly-roger.example>\r\n"
            + "\r\n"
            + "<note>tick tock</note>\r\n";

    /** A SIP MESSAGE body asking for delivery and display notifications (RFC 5438 §6). */
    private static final String IMDN_REQUEST = "From: <sip:alice@example.com>\r\n"
            + "To: <sip:bob@example.com>\r\n"
            + "DateTime: 2025-05-01T10:00:00.000Z\r\n"
            + "NS: imdn <urn:ietf:params:imdn>\r\n"
            + "imdn.Message-ID: e7c0b1a2\r\n"
            + "imdn.Disposition-Notification: positive-delivery, Display\r\n"
            + "\r\n"
            + "Content-Type: text/plain;charset=UTF-8\r\n"
            + "\r\n"
            + "Hello Bob";

    private static CpimMessage parse(String text) throws CpimException {
        return CpimMessage.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String failure(String text) {
        return assertThrows(CpimException.class, () -> parse(text)).getMessage();
    }

    @Test
    void rfc3862_s6_1_headersAddressesAndContentAreRead() throws CpimException {
        CpimMessage cpim = parse(FULL);
        assertEquals(new CpimMessage.Address("Captain Hook", "im:hook@neverland.example"), cpim.from().orElseThrow());
        assertEquals(List.of(new CpimMessage.Address("Peter \"Pan\"", "im:peter@neverland.example")), cpim.to());
        assertEquals(List.of(CpimMessage.Address.of("im:wendy@neverland.example")), cpim.cc());
        assertEquals(OffsetDateTime.of(2004, 6, 1, 12, 30, 0, 0, ZoneOffset.ofHours(-5)), cpim.dateTime().orElseThrow());
        assertEquals(List.of("the crocodile is late", "le crocodile est en retard"), cpim.headerValues("Subject"));
        assertEquals(";lang=fr", cpim.headers().get(5).parameters());
        assertEquals("urgent", cpim.namespaced("mid:features@jolly-roger.example", "Priority"));
        assertEquals("Ship.Priority", cpim.header("Require"));
        assertEquals("text/xml", cpim.contentType());
        assertEquals("<42@jolly-roger.example>", cpim.contentHeader("content-id"));
        assertArrayEquals("<note>tick tock</note>\r\n".getBytes(StandardCharsets.UTF_8), cpim.content());
    }

    @Test
    void rfc3862_parsedMessageIsWrittenBackByteForByte() throws CpimException {
        assertEquals(FULL, new String(parse(FULL).toBytes(), StandardCharsets.UTF_8));
        assertEquals(IMDN_REQUEST, new String(parse(IMDN_REQUEST).toBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void rfc5438_s6_imdnHeadersAreFoundThroughTheNamespace() throws CpimException {
        CpimMessage cpim = parse(IMDN_REQUEST);
        assertEquals("e7c0b1a2", cpim.imdnMessageId().orElseThrow());
        assertEquals(Set.of("positive-delivery", "display"), cpim.dispositionNotification());
        assertEquals("text/plain", cpim.contentType());
    }

    @Test
    void rfc3862_s3_4_prefixesMeanWhatTheirNsDeclarationSays() throws CpimException {
        CpimMessage renamed = parse(IMDN_REQUEST.replace("imdn", "x").replace("urn:ietf:params:x", CpimMessage.IMDN_NAMESPACE));
        assertEquals("e7c0b1a2", renamed.imdnMessageId().orElseThrow());
        CpimMessage undeclared = parse(IMDN_REQUEST.replace("NS: imdn <urn:ietf:params:imdn>\r\n", ""));
        assertTrue(undeclared.imdnMessageId().isEmpty(), "imdn. without NS is not the IMDN namespace");
        assertTrue(undeclared.dispositionNotification().isEmpty());
        CpimMessage tooLate = parse(IMDN_REQUEST.replace("NS: imdn <urn:ietf:params:imdn>\r\n", "")
                .replace("\r\n\r\nContent-Type", "\r\nNS: imdn <urn:ietf:params:imdn>\r\n\r\nContent-Type"));
        assertTrue(tooLate.imdnMessageId().isEmpty(), "a declaration applies to the headers after it");
        CpimMessage byDefault = parse("From: <sip:a@b>\r\nNS: <urn:ietf:params:imdn>\r\nMessage-ID: 77\r\n\r\n"
                + "Content-Type: text/plain\r\n\r\nx");
        assertEquals("77", byDefault.imdnMessageId().orElseThrow(), "NS without prefix declares the default namespace");
        assertNull(byDefault.namespaced("urn:other", "Message-ID"));
    }

    @Test
    void rfc3862_s2_3_escapesAreDecodedAndWritten() throws CpimException {
        CpimMessage cpim = parse("Subject: one\\ttwo \\\\ \\u00e9t\\u00E9 \\\"q\\\"\r\n\r\nContent-Type: text/plain\r\n\r\n");
        assertEquals("one\ttwo \\ \u00e9t\u00e9 \"q\"", cpim.header("Subject"));
        CpimMessage.Header header = CpimMessage.Header.of("Subject", "line\nbreak \\ done");
        assertEquals("line\\u000abreak \\\\ done", header.value());
        assertEquals("line\nbreak \\ done", header.text());
    }

    @Test
    void builtMessageParsesBackToTheSameValues() throws CpimException {
        OffsetDateTime sent = OffsetDateTime.of(2025, 5, 1, 10, 0, 0, 0, ZoneOffset.UTC);
        CpimMessage built = CpimMessage.builder()
                .from(new CpimMessage.Address("Echo \"Test\"", "sip:echo@example.com"))
                .to(CpimMessage.Address.of("sip:alice@example.com"))
                .dateTime(sent)
                .namespace("imdn", CpimMessage.IMDN_NAMESPACE)
                .header("imdn.Message-ID", "id\\1")
                .contentHeader("Content-Type", "text/plain; charset=UTF-8")
                .content("hi\r\n\r\nthere".getBytes(StandardCharsets.UTF_8))
                .build();
        String wire = new String(built.toBytes(), StandardCharsets.UTF_8);
        assertEquals("From: \"Echo \\\"Test\\\"\" <sip:echo@example.com>\r\nTo: <sip:alice@example.com>\r\n"
                + "DateTime: 2025-05-01T10:00:00Z\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: id\\\\1\r\n\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n\r\nhi\r\n\r\nthere", wire);
        CpimMessage parsed = CpimMessage.parse(built.toBytes());
        assertEquals("Echo \"Test\"", parsed.from().orElseThrow().displayName());
        assertEquals("id\\1", parsed.imdnMessageId().orElseThrow());
        assertEquals(sent, parsed.dateTime().orElseThrow());
        assertArrayEquals("hi\r\n\r\nthere".getBytes(StandardCharsets.UTF_8), parsed.content(), "blank lines in the content stay");
    }

    @Test
    void bareLineFeedsAndFoldedContentHeadersAreAccepted() throws CpimException {
        CpimMessage cpim = parse(IMDN_REQUEST.replace("\r\n", "\n").replace("Content-Type: text/plain;", "Content-Type: text/plain;\n\t"));
        assertEquals("text/plain; charset=UTF-8", cpim.contentHeader("Content-Type"));
        assertEquals("e7c0b1a2", cpim.imdnMessageId().orElseThrow());
    }

    @Test
    void rfc3862_brokenStructureIsRejectedWithTheReason() {
        assertEquals("empty CPIM message", assertThrows(CpimException.class, () -> CpimMessage.parse(new byte[0])).getMessage());
        assertTrue(failure("From: <im:a@b>\r\nno blank line").contains("message headers are not ended by a blank line"));
        assertTrue(failure("From: <im:a@b>\r\n\r\nContent-Type: text/plain").contains("content headers are not ended by a blank line"));
        assertTrue(failure("garbage line\r\n\r\nContent-Type: text/plain\r\n\r\nx").contains("header line without colon"));
        assertTrue(failure("Bad Name: x\r\n\r\nContent-Type: text/plain\r\n\r\nx").contains("malformed CPIM header name 'Bad Name'"));
        assertTrue(failure("a.b.c: x\r\n\r\nContent-Type: text/plain\r\n\r\nx").contains("malformed CPIM header name"));
        assertTrue(failure("Subject: a\r\n b\r\n\r\nContent-Type: text/plain\r\n\r\nx").contains("cannot be folded"));
        assertTrue(failure("From: <im:a@b>\r\n\r\nContent-ID: <1>\r\n\r\nx").contains("no Content-Type"));
        assertTrue(failure("From: <im:a@b>\r\n\r\n\r\nx").contains("no Content-Type"));
        assertTrue(failure("From: <im:a@b>\r\n\r\nnot a header\r\n\r\nx").contains("content header line without colon"));
        assertTrue(failure("From: <im:a@b>\r\n\r\n continued\r\n\r\nx").contains("continuation line"));
        assertTrue(failure("Subject: a\u0001b\r\n\r\nContent-Type: text/plain\r\n\r\nx").contains("control character"));
    }

    @Test
    void rfc3862_s4_badAddressesDatesNamespacesAndEscapesAreRejected() {
        String content = "\r\n\r\nContent-Type: text/plain\r\n\r\nx";
        assertTrue(failure("From: nobody" + content).contains("bad CPIM From header: CPIM address is not of the form"));
        assertTrue(failure("To: Bob <sip:bob@example.com" + content).contains("bad CPIM To header"));
        assertTrue(failure("To: Bob <>" + content).contains("empty or malformed URI"));
        assertTrue(failure("cc: <sip:a b@example.com>" + content).contains("bad CPIM cc header"));
        assertTrue(failure("From: \"Bob <sip:bob@example.com>" + content).contains("unterminated quoted display name"));
        assertTrue(failure("DateTime: yesterday" + content).contains("not an RFC 3339 date-time: 'yesterday'"));
        assertTrue(failure("NS: imdn urn:ietf:params:imdn" + content).contains("bad CPIM NS header"));
        assertTrue(failure("Subject: C:\\data" + content).contains("bad escape"));
        assertTrue(failure("Subject: \\u12" + content).contains("bad escape"));
        byte[] latin1 = "Subject: caf\u00e9\r\n\r\nContent-Type: text/plain\r\n\r\nx".getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(assertThrows(CpimException.class, () -> CpimMessage.parse(latin1)).getMessage().contains("not UTF-8"));
    }

    @Test
    void errorMessagesMaskControlCharacters() {
        String message = failure("Bad\u0007Name: x\r\n\r\nContent-Type: text/plain\r\n\r\nx");
        assertTrue(message.contains("Bad?Name"), message);
    }

    @Test
    void constructedMessagesAreCheckedToo() {
        assertThrows(IllegalArgumentException.class, () -> new CpimMessage(List.of(new CpimMessage.Header("From", "nobody")),
                List.of(new CpimMessage.Header("Content-Type", "text/plain")), new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new CpimMessage(List.of(), List.of(), new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new CpimMessage.Header("Subject", "a\r\nInjected: yes"));
        assertThrows(IllegalStateException.class, () -> CpimMessage.builder().build());
    }

    /**
     * RFC 3862 §3.1: a header line holds no control characters. A lone CR inside the parameters (found by
     * CpimFuzzTest) was refused by the Header constructor with an IllegalArgumentException, which no caller
     * expects from parse; it is a CpimException (400 Invalid CPIM) like any other bad header.
     */
    @Test
    void rfc3862_s3_1_controlCharacterInHeaderParametersIsRefusedAsInvalidCpim() {
        CpimException e = assertThrows(CpimException.class, () -> parse(
                "From:;charset=utf\rx <sip:a@example.com>\r\n\r\nContent-Type: text/plain\r\n\r\nhello"));
        assertTrue(e.getMessage().contains("control character"), e.getMessage());
    }

    /**
     * RFC 3862 §3.3, RFC 2045 §5.1: the content's Content-Type is a type/subtype. One of only parameters
     * (found by CpimFuzzTest) made contentType() fail with ArrayIndexOutOfBoundsException; it is refused at parse.
     */
    @Test
    void rfc3862_s3_3_contentTypeWithoutMediaTypeIsRefusedAsInvalidCpim() {
        for (String contentType : new String[] {";", "; charset=utf-8", "text", "text/"}) {
            CpimException e = assertThrows(CpimException.class, () -> parse(
                    "From: <sip:a@example.com>\r\n\r\nContent-Type: " + contentType + "\r\n\r\nhello"), contentType);
            assertTrue(e.getMessage().contains("type/subtype"), e.getMessage());
        }
    }

    /**
     * RFC 3339 §5.6 (RFC 3862 §4.4): the usual forms, read without the formatter, give what the ISO formatter gives,
     * and out-of-range fields are refused by both ways alike (§5.7: February 30, hour 24, minute 60, offset 24:00).
     */
    @Test
    void rfc3339_s5_6_dateTimesAreReadAsTheIsoFormatterReadsThem() throws CpimException {
        for (String text : List.of("2026-12-05T18:40:06Z", "2026-12-05t18:40:06z", "2026-12-05T18:40:06.1+01:00",
                "2026-12-05T18:40:06.123456-05:30", "2026-12-05T18:40:06.123456789+00:00", "1996-12-19T16:39:57-08:00",
                "0000-01-01T00:00:00Z", "2026-12-05T18:40+01:00", "2026-12-05T18:40:06+01:00:30", "2024-02-29T23:59:59Z")) {
            assertEquals(OffsetDateTime.parse(text.toUpperCase(java.util.Locale.ROOT)), CpimMessage.parseDateTime(text), text);
        }
        for (String text : List.of("2026-02-30T10:00:00Z", "2026-13-01T10:00:00Z", "2026-12-05T24:00:00Z",
                "2026-12-05T18:60:00Z", "2026-12-05T18:40:06+24:00",
                "2026-12-05T18:40:06.1234567890Z", "2026-12-05 18:40:06Z", "2026-12-05T18:40:06", "2026-1-05T18:40:06Z")) {
            assertThrows(CpimException.class, () -> CpimMessage.parseDateTime(text), text);
        }
    }

    /** RFC 3862 §3.4/§4.5: {@code NS: [prefix] <uri>}, the prefix separated by white space; anything else refused. */
    @Test
    void rfc3862_s4_5_namespaceDeclarations() throws CpimException {
        String rest = "\r\nx.Id: 7\r\n\r\nContent-Type: text/plain\r\n\r\nx";
        assertEquals("7", parse("NS: x <urn:a>" + rest).namespaced("urn:a", "Id"));
        assertEquals("7", parse("NS: x \t <urn:a>" + rest).namespaced("urn:a", "Id"));
        assertEquals(null, parse("NS: y <urn:a>" + rest).namespaced("urn:a", "Id"));
        assertEquals("7", parse("NS: <urn:a>\r\nId: 7\r\n\r\nContent-Type: text/plain\r\n\r\nx").namespaced("urn:a", "Id"));
        for (String bad : List.of("x<urn:a>", "x y <urn:a>", "x <urn: a>", "x <>", "x <urn:a", "x <<urn:a>", "<urn:a> x")) {
            assertTrue(failure("NS: " + bad + rest).contains("bad CPIM NS header"), bad);
        }
    }

    /**
     * RFC 3862 §4.6.7 / RFC 3339 §5.6: DateTime as the JDK's ISO formatter writes it, for every usual date-time
     * (years 0000-9999, offsets in whole minutes, any fraction), without the formatter; others are left to it.
     */
    @Test
    void rfc3339_s5_6_usualDateTimesAreWrittenAsTheIsoFormatterWritesThem() {
        java.util.Random random = new java.util.Random(3862);
        int[] nanos = {0, 500_000_000, 120_000_000, 123_456_000, 100, 123_456_789};
        for (int i = 0; i < 20_000; i++) {
            OffsetDateTime time = OffsetDateTime.of(random.nextInt(10_000), 1 + random.nextInt(12), 1 + random.nextInt(28),
                    random.nextInt(24), random.nextInt(60), random.nextInt(60), nanos[i % nanos.length],
                    ZoneOffset.ofTotalSeconds(60 * (random.nextInt(18 * 60 * 2 + 1) - 18 * 60)));
            String expected = java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(time);
            assertEquals(expected, CpimMessage.usualDateTimeText(time, 9, "Z"), time.toString());
            assertEquals(expected, CpimMessage.formatDateTime(time));
        }
        OffsetDateTime distant = OffsetDateTime.parse("+12026-01-01T10:00:01+01:00:30");
        assertNull(CpimMessage.usualDateTimeText(distant, 9, "Z"));
        assertEquals("+12026-01-01T10:00:01+01:00:30", CpimMessage.formatDateTime(distant));
    }

    /**
     * RFC 3862 §4.1, §4.4: the builder does not parse back the From, To and DateTime it wrote from typed values
     * (issue 14, session 23), so each must be one the parser reads back as given, whatever the display name (quotes,
     * backslashes, angle brackets, control characters, non-ASCII) and for every usual date-time.
     */
    @Test
    void rfc3862_s4_typedHeadersOfTheBuilderAlwaysParseBack() throws CpimException {
        java.util.Random random = new java.util.Random(5438);
        String nameChars = "aZ \"\\<>@;:,.\t\u0001\u007f\u00e9\u4e2d'";
        String uriChars = "abcXYZ019:@;=.-_~%!$&'()*+,/?#[]\u00e9";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder name = new StringBuilder();
            for (int k = random.nextInt(8); k > 0; k--) {
                name.append(nameChars.charAt(random.nextInt(nameChars.length())));
            }
            StringBuilder uri = new StringBuilder("sip:");
            for (int k = 1 + random.nextInt(20); k > 0; k--) {
                uri.append(uriChars.charAt(random.nextInt(uriChars.length())));
            }
            CpimMessage.Address from = new CpimMessage.Address(name.toString(), uri.toString());
            CpimMessage.Address to = CpimMessage.Address.of(uri.reverse().toString());
            OffsetDateTime time = OffsetDateTime.of(random.nextInt(10_000), 1 + random.nextInt(12), 1 + random.nextInt(28),
                    random.nextInt(24), random.nextInt(60), random.nextInt(60), random.nextInt(1_000_000_000),
                    ZoneOffset.ofTotalSeconds(60 * (random.nextInt(18 * 60 * 2 + 1) - 18 * 60)));
            CpimMessage built = CpimMessage.builder().from(from).to(to).dateTime(time)
                    .contentHeader("Content-Type", "text/plain").content(new byte[] {'x'}).build();
            CpimMessage parsed = CpimMessage.parse(built.toBytes());
            assertEquals(from, parsed.from().orElseThrow(), name.toString());
            assertEquals(List.of(to), parsed.to());
            assertEquals(time, parsed.dateTime().orElseThrow());
        }
    }

    /** What the builder writes from free text is still checked as before: a header it cannot vouch for. */
    @Test
    void rfc3862_s4_untypedHeadersOfTheBuilderAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> CpimMessage.builder().header("From", "nobody")
                .contentHeader("Content-Type", "text/plain").build());
        assertThrows(IllegalArgumentException.class, () -> CpimMessage.builder().header("DateTime", "yesterday")
                .contentHeader("Content-Type", "text/plain").build());
        assertThrows(IllegalArgumentException.class, () -> CpimMessage.builder().namespace("two words", "urn:x")
                .contentHeader("Content-Type", "text/plain").build());
        assertThrows(IllegalArgumentException.class, () -> CpimMessage.builder().from(CpimMessage.Address.of("sip:a@b"))
                .contentHeader("Content-Type", "text").build());
    }
}
