package org.sylkserver.webrtc.messaging;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.sylkserver.protocols.cpim.CpimMessage;
import org.sylkserver.protocols.mime.ContentType;
import org.sylkserver.webrtc.api.RequestError;

/**
 * What a client's message carries, as the gateway checks it and turns it into bytes and back: for account messages
 * (spec §4.8) and room chat (§4.6.8) alike.
 */
public final class ClientContent {

    private ClientContent() {
    }

    /** A client's {@code content_type}: a MIME {@code type/subtype}, which CPIM carries (RFC 3862 §3.2). */
    public static String contentType(String value) throws RequestError {
        if (!ContentType.parse(value).hasMediaType() || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new RequestError("Invalid value for 'content_type' property: '" + CpimMessage.printable(value)
                    + "' (expected: a MIME type)");
        }
        return mediaType(value);
    }

    /** A client's {@code message_id}: it becomes a CPIM header (RFC 3862 §3.1: no control characters). */
    public static String messageId(String value) throws RequestError {
        if (value.isBlank() || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new RequestError("Invalid value for 'message_id' property: '" + CpimMessage.printable(value)
                    + "' (expected: text without control characters)");
        }
        return value;
    }

    /** spec §4.8.1, §4.6.8: text is UTF-8; any other type's content is a Latin-1 string carrying its bytes. */
    public static byte[] bytes(String contentType, String content) {
        return contentType.startsWith("text/") ? content.getBytes(StandardCharsets.UTF_8)
                : content.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The inverse of {@link #bytes}: UTF-8 text (Latin-1 when it is not UTF-8), else Latin-1 bytes. */
    public static String text(String contentType, byte[] body) {
        if (contentType.startsWith("text/") || contentType.startsWith("application/sylk")) {
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(body)).toString();
            } catch (CharacterCodingException e) {
                return new String(body, StandardCharsets.ISO_8859_1);
            }
        }
        return new String(body, StandardCharsets.ISO_8859_1);
    }

    /** The {@code type/subtype} of a Content-Type, lower case, without parameters. */
    public static String mediaType(String contentType) {
        String media = ContentType.parse(contentType).mediaType();
        return media == null || media.isEmpty() ? contentType.strip().toLowerCase(Locale.ROOT) : media;
    }
}
