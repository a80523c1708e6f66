package org.sylkserver.protocols.msrp;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads MSRP messages from a byte stream (RFC 4975 §9), fed as it arrives from a TCP or TLS connection, split
 * anywhere. {@link #feed} appends bytes; {@link #next()} returns each complete message in turn, or null until
 * more bytes come.
 *
 * <p>Framing follows RFC 4975 §5.1 and §7.1: a message ends at its end-line, {@code -------} followed by the
 * transaction id of its start line, a flag and CRLF. After the blank line that opens a body, the end-line is
 * only recognised at the start of a line (after the CRLF that closes the data) and only with this transaction's
 * id, so any other text, including end-lines of other transactions, is body data. Nothing is decoded before the
 * message is complete.
 *
 * <p>When the Byte-Range gives the chunk's end (RFC 4975 §7.1.1) and the chunk is within the limit, its data is
 * copied as it is fed straight into an array that grows to that length as the data comes (an announced length
 * alone allocates nothing large), and the end-line is only looked for right after it,
 * instead of scanning every byte of a large chunk: a sender must not put the end-line in the data (§7.1). When
 * the end-line is not there, the data is scanned after all, so the end-line still ends the body wherever it is
 * and the connection keeps its framing; whoever takes the chunk then sees that its body and Byte-Range disagree.
 * The same happens when what came so far ends with an end-line before the announced length is reached, since a
 * peer that sent less than it announced may be waiting for the answer.
 *
 * <p>Errors come as {@link MalformedMsrpException}. A message that is framed but invalid (bad start line,
 * header or URI, missing To-Path, body over the limit) is consumed whole: the connection answers it and calls
 * {@link #next()} again. When the framing itself is lost (bytes that are not a start line, an unreadable
 * transaction id, a header block over the limit, another transaction's end-line among the headers) the
 * exception says so and the parser refuses further use, since the connection must be closed.
 */
public final class MsrpParser {

    /** Default limit of a start line and header block, end-line or blank line included. */
    public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;

    /** Default limit of one chunk's data (RFC 4975 §7.1.1 suggests chunks well under this). */
    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

    private static final byte[] MSRP_SP = "MSRP ".getBytes(StandardCharsets.US_ASCII);

    private final int maxHeaderBytes;
    private final int maxBodyBytes;

    /** Unconsumed bytes are {@code buffer[start, end)}; {@code start} is where the current message began. */
    private byte[] buffer = new byte[8192];
    private int start;
    private int end;

    /** Where the next header line starts (header phase) or where the end-line search resumes (body phase). */
    private int scan;
    /** Where the search for the current header line's CRLF resumes, so that bytes are looked at once. */
    private int lineSearch;
    private String transactionId;
    private byte[] startLine;
    private final List<byte[]> headerLines = new ArrayList<>();
    private boolean inBody;
    /** Body bytes dropped because the chunk went over the limit. */
    private long discarded;
    /** The end-line pattern of the body phase: {@code CRLF "-------" transaction-id}. */
    private byte[] bodyEnd;
    /**
     * The data of a chunk whose length ({@code sizedLength}) the Byte-Range gives, filled by {@link #feed}; null
     * while scanning. It grows as the data comes (from {@value #FIRST_SIZED_BYTES} bytes, doubling), so that a
     * Byte-Range announcing much data that never comes costs nothing.
     */
    private byte[] sized;
    private int sizedLength;
    private int sizedFill;

    /** The first allocation for a chunk of known length. */
    static final int FIRST_SIZED_BYTES = 16 * 1024;

    private MalformedMsrpException fatal;

    /** A parser with the default limits. */
    public MsrpParser() {
        this(DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_BODY_BYTES);
    }

    /**
     * @param maxHeaderBytes limit of the start line and headers, beyond which the framing is deemed lost
     * @param maxBodyBytes   limit of one chunk's data; a longer chunk is skipped and reported with code 413
     */
    public MsrpParser(int maxHeaderBytes, int maxBodyBytes) {
        if (maxHeaderBytes < 64 || maxBodyBytes < 0) {
            throw new IllegalArgumentException("limits too small: headers " + maxHeaderBytes + ", body "
                    + maxBodyBytes);
        }
        this.maxHeaderBytes = maxHeaderBytes;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Parses exactly one complete message (a test or a stored message), nothing before or after it. */
    public static MsrpMessage parse(byte[] bytes) throws MalformedMsrpException {
        MsrpParser parser = new MsrpParser(DEFAULT_MAX_HEADER_BYTES, Integer.MAX_VALUE - 16);
        parser.feed(bytes);
        MsrpMessage message = parser.next();
        if (message == null) {
            throw new MalformedMsrpException("incomplete MSRP message: no end-line after "
                    + Syntax.show(bytes, 0, Math.min(bytes.length, 60)));
        }
        if (parser.end > parser.start) {
            throw new MalformedMsrpException("bytes after the end-line of '" + message.transactionId() + "': "
                    + Syntax.show(parser.buffer, parser.start, Math.min(parser.end - parser.start, 60)));
        }
        return message;
    }

    /** Appends bytes read from the connection. */
    public void feed(byte[] data) {
        feed(data, 0, data.length);
    }

    /** Appends {@code data[offset, offset + length)}. */
    public void feed(byte[] data, int offset, int length) {
        if (sized != null && sizedFill < sizedLength) {
            // nothing else is buffered until the chunk's data is complete: it goes where it belongs at once
            int n = Math.min(length, sizedLength - sizedFill);
            reserve(sizedFill + n);
            System.arraycopy(data, offset, sized, sizedFill, n);
            sizedFill += n;
            offset += n;
            length -= n;
        }
        if (end + length > buffer.length) {
            int used = end - start;
            if (used + length > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, used + length));
            }
            System.arraycopy(buffer, start, buffer, 0, used);
            scan -= start;
            lineSearch -= start;
            end = used;
            start = 0;
        }
        System.arraycopy(data, offset, buffer, end, length);
        end += length;
    }

    /** True when no part of a message is buffered: the connection may close here without losing data. */
    public boolean isIdle() {
        return end == start && !inBody && startLine == null;
    }

    /**
     * The next complete message, or null when more bytes are needed.
     *
     * @throws MalformedMsrpException for a bad message (see the class description for what follows)
     * @throws IllegalStateException  when called after an error that lost the framing
     */
    public MsrpMessage next() throws MalformedMsrpException {
        if (fatal != null) {
            throw new IllegalStateException("MSRP framing was lost earlier: " + fatal.getMessage(), fatal);
        }
        try {
            return inBody ? readBody() : readHeaders();
        } catch (MalformedMsrpException e) {
            if (e.framingLost()) {
                fatal = e;
            }
            throw e;
        }
    }

    private MsrpMessage readHeaders() throws MalformedMsrpException {
        if (startLine == null) {
            int n = Math.min(end - start, MSRP_SP.length);
            if (!Arrays.equals(buffer, start, start + n, MSRP_SP, 0, n)) {
                throw lost("expected an MSRP start line, got " + Syntax.show(buffer, start, Math.min(end - start, 40)));
            }
            if (scan < start) {
                scan = start;
            }
        }
        while (true) {
            int crlf = indexOfCrlf(Math.max(scan, lineSearch));
            if (crlf < 0) {
                lineSearch = Math.max(scan, end - 1);
                if (end - start > maxHeaderBytes) {
                    throw lost("header block of " + describe() + " exceeds " + maxHeaderBytes + " bytes");
                }
                return null;
            }
            byte[] line = Arrays.copyOfRange(buffer, scan, crlf);
            scan = crlf + 2;
            lineSearch = scan;
            if (scan - start > maxHeaderBytes) {
                throw lost("header block of " + describe() + " exceeds " + maxHeaderBytes + " bytes");
            }
            if (startLine == null) {
                startLine = line;
                transactionId = transactionIdOf(line);
                continue;
            }
            if (line.length == 0) {
                // RFC 4975 §9 content-stuff: Content-Type 2CRLF data CRLF end-line; the data starts here
                inBody = true;
                bodyEnd = ("\r\n" + Syntax.END_LINE_PREFIX + transactionId).getBytes(StandardCharsets.US_ASCII);
                start = scan;
                discarded = 0;
                long length = declaredLength();
                if (length >= 0 && length <= maxBodyBytes) {
                    sizedLength = (int) length;
                    sized = new byte[Math.min(sizedLength, FIRST_SIZED_BYTES)];
                    sizedFill = Math.min(end - start, sizedLength);
                    reserve(sizedFill);
                    System.arraycopy(buffer, start, sized, 0, sizedFill);
                    start += sizedFill;
                    scan = start;
                }
                return readBody();
            }
            if (startsWith(line, Syntax.END_LINE_PREFIX)) {
                Continuation flag = endLineFlag(line, 0, line.length);
                if (flag == null) {
                    throw lost("end-line " + Syntax.show(line, 0, line.length) + " does not close transaction '"
                            + transactionId + "'");
                }
                start = scan;
                return complete(null, flag);
            }
            headerLines.add(line);
        }
    }

    /** The data length the Byte-Range header gives, or -1 when it has none, an unknown end or a bad value. */
    private long declaredLength() {
        for (byte[] line : headerLines) {
            int colon = Headers.BYTE_RANGE.length();
            if (line.length > colon && line[colon] == ':' && new String(line, 0, colon, StandardCharsets.ISO_8859_1)
                    .equalsIgnoreCase(Headers.BYTE_RANGE)) {
                try {
                    ByteRange range = ByteRange.parse(new String(line, colon + 1, line.length - colon - 1,
                            StandardCharsets.ISO_8859_1).strip());
                    return range.end() == ByteRange.UNKNOWN ? -1 : range.end() - range.start() + 1;
                } catch (MalformedMsrpException e) {
                    return -1; // scanned for the end-line; the message is refused when built
                }
            }
        }
        return -1;
    }

    private MsrpMessage readBody() throws MalformedMsrpException {
        int patternLength = bodyEnd.length + 3; // + flag + CRLF
        if (sized != null && sizedFill < sizedLength) {
            if (!endsWithEndLine(sized, sizedFill)) {
                return null;
            }
            unsize(); // less data than the Byte-Range says, and the sender may be waiting for an answer
        }
        if (sized != null) {
            int available = Math.min(end - start, patternLength);
            boolean matches = Arrays.equals(buffer, start, start + Math.min(available, bodyEnd.length), bodyEnd, 0,
                    Math.min(available, bodyEnd.length))
                    && (available <= bodyEnd.length || Continuation.of((char) buffer[start + bodyEnd.length]) != null)
                    && (available <= bodyEnd.length + 1 || buffer[start + bodyEnd.length + 1] == '\r')
                    && (available <= bodyEnd.length + 2 || buffer[start + bodyEnd.length + 2] == '\n');
            if (!matches) {
                unsize();
            } else if (available < patternLength) {
                return null;
            } else {
                byte[] body = sized;
                Continuation flag = Continuation.of((char) buffer[start + bodyEnd.length]);
                start += patternLength;
                return complete(body, flag);
            }
        }
        for (int p = scan; p + patternLength <= end; p++) {
            if (buffer[p] == '\r' && Arrays.equals(buffer, p, p + bodyEnd.length, bodyEnd, 0, bodyEnd.length)) {
                Continuation flag = Continuation.of((char) buffer[p + bodyEnd.length]);
                if (flag != null && buffer[p + bodyEnd.length + 1] == '\r' && buffer[p + bodyEnd.length + 2] == '\n') {
                    long length = discarded + (p - start);
                    byte[] body = Arrays.copyOfRange(buffer, start, p);
                    start = p + patternLength;
                    if (length > maxBodyBytes) {
                        String id = transactionId;
                        reset();
                        throw new MalformedMsrpException("body of transaction '" + id + "' has " + length
                                + " bytes, over the limit of " + maxBodyBytes, id, false, 413);
                    }
                    return complete(body, flag);
                }
            }
        }
        scan = Math.max(start, end - patternLength + 1);
        if (discarded + (scan - start) > maxBodyBytes) {
            // keep reading for the end-line but do not hold the oversized data
            discarded += scan - start;
            start = scan;
        }
        return null;
    }

    /** Grows {@code sized} to hold at least {@code needed} bytes, doubling, never beyond the announced length. */
    private void reserve(int needed) {
        if (needed > sized.length) {
            sized = Arrays.copyOf(sized, (int) Math.min(sizedLength, Math.max(needed, 2L * sized.length)));
        }
    }

    /** Bytes held for the message being read (for tests): what an announced length alone may not inflate. */
    int heldBytes() {
        return buffer.length + (sized == null ? 0 : sized.length);
    }

    /** True when {@code data[0, length)} ends with an end-line, of any transaction (RFC 4975 §9). */
    private static boolean endsWithEndLine(byte[] data, int length) {
        if (length < 3 || data[length - 2] != '\r' || data[length - 1] != '\n'
                || Continuation.of((char) data[length - 3]) == null) {
            return false;
        }
        int prefix = 2 + Syntax.END_LINE_PREFIX.length(); // CRLF and the dashes
        for (int id = 4; id <= 32 && length - 3 - id - prefix >= 0; id++) {
            int at = length - 3 - id - prefix;
            if (data[at] == '\r' && data[at + 1] == '\n'
                    && Syntax.END_LINE_PREFIX.equals(new String(data, at + 2, prefix - 2, StandardCharsets.ISO_8859_1))
                    && Syntax.isIdent(new String(data, at + prefix, id, StandardCharsets.ISO_8859_1))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The end-line is not where the Byte-Range put it: the data taken so far goes back in front of the buffer and
     * is scanned from its start like that of a chunk of unknown length.
     */
    private void unsize() {
        int rest = end - start;
        byte[] joined = new byte[Math.max(buffer.length, sizedFill + rest)];
        System.arraycopy(sized, 0, joined, 0, sizedFill);
        System.arraycopy(buffer, start, joined, sizedFill, rest);
        buffer = joined;
        start = 0;
        scan = 0;
        lineSearch = 0;
        end = sizedFill + rest;
        sized = null;
        sizedFill = 0;
    }

    private MsrpMessage complete(byte[] body, Continuation flag) throws MalformedMsrpException {
        byte[] first = startLine;
        List<byte[]> lines = List.copyOf(headerLines);
        String id = transactionId;
        reset();
        try {
            return build(first, id, lines, body, flag);
        } catch (MalformedMsrpException e) {
            throw new MalformedMsrpException(e.getMessage(), id, false, 400);
        }
    }

    private void reset() {
        startLine = null;
        transactionId = null;
        headerLines.clear();
        inBody = false;
        bodyEnd = null;
        sized = null;
        sizedFill = 0;
        discarded = 0;
        scan = start;
        lineSearch = start;
    }

    /** Decodes and checks a complete message; every error here leaves the framing intact. */
    private static MsrpMessage build(byte[] first, String id, List<byte[]> lines, byte[] body, Continuation flag)
            throws MalformedMsrpException {
        String start = decode(first, "start line");
        String rest = start.substring(("MSRP " + id + " ").length() - 1);
        boolean response = false;
        String method = null;
        int code = 0;
        String comment = null;
        if (rest.length() > 1 && rest.charAt(0) == ' ') {
            rest = rest.substring(1);
            if (rest.length() >= 3 && Syntax.isDigits(rest.substring(0, 3))
                    && (rest.length() == 3 || rest.charAt(3) == ' ')) {
                response = true;
                code = Integer.parseInt(rest.substring(0, 3));
                comment = rest.length() > 3 ? rest.substring(4) : null;
            } else {
                method = rest;
            }
        } else {
            throw new MalformedMsrpException("bad start line " + Syntax.show(start)
                    + " (expected 'MSRP <transaction-id> <METHOD>' or 'MSRP <transaction-id> <code> [comment]')");
        }
        if (!response && !method.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
            throw new MalformedMsrpException("bad start line " + Syntax.show(start) + ": method " + Syntax.show(method)
                    + " is not upper-case letters (RFC 4975 §9)");
        }

        List<MsrpUri> toPath = null;
        List<MsrpUri> fromPath = null;
        List<MsrpHeader> headers = new ArrayList<>();
        for (byte[] raw : lines) {
            String line = decode(raw, "header line");
            int colon = line.indexOf(':');
            String name = colon < 0 ? "" : line.substring(0, colon);
            if (colon <= 0 || !Syntax.isToken(name) || !Character.isLetter(name.charAt(0))) {
                throw new MalformedMsrpException("malformed header line " + Syntax.show(line) + " in transaction '" + id
                        + "' (expected 'Name: value'; a body must follow an empty line, RFC 4975 §9)");
            }
            String value = line.substring(colon + 1).strip();
            if (!Syntax.isUtf8Text(value)) {
                throw new MalformedMsrpException("control character in header " + Syntax.show(line));
            }
            if (name.equalsIgnoreCase(Headers.TO_PATH) || name.equalsIgnoreCase(Headers.FROM_PATH)) {
                boolean to = name.equalsIgnoreCase(Headers.TO_PATH);
                if ((to ? toPath : fromPath) != null) {
                    throw new MalformedMsrpException("more than one " + name + " header in transaction '" + id + "'");
                }
                List<MsrpUri> path = new ArrayList<>();
                for (String uri : value.split("[ \t]+")) {
                    if (!uri.isEmpty()) {
                        path.add(MsrpUri.parse(uri));
                    }
                }
                if (to) {
                    toPath = path;
                } else {
                    fromPath = path;
                }
            } else {
                headers.add(new MsrpHeader(name, value));
            }
        }
        String kind = response ? "response" : method;
        if (toPath == null || toPath.isEmpty()) {
            throw new MalformedMsrpException(kind + " '" + id + "' has no To-Path (RFC 4975 §7.1)");
        }
        if (fromPath == null || fromPath.isEmpty()) {
            throw new MalformedMsrpException(kind + " '" + id + "' has no From-Path (RFC 4975 §7.1)");
        }
        if (response) {
            if (body != null) {
                throw new MalformedMsrpException("response '" + id + "' has a body (RFC 4975 §7.2: responses have none)");
            }
            MsrpResponse.check(id, code, comment, toPath, fromPath, headers);
            return new MsrpResponse(id, code, comment, toPath, fromPath, headers, flag);
        }
        MsrpRequest.check(id, method, toPath, fromPath, headers, body, flag);
        return new MsrpRequest(id, method, toPath, fromPath, headers, body, flag);
    }

    private static String decode(byte[] bytes, String what) throws MalformedMsrpException {
        try {
            return Syntax.utf8(bytes);
        } catch (CharacterCodingException e) {
            throw new MalformedMsrpException(what + " " + Syntax.show(bytes, 0, bytes.length) + " is not UTF-8");
        }
    }

    /** The transaction id of a start line; without it the end-line cannot be found, so the framing is lost. */
    private String transactionIdOf(byte[] line) throws MalformedMsrpException {
        int from = MSRP_SP.length;
        int to = from;
        while (to < line.length && line[to] != ' ') {
            to++;
        }
        String id = new String(line, from, to - from, StandardCharsets.ISO_8859_1);
        if (!Syntax.isIdent(id)) {
            throw lost("bad transaction id " + Syntax.show(id) + " in start line " + Syntax.show(line, 0, line.length)
                    + " (RFC 4975 §9 ident: 4 to 32 letters, digits, . - + % =)");
        }
        return id;
    }

    /** The flag of {@code -------<this transaction id><flag>}, or null for another transaction's end-line. */
    private Continuation endLineFlag(byte[] line, int from, int to) {
        byte[] expected = (Syntax.END_LINE_PREFIX + transactionId).getBytes(StandardCharsets.US_ASCII);
        if (to - from != expected.length + 1 || !Arrays.equals(line, from, from + expected.length, expected, 0,
                expected.length)) {
            return null;
        }
        return Continuation.of((char) line[to - 1]);
    }

    private int indexOfCrlf(int from) {
        for (int i = from; i + 1 < end; i++) {
            if (buffer[i] == '\r' && buffer[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] line, String prefix) {
        if (line.length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (line[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private String describe() {
        return transactionId == null ? "the message" : "transaction '" + transactionId + "'";
    }

    private MalformedMsrpException lost(String problem) {
        return new MalformedMsrpException(problem + "; framing lost", transactionId, true, 400);
    }
}
