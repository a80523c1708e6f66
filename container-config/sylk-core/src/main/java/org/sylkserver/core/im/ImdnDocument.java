package org.sylkserver.core.im;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * RFC 5438 disposition notifications ({@code message/imdn+xml}, §7.2) that the server sends.
 */
public final class ImdnDocument {

    public static final String CONTENT_TYPE = "message/imdn+xml";

    private ImdnDocument() {
    }

    /**
     * A delivery notification with status {@code delivered} for the message {@code messageId} sent at
     * {@code sent} (the original's DateTime).
     */
    public static String delivered(String messageId, OffsetDateTime sent) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">\n"
                + "<message-id>" + escape(messageId) + "</message-id>\n"
                + "<datetime>" + DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(sent) + "</datetime>\n"
                + "<delivery-notification><status><delivered/></status></delivery-notification>\n"
                + "</imdn>\n";
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
