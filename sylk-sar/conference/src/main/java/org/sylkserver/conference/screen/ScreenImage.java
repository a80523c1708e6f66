package org.sylkserver.conference.screen;

import java.util.Base64;
import java.util.Locale;

import org.sylkserver.protocols.cpim.CpimMessage;

/**
 * The JPEG carried by an {@code application/blink-screensharing} chat message (spec §3.7): the payload is the
 * image itself, or its base64 text (with or without {@code Content-Transfer-Encoding: base64}, line breaks
 * allowed). Anything that is not a JPEG once decoded is refused, because the viewer serves it as
 * {@code image/jpeg}.
 */
final class ScreenImage {

    /** A payload that is no JPEG, or bad base64. */
    static final class InvalidImageException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidImageException(String message) {
            super(message);
        }
    }

    private ScreenImage() {
    }

    /** The JPEG bytes of {@code message}. */
    static byte[] decode(CpimMessage message) throws InvalidImageException {
        byte[] content = message.content();
        String encoding = message.contentHeader("Content-Transfer-Encoding");
        boolean labelledBase64 = encoding != null && encoding.strip().toLowerCase(Locale.ROOT).equals("base64");
        byte[] image = !labelledBase64 && isJpeg(content) ? content : base64(content);
        if (!isJpeg(image)) {
            throw new InvalidImageException("not a JPEG image");
        }
        return image;
    }

    private static byte[] base64(byte[] content) throws InvalidImageException {
        StringBuilder text = new StringBuilder(content.length);
        for (byte b : content) {
            // line breaks and blanks are how mail-style base64 is laid out; anything else must be the alphabet
            if (b != '\r' && b != '\n' && b != ' ' && b != '\t') {
                text.append((char) (b & 0xff));
            }
        }
        try {
            return Base64.getDecoder().decode(text.toString());
        } catch (IllegalArgumentException e) {
            throw new InvalidImageException("invalid base64: " + e.getMessage());
        }
    }

    /** JPEG files start with the SOI marker followed by another marker (ITU-T T.81 §B.1.1.3). */
    private static boolean isJpeg(byte[] bytes) {
        return bytes.length >= 3 && bytes[0] == (byte) 0xff && bytes[1] == (byte) 0xd8 && bytes[2] == (byte) 0xff;
    }
}
