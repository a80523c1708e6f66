package org.sylkserver.protocols.rcs;

import java.io.ByteArrayOutputStream;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

import org.sylkserver.protocols.xml.SafeXml;

/**
 * The RCS file-transfer-over-HTTP document ({@code application/vnd.gsma.rcs-ft-http+xml}, GSMA RCC.07 "File Transfer
 * via HTTP"): the {@code file-info type="file"} of a {@code file} root in namespace
 * {@code urn:gsma:params:xml:ns:rcs:rcs:fthttp} with size, name, content type and a {@code data} element with the
 * download URL and its validity, and the hash in the RCS UP extension namespace ({@code file-hash}). A thumbnail
 * {@code file-info} is ignored. Parsed with no DOCTYPE allowed ({@link SafeXml}).
 *
 * @param fileName    the file's name, or null when the document has none
 * @param fileSize    its size in bytes
 * @param contentType its MIME type
 * @param url         where it is downloaded
 * @param until       until when, or null
 * @param hash        its hash as the sender wrote it (e.g. {@code sha-1:3A:7F:...}), or null
 */
public record FileTransferHttpDocument(String fileName, long fileSize, String contentType, String url,
                                       OffsetDateTime until, String hash) {

    public static final String CONTENT_TYPE = "application/vnd.gsma.rcs-ft-http+xml";
    public static final String NAMESPACE = "urn:gsma:params:xml:ns:rcs:rcs:fthttp";
    public static final String EXTENSION_NAMESPACE = "urn:gsma:params:xml:ns:rcs:rcs:up:fthttpext";

    /** The document's XML, UTF-8. */
    public byte[] toXml() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            XMLStreamWriter xml = XMLOutputFactory.newDefaultFactory().createXMLStreamWriter(out, "UTF-8");
            xml.writeStartDocument("UTF-8", "1.0");
            xml.setDefaultNamespace(NAMESPACE);
            xml.setPrefix("x", EXTENSION_NAMESPACE);
            xml.writeStartElement(NAMESPACE, "file");
            xml.writeDefaultNamespace(NAMESPACE);
            xml.writeNamespace("x", EXTENSION_NAMESPACE);
            xml.writeStartElement(NAMESPACE, "file-info");
            xml.writeAttribute("type", "file");
            text(xml, NAMESPACE, "file-size", Long.toString(fileSize));
            if (fileName != null) {
                text(xml, NAMESPACE, "file-name", fileName);
            }
            text(xml, NAMESPACE, "content-type", contentType);
            xml.writeEmptyElement(NAMESPACE, "data");
            xml.writeAttribute("url", url);
            if (until != null) {
                xml.writeAttribute("until", until.toString());
            }
            if (hash != null) {
                text(xml, EXTENSION_NAMESPACE, "file-hash", hash);
            }
            xml.writeEndElement();
            xml.writeEndElement();
            xml.writeEndDocument();
            xml.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("the JDK XML writer failed in memory", e);
        }
        return out.toByteArray();
    }

    private static void text(XMLStreamWriter xml, String namespace, String name, String value) throws XMLStreamException {
        xml.writeStartElement(namespace, name);
        xml.writeCharacters(value);
        xml.writeEndElement();
    }

    /**
     * The document's {@code file-info type="file"}.
     *
     * @throws FileTransferHttpException when it is not well-formed, has a DOCTYPE, is not an RCS FT-HTTP document, or
     *                                   its file lacks size, content type or URL, or they are not valid
     */
    public static FileTransferHttpDocument parse(byte[] xml) throws FileTransferHttpException {
        if (xml == null || xml.length == 0) {
            throw new FileTransferHttpException("empty RCS file-transfer document");
        }
        Element root;
        try {
            root = SafeXml.parse(xml).getDocumentElement();
        } catch (SAXException e) {
            throw new FileTransferHttpException("RCS file-transfer document is not well-formed XML: " + e.getMessage());
        }
        if (!NAMESPACE.equals(root.getNamespaceURI()) || !"file".equals(root.getLocalName())) {
            throw new FileTransferHttpException("not an RCS file-transfer document (root {" + root.getNamespaceURI()
                    + "}" + root.getLocalName() + ")");
        }
        for (Element info = child(root, NAMESPACE, "file-info", null); info != null;
             info = child(root, NAMESPACE, "file-info", info)) {
            if ("file".equals(info.getAttribute("type"))) {
                return file(info);
            }
        }
        throw new FileTransferHttpException("RCS file-transfer document without file-info type=\"file\"");
    }

    private static FileTransferHttpDocument file(Element info) throws FileTransferHttpException {
        String size = text(info, NAMESPACE, "file-size");
        String contentType = text(info, NAMESPACE, "content-type");
        Element data = child(info, NAMESPACE, "data", null);
        if (size == null || contentType == null || data == null || data.getAttribute("url").isBlank()) {
            throw new FileTransferHttpException("RCS file-info without file-size, content-type or data url");
        }
        long fileSize;
        try {
            fileSize = Long.parseLong(size.strip());
        } catch (NumberFormatException e) {
            fileSize = -1;
        }
        if (fileSize < 0) {
            throw new FileTransferHttpException("RCS file-size is not a byte count: " + size);
        }
        String url = data.getAttribute("url").strip();
        if (!url.startsWith("https://") && !url.startsWith("http://")) {
            throw new FileTransferHttpException("RCS data url is not an HTTP URL: " + url);
        }
        OffsetDateTime until = null;
        if (!data.getAttribute("until").isBlank()) {
            try {
                until = OffsetDateTime.parse(data.getAttribute("until").strip());
            } catch (DateTimeParseException e) {
                throw new FileTransferHttpException("RCS data until is not a date-time: " + data.getAttribute("until"));
            }
        }
        String name = text(info, NAMESPACE, "file-name");
        String hash = text(info, EXTENSION_NAMESPACE, "file-hash");
        return new FileTransferHttpDocument(name == null ? null : name.strip(), fileSize, contentType.strip(), url,
                until, hash == null ? null : hash.strip());
    }

    /** The first child element {@code {namespace}name} after {@code after} (from the start when null). */
    private static Element child(Element parent, String namespace, String name, Element after) {
        for (Node node = after == null ? parent.getFirstChild() : after.getNextSibling(); node != null;
             node = node.getNextSibling()) {
            if (node instanceof Element element && namespace.equals(element.getNamespaceURI())
                    && name.equals(element.getLocalName())) {
                return element;
            }
        }
        return null;
    }

    private static String text(Element parent, String namespace, String name) {
        Element element = child(parent, namespace, name, null);
        return element == null ? null : element.getTextContent();
    }
}
