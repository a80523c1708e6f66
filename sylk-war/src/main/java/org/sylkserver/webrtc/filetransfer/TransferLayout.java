package org.sylkserver.webrtc.filetransfer;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where a transferred file lives (spec §4.10.1): {@code <file_transfer_dir>/<p>/<h1>/<h2>/<transfer_id>/<filename>},
 * where {@code h1}/{@code h2} are the URL-safe base64 (no padding) MD5 of the sender's and the receiver's AOR (receiver
 * first when the sender is not a known account) and {@code p} the first character of {@code h1}; and the rules that
 * keep client-chosen names inside that tree (issue 15 "Bad input": no traversal, no hidden or device names).
 *
 * @param first    {@code h1}: the hashed AOR the path starts with
 * @param second   {@code h2}: the other hashed AOR
 * @param transferId the transfer id, already a {@linkplain #transferId safe} segment
 * @param filename the file name, already a {@linkplain #filename safe} name
 */
public record TransferLayout(String first, String second, String transferId, String filename) {

    /** The file name's longest UTF-8 encoding: {@code meta-<filename>} stays under the usual 255-byte name limit. */
    static final int MAX_FILENAME_BYTES = 200;
    /** Transfer ids are UUIDs or MSRP file-transfer ids (RFC 5547 §5: a token); anything else is refused. */
    private static final Pattern TRANSFER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._~+-]{0,127}");
    /** The URL-safe base64 of an MD5: 22 characters. */
    private static final Pattern HASH = Pattern.compile("[A-Za-z0-9_-]{22}");
    /** Names Windows reserves whatever their extension: a file served to a client may be saved there. */
    private static final Set<String> DEVICE_NAMES = Set.of("con", "prn", "aux", "nul", "com1", "com2", "com3", "com4",
            "com5", "com6", "com7", "com8", "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8",
            "lpt9");

    /**
     * The layout of a transfer from {@code sender} to {@code receiver}; the path is mirrored (receiver first) when
     * the sender is not a known account (spec §4.10.1).
     */
    public static TransferLayout of(String sender, String receiver, boolean senderKnown, String transferId,
                                    String filename) {
        String hs = hash(sender);
        String hr = hash(receiver);
        return senderKnown ? new TransferLayout(hs, hr, transferId, filename)
                : new TransferLayout(hr, hs, transferId, filename);
    }

    /** The layout a download URL names, or null when a segment could not have come from {@link #of}. */
    public static TransferLayout parse(String first, String second, String transferId, String filename) {
        if (!HASH.matcher(first).matches() || !HASH.matcher(second).matches() || transferId(transferId) == null
                || !filename.equals(filename(filename))) {
            return null;
        }
        return new TransferLayout(first, second, transferId, filename);
    }

    /** URL-safe base64 without padding of the MD5 of {@code aor} (spec §4.10.1). */
    public static String hash(String aor) {
        try {
            byte[] md5 = MessageDigest.getInstance("MD5").digest(aor.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(md5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has MD5", e);
        }
    }

    /** {@code p}: the first character of the path's first hash. */
    public String prefix() {
        return first.substring(0, 1);
    }

    /** The directory of the transfer under {@code root}. */
    public Path directory(Path root) {
        return root.resolve(prefix()).resolve(first).resolve(second).resolve(transferId);
    }

    /** The file under {@code root}. */
    public Path file(Path root) {
        return directory(root).resolve(filename);
    }

    /** Its metadata file ({@code meta-<filename>}) under {@code root}. */
    public Path metadata(Path root) {
        return directory(root).resolve("meta-" + filename);
    }

    /** The path part of the download URL: the four segments, each URL-quoted. */
    public String urlPath() {
        return String.join("/", first, second, quote(transferId), quote(filename));
    }

    /** A client's transfer id when it is a safe path segment, else null (spec §4.10.2: refused with 403). */
    public static String transferId(String value) {
        return value != null && TRANSFER_ID.matcher(value).matches() ? value : null;
    }

    /**
     * A client's file name made safe to store (spec §4.10.2 "sanitised"), or null when nothing usable is left: the
     * last path component only, no control characters, no leading dots (no hidden files, no {@code ..}) or trailing
     * dots and spaces, a Windows device name or a {@code meta-} name prefixed with {@code _}, at most {@value #MAX_FILENAME_BYTES} UTF-8 bytes
     * (cut before the extension, which is kept).
     */
    public static String filename(String value) {
        if (value == null) {
            return null;
        }
        String name = Normalizer.normalize(value, Normalizer.Form.NFC);
        name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        StringBuilder kept = new StringBuilder(name.length());
        name.codePoints().filter(c -> c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0)
                        && Character.getType(c) != Character.FORMAT && c != ':' && c != '"' && c != '<' && c != '>'
                        && c != '|' && c != '?' && c != '*')
                .forEach(kept::appendCodePoint);
        name = kept.toString().strip();
        int start = 0;
        while (start < name.length() && (name.charAt(start) == '.' || name.charAt(start) == ' ')) {
            start++;
        }
        int end = name.length();
        while (end > start && (name.charAt(end - 1) == '.' || name.charAt(end - 1) == ' ')) {
            end--;
        }
        name = name.substring(start, end);
        if (name.isEmpty()) {
            return null;
        }
        int dot = name.indexOf('.');
        // a device name, or a name a metadata file could have: a download URL then never names metadata (which holds
        // the server's path), and no upload overwrites another file's metadata
        if (DEVICE_NAMES.contains((dot < 0 ? name : name.substring(0, dot)).strip().toLowerCase(Locale.ROOT))
                || name.regionMatches(true, 0, "meta-", 0, 5)) {
            name = "_" + name;
        }
        return shorten(name);
    }

    /** {@code name} cut to {@value #MAX_FILENAME_BYTES} UTF-8 bytes, the extension (when short) kept. */
    private static String shorten(String name) {
        if (utf8Length(name) <= MAX_FILENAME_BYTES) {
            return name;
        }
        int dot = name.lastIndexOf('.');
        String extension = dot > 0 && name.length() - dot <= 16 ? name.substring(dot) : "";
        String base = name.substring(0, name.length() - extension.length());
        int budget = MAX_FILENAME_BYTES - utf8Length(extension);
        StringBuilder cut = new StringBuilder();
        int used = 0;
        for (int i = 0; i < base.length(); ) {
            int c = base.codePointAt(i);
            int bytes = utf8Length(new String(Character.toChars(c)));
            if (used + bytes > budget) {
                break;
            }
            cut.appendCodePoint(c);
            used += bytes;
            i += Character.charCount(c);
        }
        return cut.toString().strip() + extension;
    }

    private static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** RFC 3986 §2.1 percent-encoding of everything but unreserved characters. */
    public static String quote(String segment) {
        StringBuilder quoted = new StringBuilder();
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                quoted.append((char) c);
            } else {
                quoted.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return quoted.toString();
    }

    /**
     * A percent-encoded URL path segment decoded (RFC 3986 §2.1; {@code +} stays itself), or null when an escape is
     * broken or the bytes are not UTF-8. A decoded {@code /} or NUL then fails the segment checks: it is never a path.
     */
    public static String unquote(String segment) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
        byte[] raw = segment.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '%') {
                int high = i + 2 < raw.length ? Character.digit(raw[i + 1], 16) : -1;
                int low = high >= 0 ? Character.digit(raw[i + 2], 16) : -1;
                if (low < 0) {
                    return null;
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else {
                bytes.write(raw[i]);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
