package org.sylkserver.core.stack.javax.sip.address;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.text.ParseException;

import javax.sip.address.SipURI;

import org.junit.jupiter.api.Test;

/** RFC 3261 §19.1: {@code sip:[user@]host} URIs as JAIN-SIP parses them, each caller its own. */
class AddressFactoryImplTest {

    private final AddressFactoryImpl factory = new AddressFactoryImpl();
    private final gov.nist.javax.sip.address.AddressFactoryImpl jainSip = new gov.nist.javax.sip.address.AddressFactoryImpl();

    @Test
    void rfc3261_s19_1_aUriIsTheOneJainSipParses() throws ParseException {
        for (String user : new String[] {null, "alice", "alice-1", "Bob.Smith", "a%40b", "+15551234567;npdi"}) {
            for (String host : new String[] {"127.0.0.1", "192.0.2.10", "example.com", "Sip.Example.COM", "::1",
                    "2001:db8::1", "[2001:db8::2]"}) {
                for (int round = 0; round < 2; round++) {
                    SipURI expected = jainSip.createSipURI(user, host);
                    SipURI uri = factory.createSipURI(user, host);
                    String what = user + " at " + host;
                    assertEquals(expected.toString(), uri.toString(), what);
                    assertEquals(expected, uri, what);
                    assertEquals(expected.getUser(), uri.getUser(), what);
                    assertEquals(expected.getHost(), uri.getHost(), what);
                }
            }
        }
        assertThrows(ParseException.class, () -> jainSip.createSipURI(null, "[bad"));
        assertThrows(ParseException.class, () -> factory.createSipURI(null, "[bad"));
    }

    /** Restcomm sets the port and transport on the URI it gets (a Contact, a route): not on the next caller's. */
    @Test
    void rfc3261_s19_1_eachCallerGetsItsOwnCopy() throws ParseException {
        SipURI first = factory.createSipURI(null, "192.0.2.10");
        first.setPort(5080);
        first.setTransportParam("tcp");
        first.setLrParam();
        SipURI second = factory.createSipURI(null, "192.0.2.10");
        assertNotSame(first, second);
        assertEquals("sip:192.0.2.10", second.toString());
        assertEquals(-1, second.getPort());
        assertEquals("sip:192.0.2.10:5080;transport=tcp;lr", first.toString());
    }

    @Test
    void aContactsUserIsItsOwn() throws ParseException {
        SipURI alice = factory.createSipURI("alice", "192.0.2.10");
        alice.setUser("mallory");
        alice.setPort(5080);
        assertEquals("sip:alice@192.0.2.10", factory.createSipURI("alice", "192.0.2.10").toString());
        assertEquals("sip:bob@192.0.2.10", factory.createSipURI("bob", "192.0.2.10").toString());
        assertEquals("sip:192.0.2.10", factory.createSipURI(null, "192.0.2.10").toString());
    }

    @Test
    void atMostMaxUrisAreKept() throws ParseException {
        for (int i = 0; i < AddressFactoryImpl.MAX_URIS + 50; i++) {
            factory.createSipURI("u" + i, "192.0.2.1");
        }
        assertEquals(AddressFactoryImpl.MAX_URIS, factory.kept());
    }
}
