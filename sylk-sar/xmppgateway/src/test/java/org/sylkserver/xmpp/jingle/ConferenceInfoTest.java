package org.sylkserver.xmpp.jingle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;

/** XEP-0298 (Coin) elements of a conference focus's Jingle calls (spec §5.7). */
class ConferenceInfoTest {

    /** An RFC 4575 §6 style document as the conference application sends it, with a comment to drop. */
    private static final String DOCUMENT = "<?xml version='1.0' encoding='UTF-8'?>\n"
            + "<conference-info xmlns='urn:ietf:params:xml:ns:conference-info' entity='sip:room@conference.example'"
            + " state='full' version='3'><!-- ours -->"
            + "<users><user entity='sip:alice@example.com' state='full'><display-text>Alice &amp; co</display-text>"
            + "<endpoint entity='sip:alice@192.0.2.5'><status>connected</status>"
            + "<media id='1'><type>audio</type></media></endpoint></user></users></conference-info>";

    private static byte[] bytes(String xml) {
        return xml.getBytes(StandardCharsets.UTF_8);
    }

    /** XEP-0298 §5: the focus indication in the jingle element. */
    @Test
    void theFocusIndication_XEP0298_5() {
        StandardExtensionElement focus = ConferenceInfo.focus();
        assertEquals("conference-info", focus.getElementName());
        assertEquals("urn:xmpp:coin:1", focus.getNamespace());
        assertEquals(java.util.Map.of("isfocus", "true"), focus.getAttributes());
        assertTrue(focus.getElements().isEmpty());
    }

    /**
     * XEP-0298 §6: the RFC 4575 document goes in an IQ set from the focus, its elements, attributes and text kept
     * (escaped again), the session's sid added to the root; comments dropped.
     */
    @Test
    void aConferenceInfoDocumentBecomesTheIqOfTheSession_XEP0298_6() throws Exception {
        StandardExtensionElement update = ConferenceInfo.update(bytes(DOCUMENT), "s1");
        assertEquals("urn:ietf:params:xml:ns:conference-info", update.getNamespace());
        assertEquals("s1", update.getAttributeValue("sid"));
        assertEquals("3", update.getAttributeValue("version"));
        IQ iq = ConferenceInfo.iq(JidCreate.from("room@conference.example/mix"),
                JidCreate.from("romeo@xmpp.example/phone"), update);
        assertEquals(IQ.Type.set, iq.getType());
        String xml = iq.toXML(XmlEnvironment.EMPTY).toString();
        assertTrue(xml.contains("<conference-info xmlns='urn:ietf:params:xml:ns:conference-info'"), xml);
        assertTrue(xml.contains("sid='s1'"), xml);
        assertTrue(xml.contains("<user entity='sip:alice@example.com' state='full'>"), xml);
        assertTrue(xml.contains("<display-text>Alice &amp; co</display-text>"), xml);
        assertTrue(xml.contains("<type>audio</type>"), xml);
        assertFalse(xml.contains("ours"), xml);
        // what we send reads back as the same document
        StandardExtensionElement reread = ConferenceInfo.update(bytes(iq.getChildElementXML().toString()), "s1");
        assertEquals(update.toXML(XmlEnvironment.EMPTY).toString(), reread.toXML(XmlEnvironment.EMPTY).toString());
    }

    /** Bad input is refused, never passed on: no conference-info, a DOCTYPE (entity bombs), too large, too deep. */
    @Test
    void badDocumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ConferenceInfo.update(bytes("<presence xmlns='urn:ietf:"
                + "params:xml:ns:pidf'/>"), "s1"));
        assertThrows(IllegalArgumentException.class, () -> ConferenceInfo.update(bytes("not xml"), "s1"));
        assertThrows(IllegalArgumentException.class, () -> ConferenceInfo.update(bytes("<!DOCTYPE c [<!ENTITY a "
                + "'aaaaaaaa'><!ENTITY b '&a;&a;&a;&a;'>]><conference-info xmlns='urn:ietf:params:xml:ns:"
                + "conference-info'>&b;</conference-info>"), "s1"));
        assertThrows(IllegalArgumentException.class, () -> ConferenceInfo.update(
                new byte[ConferenceInfo.MAX_DOCUMENT + 1], "s1"));
        String deep = "<conference-info xmlns='urn:ietf:params:xml:ns:conference-info'>" + "<x>".repeat(20)
                + "</x>".repeat(20) + "</conference-info>";
        assertThrows(IllegalArgumentException.class, () -> ConferenceInfo.update(bytes(deep), "s1"));
    }
}
