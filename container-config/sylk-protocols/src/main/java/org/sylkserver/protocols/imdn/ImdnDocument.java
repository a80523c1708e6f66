package org.sylkserver.protocols.imdn;

import java.io.ByteArrayOutputStream;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

import org.sylkserver.protocols.cpim.CpimException;
import org.sylkserver.protocols.cpim.CpimMessage;
import org.sylkserver.protocols.xml.SafeXml;

/**
 * An RFC 5438 disposition notification ({@code message/imdn+xml}, §7.2): which message it is about, when that
 * message was sent, and one notification with its status, e.g. a delivery notification with status
 * {@code delivered}. Builds the XML, parses incoming documents (DOCTYPEs refused, so no external entities), and
 * wraps a notification in the CPIM message it travels in (§7.1.1).
 *
 * @param messageId    the {@code imdn.Message-ID} of the message notified about
 * @param dateTime     the {@code DateTime} of the message notified about (RFC 5438 §7.2.1.2)
 * @param recipientUri the URI of the recipient sending the notification, or null
 * @param notification the kind of notification
 * @param status       its status; must be one the kind allows (§7.2.1.3)
 */
public record ImdnDocument(String messageId, OffsetDateTime dateTime, String recipientUri,
                           Notification notification, Status status) {

    /** The media type of IMDN documents. */
    public static final String CONTENT_TYPE = "message/imdn+xml";
    /** The XML namespace of IMDN documents. */
    public static final String XML_NAMESPACE = "urn:ietf:params:xml:ns:imdn";

    /** The kinds of notification (RFC 5438 §7.2.1.3) and the statuses each allows. */
    public enum Notification {
        /** Requested with {@code positive-delivery} / {@code negative-delivery}. */
        DELIVERY("delivery-notification", EnumSet.of(Status.DELIVERED, Status.FAILED, Status.FORBIDDEN, Status.ERROR)),
        /** Requested with {@code display}. */
        DISPLAY("display-notification", EnumSet.of(Status.DISPLAYED, Status.FORBIDDEN, Status.ERROR)),
        /** Requested with {@code processing}. */
        PROCESSING("processing-notification", EnumSet.of(Status.PROCESSED, Status.STORED, Status.FORBIDDEN, Status.ERROR));

        private final String element;
        private final Set<Status> statuses;

        Notification(String element, Set<Status> statuses) {
            this.element = element;
            this.statuses = statuses;
        }

        /** The XML element name, e.g. {@code delivery-notification}. */
        public String element() {
            return element;
        }

        /** Whether a notification of this kind may carry {@code status}. */
        public boolean allows(Status status) {
            return statuses.contains(status);
        }
    }

    /** Notification statuses (RFC 5438 §7.2.1.3); the XML element is the lower-case name. */
    public enum Status {
        DELIVERED, FAILED, FORBIDDEN, ERROR, DISPLAYED, PROCESSED, STORED;

        /** The XML element name, e.g. {@code delivered}. */
        public String element() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** @throws IllegalArgumentException for a blank message id or a status the notification kind does not allow */
    public ImdnDocument {
        if (messageId == null || messageId.isBlank()) {
            throw new IllegalArgumentException("an IMDN needs the message id it is about");
        }
        if (dateTime == null || notification == null || status == null) {
            throw new IllegalArgumentException("an IMDN needs datetime, notification and status");
        }
        if (!notification.allows(status)) {
            throw new IllegalArgumentException(notification.element() + " cannot have status " + status.element());
        }
    }

    /** A delivery notification with status {@code delivered} for the message {@code messageId} sent at {@code sent}. */
    public static ImdnDocument delivered(String messageId, OffsetDateTime sent, String recipientUri) {
        return new ImdnDocument(messageId, sent, recipientUri, Notification.DELIVERY, Status.DELIVERED);
    }

    /** The document as UTF-8 XML, children in the order of the RFC 5438 §9 schema. */
    public byte[] toXml() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            XMLStreamWriter xml = XMLOutputFactory.newDefaultFactory().createXMLStreamWriter(out, "UTF-8");
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeStartElement("imdn");
            xml.writeDefaultNamespace(XML_NAMESPACE);
            textElement(xml, "message-id", messageId);
            textElement(xml, "datetime", CpimMessage.formatDateTime(dateTime));
            if (recipientUri != null) {
                textElement(xml, "recipient-uri", recipientUri);
            }
            xml.writeStartElement(notification.element());
            xml.writeStartElement("status");
            xml.writeEmptyElement(status.element());
            xml.writeEndElement();
            xml.writeEndElement();
            xml.writeEndElement();
            xml.writeEndDocument();
            xml.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("writing XML to memory failed", e);
        }
        return out.toByteArray();
    }

    private static void textElement(XMLStreamWriter xml, String name, String text) throws XMLStreamException {
        xml.writeStartElement(name);
        xml.writeCharacters(text);
        xml.writeEndElement();
    }

    /**
     * The CPIM message this notification is sent in (RFC 5438 §7.1.1): {@code from} is the recipient of the
     * original message, {@code to} its sender, {@code imdn.Message-ID} a new id, no Disposition-Notification (an
     * IMDN never asks for one), and the content marked {@code Content-Disposition: notification}.
     */
    public CpimMessage toCpim(CpimMessage.Address from, CpimMessage.Address to, String newMessageId, OffsetDateTime now) {
        return CpimMessage.builder()
                .from(from)
                .to(to)
                .dateTime(now)
                .namespace("imdn", CpimMessage.IMDN_NAMESPACE)
                .header("imdn.Message-ID", newMessageId)
                .contentHeader("Content-Type", CONTENT_TYPE)
                .contentHeader("Content-Disposition", "notification")
                .content(toXml())
                .build();
    }

    /** The notification carried by a CPIM message whose content is {@code message/imdn+xml}. */
    public static ImdnDocument fromCpim(CpimMessage cpim) throws ImdnException {
        if (!cpim.contentType().equals(CONTENT_TYPE)) {
            throw new ImdnException("CPIM content is " + CpimMessage.printable(cpim.contentType()) + ", not " + CONTENT_TYPE);
        }
        return parse(cpim.content());
    }

    /** Parses a {@code message/imdn+xml} document. */
    public static ImdnDocument parse(byte[] xml) throws ImdnException {
        Element root = read(xml).getDocumentElement();
        if (!XML_NAMESPACE.equals(root.getNamespaceURI()) || !"imdn".equals(root.getLocalName())) {
            throw new ImdnException("IMDN root element must be {" + XML_NAMESPACE + "}imdn, not " + root.getTagName());
        }
        String messageId = text(root, "message-id");
        String dateTime = text(root, "datetime");
        if (messageId == null || messageId.isEmpty()) {
            throw new ImdnException("IMDN has no message-id");
        }
        if (dateTime == null) {
            throw new ImdnException("IMDN has no datetime");
        }
        OffsetDateTime sent;
        try {
            sent = CpimMessage.parseDateTime(dateTime);
        } catch (CpimException e) {
            throw new ImdnException("IMDN datetime: " + e.getMessage());
        }
        List<Element> notifications = new ArrayList<>();
        Notification kind = null;
        for (Notification candidate : Notification.values()) {
            List<Element> found = children(root, candidate.element());
            if (!found.isEmpty()) {
                kind = candidate;
                notifications.addAll(found);
            }
        }
        if (notifications.size() != 1) {
            throw new ImdnException("IMDN must have exactly one notification element, found " + notifications.size());
        }
        return new ImdnDocument(messageId, sent, text(root, "recipient-uri"), kind, status(notifications.get(0), kind));
    }

    private static Status status(Element notification, Notification kind) throws ImdnException {
        List<Element> statusElements = children(notification, "status");
        if (statusElements.size() != 1) {
            throw new ImdnException(kind.element() + " must have one status element");
        }
        List<Element> values = children(statusElements.get(0), null);
        if (values.size() != 1) {
            throw new ImdnException(kind.element() + " status must have exactly one child element");
        }
        String name = values.get(0).getLocalName();
        for (Status status : Status.values()) {
            if (status.element().equals(name)) {
                if (!kind.allows(status)) {
                    throw new ImdnException(kind.element() + " cannot have status " + name);
                }
                return status;
            }
        }
        throw new ImdnException("unknown IMDN status " + CpimMessage.printable(name));
    }

    private static Document read(byte[] xml) throws ImdnException {
        if (xml == null || xml.length == 0) {
            throw new ImdnException("empty IMDN document");
        }
        try {
            return SafeXml.parse(xml);
        } catch (SAXException e) {
            throw new ImdnException("IMDN is not well-formed XML: " + e.getMessage(), e);
        }
    }

    /** The IMDN-namespace child elements named {@code name} (any name when null); other namespaces are extensions. */
    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        for (Node child = parent.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element element && XML_NAMESPACE.equals(element.getNamespaceURI())
                    && (name == null || name.equals(element.getLocalName()))) {
                found.add(element);
            }
        }
        return found;
    }

    private static String text(Element parent, String name) throws ImdnException {
        List<Element> found = children(parent, name);
        if (found.size() > 1) {
            throw new ImdnException("IMDN has more than one " + name);
        }
        return found.isEmpty() ? null : found.get(0).getTextContent().strip();
    }
}
