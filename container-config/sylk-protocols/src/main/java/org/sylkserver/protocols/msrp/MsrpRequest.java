package org.sylkserver.protocols.msrp;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An MSRP request (RFC 4975 §7.1, §9 {@code msrp-request}): SEND carries a message or a chunk of one, REPORT a
 * delivery status; other methods (NICKNAME of RFC 7701, AUTH of RFC 4976, ...) are any upper-case token and are
 * carried unchanged.
 *
 * <p>Checked on construction: the transaction id and Message-ID are RFC 4975 idents, the method is upper case
 * (§9 defines it case-sensitively), both paths are present, the defined headers have valid values and appear
 * once, a body comes with a Content-Type (§7.1.1), SEND and REPORT carry a Message-ID (§7.1.1, §7.1.2) and a
 * REPORT a Status (§7.1.2). {@code equals} compares the body's content.
 *
 * @param transactionId the transaction id of the start and end lines
 * @param method        e.g. {@code SEND}, {@code REPORT}
 * @param toPath        the To-Path URIs
 * @param fromPath      the From-Path URIs
 * @param headers       the other headers in order, Content-Type included (moved last when there is a body)
 * @param body          the chunk's data, or null for a request without {@code content-stuff}; never copied, so
 *                      callers must not change it
 * @param continuation  the end-line's flag
 */
public record MsrpRequest(String transactionId, String method, List<MsrpUri> toPath, List<MsrpUri> fromPath,
                          List<MsrpHeader> headers, byte[] body, Continuation continuation) implements MsrpMessage {

    public static final String SEND = "SEND";
    public static final String REPORT = "REPORT";
    public static final String NICKNAME = "NICKNAME";

    public MsrpRequest {
        toPath = toPath == null ? null : List.copyOf(toPath);
        fromPath = fromPath == null ? null : List.copyOf(fromPath);
        headers = contentTypeLast(headers, body);
        try {
            check(transactionId, method, toPath, fromPath, headers, body, continuation);
        } catch (MalformedMsrpException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** With a body, Content-Type moves to the end: the blank line follows it on the wire (§9 content-stuff). */
    private static List<MsrpHeader> contentTypeLast(List<MsrpHeader> headers, byte[] body) {
        if (body == null) {
            return List.copyOf(headers);
        }
        List<MsrpHeader> ordered = new java.util.ArrayList<>(headers);
        List<MsrpHeader> types = ordered.stream().filter(h -> h.is(Headers.CONTENT_TYPE)).toList();
        ordered.removeAll(types);
        ordered.addAll(types);
        return List.copyOf(ordered);
    }

    static void check(String transactionId, String method, List<MsrpUri> toPath, List<MsrpUri> fromPath,
                      List<MsrpHeader> headers, byte[] body, Continuation continuation) throws MalformedMsrpException {
        if (!Syntax.isIdent(transactionId)) {
            throw new MalformedMsrpException("bad transaction id " + Syntax.show(String.valueOf(transactionId))
                    + " (RFC 4975 §9 ident: 4 to 32 letters, digits, . - + % =, starting with a letter or digit)");
        }
        if (method == null || method.isEmpty() || !method.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
            throw new MalformedMsrpException("bad method " + Syntax.show(String.valueOf(method))
                    + " (RFC 4975 §9: upper-case letters, e.g. SEND)");
        }
        Objects.requireNonNull(continuation, "continuation");
        Headers.checkPath(Headers.TO_PATH, toPath);
        Headers.checkPath(Headers.FROM_PATH, fromPath);
        Headers.check(headers);
        boolean hasContentType = headers.stream().anyMatch(h -> h.is(Headers.CONTENT_TYPE));
        if (body != null && !hasContentType) {
            throw new MalformedMsrpException(method + " '" + transactionId + "' has a body but no Content-Type "
                    + "(RFC 4975 §7.1.1)");
        }
        boolean hasMessageId = headers.stream().anyMatch(h -> h.is(Headers.MESSAGE_ID));
        if ((method.equals(SEND) || method.equals(REPORT)) && !hasMessageId) {
            throw new MalformedMsrpException(method + " '" + transactionId + "' has no Message-ID (RFC 4975 "
                    + (method.equals(SEND) ? "§7.1.1" : "§7.1.2") + ")");
        }
        if (method.equals(REPORT) && headers.stream().noneMatch(h -> h.is(Headers.STATUS))) {
            throw new MalformedMsrpException("REPORT '" + transactionId + "' has no Status (RFC 4975 §7.1.2)");
        }
    }

    /**
     * RFC 4975 §7.1.2: the success REPORT of a whole message of {@code total} bytes whose chunk {@code last} (any of
     * them) came to {@code local}: to the sender's From-Path, its Message-ID, {@code Byte-Range: 1-total/total},
     * {@code Status: 000 200 OK}.
     */
    public static MsrpRequest successReport(String transactionId, MsrpRequest last, MsrpUri local, long total) {
        return report(transactionId, last, local, total, new MsrpStatus(0, 200, "OK"));
    }

    /**
     * RFC 4975 §7.1.2: the REPORT of a whole message of {@code total} bytes with {@code status}, 200 for its success,
     * an error code for its failure (the sender's {@code Failure-Report} says whether it wants one).
     */
    public static MsrpRequest report(String transactionId, MsrpRequest last, MsrpUri local, long total,
                                     MsrpStatus status) {
        return new MsrpRequest(transactionId, REPORT, last.fromPath(), List.of(local), List.of(
                new MsrpHeader(Headers.MESSAGE_ID, last.messageId().orElseThrow()),
                new MsrpHeader(Headers.BYTE_RANGE, "1-" + total + "/" + total),
                new MsrpHeader(Headers.STATUS, status.toString())), null, Continuation.COMPLETE);
    }

    /** The Message-ID, the same in every chunk of a message and in its reports. */
    public Optional<String> messageId() {
        return header(Headers.MESSAGE_ID);
    }

    /** The Byte-Range; when absent RFC 4975 §7.1.1 says the chunk is the whole message ({@code 1-* /*}). */
    public Optional<ByteRange> byteRange() {
        return header(Headers.BYTE_RANGE).map(valid(ByteRange::parse));
    }

    /** The Success-Report value, {@code yes} or {@code no}; absent means no (RFC 4975 §7.1.1). */
    public Optional<String> successReport() {
        return header(Headers.SUCCESS_REPORT);
    }

    /** The Failure-Report value, {@code yes}, {@code no} or {@code partial}; absent means yes (RFC 4975 §7.1.1). */
    public Optional<String> failureReport() {
        return header(Headers.FAILURE_REPORT);
    }

    /** The Status of a REPORT. */
    public Optional<MsrpStatus> status() {
        return header(Headers.STATUS).map(valid(MsrpStatus::parse));
    }

    /** The Content-Type of the body. */
    public Optional<String> contentType() {
        return header(Headers.CONTENT_TYPE);
    }

    /** True when the request has {@code content-stuff}, even an empty body. */
    public boolean hasBody() {
        return body != null;
    }

    @Override
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + (body == null ? 0 : body.length));
        Headers.write(out, "MSRP " + transactionId + " " + method, toPath, fromPath, headers, body, transactionId,
                continuation);
        return out.toByteArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MsrpRequest r && transactionId.equals(r.transactionId) && method.equals(r.method)
                && toPath.equals(r.toPath) && fromPath.equals(r.fromPath) && headers.equals(r.headers)
                && Arrays.equals(body, r.body) && continuation == r.continuation;
    }

    @Override
    public int hashCode() {
        return Objects.hash(transactionId, method, toPath, fromPath, headers, Arrays.hashCode(body), continuation);
    }

    @Override
    public String toString() {
        return "MsrpRequest[" + method + " " + transactionId + ", To-Path " + Headers.path(toPath) + ", From-Path "
                + Headers.path(fromPath) + ", " + headers + ", body " + (body == null ? "none" : body.length
                + " bytes") + ", " + continuation + "]";
    }

    /** A parser of a value already checked on construction, so it cannot fail here. */
    interface Parse<T> {
        T parse(String value) throws MalformedMsrpException;
    }

    private static <T> java.util.function.Function<String, T> valid(Parse<T> parse) {
        return value -> {
            try {
                return parse.parse(value);
            } catch (MalformedMsrpException e) {
                throw new IllegalStateException(e);
            }
        };
    }
}
