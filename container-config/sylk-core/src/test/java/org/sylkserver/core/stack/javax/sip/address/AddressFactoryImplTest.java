package org.sylkserver.core.stack.javax.sip.address;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.text.ParseException;

import javax.sip.address.SipURI;

import org.junit.jupiter.api.Test;

/** RFC 3261 §19.1: {@code sip:<host>} URIs as JAIN-SIP parses them, each caller its own. */
class AddressFactoryImplTest {

    private final AddressFactoryImpl factory = new AddressFactoryImpl();
    private final gov.nist.javax.sip.address.AddressFactoryImpl jainSip = new gov.nist.javax.sip.address.AddressFactoryImpl();

    @Test
    void rfc3261_s19_1_aHostOnlyUriIsTheOneJainSipParses() throws ParseException {
        for (String host : new String[] {"127.0.0.1", "192.0.2.10", "example.com", "Sip.Example.COM", "::1",
                "2001:db8::1", "[2001:db8::2]"}) {
            for (int round = 0; round < 2; round++) {
                SipURI expected = jainSip.createSipURI(null, host);
                SipURI uri = factory.createSipURI(null, host);
                assertEquals(expected.toString(), uri.toString(), host);
                assertEquals(expected, uri, host);
                assertEquals(expected.getHost(), uri.getHost(), host);
            }
        }
        assertEquals(jainSip.createSipURI("alice", "example.com"), factory.createSipURI("alice", "example.com"));
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
    void atMostMaxHostsAreKept() throws ParseException {
        for (int i = 0; i < AddressFactoryImpl.MAX_HOSTS + 50; i++) {
            factory.createSipURI(null, "10.0." + i / 256 + "." + i % 256);
        }
        assertEquals(AddressFactoryImpl.MAX_HOSTS, factory.hosts());
    }
}
