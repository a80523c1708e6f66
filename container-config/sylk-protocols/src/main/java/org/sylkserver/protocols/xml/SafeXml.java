package org.sylkserver.protocols.xml;

import java.io.ByteArrayInputStream;
import java.io.IOException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Document;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Parses XML documents that arrive from the network (IMDN, RCS file transfer): the JDK's own namespace-aware parser
 * with no DOCTYPE at all, which rules out external entities (XXE) and entity-expansion bombs, and which fails on the
 * first error instead of printing it.
 */
public final class SafeXml {

    private SafeXml() {
    }

    /**
     * The document in {@code xml}.
     *
     * @throws SAXException when it is not well-formed, has a DOCTYPE, or its bytes cannot be decoded (XML 1.0 §4.3.3)
     */
    public static Document parse(byte[] xml) throws SAXException {
        try {
            // the JDK's own parser, whatever else is on the container's class path
            DocumentBuilderFactory factory = DocumentBuilderFactory.newDefaultInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(FAIL);
            return builder.parse(new ByteArrayInputStream(xml));
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK XML parser cannot be set up", e);
        } catch (IOException e) {
            // nothing is read from a stream that can fail: the bytes could not be decoded
            throw new SAXException("cannot be decoded: " + e.getMessage(), e);
        }
    }

    /** Fails on the first problem instead of printing it to stderr as the default handler does. */
    private static final ErrorHandler FAIL = new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {
            // warnings do not make a document unusable
        }

        @Override
        public void error(SAXParseException e) throws SAXParseException {
            throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXParseException {
            throw e;
        }
    };
}
