package org.sylkserver.xmpp.im;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import org.jivesoftware.smack.packet.Message;
import org.junit.jupiter.api.Test;

/** Stanzas of S2S streams read as Smack models (RFC 6120 §4.8.3: jabber:server has jabber:client's content model). */
class StanzasTest {

    private static final String MESSAGE = "<message xmlns=\"jabber:server\" from=\"romeo@xmpp.example/orchard\" "
            + "to=\"bob@sip.example\" id=\"m1\" type=\"chat\"><body>Art thou not Romeo?</body></message>";

    /** RFC 6120 §4.8.3: a jabber:server message reads as the jabber:client model, its body inheriting the namespace. */
    @Test
    void aServerStanzaReadsAsTheClientModel() throws Exception {
        Message message = (Message) Stanzas.parse(MESSAGE);
        assertEquals("romeo@xmpp.example/orchard", message.getFrom().toString());
        assertEquals("bob@sip.example", message.getTo().toString());
        assertEquals("Art thou not Romeo?", message.getBody());
        assertEquals(Message.Type.chat, message.getType());
    }

    /**
     * Every stanza of an S2S link is parsed on its reader: a parse leaves little garbage (the parser's buffers are
     * reused, which aalto does only for a parser read to the end of its document; stopped at the stanza's end tag
     * it took about 13.7 KB per stanza).
     */
    @Test
    void aParseReusesTheParsersBuffers() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        for (int i = 0; i < 2_000; i++) {
            Stanzas.parse(MESSAGE);
        }
        int parses = 2_000;
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < parses; i++) {
            Stanzas.parse(MESSAGE);
        }
        long perParse = (threads.getThreadAllocatedBytes(thread) - before) / parses;
        assertTrue(perParse < 7_000, perParse + " bytes allocated per parse");
    }
    /**
     * RFC 6120 §4.8.3: a stanza written for an S2S stream carries no namespace of its own, its extensions keep
     * theirs, text and attribute values are escaped (what Smack's {@code XmlStringBuilder} writes, flattened).
     */
    @Test
    void aStanzaIsWrittenWithoutItsClientNamespace() {
        Message message = org.jivesoftware.smack.packet.StanzaBuilder.buildMessage("m1")
                .from(org.jxmpp.jid.impl.JidCreate.bareFromOrThrowUnchecked("alice@sylk.example"))
                .to(org.jxmpp.jid.impl.JidCreate.bareFromOrThrowUnchecked("juliet@xmpp.example"))
                .ofType(Message.Type.chat).setBody("a <b> & 'c'")
                .addExtension(new org.jivesoftware.smackx.chatstates.packet.ChatStateExtension(
                        org.jivesoftware.smackx.chatstates.ChatState.active))
                .build();
        assertEquals("<message to='juliet@xmpp.example' from='alice@sylk.example' id='m1' type='chat'>"
                + "<body>a &lt;b> &amp; 'c'</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>",
                Stanzas.serverXml(message));
    }
}
