package org.sylkserver.protocols.msrp;

/**
 * One header field other than To-Path and From-Path, kept as written so that extension headers (RFC 4975 §9
 * {@code ext-header}) travel unchanged through a relay. The typed accessors of {@link MsrpRequest} read the
 * ones RFC 4975 defines.
 *
 * @param name  {@code hname}: a letter, then token characters; compared case-insensitively (see
 *              {@link MsrpMessage#header(String)})
 * @param value {@code utf8text} without the separating space
 */
public record MsrpHeader(String name, String value) {

    public MsrpHeader {
        if (name == null || name.isEmpty() || !Character.isLetter(name.charAt(0)) || name.charAt(0) > 0x7e
                || !Syntax.isToken(name)) {
            throw new IllegalArgumentException("bad header name " + Syntax.show(String.valueOf(name)));
        }
        if (value == null || !Syntax.isUtf8Text(value)) {
            throw new IllegalArgumentException("bad value for header '" + name + "': "
                    + Syntax.show(String.valueOf(value)) + " (no control characters allowed)");
        }
    }

    /** True when this header is called {@code other}, ignoring case. */
    public boolean is(String other) {
        return name.equalsIgnoreCase(other);
    }

    /** {@code name: value}, without CRLF. */
    @Override
    public String toString() {
        return name + ": " + value;
    }
}
