package org.sylkserver.xmpp.im;

import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.util.PacketParserUtils;
import org.jivesoftware.smack.util.XmlStringBuilder;
import org.jivesoftware.smack.xml.XmlPullParser;
import org.jivesoftware.smackx.chatstates.ChatState;
import org.jivesoftware.smackx.chatstates.packet.ChatStateExtension;

/** Smack stanzas as the S2S streams need them. */
public final class Stanzas {

    private Stanzas() {
    }

    /**
     * The stanza's XML for an S2S stream: without a namespace of its own (Smack's models say {@code jabber:client}),
     * so it inherits the stream's {@code jabber:server} (RFC 6120 §4.8.3).
     *
     * <p>Smack's {@code XmlStringBuilder} is flattened the way Smack's own connections write it
     * ({@link XmlStringBuilder#toXML(XmlEnvironment)}, leaf by leaf): its {@code toString()} appends each nested
     * element (body, extensions) one {@code charAt} at a time, and each {@code charAt} walks the element's parts from
     * the start: a third of the SIP thread's serialisation time for a plain message (one is made per SIP MESSAGE to
     * an XMPP user, on the SIP thread).
     */
    public static String serverXml(Stanza stanza) {
        XmlEnvironment stream = new XmlEnvironment(stanza.getNamespace());
        CharSequence xml = stanza.toXML(stream);
        return xml instanceof XmlStringBuilder builder ? builder.toXML(stream).toString() : xml.toString();
    }

    /**
     * A stanza of an S2S stream as a Smack model. Smack's models are those of {@code jabber:client}; the content
     * model of {@code jabber:server} is the same (RFC 6120 §4.8.3), so the stanza's own namespace declaration is
     * read as {@code jabber:client} (its body, subject and thread inherit it).
     *
     * <p>The parser is read to the end of the document after the stanza: Smack's StAX parser here is aalto's, which
     * gives its buffers back (for the next parse on the thread) only there; stopped at the stanza's end tag it left
     * some 11 KB more garbage per stanza on the S2S reader (13.7 KB instead of 2.7, {@code StanzasTest}).
     */
    public static Stanza parse(String serverXml) throws Exception {
        int tagEnd = serverXml.indexOf('>');
        String tag = serverXml.substring(0, tagEnd < 0 ? serverXml.length() : tagEnd);
        String clientTag = tag.replace("xmlns=\"jabber:server\"", "xmlns=\"jabber:client\"")
                .replace("xmlns='jabber:server'", "xmlns='jabber:client'");
        XmlPullParser parser = PacketParserUtils.getParserFor(clientTag + serverXml.substring(tag.length()));
        Stanza stanza = PacketParserUtils.parseStanza(parser, XmlEnvironment.EMPTY);
        while (parser.next() != XmlPullParser.Event.END_DOCUMENT) {
            // nothing follows the stanza's end tag (the stream parser made this XML of one element)
        }
        return stanza;
    }

    /** The message's chat state (XEP-0085), or null. */
    public static ChatState chatState(Message message) {
        return message.getExtension(ChatStateExtension.NAMESPACE) instanceof ChatStateExtension state
                ? state.getChatState() : null;
    }

    /** The error answering a message or presence (RFC 6120 §8.3): same id, from its recipient back to its sender. */
    public static Stanza error(Stanza request, StanzaError.Condition condition, StanzaError.Type type) {
        StanzaError error = StanzaError.getBuilder(condition).setType(type).build();
        if (request instanceof Message message) {
            return StanzaBuilder.buildMessage(message.getStanzaId()).ofType(Message.Type.error)
                    .from(message.getTo()).to(message.getFrom()).setError(error).build();
        }
        return StanzaBuilder.buildPresence(request.getStanzaId()).ofType(Presence.Type.error)
                .from(request.getTo()).to(request.getFrom()).setError(error).build();
    }
}
