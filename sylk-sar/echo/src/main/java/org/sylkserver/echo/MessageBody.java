package org.sylkserver.echo;

/**
 * The body of a SIP MESSAGE to send: what goes into {@code setContent(content, contentType)}.
 *
 * @param contentType the Content-Type header value
 * @param content     the body bytes
 */
public record MessageBody(String contentType, byte[] content) {

    public MessageBody {
        content = content.clone();
    }

    @Override
    public byte[] content() {
        return content.clone();
    }
}
