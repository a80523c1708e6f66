package org.sylkserver.xmpp.s2s;

import java.io.StringWriter;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

import com.fasterxml.aalto.AsyncByteArrayFeeder;
import com.fasterxml.aalto.AsyncXMLInputFactory;
import com.fasterxml.aalto.AsyncXMLStreamReader;
import com.fasterxml.aalto.stax.InputFactoryImpl;
import com.fasterxml.aalto.stax.OutputFactoryImpl;

/**
 * Reads one XMPP stream (RFC 6120 §4) from whatever bytes the socket returns, with aalto-xml's non-blocking parser:
 * the stream header, then each top-level element whole, then the stream's end. Restricted XML (RFC 6120 §11.1: a
 * DOCTYPE, hence any entity declaration and any entity bomb, processing instructions, comments, entity references
 * other than the predefined ones) is refused with {@code restricted-xml}, broken XML with {@code not-well-formed},
 * and a top-level element (or a header) longer than the limit with {@code policy-violation}, before it is held in
 * memory whole.
 *
 * <p>A stream restart (after STARTTLS) needs a new parser: the next bytes begin a new XML document.
 */
public final class StreamParser {

    /** What the parser found. */
    public interface Listener {
        void streamOpened(StreamElement header) throws StreamError;

        void element(StreamElement element) throws StreamError;

        void streamClosed();
    }

    private static final AsyncXMLInputFactory INPUT = inputFactory();
    private static final XMLOutputFactory OUTPUT = outputFactory();

    /** Characters of element buffer kept between elements: well above a chat message's stanza. */
    private static final int RETAINED_BUFFER = 16 * 1024;

    private final AsyncXMLStreamReader<AsyncByteArrayFeeder> reader = INPUT.createAsyncForByteArray();
    private final Listener listener;
    private final int maxElementSize;

    private int depth;
    /** Bytes fed in all. */
    private long fed;
    /** The offset just after the last event outside top-level elements: what follows is one unfinished element. */
    private long mark;
    /**
     * The unfinished top-level element's XML, text and children. One of each serves every element of the stream
     * (cleared at its start): an S2S link carries thousands of stanzas a second, and a new writer, text and set per
     * stanza grew their buffers anew each time (about 1 KB more garbage per stanza on the reader).
     */
    private final StringWriter element = new StringWriter();
    private final StringBuilder text = new StringBuilder();
    private final Set<String> children = new LinkedHashSet<>();
    /** The XML writer into {@link #element}; null outside top-level elements. */
    private XMLStreamWriter writer;
    private String name;
    private String namespace;
    private Map<String, String> attributes;
    private boolean closed;

    public StreamParser(Listener listener, int maxElementSize) {
        this.listener = listener;
        this.maxElementSize = maxElementSize;
    }

    /** Parses {@code length} more bytes of the stream; the listener is called for what they complete. */
    public void feed(byte[] bytes, int offset, int length) throws StreamError {
        if (closed) {
            return;
        }
        try {
            reader.getInputFeeder().feedInput(bytes, offset, length);
            fed += length;
            for (int event = reader.next(); event != AsyncXMLStreamReader.EVENT_INCOMPLETE && !closed;
                 event = reader.next()) {
                handle(event);
                if (writer == null) {
                    long end = reader.getLocationInfo().getEndingByteOffset();
                    mark = end < 0 ? fed : end;
                }
            }
        } catch (XMLStreamException e) {
            throw new StreamError("not-well-formed", e.getMessage() == null ? "bad XML" : firstLine(e.getMessage()));
        }
        if (fed - mark > maxElementSize) {
            throw new StreamError("policy-violation", "stanza larger than " + maxElementSize + " bytes");
        }
    }

    private void handle(int event) throws XMLStreamException, StreamError {
        switch (event) {
            case XMLStreamConstants.START_DOCUMENT, XMLStreamConstants.SPACE -> { }
            case XMLStreamConstants.DTD -> throw new StreamError("restricted-xml", "DOCTYPE not allowed");
            case XMLStreamConstants.ENTITY_REFERENCE, XMLStreamConstants.ENTITY_DECLARATION ->
                    throw new StreamError("restricted-xml", "entity references not allowed");
            case XMLStreamConstants.PROCESSING_INSTRUCTION ->
                    throw new StreamError("restricted-xml", "processing instructions not allowed");
            case XMLStreamConstants.COMMENT -> throw new StreamError("restricted-xml", "comments not allowed");
            case XMLStreamConstants.START_ELEMENT -> startElement();
            case XMLStreamConstants.END_ELEMENT -> endElement();
            case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> characters();
            default -> { }
        }
    }

    private void startElement() throws XMLStreamException, StreamError {
        depth++;
        if (depth == 1) {
            listener.streamOpened(new StreamElement(reader.getNamespaceURI(), reader.getLocalName(), attributes(),
                    "", Set.of(), ""));
            return;
        }
        if (depth == 2) {
            element.getBuffer().setLength(0);
            text.setLength(0);
            children.clear();
            writer = OUTPUT.createXMLStreamWriter(element);
            name = reader.getLocalName();
            namespace = reader.getNamespaceURI();
            attributes = new HashMap<>(); // filled as the attributes are written: aalto makes a String per read
        } else if (depth == 3) {
            children.add("{" + reader.getNamespaceURI() + "}" + reader.getLocalName());
        }
        String prefix = reader.getPrefix() == null ? "" : reader.getPrefix();
        String uri = reader.getNamespaceURI() == null ? "" : reader.getNamespaceURI();
        writer.writeStartElement(prefix, reader.getLocalName(), uri);
        if (depth == 2 || !uri.equals(writer.getNamespaceContext().getNamespaceURI(prefix))) {
            if (prefix.isEmpty()) {
                writer.writeDefaultNamespace(uri);
            } else {
                writer.writeNamespace(prefix, uri);
            }
        }
        for (int i = 0; i < reader.getNamespaceCount(); i++) {
            String declared = reader.getNamespacePrefix(i) == null ? "" : reader.getNamespacePrefix(i);
            if (!declared.equals(prefix)) {
                if (declared.isEmpty()) {
                    writer.writeDefaultNamespace(reader.getNamespaceURI(i));
                } else {
                    writer.writeNamespace(declared, reader.getNamespaceURI(i));
                }
            }
        }
        for (int i = 0; i < reader.getAttributeCount(); i++) {
            String value = reader.getAttributeValue(i);
            String attributePrefix = reader.getAttributePrefix(i);
            if (attributePrefix == null || attributePrefix.isEmpty()) {
                writer.writeAttribute(reader.getAttributeLocalName(i), value);
            } else {
                writer.writeAttribute(attributePrefix, reader.getAttributeNamespace(i), reader.getAttributeLocalName(i),
                        value);
            }
            if (depth == 2) {
                putAttribute(attributes, i, value);
            }
        }
    }

    private void endElement() throws XMLStreamException, StreamError {
        depth--;
        if (depth == 0) {
            // the end of the stream (RFC 6120 §4.4); the document's end is never reported without end of input
            closed = true;
            listener.streamClosed();
            return;
        }
        writer.writeEndElement();
        if (depth == 1) {
            // closing the writer (not the StringWriter under it) gives aalto its buffers back for the next element
            writer.close();
            StreamElement done = new StreamElement(namespace, name, attributes, text.toString(), Set.copyOf(children),
                    element.toString());
            writer = null;
            if (element.getBuffer().capacity() > RETAINED_BUFFER) {
                // an exceptionally large stanza's buffer is not kept for the link's life
                element.getBuffer().setLength(0);
                element.getBuffer().trimToSize();
            }
            listener.element(done);
        }
    }

    private void characters() throws XMLStreamException, StreamError {
        if (depth == 1) {
            if (!reader.isWhiteSpace()) {
                throw new StreamError("not-well-formed", "text outside stanzas");
            }
            return;
        }
        if (depth >= 2) {
            writer.writeCharacters(reader.getText());
            if (depth == 2) {
                text.append(reader.getText());
            }
        }
    }

    private Map<String, String> attributes() {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < reader.getAttributeCount(); i++) {
            putAttribute(values, i, reader.getAttributeValue(i));
        }
        return values;
    }

    /** Keeps the current element's attribute {@code i} if it is unprefixed or {@code xml:*} (see StreamElement). */
    private void putAttribute(Map<String, String> values, int i, String value) {
        String uri = reader.getAttributeNamespace(i);
        if (uri == null || uri.isEmpty()) {
            values.put(reader.getAttributeLocalName(i), value);
        } else if (XMLConstants.XML_NS_URI.equals(uri)) {
            values.put("xml:" + reader.getAttributeLocalName(i), value);
        }
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static AsyncXMLInputFactory inputFactory() {
        AsyncXMLInputFactory factory = new InputFactoryImpl();
        // the DOCTYPE is reported (and refused) rather than skipped; nothing of it is ever processed
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, true);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, false);
        factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        return factory;
    }

    private static XMLOutputFactory outputFactory() {
        XMLOutputFactory factory = new OutputFactoryImpl();
        factory.setProperty(XMLOutputFactory.IS_REPAIRING_NAMESPACES, false);
        return factory;
    }
}
