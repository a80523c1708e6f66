package org.sylkserver.protocols.imdn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import org.sylkserver.protocols.cpim.CpimException;
import org.sylkserver.protocols.cpim.CpimMessage;

/** message/imdn+xml (RFC 5438 §7.2) and its CPIM wrapper (§7.1.1). */
class ImdnDocumentTest {

    private static final OffsetDateTime SENT = OffsetDateTime.of(2025, 5, 1, 10, 0, 0, 0, ZoneOffset.UTC);

    private static ImdnDocument parse(String xml) throws ImdnException {
        return ImdnDocument.parse(xml.getBytes(StandardCharsets.UTF_8));
    }

    private static String failure(String xml) {
        return assertThrows(ImdnException.class, () -> parse(xml)).getMessage();
    }

    private static List<Element> childElements(Node parent) {
        List<Element> elements = new ArrayList<>();
        for (Node child = parent.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element element) {
                elements.add(element);
            }
        }
        return elements;
    }

    @Test
    void rfc5438_s7_2_deliveredNotificationHasTheSchemaStructure() throws Exception {
        byte[] xml = ImdnDocument.delivered("34jk&<x>", SENT, "sip:echo@example.com").toXml();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newDefaultInstance();
        factory.setNamespaceAware(true);
        Element root = factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml)).getDocumentElement();
        assertEquals("urn:ietf:params:xml:ns:imdn", root.getNamespaceURI());
        assertEquals("imdn", root.getLocalName());
        List<Element> children = childElements(root);
        assertEquals(List.of("message-id", "datetime", "recipient-uri", "delivery-notification"),
                children.stream().map(Element::getLocalName).toList(), "order of the RFC 5438 §9 schema");
        assertEquals("34jk&<x>", children.get(0).getTextContent(), "special characters survive escaping");
        assertEquals("2025-05-01T10:00:00Z", children.get(1).getTextContent());
        assertEquals("sip:echo@example.com", children.get(2).getTextContent());
        Element status = childElements(children.get(3)).get(0);
        assertEquals("status", status.getLocalName());
        List<Element> value = childElements(status);
        assertEquals(1, value.size());
        assertEquals("delivered", value.get(0).getLocalName());
        assertEquals("urn:ietf:params:xml:ns:imdn", value.get(0).getNamespaceURI());
        String text = new String(ImdnDocument.delivered("1", SENT, null).toXml(), StandardCharsets.UTF_8);
        assertTrue(text.startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"), text);
        assertTrue(text.endsWith("<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"><message-id>1</message-id>"
                + "<datetime>2025-05-01T10:00:00Z</datetime><delivery-notification><status><delivered/></status>"
                + "</delivery-notification></imdn>"), text);
    }

    @Test
    void rfc5438_s7_2_writtenDocumentsParseBack() throws ImdnException {
        ImdnDocument delivered = ImdnDocument.delivered("abc", SENT, "sip:bob@example.com");
        assertEquals(delivered, ImdnDocument.parse(delivered.toXml()));
        ImdnDocument displayed = new ImdnDocument("abc", SENT, null, ImdnDocument.Notification.DISPLAY,
                ImdnDocument.Status.DISPLAYED);
        assertEquals(displayed, ImdnDocument.parse(displayed.toXml()));
    }

    @Test
    void rfc5438_s7_2_incomingDisplayNotificationWithExtensionsIsRead() throws ImdnException {
        ImdnDocument imdn = parse("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\" xmlns:x=\"urn:example:ext\">\n"
                + "  <message-id> 34jk324j </message-id>\n"
                + "  <datetime>2008-04-04T12:16:49-05:00</datetime>\n"
                + "  <recipient-uri>im:bob@example.com</recipient-uri>\n"
                + "  <original-recipient-uri>im:bob@example.com</original-recipient-uri>\n"
                + "  <subject>Weekly report</subject>\n"
                + "  <x:extra>ignored</x:extra>\n"
                + "  <display-notification><status><displayed/></status></display-notification>\n"
                + "</imdn>");
        assertEquals("34jk324j", imdn.messageId());
        assertEquals(OffsetDateTime.of(2008, 4, 4, 12, 16, 49, 0, ZoneOffset.ofHours(-5)), imdn.dateTime());
        assertEquals("im:bob@example.com", imdn.recipientUri());
        assertEquals(ImdnDocument.Notification.DISPLAY, imdn.notification());
        assertEquals(ImdnDocument.Status.DISPLAYED, imdn.status());
    }

    @Test
    void xxe_doctypesAreRefusedAndNoFileIsRead(@TempDir Path directory) throws Exception {
        Path secret = Files.writeString(directory.resolve("secret.txt"), "TOP-SECRET");
        String external = "<?xml version=\"1.0\"?><!DOCTYPE imdn [<!ENTITY x SYSTEM \"" + secret.toUri() + "\">]>"
                + "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"><message-id>&x;</message-id>"
                + "<datetime>2025-05-01T10:00:00Z</datetime>"
                + "<delivery-notification><status><delivered/></status></delivery-notification></imdn>";
        String message = failure(external);
        assertTrue(message.contains("DOCTYPE"), message);
        assertFalse(message.contains("TOP-SECRET"), message);
        String laughs = "<?xml version=\"1.0\"?><!DOCTYPE imdn [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]>"
                + "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"><message-id>&b;</message-id></imdn>";
        assertTrue(failure(laughs).contains("DOCTYPE"));
    }

    @Test
    void rfc5438_s7_2_malformedDocumentsAreRejectedWithTheReason() {
        String head = "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">";
        String id = "<message-id>1</message-id>";
        String date = "<datetime>2025-05-01T10:00:00Z</datetime>";
        String delivered = "<delivery-notification><status><delivered/></status></delivery-notification>";
        assertEquals("empty IMDN document", assertThrows(ImdnException.class, () -> ImdnDocument.parse(new byte[0])).getMessage());
        assertTrue(failure(head + id).contains("not well-formed XML"));
        assertTrue(failure("<imdn>" + id + date + delivered + "</imdn>").contains("root element must be"));
        assertTrue(failure("<x:other xmlns:x=\"urn:ietf:params:xml:ns:imdn\"/>").contains("root element must be"));
        assertTrue(failure(head + date + delivered + "</imdn>").contains("no message-id"));
        assertTrue(failure(head + id + delivered + "</imdn>").contains("no datetime"));
        assertTrue(failure(head + id + id + date + delivered + "</imdn>").contains("more than one message-id"));
        assertTrue(failure(head + id + "<datetime>soon</datetime>" + delivered + "</imdn>").contains("datetime"));
        assertTrue(failure(head + id + date + "</imdn>").contains("exactly one notification element, found 0"));
        assertTrue(failure(head + id + date + delivered + delivered + "</imdn>").contains("found 2"));
        assertTrue(failure(head + id + date + "<delivery-notification><status><displayed/></status></delivery-notification></imdn>")
                .contains("delivery-notification cannot have status displayed"));
        assertTrue(failure(head + id + date + "<delivery-notification><status><lost/></status></delivery-notification></imdn>")
                .contains("unknown IMDN status lost"));
        assertTrue(failure(head + id + date + "<delivery-notification><status/></delivery-notification></imdn>")
                .contains("exactly one child element"));
        assertTrue(failure(head + id + date + "<delivery-notification/></imdn>").contains("one status element"));
    }

    @Test
    void rfc5438_s7_2_1_3_statusMustSuitTheNotification() {
        assertThrows(IllegalArgumentException.class, () -> new ImdnDocument("1", SENT, null,
                ImdnDocument.Notification.DELIVERY, ImdnDocument.Status.DISPLAYED));
        assertThrows(IllegalArgumentException.class, () -> ImdnDocument.delivered(" ", SENT, null));
    }

    @Test
    void rfc5438_s7_1_1_notificationTravelsInItsOwnCpimMessage() throws Exception {
        ImdnDocument delivered = ImdnDocument.delivered("orig-1", SENT, "sip:bob@example.com");
        OffsetDateTime now = SENT.plusSeconds(3);
        CpimMessage cpim = CpimMessage.parse(delivered.toCpim(CpimMessage.Address.of("sip:bob@example.com"),
                new CpimMessage.Address("Alice", "sip:alice@example.com"), "new-2", now).toBytes());
        assertEquals("sip:bob@example.com", cpim.from().orElseThrow().uri());
        assertEquals("Alice", cpim.to().get(0).displayName());
        assertEquals(now, cpim.dateTime().orElseThrow());
        assertEquals("new-2", cpim.imdnMessageId().orElseThrow(), "a new id, not the one notified about");
        assertNotEquals(delivered.messageId(), cpim.imdnMessageId().orElseThrow());
        assertTrue(cpim.dispositionNotification().isEmpty(), "an IMDN never asks for notifications (§7.1.1)");
        assertNull(cpim.namespaced(CpimMessage.IMDN_NAMESPACE, "Disposition-Notification"));
        assertEquals("message/imdn+xml", cpim.contentType());
        assertEquals("notification", cpim.contentHeader("Content-Disposition"));
        assertEquals(delivered, ImdnDocument.fromCpim(cpim));
    }

    @Test
    void fromCpimRefusesOtherContent() throws CpimException {
        CpimMessage text = CpimMessage.parse("From: <sip:a@b>\r\n\r\nContent-Type: text/plain\r\n\r\nhi".getBytes(StandardCharsets.UTF_8));
        assertTrue(assertThrows(ImdnException.class, () -> ImdnDocument.fromCpim(text)).getMessage()
                .contains("text/plain, not message/imdn+xml"));
    }

    /**
     * RFC 5438 §7 documents are XML; one that declares an encoding the JDK cannot decode (XML 1.0 §4.3.3, found
     * by CpimFuzzTest) is refused with ImdnException like any other broken document, not with an unchecked
     * exception.
     */
    @Test
    void rfc5438_s7_documentInAnUnknownEncodingIsRefused() {
        ImdnException e = assertThrows(ImdnException.class, () -> parse(
                "<?xml version=\"1.0\" encoding=\"UTFUTF-8\"?>\n<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"/>"));
        assertTrue(e.getMessage().contains("UTFUTF-8"), e.getMessage());
    }
}
