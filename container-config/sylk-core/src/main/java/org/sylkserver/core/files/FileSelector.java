package org.sylkserver.core.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The {@code a=file-selector} attribute of an MSRP file-transfer stream (RFC 5547 §5): the file's name, media type,
 * size and hash, each optional. A pull (RFC 5547 §8.3) names the file by its hash alone.
 *
 * @param name the file name as the sender gave it (percent-decoded); never used as a path on our side
 * @param type the media type, or null
 * @param size the size in bytes, or -1 when not given
 * @param hash {@code sha-1:} and the upper-case digest in colon-separated pairs (the form the original uses
 *             everywhere, spec §3.5), or null
 */
public record FileSelector(String name, String type, long size, String hash) {

    /** Parses the attribute value (what follows {@code file-selector:}). */
    public static FileSelector parse(String value) throws IllegalArgumentException {
        String name = null;
        String type = null;
        long size = -1;
        String hash = null;
        int i = 0;
        String s = value.strip();
        while (i < s.length()) {
            if (s.charAt(i) == ' ') {
                i++;
                continue;
            }
            int colon = s.indexOf(':', i);
            if (colon < 0) {
                throw new IllegalArgumentException("selector without a value at " + s.substring(i));
            }
            String key = s.substring(i, colon).toLowerCase(Locale.ROOT);
            int start = colon + 1;
            int end;
            String text;
            if (key.equals("name")) {
                if (start >= s.length() || s.charAt(start) != '"') {
                    throw new IllegalArgumentException("file name not quoted");
                }
                end = s.indexOf('"', start + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("file name not closed by a quote");
                }
                text = s.substring(start + 1, end);
                end++;
            } else {
                end = s.indexOf(' ', start);
                end = end < 0 ? s.length() : end;
                text = s.substring(start, end);
            }
            switch (key) {
                case "name" -> name = percentDecode(text);
                case "type" -> type = text;
                case "size" -> {
                    try {
                        size = Long.parseLong(text);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("size is not a number: " + text);
                    }
                    if (size < 0) {
                        throw new IllegalArgumentException("negative size: " + text);
                    }
                }
                case "hash" -> hash = normalizeHash(text);
                default -> { } // §5: unknown selectors are ignored
            }
            i = end;
        }
        return new FileSelector(name, type, size, hash);
    }

    /** RFC 5547 §5: only {@code "}, CR, LF and {@code %} are percent-encoded in a file name. */
    private static String percentDecode(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        byte[] raw = text.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(raw.length);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '%' && i + 2 < raw.length) {
                try {
                    out.write(Integer.parseInt(new String(raw, i + 1, 2, StandardCharsets.US_ASCII), 16));
                    i += 2;
                    continue;
                } catch (NumberFormatException notEncoded) {
                    // a lone % stays as it is
                }
            }
            out.write(raw[i]);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String normalizeHash(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("hash without an algorithm: " + text);
        }
        String algorithm = text.substring(0, colon).toLowerCase(Locale.ROOT);
        String digits = text.substring(colon + 1);
        if (!digits.matches("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})*")) {
            throw new IllegalArgumentException("hash value is not colon-separated hex pairs: " + digits);
        }
        return algorithm + ":" + digits.toUpperCase(Locale.ROOT);
    }

    /** {@code sha-1:AB:CD:...} of a digest (spec §3.5). */
    public static String sha1Hash(byte[] digest) {
        String hex = HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        return "sha-1:" + hex;
    }

    public static MessageDigest newSha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every Java platform", e);
        }
    }

    /** {@code sha-1:AB:CD:...} of a stored file, read in pieces. */
    public static String sha1(Path file) throws IOException {
        MessageDigest digest = newSha1();
        byte[] buffer = new byte[256 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return sha1Hash(digest.digest());
    }

    /** The attribute value, name percent-encoded as RFC 5547 §5 requires. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        if (name != null) {
            out.append("name:\"").append(name.replace("%", "%25").replace("\"", "%22").replace("\r", "%0D")
                    .replace("\n", "%0A")).append('"');
        }
        if (type != null) {
            out.append(out.length() > 0 ? " " : "").append("type:").append(type);
        }
        if (size >= 0) {
            out.append(out.length() > 0 ? " " : "").append("size:").append(size);
        }
        if (hash != null) {
            out.append(out.length() > 0 ? " " : "").append("hash:").append(hash);
        }
        return out.toString();
    }
}
