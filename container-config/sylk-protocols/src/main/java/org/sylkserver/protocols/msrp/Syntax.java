package org.sylkserver.protocols.msrp;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/** Character classes of the RFC 4975 §9 ABNF and helpers for error messages. */
public final class Syntax {

    static final String CRLF = "\r\n";

    /** The seven dashes that open an end-line (RFC 4975 §9 {@code end-line}). */
    static final String END_LINE_PREFIX = "-------";

    private Syntax() {
    }

    static boolean isAlphanum(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    /** {@code ident = ALPHANUM 3*31ident-char}, {@code ident-char = ALPHANUM / "." / "-" / "+" / "%" / "="}. */
    static boolean isIdent(String s) {
        if (s == null || s.length() < 4 || s.length() > 32 || !isAlphanum(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isAlphanum(c) && ".-+%=".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /** {@code token} as RFC 4975 §9 takes it from RFC 3261 §25.1. */
    static boolean isToken(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isAlphanum(c) && "-.!%*_+`'~".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /** {@code utf8text = *(HTAB / %x20-7E / UTF8-NONASCII)}: no control characters, so no CR or LF. */
    static boolean isUtf8Text(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\t' && (c < 0x20 || c == 0x7f)) {
                return false;
            }
        }
        return true;
    }

    public static boolean isDigits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** Strict UTF-8 decoding: a header with invalid bytes is an error rather than replacement characters. */
    static String utf8(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    }

    /** A value quoted for an error message: control bytes escaped, long values cut. */
    public static String show(String s) {
        StringBuilder out = new StringBuilder("'");
        for (int i = 0; i < s.length() && i < 60; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append(s.length() > 60 ? "...'" : "'").toString();
    }

    /** Raw bytes shown as ISO-8859-1 text, escaped. */
    static String show(byte[] bytes, int off, int len) {
        return show(new String(bytes, off, len, StandardCharsets.ISO_8859_1));
    }
}
