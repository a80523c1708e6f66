package org.sylkserver.xmpp.jingle;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jivesoftware.smack.util.PacketParserUtils;
import org.jivesoftware.smack.xml.XmlPullParser;
import org.jivesoftware.smackx.jingle.element.Jingle;
import org.jivesoftware.smackx.jingle.element.JingleAction;
import org.jivesoftware.smackx.jingle.element.JingleContent;
import org.jivesoftware.smackx.jingle.element.JingleReason;
import org.jxmpp.jid.FullJid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * A received {@code <jingle/>} element as the gateway needs it. Read from the element rather than from Smack's
 * {@code Jingle} IQ because Smack's parser drops the informational payloads of {@code session-info} (XEP-0167 §8)
 * and throws on a missing content creator, where XEP-0166 §8 wants a {@code bad-request} answer.
 *
 * @param contents the contents (an RTP description and a raw-UDP/ICE-UDP transport where they are ours, else null)
 * @param reason   the reason of a {@code session-terminate}, else null
 * @param info     the informational payload of a {@code session-info}, null for none (a ping)
 */
public record JingleRequest(JingleAction action, String sid, FullJid initiator, FullJid responder,
                            List<Content> contents, JingleReason.Reason reason, Info info) {

    /** XEP-0167 §8 informational messages ({@code urn:xmpp:jingle:apps:rtp:info:1}). */
    public enum Info {
        ACTIVE, HOLD, UNHOLD, MUTE, UNMUTE, RINGING, UNKNOWN;

        public static final String NAMESPACE = "urn:xmpp:jingle:apps:rtp:info:1";

        /** The element of this payload. */
        public StandardExtensionElement toElement() {
            return StandardExtensionElement.builder(name().toLowerCase(Locale.ROOT), NAMESPACE).build();
        }
    }

    /** One {@code <content/>}: {@code description} null for another application, {@code transport} for another method. */
    public record Content(String name, JingleContent.Creator creator, JingleContent.Senders senders,
                          RtpDescription description, JingleTransport transport) {
    }

    public JingleRequest {
        contents = List.copyOf(contents);
    }

    /** The {@code <jingle xmlns='urn:xmpp:jingle:1'>} child of an IQ's XML, or null when it has none. */
    public static StandardExtensionElement jingleElement(String iqXml) throws MalformedJingleException {
        try {
            XmlPullParser parser = PacketParserUtils.getParserFor(iqXml);
            int iqDepth = parser.getDepth();
            while (true) {
                XmlPullParser.Event event = parser.next();
                if (event == XmlPullParser.Event.END_DOCUMENT
                        || event == XmlPullParser.Event.END_ELEMENT && parser.getDepth() == iqDepth) {
                    return null;
                }
                if (event == XmlPullParser.Event.START_ELEMENT && parser.getDepth() == iqDepth + 1
                        && Jingle.ELEMENT.equals(parser.getName()) && Jingle.NAMESPACE.equals(parser.getNamespace())) {
                    return element(parser);
                }
            }
        } catch (Exception e) {
            throw new MalformedJingleException("unreadable IQ: " + e.getMessage());
        }
    }

    /**
     * The element at the parser's start tag with its subtree. Smack's {@code StandardExtensionElementProvider} would
     * do, but it asserts that a namespace declaration has a prefix, which the StAX parser does not give for
     * {@code xmlns='...'}.
     */
    private static StandardExtensionElement element(XmlPullParser parser) throws Exception {
        StandardExtensionElement.Builder element = StandardExtensionElement.builder(parser.getName(),
                parser.getNamespace());
        for (int i = 0; i < parser.getAttributeCount(); i++) {
            element.addAttribute(parser.getAttributeName(i), parser.getAttributeValue(i));
        }
        StringBuilder text = new StringBuilder();
        while (true) {
            switch (parser.next()) {
                case START_ELEMENT -> element.addElement(element(parser));
                case TEXT_CHARACTERS -> text.append(parser.getText());
                case END_ELEMENT -> {
                    if (!text.toString().isBlank()) {
                        element.setText(text.toString());
                    }
                    return element.build();
                }
                case END_DOCUMENT -> throw new MalformedJingleException("unfinished <" + parser.getName() + ">");
                default -> { }
            }
        }
    }

    /** Reads a {@code <jingle/>} element (XEP-0166 §7). */
    public static JingleRequest read(StandardExtensionElement jingle) throws MalformedJingleException {
        String actionName = Attributes.required(jingle, "action");
        JingleAction action;
        try {
            action = JingleAction.fromString(actionName);
        } catch (IllegalArgumentException e) {
            throw new MalformedJingleException("unknown action '" + actionName + "'");
        }
        String sid = Attributes.required(jingle, "sid");
        List<Content> contents = new ArrayList<>();
        for (StandardExtensionElement content : Attributes.children(jingle, "content", Jingle.NAMESPACE)) {
            StandardExtensionElement description = content.getFirstElement(RtpDescription.ELEMENT,
                    RtpDescription.NAMESPACE);
            StandardExtensionElement transport = Attributes.children(content).stream()
                    .filter(e -> e.getElementName().equals(JingleTransport.ELEMENT)).findFirst().orElse(null);
            contents.add(new Content(Attributes.required(content, "name"),
                    value(JingleContent.Creator.class, Attributes.required(content, "creator"), "creator"),
                    content.getAttributeValue("senders") == null ? JingleContent.Senders.both
                            : value(JingleContent.Senders.class, content.getAttributeValue("senders"), "senders"),
                    description != null ? RtpDescription.from(description) : null,
                    transport != null ? JingleTransport.from(transport) : null));
        }
        JingleReason.Reason reason = null;
        StandardExtensionElement reasonElement = jingle.getFirstElement("reason", Jingle.NAMESPACE);
        if (reasonElement != null) {
            for (StandardExtensionElement condition : Attributes.children(reasonElement)) {
                if (!condition.getElementName().equals("text")) {
                    try {
                        reason = JingleReason.Reason.fromString(condition.getElementName());
                    } catch (IllegalArgumentException e) {
                        reason = JingleReason.Reason.general_error; // XEP-0166 §7.4: an unknown condition is a general error
                    }
                }
            }
        }
        Info info = null;
        for (StandardExtensionElement child : Attributes.children(jingle)) {
            if (Info.NAMESPACE.equals(child.getNamespace())) {
                info = switch (child.getElementName()) {
                    case "active" -> Info.ACTIVE;
                    case "hold" -> Info.HOLD;
                    case "unhold" -> Info.UNHOLD;
                    case "mute" -> Info.MUTE;
                    case "unmute" -> Info.UNMUTE;
                    case "ringing" -> Info.RINGING;
                    default -> Info.UNKNOWN;
                };
            } else if (!Jingle.NAMESPACE.equals(child.getNamespace())) {
                info = Info.UNKNOWN;
            }
        }
        return new JingleRequest(action, sid, jid(jingle, "initiator"), jid(jingle, "responder"), contents, reason,
                info);
    }

    private static FullJid jid(StandardExtensionElement jingle, String name) throws MalformedJingleException {
        String value = jingle.getAttributeValue(name);
        if (value == null) {
            return null;
        }
        try {
            return JidCreate.fullFrom(value);
        } catch (Exception e) {
            throw new MalformedJingleException(name + " '" + value + "' is not a full JID");
        }
    }

    private static <E extends Enum<E>> E value(Class<E> type, String value, String name) throws MalformedJingleException {
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            throw new MalformedJingleException("bad " + name + " '" + value + "'");
        }
    }
}
