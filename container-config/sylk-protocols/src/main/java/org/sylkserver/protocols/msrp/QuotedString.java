package org.sylkserver.protocols.msrp;

/**
 * The {@code quoted-string} of RFC 3261 §25.1, as header values such as RFC 7701's {@code Use-Nickname} carry text
 * (RFC 4975 §9 takes its {@code quoted-string} from there, with only {@code \\} and {@code \"} escaped):
 *
 * <pre>
 *   quoted-string = SWS DQUOTE *(qdtext / quoted-pair) DQUOTE
 *   qdtext        = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII
 *   quoted-pair   = "\" (%x00-09 / %x0B-0C / %x0E-7F)
 * </pre>
 *
 * A value without quotes is taken when it is a {@code token} (RFC 3261 §25.1), as lenient peers send one.
 */
public final class QuotedString {

    private QuotedString() {
    }

    /**
     * The text of {@code value}: a quoted-string unescaped (inner spaces kept), or a token as it is.
     *
     * @throws IllegalArgumentException for anything else: an unterminated string, a bare {@code "} or a control
     *                                  character inside, text after the closing quote, an unquoted non-token
     */
    public static String parse(String value) {
        String v = value.strip();
        if (v.isEmpty() || v.charAt(0) != '"') {
            if (Syntax.isToken(v)) {
                return v;
            }
            throw new IllegalArgumentException("neither a quoted-string nor a token: " + Syntax.show(value));
        }
        StringBuilder text = new StringBuilder(v.length());
        for (int i = 1; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"') {
                if (i != v.length() - 1) {
                    throw new IllegalArgumentException("text after the closing quote: " + Syntax.show(value));
                }
                return text.toString();
            }
            if (c == '\\') {
                if (++i == v.length()) {
                    break;
                }
                char escaped = v.charAt(i);
                if (escaped == '\n' || escaped == '\r' || escaped > 0x7f) {
                    throw new IllegalArgumentException("not a quoted-pair: " + Syntax.show(value));
                }
                text.append(escaped);
            } else if (c != '\t' && (c < 0x20 || c == 0x7f)) {
                throw new IllegalArgumentException("a control character in a quoted-string: " + Syntax.show(value));
            } else {
                text.append(c);
            }
        }
        throw new IllegalArgumentException("unterminated quoted-string: " + Syntax.show(value));
    }

    /** {@code text} as a quoted-string: {@code \} and {@code "} escaped, the only escapes RFC 4975 §9 knows. */
    public static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
