package org.sylkserver.protocols.msrp;

/**
 * The Status header of a REPORT (RFC 4975 §7.1.2, §9): {@code namespace SP status-code [SP text-reason]}. The
 * namespace is {@code 000} for the codes of RFC 4975, which mean the same as in responses (§10).
 *
 * @param namespace three digits, 0 for RFC 4975
 * @param code      the status code, three digits
 * @param comment   the text reason, or null
 */
public record MsrpStatus(int namespace, int code, String comment) {

    public MsrpStatus {
        if (namespace < 0 || namespace > 999 || code < 100 || code > 999) {
            throw new IllegalArgumentException("bad Status namespace " + namespace + " or code " + code
                    + " (three digits each, the code from 100)");
        }
        if (comment != null && (comment.isEmpty() || !Syntax.isUtf8Text(comment))) {
            throw new IllegalArgumentException("bad Status text " + Syntax.show(comment));
        }
    }

    /** Parses e.g. {@code 000 200 OK}. */
    public static MsrpStatus parse(String value) throws MalformedMsrpException {
        String[] parts = value.split(" ", 3);
        if (parts.length < 2 || parts[0].length() != 3 || !Syntax.isDigits(parts[0]) || parts[1].length() != 3
                || !Syntax.isDigits(parts[1]) || parts[1].charAt(0) == '0'
                || parts.length == 3 && (parts[2].isEmpty() || !Syntax.isUtf8Text(parts[2]))) {
            throw new MalformedMsrpException("bad Status " + Syntax.show(value)
                    + " (expected 'namespace code [reason]', e.g. '000 200 OK')");
        }
        return new MsrpStatus(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]),
                parts.length == 3 ? parts[2] : null);
    }

    @Override
    public String toString() {
        return String.format("%03d %03d", namespace, code) + (comment == null ? "" : " " + comment);
    }
}
