package org.sylkserver.conference.files;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The name of a room's own directory under {@code file_transfer_dir} and {@code screensharing_images_dir} (spec §3.5,
 * §3.7), also the room's part of the screen sharing URL. Room names come from SIP URIs, whose user part may hold
 * {@code /} and other characters, and two rooms must never share a directory (issue 11: {@code x/victim@host} was
 * {@code victim@host}'s), so the name is an injective encoding of the room, not a lossy clean-up:
 *
 * <ul>
 *   <li>letters, digits, {@code @} and {@code -} stay as they are, and so does {@code .} unless it comes first or
 *       right after another {@code .} (so that no name is {@code .}, {@code ..} or holds {@code ..});</li>
 *   <li>every other character, {@code _} included, becomes {@code _} and the two lower-case hex digits of each of
 *       its UTF-8 bytes;</li>
 *   <li>an empty room name becomes {@code _} (no escape is a lone {@code _});</li>
 *   <li>a name longer than {@value #MAX_LENGTH} characters becomes {@code _h} and the SHA-256 of the room in hex
 *       ({@code h} is not a hex digit, so no escaped name looks like it).</li>
 * </ul>
 *
 * A {@code user@host} of plain characters keeps its name; the result is one path component that needs no escaping
 * in a URL.
 */
public final class RoomDirectory {

    static final int MAX_LENGTH = 200;

    private RoomDirectory() {
    }

    public static String name(String room) {
        StringBuilder name = new StringBuilder();
        byte[] utf8 = room.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < utf8.length; i++) {
            int b = utf8[i] & 0xff;
            boolean plain = b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '@'
                    || b == '-' || b == '.' && i > 0 && utf8[i - 1] != '.';
            if (plain) {
                name.append((char) b);
            } else {
                name.append('_').append(HexFormat.of().toHexDigits((byte) b));
            }
        }
        if (name.length() > MAX_LENGTH) {
            try {
                return "_h" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(utf8));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is missing from the JDK", e);
            }
        }
        return name.isEmpty() ? "_" : name.toString(); // no escape is a lone "_"
    }
}
