package org.sylkserver.xmpp.s2s;

import java.util.Map;
import java.util.Set;

/**
 * One top-level element of an XMPP stream (a stanza, {@code <db:result>}, {@code <stream:features>}, ...), or the
 * stream header itself.
 *
 * @param namespace  its namespace URI ({@code jabber:server} for stanzas)
 * @param name       its local name
 * @param attributes its attributes by local name (unprefixed ones and {@code xml:lang})
 * @param text       the text directly inside it (a dialback key)
 * @param children   its direct children as {@code {namespace}name}
 * @param xml        the element serialized with its namespaces declared on it, for the stanza parser
 */
public record StreamElement(String namespace, String name, Map<String, String> attributes, String text,
                            Set<String> children, String xml) {

    public static final String STREAMS = "http://etherx.jabber.org/streams";
    public static final String SERVER = "jabber:server";
    public static final String DIALBACK = "jabber:server:dialback";
    public static final String TLS = "urn:ietf:params:xml:ns:xmpp-tls";

    public String attribute(String localName) {
        return attributes.get(localName);
    }

    public boolean is(String namespaceUri, String localName) {
        return namespaceUri.equals(namespace) && localName.equals(name);
    }

    /** Whether the XML holds a child with this local name and namespace (e.g. STARTTLS among the features). */
    public boolean hasChild(String namespaceUri, String localName) {
        return children.contains("{" + namespaceUri + "}" + localName);
    }

    /** Text escaped for element content and attribute values. */
    public static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '\'' -> out.append("&apos;");
                case '"' -> out.append("&quot;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
