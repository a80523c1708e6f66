package org.sylkserver.protocols.iscomposing;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import org.sylkserver.protocols.xml.SafeXml;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * An RFC 3994 message composition indication ({@code application/im-iscomposing+xml}): the state ({@code active}
 * or {@code idle}), the refresh interval of an active state, when the composer was last active and the kind of
 * content being composed. Parses incoming documents (DOCTYPEs refused) and writes the document.
 *
 * @param active      {@code <state>active</state>}; otherwise idle (RFC 3994 §3: unknown states count as idle)
 * @param refresh     seconds until the active state expires, or 0 when absent
 * @param lastActive  {@code <lastactive>}, or null
 * @param contentType {@code <contenttype>}, or null
 */
public record IsComposing(boolean active, int refresh, OffsetDateTime lastActive, String contentType) {

    public static final String CONTENT_TYPE = "application/im-iscomposing+xml";
    public static final String NAMESPACE = "urn:ietf:params:xml:ns:im-iscomposing";

    /** Parses a document; {@link IllegalArgumentException} for one that is not RFC 3994 XML. */
    public static IsComposing parse(byte[] xml) {
        Document document;
        try {
            document = SafeXml.parse(xml);
        } catch (SAXException e) {
            throw new IllegalArgumentException("is-composing document is not well-formed XML: " + e.getMessage(), e);
        }
        Element root = document.getDocumentElement();
        if (!"isComposing".equals(root.getLocalName()) || !NAMESPACE.equals(root.getNamespaceURI())) {
            throw new IllegalArgumentException("not an isComposing document: " + root.getLocalName());
        }
        String state = child(root, "state");
        if (state == null) {
            throw new IllegalArgumentException("isComposing without <state> (RFC 3994 §4)");
        }
        int refresh = 0;
        String refreshText = child(root, "refresh");
        if (refreshText != null) {
            try {
                refresh = Integer.parseInt(refreshText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad <refresh>: " + refreshText);
            }
        }
        OffsetDateTime lastActive = null;
        String lastActiveText = child(root, "lastactive");
        if (lastActiveText != null) {
            try {
                lastActive = OffsetDateTime.parse(lastActiveText);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("bad <lastactive>: " + lastActiveText);
            }
        }
        return new IsComposing("active".equals(state), refresh, lastActive, child(root, "contenttype"));
    }

    /** The document (RFC 3994 §4). */
    public byte[] toXml() {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<isComposing xmlns=\"")
                .append(NAMESPACE).append("\">\n  <state>").append(active ? "active" : "idle").append("</state>\n");
        if (lastActive != null) {
            xml.append("  <lastactive>").append(lastActive.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                    .append("</lastactive>\n");
        }
        if (contentType != null) {
            xml.append("  <contenttype>").append(escape(contentType)).append("</contenttype>\n");
        }
        if (active && refresh > 0) {
            xml.append("  <refresh>").append(refresh).append("</refresh>\n");
        }
        xml.append("</isComposing>\n");
        return xml.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String child(Element root, String name) {
        for (Node node = root.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && name.equals(element.getLocalName())
                    && NAMESPACE.equals(element.getNamespaceURI())) {
                return element.getTextContent().strip();
            }
        }
        return null;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
