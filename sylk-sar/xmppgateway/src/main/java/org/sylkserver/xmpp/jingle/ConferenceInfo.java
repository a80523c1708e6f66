package org.sylkserver.xmpp.jingle;

import java.io.ByteArrayInputStream;
import java.util.UUID;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jxmpp.jid.Jid;

/**
 * XEP-0298 (Coin) for the calls a conference focus places to XMPP users (spec §5.7): the focus indication of the
 * session-initiate (§5), and the conference's state, as the SIP conference event package delivers it (RFC 4575),
 * handed to the Jingle party in an IQ set (§6).
 */
public final class ConferenceInfo {

    /** XEP-0298 §10.1 (schema): the namespace of the focus indication. */
    public static final String NAMESPACE = "urn:xmpp:coin:1";
    public static final String ELEMENT = "conference-info";
    /** RFC 4575 §5: the conference-info document's namespace, which XEP-0298 §6 keeps. */
    public static final String RFC4575_NAMESPACE = "urn:ietf:params:xml:ns:conference-info";
    /** The largest conference-info document passed on (a NOTIFY body: the SIP side's to bound, ours to refuse). */
    public static final int MAX_DOCUMENT = 64 * 1024;
    /** How deep a document may nest (RFC 4575's schema needs 6 levels; extensions a few more). */
    private static final int MAX_DEPTH = 16;

    private static final XMLInputFactory IN = XMLInputFactory.newFactory();

    static {
        IN.setProperty(XMLInputFactory.SUPPORT_DTD, false); // no DOCTYPE, so no entity expansion
        IN.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        IN.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        IN.setProperty(XMLInputFactory.IS_COALESCING, true);
    }

    private ConferenceInfo() {
    }

    /** XEP-0298 §5: {@code <conference-info xmlns='urn:xmpp:coin:1' isfocus='true'/>}, a child of the jingle element. */
    public static StandardExtensionElement focus() {
        return StandardExtensionElement.builder(ELEMENT, NAMESPACE).addAttribute("isfocus", "true").build();
    }

    /**
     * XEP-0298 §6: the RFC 4575 document {@code document} (a conference event NOTIFY's body) as the child of our IQ:
     * the same elements (each in its namespace), unprefixed attributes and text, with the Jingle session's
     * {@code sid} on the root; comments and processing instructions dropped.
     *
     * @throws IllegalArgumentException when it is no conference-info document, is larger than {@link #MAX_DOCUMENT},
     *                                  nests deeper than 16 levels or has a DOCTYPE
     */
    public static StandardExtensionElement update(byte[] document, String sid) {
        if (document.length > MAX_DOCUMENT) {
            throw new IllegalArgumentException("conference-info of " + document.length + " bytes");
        }
        try {
            XMLStreamReader in = IN.createXMLStreamReader(new ByteArrayInputStream(document));
            try {
                while (in.next() != XMLStreamConstants.START_ELEMENT) {
                    if (in.getEventType() == XMLStreamConstants.DTD) {
                        throw new IllegalArgumentException("DTDs are refused");
                    }
                }
                if (!ELEMENT.equals(in.getLocalName()) || !RFC4575_NAMESPACE.equals(in.getNamespaceURI())) {
                    throw new IllegalArgumentException("not a conference-info document: " + in.getName());
                }
                return element(in, 1, sid);
            } finally {
                in.close();
            }
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException("not XML: " + e.getMessage(), e);
        }
    }

    /** The element at {@code in}'s start tag with its subtree; {@code sid} (non-null) replaces the root's. */
    private static StandardExtensionElement element(XMLStreamReader in, int depth, String sid)
            throws XMLStreamException {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("conference-info nested deeper than " + MAX_DEPTH);
        }
        StandardExtensionElement.Builder element = StandardExtensionElement.builder(in.getLocalName(),
                in.getNamespaceURI() == null ? "" : in.getNamespaceURI());
        for (int i = 0; i < in.getAttributeCount(); i++) {
            String prefix = in.getAttributePrefix(i);
            if ((prefix == null || prefix.isEmpty()) && !(sid != null && in.getAttributeLocalName(i).equals("sid"))) {
                element.addAttribute(in.getAttributeLocalName(i), in.getAttributeValue(i));
            }
        }
        if (sid != null) {
            element.addAttribute("sid", sid);
        }
        StringBuilder text = new StringBuilder();
        while (true) {
            switch (in.next()) {
                case XMLStreamConstants.START_ELEMENT -> element.addElement(element(in, depth + 1, null));
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE ->
                        text.append(in.getText());
                case XMLStreamConstants.END_ELEMENT -> {
                    if (!text.toString().isBlank()) {
                        element.setText(text.toString().strip());
                    }
                    return element.build();
                }
                case XMLStreamConstants.DTD, XMLStreamConstants.ENTITY_REFERENCE ->
                        throw new IllegalArgumentException("DTDs and entities are refused");
                default -> { } // comments, processing instructions
            }
        }
    }

    /** XEP-0298 §6: the IQ set from the focus ({@code from}) carrying {@code document} (from {@link #update}). */
    public static IQ iq(Jid from, Jid to, StandardExtensionElement document) {
        IQ iq = new IQ(document.getElementName(), document.getNamespace()) {
            @Override
            protected IQChildElementXmlStringBuilder getIQChildElementBuilder(IQChildElementXmlStringBuilder xml) {
                document.getAttributes().forEach(xml::attribute);
                xml.rightAngleBracket();
                XmlEnvironment inside = XmlEnvironment.builder().withNamespace(document.getNamespace()).build();
                document.getElements().forEach(child -> xml.append(child.toXML(inside)));
                return xml;
            }
        };
        iq.setType(IQ.Type.set);
        iq.setFrom(from);
        iq.setTo(to);
        iq.setStanzaId("coin-" + UUID.randomUUID());
        return iq;
    }
}
