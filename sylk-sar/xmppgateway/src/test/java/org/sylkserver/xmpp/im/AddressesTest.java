package org.sylkserver.xmpp.im;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;

/** Spec §5.3. */
class AddressesTest {

    @Test
    void sipAndXmppAddressesDifferOnlyInScheme() throws Exception {
        assertEquals("alice@example.com", Addresses.bareJid("alice", "example.com").toString());
        assertEquals("sip:juliet@xmpp.example", Addresses.sipUri(JidCreate.from("juliet@xmpp.example/balcony")));
    }

    /** The resource travels hex-encoded (UTF-8, lower case) in gr, and back. */
    @Test
    void resourcesTravelHexEncodedInGr() {
        assertEquals("62616c636f6e79", Addresses.gruuOf("balcony"));
        assertEquals("c3a9", Addresses.gruuOf("é"));
        assertEquals("balcony", Addresses.resourceOf("62616c636f6e79"));
        assertEquals("é", Addresses.resourceOf("C3A9"));
    }

    /** An undecodable gr gives the bare JID (no resource). */
    @Test
    void anUndecodableGrGivesNoResource() {
        assertNull(Addresses.resourceOf("urn:uuid:f81d4fae"));
        assertNull(Addresses.resourceOf("abc"));
        assertNull(Addresses.resourceOf("ff"));
        assertNull(Addresses.resourceOf(null));
    }

    /** sylk- and 32 random alphanumerics, hex-encoded: 74 characters. */
    @Test
    void generatedResourcesAreSylkPlus32AlphanumericsHexEncoded() {
        String resource = Addresses.generatedResource();
        assertEquals(74, resource.length());
        String decoded = Addresses.resourceOf(resource);
        assertTrue(decoded.matches("sylk-[A-Za-z0-9]{32}"), decoded);
    }

    /**
     * The 32 characters are drawn evenly from the 62 alphanumerics: over 2,000 resources each appears about 1,032
     * times (a byte-modulo pick would favour the first eight by a fifth).
     */
    @Test
    void generatedResourcesUseEveryAlphanumericEvenly() {
        Map<Character, Integer> counts = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
            Addresses.resourceOf(Addresses.generatedResource()).substring(5).chars()
                    .forEach(c -> counts.merge((char) c, 1, Integer::sum));
        }
        assertEquals(62, counts.size(), counts::toString);
        double mean = 2000 * 32 / 62.0;
        counts.forEach((c, n) -> assertTrue(Math.abs(n - mean) < mean * 0.15, c + " appeared " + n + " times"));
    }

    /** A SIP party's GRUU is its resource; without one a resource is generated. */
    @Test
    void theFullJidOfASipPartyUsesItsGr() {
        assertEquals("alice@example.com/abc", Addresses.fullJid("alice", "example.com", "abc").toString());
        assertEquals(74, Addresses.fullJid("alice", "example.com", null).getResourcepart().length());
    }

    @Test
    void whatIsNoJidIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Addresses.bareJid("", "example.com"));
        assertThrows(IllegalArgumentException.class, () -> Addresses.bareJid("a b\u0000", "example.com"));
    }

    @Test
    void sipPartiesAreParsedWithTheirGr() {
        assertEquals(new SipParty("alice", "example.com", "abc"), SipParty.parse("sip:alice@Example.com:5061;gr=abc;transport=tls"));
        assertEquals(new SipParty("bob", "x.org", null), SipParty.parse("im:bob@x.org"));
        assertThrows(IllegalArgumentException.class, () -> SipParty.parse("sip:example.com"));
    }
}
