package org.sylkserver.xmpp.presence;

import java.util.ArrayList;
import java.util.List;

import org.jivesoftware.smack.packet.Presence;
import org.sylkserver.protocols.xml.SafeXml;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * A SIP user's PIDF document (RFC 3863, RPID RFC 4480) as XMPP availability, one presence per tuple (spec §5.5.2
 * step 2): the resource is the tuple's device id ({@code device-info id}) or else the tuple id; available unless
 * the extended status is {@code offline} (or, without one, unless basic is {@code closed}); {@code show} from the
 * extended status (away → away, busy → dnd), else from the person's activities (away → away, holiday or vacation →
 * xa, busy → dnd); the first note is the status text.
 */
public final class PidfReader {

    /** One tuple's availability. */
    public record Tuple(String resource, boolean available, Presence.Mode show, String note) {
    }

    private PidfReader() {
    }

    /** The tuples of a document; {@link IllegalArgumentException} when it is not PIDF. */
    public static List<Tuple> read(byte[] pidf) {
        Document document;
        try {
            document = SafeXml.parse(pidf);
        } catch (SAXException e) {
            throw new IllegalArgumentException("PIDF is not well-formed XML: " + e.getMessage(), e);
        }
        Element root = document.getDocumentElement();
        if (!"presence".equals(root.getLocalName()) || !"urn:ietf:params:xml:ns:pidf".equals(root.getNamespaceURI())) {
            throw new IllegalArgumentException("not a PIDF document: " + root.getLocalName());
        }
        Presence.Mode personShow = null;
        for (Element person : children(root, "person")) {
            for (Element activities : children(person, "activities")) {
                for (Node node = activities.getFirstChild(); node != null; node = node.getNextSibling()) {
                    if (node instanceof Element activity) {
                        Presence.Mode mode = switch (activity.getLocalName()) {
                            case "away" -> Presence.Mode.away;
                            case "holiday", "vacation" -> Presence.Mode.xa;
                            case "busy" -> Presence.Mode.dnd;
                            default -> null;
                        };
                        personShow = mode != null ? mode : personShow;
                    }
                }
            }
        }
        List<Tuple> tuples = new ArrayList<>();
        for (Element tuple : children(root, "tuple")) {
            String resource = tuple.getAttribute("id");
            for (Element device : children(tuple, "device-info")) {
                if (!device.getAttribute("id").isEmpty()) {
                    resource = device.getAttribute("id");
                }
            }
            String basic = null;
            String extended = null;
            for (Element status : children(tuple, "status")) {
                basic = text(children(status, "basic"));
                extended = text(children(status, "extended"));
            }
            boolean available = extended != null ? !extended.equals("offline") : !"closed".equals(basic);
            Presence.Mode show = "away".equals(extended) ? Presence.Mode.away
                    : "busy".equals(extended) ? Presence.Mode.dnd : personShow;
            tuples.add(new Tuple(resource, available, show, text(children(tuple, "note"))));
        }
        return tuples;
    }

    private static List<Element> children(Element parent, String localName) {
        List<Element> found = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element element && localName.equals(element.getLocalName())) {
                found.add(element);
            }
        }
        return found;
    }

    private static String text(List<Element> elements) {
        return elements.isEmpty() ? null : elements.get(0).getTextContent().strip();
    }
}
