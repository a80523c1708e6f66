package org.sylkserver.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import javax.servlet.sip.Address;
import javax.servlet.sip.ServletParseException;

import org.junit.jupiter.api.Test;

/**
 * The From/To addresses of the MESSAGEs made from XMPP messages (spec §5.4.2) are parsed once per text and reused
 * (the container copies what {@code createRequest} is given, JSR 289 §15.1), within a bound.
 */
class ParsedAddressesTest {

    private final List<String> parsedTexts = new ArrayList<>();

    private Address parse(String text) throws ServletParseException {
        if (!text.startsWith("sip:")) {
            throw new ServletParseException("not a SIP URI: " + text);
        }
        parsedTexts.add(text);
        return (Address) Proxy.newProxyInstance(Address.class.getClassLoader(), new Class<?>[] {Address.class},
                (proxy, method, args) -> method.getName().equals("toString") ? text : null);
    }

    /** A conversation's messages share their addresses: each text is parsed once. */
    @Test
    void theSameTextIsParsedOnce() throws Exception {
        ParsedAddresses addresses = new ParsedAddresses(this::parse, 10);
        Address from = addresses.of("sip:romeo@xmpp.example");
        Address to = addresses.of("sip:bob@sip.example");
        for (int i = 0; i < 100; i++) {
            assertSame(from, addresses.of("sip:romeo@xmpp.example"));
            assertSame(to, addresses.of("sip:bob@sip.example"));
        }
        assertNotSame(from, to);
        assertEquals(List.of("sip:romeo@xmpp.example", "sip:bob@sip.example"), parsedTexts);
    }

    /** Many remote users: only the last used {@code limit} addresses are kept, the others parsed again when used. */
    @Test
    void theLeastRecentlyUsedAreLetGoBeyondTheLimit() throws Exception {
        ParsedAddresses addresses = new ParsedAddresses(this::parse, 3);
        Address first = addresses.of("sip:u0@xmpp.example");
        for (int i = 1; i < 1000; i++) {
            addresses.of("sip:u" + i + "@xmpp.example");
            addresses.of("sip:u0@xmpp.example"); // used all along: kept
        }
        assertEquals(3, addresses.size());
        assertSame(first, addresses.of("sip:u0@xmpp.example"));
        addresses.of("sip:u1@xmpp.example");
        assertEquals(1001, parsedTexts.size(), "u1 was let go and parsed again");
    }

    /** A text that does not parse is not remembered: it fails each time, as createAddress would. */
    @Test
    void aTextThatDoesNotParseFailsEachTime() {
        ParsedAddresses addresses = new ParsedAddresses(this::parse, 10);
        assertThrows(ServletParseException.class, () -> addresses.of("mailto:x@y"));
        assertThrows(ServletParseException.class, () -> addresses.of("mailto:x@y"));
        assertEquals(0, addresses.size());
    }
}
