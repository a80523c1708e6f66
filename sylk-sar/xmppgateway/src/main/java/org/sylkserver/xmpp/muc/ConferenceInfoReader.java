package org.sylkserver.xmpp.muc;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads the users of a conference-info document (RFC 4575 §5): the {@code entity} and {@code display-text} of each
 * {@code user} of {@code users}, and the document's {@code state}. Nothing else of the document matters to a MUC
 * occupant (spec §5.6.1 step 3). DTDs and external entities are refused (the document comes from the network).
 */
public final class ConferenceInfoReader {

    static final String NAMESPACE = "urn:ietf:params:xml:ns:conference-info";
    public static final String CONTENT_TYPE = "application/conference-info+xml";

    private static final XMLInputFactory FACTORY = XMLInputFactory.newFactory();

    static {
        FACTORY.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        FACTORY.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        FACTORY.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
    }

    private ConferenceInfoReader() {
    }

    /**
     * One user of the conference (RFC 4575 §5.6).
     *
     * @param entity      its URI, e.g. {@code sip:alice@example.com}
     * @param displayText its {@code display-text}, or null
     * @param deleted     {@code state="deleted"} in a partial document: it left
     */
    public record User(String entity, String displayText, boolean deleted) {
    }

    /**
     * A document: whether it is the full state (RFC 4575 §5.1 {@code state}, default full) and its users.
     */
    public record Document(boolean full, List<User> users) {
    }

    /** Reads a document; {@link IllegalArgumentException} when it is no conference-info XML. */
    public static Document read(byte[] xml) {
        try {
            XMLStreamReader in = FACTORY.createXMLStreamReader(new ByteArrayInputStream(xml));
            try {
                return document(in);
            } finally {
                in.close();
            }
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException("not XML: " + e.getMessage(), e);
        }
    }

    private static Document document(XMLStreamReader in) throws XMLStreamException {
        in.nextTag();
        if (!"conference-info".equals(in.getLocalName()) || !NAMESPACE.equals(in.getNamespaceURI())) {
            throw new IllegalArgumentException("not a conference-info document: " + in.getName());
        }
        boolean full = !"partial".equals(in.getAttributeValue(null, "state"));
        List<User> users = new ArrayList<>();
        int depth = 1;
        while (depth > 0 && in.hasNext()) {
            int event = in.next();
            if (event == XMLStreamConstants.START_ELEMENT) {
                depth++;
                if (depth == 3 && "user".equals(in.getLocalName()) && NAMESPACE.equals(in.getNamespaceURI())) {
                    users.add(user(in));
                    depth--;
                }
            } else if (event == XMLStreamConstants.END_ELEMENT) {
                depth--;
            }
        }
        return new Document(full, users);
    }

    /** A {@code user} element, read to its end: its own {@code display-text}, not its endpoints'. */
    private static User user(XMLStreamReader in) throws XMLStreamException {
        String entity = in.getAttributeValue(null, "entity");
        boolean deleted = "deleted".equals(in.getAttributeValue(null, "state"));
        String display = null;
        int depth = 1;
        while (depth > 0) {
            int event = in.next();
            if (event == XMLStreamConstants.START_ELEMENT) {
                depth++;
                if (depth == 2 && "display-text".equals(in.getLocalName())) {
                    display = in.getElementText().strip();
                    depth--;
                }
            } else if (event == XMLStreamConstants.END_ELEMENT) {
                depth--;
            }
        }
        if (entity == null || entity.isBlank()) {
            throw new IllegalArgumentException("a user without entity");
        }
        return new User(entity.strip(), display == null || display.isEmpty() ? null : display, deleted);
    }
}
