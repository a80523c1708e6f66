package org.sylkserver.xmpp.im;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;

import org.jivesoftware.smack.packet.Message;
import org.junit.jupiter.api.Test;
import org.sylkserver.protocols.cpim.CpimMessage;
import org.sylkserver.protocols.iscomposing.IsComposing;

/** Spec §5.4.2. */
class XmppToSipTest {

    private static final OffsetDateTime NOW = OffsetDateTime.parse("2026-12-05T08:00:00Z");

    private static Message parse(String xml) throws Exception {
        return (Message) Stanzas.parse(xml);
    }

    @Test
    void aMessageBecomesOneCpimMessageWithoutGruus() throws Exception {
        Message message = parse("<message xmlns='jabber:server' from='juliet@xmpp.example/balcony' "
                + "to='alice@sylk.example/abc'><body>hello</body></message>");
        XmppToSip.SipMessage sip = new XmppToSip(true, true).translate(message, NOW).orElseThrow();
        assertEquals("sip:juliet@xmpp.example", sip.from());
        assertEquals("sip:alice@sylk.example", sip.to());
        assertEquals("message/cpim", sip.contentType());
        CpimMessage cpim = CpimMessage.parse(sip.body());
        assertEquals("sip:juliet@xmpp.example", cpim.from().orElseThrow().uri());
        assertEquals("hello", new String(cpim.content(), StandardCharsets.UTF_8));
    }

    /** Quirk Q12 fixed: a long body is one request carrying the body once. */
    @Test
    void aLongBodyIsOneRequest_q12() throws Exception {
        String text = "x".repeat(5000);
        Message message = parse("<message xmlns='jabber:server' from='juliet@xmpp.example' to='alice@sylk.example'>"
                + "<body>" + text + "</body></message>");
        XmppToSip.SipMessage sip = new XmppToSip(true, false).translate(message, NOW).orElseThrow();
        assertEquals("text/plain;charset=utf-8", sip.contentType());
        assertEquals(text, new String(sip.body(), StandardCharsets.UTF_8));
    }

    /** Spec §5.3: XHTML-IM becomes text/html. */
    @Test
    void xhtmlImBecomesHtml() throws Exception {
        Message message = parse("<message xmlns='jabber:server' from='juliet@xmpp.example' to='alice@sylk.example'>"
                + "<body>hi there</body><html xmlns='http://jabber.org/protocol/xhtml-im'>"
                + "<body xmlns='http://www.w3.org/1999/xhtml'><p>hi <em>there</em></p></body></html></message>");
        XmppToSip.SipMessage sip = new XmppToSip(true, false).translate(message, NOW).orElseThrow();
        assertEquals("text/html;charset=utf-8", sip.contentType());
        String html = new String(sip.body(), StandardCharsets.UTF_8);
        assertTrue(html.contains("<p>hi <em>there</em></p>"), html);
    }

    @Test
    void chatStatesBecomeIsComposingWithoutMsrpChat() throws Exception {
        Message typing = parse("<message xmlns='jabber:server' type='chat' from='juliet@xmpp.example' "
                + "to='alice@sylk.example'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>");
        XmppToSip.SipMessage sip = new XmppToSip(false, true).translate(typing, NOW).orElseThrow();
        assertEquals(IsComposing.CONTENT_TYPE, sip.contentType());
        assertTrue(IsComposing.parse(sip.body()).active());
        assertTrue(new XmppToSip(true, true).translate(typing, NOW).isEmpty());
    }

    @Test
    void errorsAndEmptyMessagesGiveNothing() throws Exception {
        assertTrue(new XmppToSip(false, true).translate(parse("<message xmlns='jabber:server' type='error' "
                + "from='juliet@xmpp.example' to='alice@sylk.example'><body>x</body></message>"), NOW).isEmpty());
        assertTrue(new XmppToSip(false, true).translate(parse("<message xmlns='jabber:server' "
                + "from='juliet@xmpp.example' to='alice@sylk.example'/>"), NOW).isEmpty());
    }
}
