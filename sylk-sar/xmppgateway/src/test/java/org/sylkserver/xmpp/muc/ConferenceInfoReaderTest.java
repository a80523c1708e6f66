package org.sylkserver.xmpp.muc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The users of RFC 4575 conference-info documents, as the MUC bridge reads them (spec §5.6.1 step 3). */
class ConferenceInfoReaderTest {

    static byte[] document(String state, String users) {
        return ("<?xml version='1.0' encoding='UTF-8'?><conference-info xmlns='urn:ietf:params:xml:ns:conference-info'"
                + " entity='sip:muc1@conference.example.com' state='" + state + "' version='3'>"
                + "<conference-description><display-text>Ad-hoc conference</display-text></conference-description>"
                + "<users>" + users + "</users></conference-info>").getBytes(StandardCharsets.UTF_8);
    }

    /** RFC 4575 §5.6: the user's own display-text, not its endpoint's; a user without one has none. */
    @Test
    void usersWithTheirDisplayText_rfc4575_5_6() {
        ConferenceInfoReader.Document info = ConferenceInfoReader.read(document("full",
                "<user entity='sip:carol@example.com'><display-text>Carol</display-text>"
                        + "<endpoint entity='sip:carol@192.0.2.1'><display-text>phone</display-text></endpoint></user>"
                        + "<user entity='sip:dave@example.com'><endpoint entity='sip:dave@192.0.2.2'>"
                        + "<display-text>Dave's phone</display-text></endpoint></user>"));
        assertTrue(info.full());
        assertEquals(List.of(new ConferenceInfoReader.User("sip:carol@example.com", "Carol", false),
                new ConferenceInfoReader.User("sip:dave@example.com", null, false)), info.users());
    }

    /** RFC 4575 §5.1/§5.6: a partial document lists changes; a deleted user left. */
    @Test
    void aPartialDocumentNamesDeletedUsers_rfc4575_5_1() {
        ConferenceInfoReader.Document info = ConferenceInfoReader.read(document("partial",
                "<user entity='sip:carol@example.com' state='deleted'/>"));
        assertFalse(info.full());
        assertTrue(info.users().get(0).deleted());
    }

    /** Bad input: no XML, another document, a DTD (no entity expansion from the network). */
    @Test
    void badDocumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ConferenceInfoReader.read("not xml".getBytes()));
        assertThrows(IllegalArgumentException.class,
                () -> ConferenceInfoReader.read("<presence xmlns='urn:ietf:params:xml:ns:pidf'/>".getBytes()));
        assertThrows(IllegalArgumentException.class, () -> ConferenceInfoReader.read(("<!DOCTYPE c [<!ENTITY a "
                + "'aaaa'>]><conference-info xmlns='urn:ietf:params:xml:ns:conference-info'><users><user "
                + "entity='sip:x@y'><display-text>&a;</display-text></user></users></conference-info>").getBytes()));
        assertThrows(IllegalArgumentException.class, () -> ConferenceInfoReader.read(document("full",
                "<user><display-text>nobody</display-text></user>")));
    }
}
