package org.sylkserver.protocols.msrp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/** Checks and writing shared by requests and responses. */
public final class Headers {

    public static final String TO_PATH = "To-Path";
    public static final String FROM_PATH = "From-Path";
    public static final String MESSAGE_ID = "Message-ID";
    public static final String BYTE_RANGE = "Byte-Range";
    public static final String SUCCESS_REPORT = "Success-Report";
    public static final String FAILURE_REPORT = "Failure-Report";
    public static final String STATUS = "Status";
    public static final String CONTENT_TYPE = "Content-Type";
    public static final String WWW_AUTHENTICATE = "WWW-Authenticate";
    public static final String AUTHORIZATION = "Authorization";
    public static final String USE_PATH = "Use-Path";
    public static final String EXPIRES = "Expires";

    /** Headers RFC 4975 §9 defines once per message. */
    private static final List<String> SINGLE = List.of(MESSAGE_ID, BYTE_RANGE, SUCCESS_REPORT, FAILURE_REPORT,
            STATUS, CONTENT_TYPE);

    private Headers() {
    }

    /** The value checks of RFC 4975 §9 for the headers it defines; extension headers only need utf8text. */
    static void check(List<MsrpHeader> headers) throws MalformedMsrpException {
        for (String name : SINGLE) {
            if (headers.stream().filter(h -> h.is(name)).count() > 1) {
                throw new MalformedMsrpException("more than one " + name + " header");
            }
        }
        for (MsrpHeader h : headers) {
            String v = h.value();
            if (h.is(TO_PATH) || h.is(FROM_PATH)) {
                throw new MalformedMsrpException("more than one " + h.name() + " header");
            } else if (h.is(MESSAGE_ID)) {
                if (!Syntax.isIdent(v)) {
                    throw new MalformedMsrpException("bad Message-ID " + Syntax.show(v)
                            + " (RFC 4975 §9 ident: a letter or digit, then 3 to 31 of letters, digits, . - + % =)");
                }
            } else if (h.is(BYTE_RANGE)) {
                ByteRange.parse(v);
            } else if (h.is(SUCCESS_REPORT)) {
                if (!v.equals("yes") && !v.equals("no")) {
                    throw new MalformedMsrpException("bad Success-Report " + Syntax.show(v) + " (yes or no)");
                }
            } else if (h.is(FAILURE_REPORT)) {
                if (!v.equals("yes") && !v.equals("no") && !v.equals("partial")) {
                    throw new MalformedMsrpException("bad Failure-Report " + Syntax.show(v)
                            + " (yes, no or partial)");
                }
            } else if (h.is(STATUS)) {
                MsrpStatus.parse(v);
            } else if (h.is(CONTENT_TYPE)) {
                int slash = v.indexOf('/');
                if (slash <= 0 || slash == v.length() - 1) {
                    throw new MalformedMsrpException("bad Content-Type " + Syntax.show(v) + " (expected type/subtype)");
                }
            }
        }
    }

    static void checkPath(String name, List<MsrpUri> path) throws MalformedMsrpException {
        if (path == null || path.isEmpty()) {
            throw new MalformedMsrpException("no " + name + " (RFC 4975 §7.1: every message carries To-Path and "
                    + "From-Path)");
        }
    }

    public static String path(List<MsrpUri> uris) {
        return uris.stream().map(MsrpUri::toString).collect(Collectors.joining(" "));
    }

    /**
     * Writes To-Path and From-Path first (RFC 4975 §7.1, §9 {@code headers}), the other headers in order, and,
     * with a body, Content-Type last so that the blank line follows it ({@code content-stuff}).
     */
    static void write(ByteArrayOutputStream out, String startLine, List<MsrpUri> toPath, List<MsrpUri> fromPath,
                      List<MsrpHeader> headers, byte[] body, String transactionId, Continuation continuation) {
        line(out, startLine);
        line(out, TO_PATH + ": " + path(toPath));
        line(out, FROM_PATH + ": " + path(fromPath));
        MsrpHeader contentType = null;
        for (MsrpHeader h : headers) {
            if (body != null && h.is(CONTENT_TYPE)) {
                contentType = h;
            } else {
                line(out, h.toString());
            }
        }
        if (body != null) {
            line(out, contentType.toString());
            line(out, "");
            out.writeBytes(body);
            line(out, "");
        }
        line(out, Syntax.END_LINE_PREFIX + transactionId + continuation.flag());
    }

    private static void line(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(Syntax.CRLF.getBytes(StandardCharsets.US_ASCII));
    }

}
