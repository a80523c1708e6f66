package org.sylkserver.xmpp.im;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smackx.chatstates.ChatState;
import org.junit.jupiter.api.Test;

/** Spec §5.4.1. */
class SipToXmppTest {

    private final SipToXmpp msrpMode = new SipToXmpp(Set.of("sylk.example"), true);
    private final SipToXmpp messageMode = new SipToXmpp(Set.of("sylk.example"), false);

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void plainTextBecomesANormalMessageFromTheSendersGruu() {
        SipToXmpp.Outcome outcome = msrpMode.translate("text/plain", bytes("hello"), "sip:alice@sylk.example;gr=dev1",
                "sip:juliet@xmpp.example");
        assertEquals(200, outcome.status());
        Message message = outcome.stanza();
        assertEquals(Message.Type.normal, message.getType());
        assertEquals("alice@sylk.example/dev1", message.getFrom().toString());
        assertEquals("juliet@xmpp.example", message.getTo().toString());
        assertEquals("hello", message.getBody());
        String xml = Stanzas.serverXml(message);
        assertFalse(xml.contains("xmlns"), xml);
    }

    @Test
    void withoutMsrpChatItIsAChatMessageWithActive() {
        Message message = messageMode.translate("text/plain", bytes("hi"), "sip:alice@sylk.example",
                "sip:juliet@xmpp.example").stanza();
        assertEquals(Message.Type.chat, message.getType());
        assertEquals(ChatState.active, Stanzas.chatState(message));
        assertEquals(74, message.getFrom().getResourceOrEmpty().length());
    }

    @Test
    void aForeignSenderGets606() {
        assertEquals(606, msrpMode.translate("text/plain", bytes("x"), "sip:mallory@elsewhere.example",
                "sip:juliet@xmpp.example").status());
    }

    @Test
    void missingPartsGet400() {
        assertEquals(400, msrpMode.translate(null, bytes("x"), "sip:alice@sylk.example", "sip:j@x.example").status());
        assertEquals(400, msrpMode.translate("text/plain", bytes("x"), null, "sip:j@x.example").status());
        assertEquals(400, msrpMode.translate("message/cpim", bytes("garbage"), "sip:alice@sylk.example",
                "sip:j@x.example").status());
    }

    /** CPIM is unwrapped; its From replaces the SIP From (and is checked the same way). */
    @Test
    void cpimIsUnwrappedAndItsFromWins() {
        String cpim = "From: <sip:bob@sylk.example>\r\nTo: <sip:juliet@xmpp.example>\r\n\r\n"
                + "Content-Type: text/plain\r\n\r\nwrapped";
        Message message = msrpMode.translate("message/cpim", bytes(cpim), "sip:alice@sylk.example;gr=d",
                "sip:juliet@xmpp.example").stanza();
        assertEquals("bob@sylk.example/d", message.getFrom().toString());
        assertEquals("wrapped", message.getBody());
        String foreign = cpim.replace("bob@sylk.example", "bob@elsewhere.example");
        assertEquals(606, msrpMode.translate("message/cpim", bytes(foreign), "sip:alice@sylk.example",
                "sip:juliet@xmpp.example").status());
    }

    /** Spec §5.3, XEP-0071: HTML becomes XHTML-IM, well-formed and without scripts, with its text as the body. */
    @Test
    void htmlBecomesXhtmlImWithAPlainBody() {
        Message message = msrpMode.translate("text/html", bytes("<p>Hi <b>there</b> &amp; you<br><script>x()</script>"),
                "sip:alice@sylk.example", "sip:juliet@xmpp.example").stanza();
        assertEquals("Hi there & you", message.getBody());
        String xml = Stanzas.serverXml(message);
        assertTrue(xml.contains("<html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'>"
                + "<p>Hi <b>there</b> &amp; you<br /></p></body></html>"), xml);
        assertFalse(xml.contains("script"), xml);
    }

    /** A Request-URI gr that decodes names the XMPP resource (spec §5.3). */
    @Test
    void aRequestUriGrAddressesAResource() {
        Message message = msrpMode.translate("text/plain", bytes("x"), "sip:alice@sylk.example",
                "sip:juliet@xmpp.example;gr=" + Addresses.gruuOf("balcony")).stanza();
        assertEquals("juliet@xmpp.example/balcony", message.getTo().toString());
    }

    @Test
    void isComposingBecomesAChatStateOnlyWithoutMsrpChat() {
        String typing = "<isComposing xmlns='urn:ietf:params:xml:ns:im-iscomposing'><state>active</state></isComposing>";
        Message state = messageMode.translate("application/im-iscomposing+xml", bytes(typing),
                "sip:alice@sylk.example", "sip:juliet@xmpp.example").stanza();
        assertEquals(ChatState.composing, Stanzas.chatState(state));
        assertNull(state.getBody());
        SipToXmpp.Outcome ignored = msrpMode.translate("application/im-iscomposing+xml", bytes(typing),
                "sip:alice@sylk.example", "sip:juliet@xmpp.example");
        assertEquals(200, ignored.status());
        assertNull(ignored.stanza());
    }

    @Test
    void otherTypesAreAcceptedAndDropped() {
        SipToXmpp.Outcome outcome = msrpMode.translate("application/octet-stream", bytes("x"),
                "sip:alice@sylk.example", "sip:juliet@xmpp.example");
        assertEquals(200, outcome.status());
        assertNull(outcome.stanza());
        assertTrue(outcome.reason().equals("OK"));
    }
}
