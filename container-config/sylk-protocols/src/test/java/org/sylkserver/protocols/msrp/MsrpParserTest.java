package org.sylkserver.protocols.msrp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * The MSRP wire format (RFC 4975 §9): the RFC's examples parsed and written back byte for byte, streaming in
 * arbitrary pieces, and broken inputs. Examples marked "ours" are not from the RFC.
 */
class MsrpParserTest {

    /** RFC 4975 §4: Alice's SEND (the RFC's Byte-Range counts the CRLF before the end-line; kept as printed). */
    static final String RFC_4_SEND = "MSRP a786hjs2 SEND\r\n"
            + "To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n"
            + "From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n"
            + "Message-ID: 87652491\r\n"
            + "Byte-Range: 1-25/25\r\n"
            + "Content-Type: text/plain\r\n"
            + "\r\n"
            + "Hey Bob, are you there?\r\n"
            + "-------a786hjs2$\r\n";

    /** RFC 4975 §4: Bob's 200 OK to it. */
    static final String RFC_4_OK = "MSRP a786hjs2 200 OK\r\n"
            + "To-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n"
            + "From-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n"
            + "-------a786hjs2$\r\n";

    /** RFC 4975 §11.1 (basic IM session): Alice's SEND. */
    static final String RFC_11_1_SEND = "MSRP d93kswow SEND\r\n"
            + "To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n"
            + "From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n"
            + "Message-ID: 12339sdqwer\r\n"
            + "Byte-Range: 1-16/16\r\n"
            + "Content-Type: text/plain\r\n"
            + "\r\n"
            + "Hi, I'm Alice!\r\n"
            + "-------d93kswow$\r\n";

    /** Ours: the 200 OK a §7.2 responder sends to {@link #RFC_11_1_SEND}. */
    static final String OUR_11_1_OK = "MSRP d93kswow 200 OK\r\n"
            + "To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n"
            + "From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n"
            + "-------d93kswow$\r\n";

    /** RFC 4975 §11.5 (positive report): Bob's success REPORT. */
    static final String RFC_11_5_REPORT = "MSRP dkei38sd REPORT\r\n"
            + "To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n"
            + "From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n"
            + "Message-ID: 12339sdqwer\r\n"
            + "Byte-Range: 1-106/106\r\n"
            + "Status: 000 200 OK\r\n"
            + "-------dkei38sd$\r\n";

    /**
     * RFC 4975 §7.1.1: a message sent in two chunks, the first interrupted ({@code +}). The RFC prints them
     * without To-Path and From-Path; these are the RFC's lines with the §11.1 paths added (ours).
     */
    static final String PATHS = "To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n"
            + "From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n";
    static final String RFC_7_1_1_CHUNK_1_AS_PRINTED = "MSRP dkei38sd SEND\r\n"
            + "Message-ID: 4564dpWd\r\n"
            + "Byte-Range: 1-*/8\r\n"
            + "Content-Type: text/plain\r\n"
            + "\r\n"
            + "abcd\r\n"
            + "-------dkei38sd+\r\n";
    static final String CHUNK_1 = "MSRP dkei38sd SEND\r\n" + PATHS
            + "Message-ID: 4564dpWd\r\n"
            + "Byte-Range: 1-*/8\r\n"
            + "Content-Type: text/plain\r\n"
            + "\r\n"
            + "abcd\r\n"
            + "-------dkei38sd+\r\n";
    static final String CHUNK_2 = "MSRP dkei38ia SEND\r\n" + PATHS
            + "Message-ID: 4564dpWd\r\n"
            + "Byte-Range: 5-8/8\r\n"
            + "Content-Type: text/plain\r\n"
            + "\r\n"
            + "EFGH\r\n"
            + "-------dkei38ia$\r\n";

    static final List<String> EXAMPLES = List.of(RFC_4_SEND, RFC_4_OK, RFC_11_1_SEND, OUR_11_1_OK, RFC_11_5_REPORT,
            CHUNK_1, CHUNK_2);

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private static MsrpMessage parse(String s) throws MalformedMsrpException {
        return MsrpParser.parse(bytes(s));
    }

    /** Feeds {@code data} in pieces of {@code piece} bytes, collecting every message. */
    private static List<MsrpMessage> stream(byte[] data, int piece) throws MalformedMsrpException {
        MsrpParser parser = new MsrpParser();
        List<MsrpMessage> out = new ArrayList<>();
        for (int i = 0; i < data.length; i += piece) {
            parser.feed(data, i, Math.min(piece, data.length - i));
            for (MsrpMessage m = parser.next(); m != null; m = parser.next()) {
                out.add(m);
            }
        }
        assertTrue(parser.isIdle());
        return out;
    }

    @Test
    void rfc4975Section4_sendParsedAndWrittenBackByteForByte() throws Exception {
        MsrpRequest send = assertInstanceOf(MsrpRequest.class, parse(RFC_4_SEND));
        assertEquals("a786hjs2", send.transactionId());
        assertEquals("SEND", send.method());
        assertEquals(List.of(MsrpUri.parse("msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp")), send.toPath());
        assertEquals(List.of(MsrpUri.parse("msrp://atlanta.example.com:7654/jshA7weztas;tcp")), send.fromPath());
        assertEquals(Optional.of("87652491"), send.messageId());
        assertEquals(Optional.of(new ByteRange(1, 25, 25)), send.byteRange());
        assertEquals(Optional.of("text/plain"), send.contentType());
        assertEquals(Optional.empty(), send.successReport());
        assertArrayEquals(bytes("Hey Bob, are you there?"), send.body());
        assertEquals(Continuation.COMPLETE, send.continuation());
        assertEquals(RFC_4_SEND, new String(send.toBytes(), UTF_8));
    }

    @Test
    void rfc4975Section4_responseParsedAndWrittenBackByteForByte() throws Exception {
        MsrpResponse ok = assertInstanceOf(MsrpResponse.class, parse(RFC_4_OK));
        assertEquals("a786hjs2", ok.transactionId());
        assertEquals(200, ok.code());
        assertEquals("OK", ok.comment());
        assertEquals(List.of(MsrpUri.parse("msrp://atlanta.example.com:7654/jshA7weztas;tcp")), ok.toPath());
        assertEquals(RFC_4_OK, new String(ok.toBytes(), UTF_8));
        // the same response built rather than parsed
        assertEquals(ok, new MsrpResponse("a786hjs2", 200, "OK", ok.toPath(), ok.fromPath()));
        // a response without comment
        String bare = RFC_4_OK.replace("200 OK", "200");
        assertNull(((MsrpResponse) parse(bare)).comment());
        assertEquals(bare, new String(parse(bare).toBytes(), UTF_8));
    }

    @Test
    void rfc4975Section11_1_sendAndOurResponse() throws Exception {
        MsrpRequest send = (MsrpRequest) parse(RFC_11_1_SEND);
        assertEquals("Hi, I'm Alice!", new String(send.body(), UTF_8));
        assertEquals(Optional.of(new ByteRange(1, 16, 16)), send.byteRange());
        assertEquals(RFC_11_1_SEND, new String(send.toBytes(), UTF_8));
        assertEquals(OUR_11_1_OK, new String(parse(OUR_11_1_OK).toBytes(), UTF_8));
    }

    @Test
    void rfc4975Section11_5_report() throws Exception {
        MsrpRequest report = (MsrpRequest) parse(RFC_11_5_REPORT);
        assertEquals("REPORT", report.method());
        assertEquals(Optional.of("12339sdqwer"), report.messageId());
        assertEquals(Optional.of(new MsrpStatus(0, 200, "OK")), report.status());
        assertEquals("000 200 OK", report.status().orElseThrow().toString());
        assertFalse(report.hasBody());
        assertEquals(RFC_11_5_REPORT, new String(report.toBytes(), UTF_8));
    }

    @Test
    void rfc4975Section7_1_1_chunkedMessage() throws Exception {
        // as printed in the RFC the chunks lack the paths every request needs (§7.1)
        MalformedMsrpException e = assertThrows(MalformedMsrpException.class,
                () -> parse(RFC_7_1_1_CHUNK_1_AS_PRINTED));
        assertEquals("SEND 'dkei38sd' has no To-Path (RFC 4975 §7.1)", e.getMessage());

        List<MsrpMessage> chunks = stream(bytes(CHUNK_1 + CHUNK_2), Integer.MAX_VALUE);
        assertEquals(2, chunks.size());
        MsrpRequest first = (MsrpRequest) chunks.get(0);
        MsrpRequest second = (MsrpRequest) chunks.get(1);
        assertEquals(Continuation.MORE, first.continuation());
        assertEquals(new ByteRange(1, ByteRange.UNKNOWN, 8), first.byteRange().orElseThrow());
        assertEquals("1-*/8", first.byteRange().orElseThrow().toString());
        assertArrayEquals(bytes("abcd"), first.body());
        assertEquals(Continuation.COMPLETE, second.continuation());
        assertEquals(new ByteRange(5, 8, 8), second.byteRange().orElseThrow());
        assertEquals(first.messageId(), second.messageId());
        assertArrayEquals(bytes("EFGH"), second.body());
        assertEquals(CHUNK_1, new String(first.toBytes(), UTF_8));
        assertEquals(CHUNK_2, new String(second.toBytes(), UTF_8));
    }

    @Test
    void everyExampleGivesTheSameMessagesFedOneByteAtATimeOrInAnyPieceSize() throws Exception {
        byte[] all = bytes(String.join("", EXAMPLES));
        List<MsrpMessage> atOnce = stream(all, all.length);
        assertEquals(EXAMPLES.size(), atOnce.size());
        for (int i = 0; i < EXAMPLES.size(); i++) {
            assertEquals(parse(EXAMPLES.get(i)), atOnce.get(i));
        }
        for (int piece = 1; piece <= 40; piece++) {
            assertEquals(atOnce, stream(all, piece), "piece size " + piece);
        }
    }

    @Test
    void splitAtEveryPositionIncludingInsideTheEndLine() throws Exception {
        byte[] data = bytes(RFC_4_SEND);
        MsrpMessage expected = parse(RFC_4_SEND);
        for (int cut = 0; cut <= data.length; cut++) {
            MsrpParser parser = new MsrpParser();
            parser.feed(data, 0, cut);
            MsrpMessage early = parser.next();
            if (cut < data.length) {
                assertNull(early, "complete after " + cut + " of " + data.length + " bytes");
                parser.feed(data, cut, data.length - cut);
                assertEquals(expected, parser.next(), "cut at " + cut);
            } else {
                assertEquals(expected, early);
            }
        }
    }

    @Test
    void twoMessagesBackToBackInOneChunk() throws Exception {
        MsrpParser parser = new MsrpParser();
        parser.feed(bytes(RFC_4_SEND + RFC_4_OK));
        assertInstanceOf(MsrpRequest.class, parser.next());
        assertInstanceOf(MsrpResponse.class, parser.next());
        assertNull(parser.next());
        assertTrue(parser.isIdle());
    }

    @Test
    void anotherTransactionsEndLineInsideTheBodyIsData() throws Exception {
        // ours: RFC 4975 §7.1 only the end-line with this transaction's id ends the body
        String body = "quoted:\r\n-------other123$\r\nand -------a786hjs2$ not at a line start\r\n"
                + "-------a786hjs2 without a flag\r\n-------a786hjs2$without CRLF";
        String wire = RFC_4_SEND.replace("Hey Bob, are you there?", body);
        MsrpRequest send = (MsrpRequest) stream(bytes(wire), 1).get(0);
        assertEquals(body, new String(send.body(), UTF_8));
        assertEquals(wire, new String(send.toBytes(), UTF_8));
    }

    @Test
    void emptyAndBinaryBodies_ours() throws Exception {
        String empty = RFC_4_SEND.replace("Hey Bob, are you there?", "");
        MsrpRequest e = (MsrpRequest) parse(empty);
        assertArrayEquals(new byte[0], e.body());
        assertEquals(empty, new String(e.toBytes(), UTF_8));

        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        MsrpRequest built = new MsrpRequest("bin0001", "SEND", e.toPath(), e.fromPath(), List.of(
                new MsrpHeader("Message-ID", "bin0001m"), new MsrpHeader("Content-Type", "application/octet-stream"),
                new MsrpHeader("X-Extension", "kept in order")), binary, Continuation.MORE);
        byte[] wire = built.toBytes();
        // Content-Type is moved last, just before the blank line (RFC 4975 §9 content-stuff)
        assertEquals("Content-Type", built.headers().get(2).name());
        assertTrue(new String(wire, UTF_8).contains("X-Extension: kept in order\r\nContent-Type: "
                + "application/octet-stream\r\n\r\n"));
        assertEquals(List.of(built), stream(wire, 7));
    }

    @Test
    void headerNamesMatchWithoutCaseAndExtensionsKeepTheirSpelling_ours() throws Exception {
        String wire = "MSRP abcd1234 NICKNAME\r\n"
                + "to-path: msrp://a.example.com:1/s1;tcp msrp://b.example.com:2/s2;tcp\r\n"
                + "FROM-PATH: msrp://c.example.com:3/s3;tcp\r\n"
                + "use-nickname: \"Alice\"\r\n"
                + "-------abcd1234$\r\n";
        MsrpRequest r = (MsrpRequest) parse(wire);
        assertEquals("NICKNAME", r.method());
        assertEquals(2, r.toPath().size());
        assertEquals(Optional.of("\"Alice\""), r.header("Use-Nickname"));
        // the paths are written with the RFC's names, other headers as received
        assertEquals(wire.replace("to-path", "To-Path").replace("FROM-PATH", "From-Path"),
                new String(r.toBytes(), UTF_8));
    }

    // broken inputs

    private static MalformedMsrpException error(String wire) {
        MsrpParser parser = new MsrpParser();
        parser.feed(bytes(wire));
        return assertThrows(MalformedMsrpException.class, parser::next);
    }

    private static void assertError(String wire, String expected, boolean framingLost) {
        MalformedMsrpException e = error(wire);
        assertEquals(expected, e.getMessage());
        assertEquals(framingLost, e.framingLost(), "framing lost");
    }

    @Test
    void garbageLosesTheFraming() {
        assertError("GET / HTTP/1.1\r\n\r\n", "expected an MSRP start line, got 'GET / HTTP/1.1\\r\\n\\r\\n'; "
                + "framing lost", true);
        // detected on the first bytes, without waiting for a line end
        assertError("\u0000\u0001", "expected an MSRP start line, got '\\x00\\x01'; framing lost", true);
        assertError("\r\n" + RFC_4_SEND, "expected an MSRP start line, got '\\r\\nMSRP a786hjs2 SEND\\r\\nTo-Path: "
                + "msrp://bi'; framing lost", true);
    }

    @Test
    void afterLostFramingTheParserRefusesFurtherUse() {
        MsrpParser parser = new MsrpParser();
        parser.feed(bytes("HELLO"));
        assertThrows(MalformedMsrpException.class, parser::next);
        parser.feed(bytes(RFC_4_OK));
        assertThrows(IllegalStateException.class, parser::next);
    }

    @Test
    void badStartLines() {
        assertError("MSRP a786hjs2 send\r\n" + RFC_4_SEND.substring(RFC_4_SEND.indexOf("To-Path")),
                "bad start line 'MSRP a786hjs2 send': method 'send' is not upper-case letters (RFC 4975 §9)", false);
        assertError("MSRP a786hjs2\r\n-------a786hjs2$\r\n", "bad start line 'MSRP a786hjs2' (expected 'MSRP "
                + "<transaction-id> <METHOD>' or 'MSRP <transaction-id> <code> [comment]')", false);
        // without a usable transaction id the end-line cannot be found
        assertError("MSRP ab SEND\r\n", "bad transaction id 'ab' in start line 'MSRP ab SEND' (RFC 4975 §9 ident: 4 "
                + "to 32 letters, digits, . - + % =); framing lost", true);
        assertError("msrp a786hjs2 SEND\r\n", "expected an MSRP start line, got 'msrp a786hjs2 SEND\\r\\n'; framing "
                + "lost", true);
    }

    @Test
    void aBadMessageIsConsumedAndTheNextOneRead() throws Exception {
        MsrpParser parser = new MsrpParser();
        parser.feed(bytes(RFC_4_SEND.replace("Byte-Range: 1-25/25", "Byte-Range: 25-1/25") + RFC_4_OK));
        MalformedMsrpException e = assertThrows(MalformedMsrpException.class, parser::next);
        assertEquals("bad Byte-Range '25-1/25': the end is before the start", e.getMessage());
        assertEquals("a786hjs2", e.transactionId());
        assertEquals(400, e.responseCode());
        assertFalse(e.framingLost());
        assertInstanceOf(MsrpResponse.class, parser.next());
    }

    @Test
    void missingPaths() {
        assertError(RFC_4_SEND.replace("To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n", ""),
                "SEND 'a786hjs2' has no To-Path (RFC 4975 §7.1)", false);
        assertError(RFC_4_OK.replace("From-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n", ""),
                "response 'a786hjs2' has no From-Path (RFC 4975 §7.1)", false);
        assertError(RFC_4_OK.replace("From-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp",
                "From-Path: msrp://biloxi.example.com/"), "bad MSRP URI 'msrp://biloxi.example.com/': no ';' "
                + "transport parameter (RFC 4975 §9 requires one, e.g. ';tcp')", false);
    }

    @Test
    void badByteRanges() {
        String[][] cases = {
            {"1-25", "bad Byte-Range '1-25' (expected start-end/total, e.g. '1-25/25' or '1-*/*')"},
            {"0-25/25", "bad Byte-Range '0-25/25': the start counts from 1"},
            {"1-26/25", "bad Byte-Range '1-26/25': the end is past the total"},
            {"*-25/25", "bad Byte-Range '*-25/25': '*' is not a number"},
            {"1-x/25", "bad Byte-Range '1-x/25': 'x' is not a number or '*'"},
        };
        for (String[] c : cases) {
            assertError(RFC_4_SEND.replace("1-25/25", c[0]), c[1], false);
        }
    }

    @Test
    void otherHeaderErrors_ours() {
        assertError(RFC_4_SEND.replace("Message-ID: 87652491\r\n", ""),
                "SEND 'a786hjs2' has no Message-ID (RFC 4975 §7.1.1)", false);
        assertError(RFC_11_5_REPORT.replace("Status: 000 200 OK", "Status: 200 OK"),
                "bad Status '200 OK' (expected 'namespace code [reason]', e.g. '000 200 OK')", false);
        assertError(RFC_4_SEND.replace("Content-Type: text/plain\r\n", ""),
                "SEND 'a786hjs2' has a body but no Content-Type (RFC 4975 §7.1.1)", false);
        assertError(RFC_4_SEND.replace("Message-ID: 87652491", "Message-ID: 87652491\r\nMessage-ID: 2"),
                "more than one Message-ID header", false);
        assertError(RFC_4_SEND.replace("Message-ID: 87652491", "Success-Report: maybe"),
                "bad Success-Report 'maybe' (yes or no)", false);
    }

    @Test
    void bodyWithoutTheEmptyLine() {
        assertError(RFC_4_SEND.replace("text/plain\r\n\r\n", "text/plain\r\n"),
                "malformed header line 'Hey Bob, are you there?' in transaction 'a786hjs2' (expected 'Name: value'; "
                        + "a body must follow an empty line, RFC 4975 §9)", false);
    }

    @Test
    void endLineOfAnotherTransactionAmongTheHeaders() {
        assertError(RFC_4_OK.replace("-------a786hjs2$", "-------b786hjs2$"),
                "end-line '-------b786hjs2$' does not close transaction 'a786hjs2'; framing lost", true);
    }

    @Test
    void oversizedHeaderBlock() {
        MsrpParser parser = new MsrpParser(1024, 4096);
        parser.feed(bytes(RFC_4_SEND.substring(0, 100)));
        String filler = "X-Filler: " + "x".repeat(100) + "\r\n";
        MalformedMsrpException e = null;
        for (int i = 0; i < 20 && e == null; i++) {
            parser.feed(bytes(filler));
            try {
                assertNull(parser.next());
            } catch (MalformedMsrpException thrown) {
                e = thrown;
            }
        }
        assertEquals("header block of transaction 'a786hjs2' exceeds 1024 bytes; framing lost", e.getMessage());
        assertTrue(e.framingLost());
        // a single line that never ends, without a transaction id yet
        MsrpParser endless = new MsrpParser(1024, 4096);
        endless.feed(bytes("MSRP " + "a".repeat(2000)));
        e = assertThrows(MalformedMsrpException.class, endless::next);
        assertEquals("header block of the message exceeds 1024 bytes; framing lost", e.getMessage());
    }

    @Test
    void oversizedBodyIsSkippedAndReportedWith413() throws Exception {
        MsrpParser parser = new MsrpParser(1024, 10);
        String big = RFC_4_SEND.replace("Hey Bob, are you there?", "y".repeat(5000));
        byte[] data = bytes(big + RFC_4_OK);
        List<MsrpMessage> got = new ArrayList<>();
        MalformedMsrpException e = feedInPieces(parser, data, 100, got);
        assertEquals("body of transaction 'a786hjs2' has 5000 bytes, over the limit of 10", e.getMessage());
        assertEquals(413, e.responseCode());
        assertFalse(e.framingLost());
        assertEquals(List.of(parse(RFC_4_OK)), got);
    }

    @Test
    void parseOfOneMessageRejectsIncompleteOrTrailingBytes() {
        MalformedMsrpException e = assertThrows(MalformedMsrpException.class,
                () -> parse(RFC_4_OK.substring(0, RFC_4_OK.length() - 2)));
        assertTrue(e.getMessage().startsWith("incomplete MSRP message: no end-line after 'MSRP a786hjs2 200 OK"));
        e = assertThrows(MalformedMsrpException.class, () -> parse(RFC_4_OK + "MSRP"));
        assertEquals("bytes after the end-line of 'a786hjs2': 'MSRP'", e.getMessage());
    }

    @Test
    void builtMessagesAreChecked() {
        List<MsrpUri> path = List.of(MsrpUri.of(false, "a.example.com", 1, "s1", "tcp"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MsrpRequest("x",
                "SEND", path, path, List.of(), null, Continuation.COMPLETE));
        assertTrue(e.getMessage().startsWith("bad transaction id 'x'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MsrpRequest("abcd", "SEND", List.of(), path,
                List.of(new MsrpHeader("Message-ID", "abcd")), null, Continuation.COMPLETE));
        assertEquals("no To-Path (RFC 4975 §7.1: every message carries To-Path and From-Path)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MsrpHeader("Bad Name", "v"));
        assertEquals("bad header name 'Bad Name'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MsrpHeader("X-A", "line\r\nbreak"));
        assertEquals("bad value for header 'X-A': 'line\\r\\nbreak' (no control characters allowed)", e.getMessage());
    }

    @Test
    void bodyBytesAreNotDecoded() throws Exception {
        // ours: invalid UTF-8 and NUL in a body are data; the headers must be UTF-8
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes(RFC_4_SEND.substring(0, RFC_4_SEND.indexOf("Hey"))));
        out.writeBytes(new byte[] {(byte) 0xff, 0, (byte) 0xc3});
        out.writeBytes(bytes("\r\n-------a786hjs2#\r\n"));
        MsrpRequest r = (MsrpRequest) MsrpParser.parse(out.toByteArray());
        assertArrayEquals(new byte[] {(byte) 0xff, 0, (byte) 0xc3}, r.body());
        assertEquals(Continuation.ABORTED, r.continuation());
        assertArrayEquals(out.toByteArray(), r.toBytes());
    }

    /** A SEND chunk of {@code data} with the given Byte-Range, as a peer sends it. */
    private static byte[] chunk(String tid, String range, byte[] data, char flag) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes("MSRP " + tid + " SEND\r\n" + PATHS + "Message-ID: 4564dpWd\r\nByte-Range: " + range
                + "\r\nContent-Type: application/octet-stream\r\n\r\n"));
        out.writeBytes(data);
        out.writeBytes(bytes("\r\n-------" + tid + flag + "\r\n"));
        return out.toByteArray();
    }

    private static byte[] binary(int length) {
        byte[] data = new byte[length];
        new java.util.Random(4975).nextBytes(data);
        return data;
    }

    @Test
    void rfc4975Section7_1_1_chunkOfKnownLengthSplitAcrossManyReads() throws Exception {
        // ours: binary data with another transaction's end-line in it, taken by its length whatever the reads
        byte[] data = binary(300_000);
        byte[] other = bytes("\r\n-------dkei38ia$\r\n");
        System.arraycopy(other, 0, data, 1000, other.length);
        byte[] wire = chunk("dkei38sd", "1-300000/600000", data, '+');
        byte[] twice = new byte[wire.length * 2];
        System.arraycopy(wire, 0, twice, 0, wire.length);
        System.arraycopy(wire, 0, twice, wire.length, wire.length);
        for (int piece : new int[] {1, 7, 4096, 65536, wire.length + 5}) {
            List<MsrpMessage> got = stream(twice, piece);
            assertEquals(2, got.size(), "pieces of " + piece);
            for (MsrpMessage m : got) {
                assertArrayEquals(data, ((MsrpRequest) m).body(), "pieces of " + piece);
                assertEquals(Continuation.MORE, m.continuation());
                assertArrayEquals(wire, m.toBytes());
            }
        }
    }

    @Test
    void rfc4975Section7_1_endLineNotWhereTheByteRangeSaysStillEndsTheBody() throws Exception {
        // ours: the end-line terminates the body wherever it is; the chunk and its Byte-Range then disagree,
        // which its receiver refuses (MessageAssembler answers 400), and the next message is read as usual
        byte[] shorter = chunk("dkei38sd", "1-100/100", bytes("abcd"), '$');
        byte[] longer = chunk("dkei38ib", "1-4/8", bytes("abcdefgh"), '$');
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(shorter);
        all.writeBytes(longer);
        all.writeBytes(bytes(RFC_4_OK));
        for (int piece : new int[] {1, 5, 1000}) {
            List<MsrpMessage> got = stream(all.toByteArray(), piece);
            assertEquals(3, got.size(), "pieces of " + piece);
            assertArrayEquals(bytes("abcd"), ((MsrpRequest) got.get(0)).body());
            assertArrayEquals(bytes("abcdefgh"), ((MsrpRequest) got.get(1)).body());
            assertEquals(parse(RFC_4_OK), got.get(2));
            for (MsrpMessage m : got.subList(0, 2)) {
                MessageAssembler assembler = new MessageAssembler(first -> new MessageSink() {
                    @Override
                    public void write(long offset, byte[] data) {
                    }

                    @Override
                    public void complete(long size) {
                    }

                    @Override
                    public void abort() {
                    }
                }, 1000);
                assertEquals(400, assembler.accept((MsrpRequest) m));
            }
        }
    }

    @Test
    void aChunkShorterThanItsByteRangeIsReadWithoutWaitingForMore() throws Exception {
        // ours: the peer may send nothing more until this chunk is answered
        MsrpParser parser = new MsrpParser();
        parser.feed(chunk("dkei38sd", "1-1000/1000", bytes("abcd"), '$'));
        MsrpRequest got = (MsrpRequest) parser.next();
        assertArrayEquals(bytes("abcd"), got.body());
        assertTrue(parser.isIdle());
    }

    @Test
    void noEndLineWhereTheByteRangeSaysAndNoneWithinTheLimitIsRefusedWith413() throws Exception {
        // RFC 4975 §7.1.1: data past what the receiver takes is refused; the framing holds to the end-line
        MsrpParser parser = new MsrpParser(1024, 100);
        byte[] data = binary(5000);
        for (int i = 0; i < data.length; i++) {
            data[i] = data[i] == '\r' ? 0 : data[i];
        }
        byte[] wire = chunk("dkei38sd", "1-50/5000", data, '$');
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(wire);
        all.writeBytes(bytes(RFC_4_OK));
        byte[] bytes = all.toByteArray();
        List<MsrpMessage> got = new ArrayList<>();
        MalformedMsrpException e = feedInPieces(parser, bytes, 64, got);
        assertEquals("body of transaction 'dkei38sd' has 5000 bytes, over the limit of 100", e.getMessage());
        assertEquals(413, e.responseCode());
        assertFalse(e.framingLost());
        assertEquals(List.of(parse(RFC_4_OK)), got);
    }

    @Test
    void rfc4975Section7_1_1_unknownEndIsScannedForTheEndLine() throws Exception {
        byte[] data = binary(70_000);
        byte[] wire = chunk("dkei38sd", "1-*/*", data, '+');
        for (int piece : new int[] {3, 65536}) {
            List<MsrpMessage> got = stream(wire, piece);
            assertEquals(1, got.size());
            assertArrayEquals(data, ((MsrpRequest) got.get(0)).body());
        }
    }

    /** Feeds {@code data} in pieces of {@code piece} bytes, collecting messages; returns the last refusal, if any. */
    private static MalformedMsrpException feedInPieces(MsrpParser parser, byte[] data, int piece,
                                                       List<MsrpMessage> got) {
        MalformedMsrpException refused = null;
        for (int i = 0; i < data.length; i += piece) {
            parser.feed(data, i, Math.min(piece, data.length - i));
            while (true) {
                try {
                    MsrpMessage m = parser.next();
                    if (m == null) {
                        break;
                    }
                    got.add(m);
                } catch (MalformedMsrpException thrown) {
                    refused = thrown;
                }
            }
        }
        return refused;
    }

    /**
     * RFC 4975 §7.1.1: the Byte-Range announces the chunk's data before it comes; a peer that announces the most the
     * parser takes (or more, or an unknown end) and sends nothing makes it hold no more than a small buffer, and data
     * that then comes in pieces still arrives whole.
     */
    @Test
    void rfc4975Section7_1_1_announcedLengthAllocatesNothingBeforeTheData() throws Exception {
        for (String range : new String[] {"1-1048576/1048576", "1-9999999999/9999999999", "1-*/9999999999",
                "1-1048576/*"}) {
            MsrpParser parser = new MsrpParser();
            byte[] header = bytes("MSRP hostile1 SEND\r\n" + PATHS + "Message-ID: 4564dpWd\r\nByte-Range: " + range
                    + "\r\nContent-Type: application/octet-stream\r\n\r\n");
            parser.feed(header);
            assertNull(parser.next(), range);
            assertTrue(parser.heldBytes() <= 64 * 1024, range + ": holds " + parser.heldBytes() + " bytes");
        }
        byte[] data = binary(1_048_576);
        byte[] wire = chunk("dkei38sd", "1-1048576/1048576", data, '$');
        MsrpParser parser = new MsrpParser();
        MsrpRequest request = null;
        for (int at = 0; at < wire.length; at += 10_000) {
            parser.feed(wire, at, Math.min(10_000, wire.length - at));
            MsrpMessage message = parser.next();
            if (message != null) {
                request = (MsrpRequest) message;
            }
            if (at < wire.length / 4) {
                assertTrue(parser.heldBytes() <= 2 * (at + 10_000) + 64 * 1024, "grows with the data, not ahead of it");
            }
        }
        assertArrayEquals(data, request.body());
    }
}
