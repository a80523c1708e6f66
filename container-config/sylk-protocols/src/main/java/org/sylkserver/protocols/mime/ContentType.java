package org.sylkserver.protocols.mime;

import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Locale;
import java.util.Optional;

/**
 * The parts of a MIME {@code Content-Type} value (RFC 2045 §5.1) that instant messaging needs: the media type and
 * the {@code charset} parameter.
 *
 * @param mediaType type/subtype, lower case, without parameters
 * @param charset   the charset parameter as written (quotes removed), or null
 */
public record ContentType(String mediaType, String charset) {

    public static ContentType parse(String value) {
        // -1 keeps empty parts: a value of only ";" still has a (blank) media type part
        String[] parts = value.split(";", -1);
        String charset = null;
        for (int i = 1; i < parts.length; i++) {
            int equals = parts[i].indexOf('=');
            if (equals > 0 && parts[i].substring(0, equals).strip().equalsIgnoreCase("charset")) {
                charset = unquote(parts[i].substring(equals + 1).strip());
            }
        }
        return new ContentType(parts[0].strip().toLowerCase(Locale.ROOT), charset);
    }

    /** Whether the media type has the {@code type "/" subtype} form of RFC 2045 §5.1. */
    public boolean hasMediaType() {
        int slash = mediaType.indexOf('/');
        return slash > 0 && slash < mediaType.length() - 1;
    }

    /**
     * The charset to decode text with, empty when the named one is unknown to the JVM. UTF-8 when none is named:
     * IM clients write UTF-8, and US-ASCII (the RFC 2046 default) is a subset of it.
     */
    public Optional<Charset> textCharset() {
        if (charset == null || charset.isEmpty()) {
            return Optional.of(StandardCharsets.UTF_8);
        }
        try {
            return Optional.of(Charset.forName(charset));
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            return Optional.empty();
        }
    }

    private static String unquote(String text) {
        return text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"") ? text.substring(1, text.length() - 1) : text;
    }
}
