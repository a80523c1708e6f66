package org.sylkserver.protocols.msrp;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Objects;

/**
 * An MSRP response (RFC 4975 §7.2, §9 {@code msrp-response}): {@code MSRP <transaction-id> <code> [comment]},
 * To-Path, From-Path, possibly extension headers, the end-line; never a body. Only SEND (and extension methods)
 * are answered; REPORTs are not (§7.1.2).
 *
 * @param transactionId the transaction id of the request answered
 * @param code          the three-digit status code (RFC 4975 §10, e.g. 200, 400, 413, 481)
 * @param comment       the reason text after the code, or null
 * @param toPath        the To-Path URIs
 * @param fromPath      the From-Path URIs
 * @param headers       further headers in order (usually none)
 * @param continuation  the end-line's flag (RFC 4975 only uses {@code $} here)
 */
public record MsrpResponse(String transactionId, int code, String comment, List<MsrpUri> toPath,
                           List<MsrpUri> fromPath, List<MsrpHeader> headers, Continuation continuation)
        implements MsrpMessage {

    public MsrpResponse {
        toPath = toPath == null ? null : List.copyOf(toPath);
        fromPath = fromPath == null ? null : List.copyOf(fromPath);
        headers = List.copyOf(headers);
        try {
            check(transactionId, code, comment, toPath, fromPath, headers);
        } catch (MalformedMsrpException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        Objects.requireNonNull(continuation, "continuation");
    }

    /** A response without extra headers ending in {@code $}. */
    public MsrpResponse(String transactionId, int code, String comment, List<MsrpUri> toPath, List<MsrpUri> fromPath) {
        this(transactionId, code, comment, toPath, fromPath, List.of(), Continuation.COMPLETE);
    }

    static void check(String transactionId, int code, String comment, List<MsrpUri> toPath, List<MsrpUri> fromPath,
                      List<MsrpHeader> headers) throws MalformedMsrpException {
        if (!Syntax.isIdent(transactionId)) {
            throw new MalformedMsrpException("bad transaction id " + Syntax.show(String.valueOf(transactionId)));
        }
        if (code < 100 || code > 999) {
            throw new MalformedMsrpException("bad status code " + code + " (three digits)");
        }
        if (comment != null && (comment.isEmpty() || !Syntax.isUtf8Text(comment))) {
            throw new MalformedMsrpException("bad response comment " + Syntax.show(comment));
        }
        Headers.checkPath(Headers.TO_PATH, toPath);
        Headers.checkPath(Headers.FROM_PATH, fromPath);
        Headers.check(headers);
    }

    @Override
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        Headers.write(out, "MSRP " + transactionId + " " + code + (comment == null ? "" : " " + comment), toPath,
                fromPath, headers, null, transactionId, continuation);
        return out.toByteArray();
    }

    /**
     * The answer to a request whose framing was intact but whose content was not (RFC 4975 §7.3.1: answered on the
     * connection it came on): its paths may be what was wrong, so the response has none, only the status line
     * and the end-line.
     */
    public static byte[] refusal(String transactionId, int code) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        Headers.line(out, "MSRP " + transactionId + " " + code + " " + reason(code));
        Headers.line(out, Syntax.END_LINE_PREFIX + transactionId + Continuation.COMPLETE.flag());
        return out.toByteArray();
    }

    /** The comment that goes with a status code (RFC 4975 §10). */
    public static String reason(int code) {
        return switch (code) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 408 -> "Request Timeout";
            case 413 -> "Message Too Large";
            case 415 -> "Unsupported Media Type";
            case 424 -> "Malformed Nickname";
            case 425 -> "Nickname Already In Use";
            case 481 -> "Session Does Not Exist";
            default -> "Error";
        };
    }
}
