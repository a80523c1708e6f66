package org.sylkserver.conference.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Spec §3.3 and §3.10: how the room names a participant, and the {@code user@host} its lists compare. */
class IdentityTest {

    @Test
    void urisAreComparedWithoutSchemePortParametersOrCase() {
        assertEquals("alice@example.com", Identity.bare("sips:Alice@Example.COM:5061;transport=tls"));
        assertEquals("alice@example.com", Identity.bare("\"Alice\" <sip:alice@example.com>;tag=1"));
        assertEquals("example.com", Identity.bare("sip:example.com"));
    }

    @Test
    void theDisplayNameComesFirstWhenThereIsOne() {
        assertEquals("Alice <alice@example.com>", Identity.shown("Alice", "alice@example.com"));
        assertEquals("alice@example.com", Identity.shown(" ", "alice@example.com"));
        assertEquals("alice@example.com", Identity.shown(null, "alice@example.com"));
    }
}
