package org.sylkserver.conference;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Spec §3.10: Apache-style allow/deny lists of users and domains. */
class AccessListTest {

    @Test
    void theDefaultAllowsEveryone() {
        assertTrue(AccessList.OPEN.allows("sip:anyone@anywhere.example"));
    }

    @Test
    void allowDenyNeedsAnAllowAndNoDeny() {
        AccessList list = new AccessList(false, List.of("example.com"), List.of("mallory@example.com"));
        assertTrue(list.allows("sip:alice@example.com"));
        assertFalse(list.allows("sip:mallory@example.com"), "denied although the domain is allowed");
        assertFalse(list.allows("sip:bob@elsewhere.example"), "not in allow");
    }

    @Test
    void denyAllowRefusesOnlyWhatIsDeniedAndNotAllowed() {
        AccessList list = new AccessList(true, List.of("boss@example.com"), List.of("example.com"));
        assertTrue(list.allows("sip:boss@example.com"), "allowed overrides the denied domain");
        assertFalse(list.allows("sip:intern@example.com"));
        assertTrue(list.allows("sip:guest@other.example"), "neither listed: allowed under deny, allow");
    }

    @Test
    void allAnyAndStarMatchEveryone() {
        for (String everyone : new String[] {"all", "any", "*"}) {
            assertFalse(new AccessList(false, List.of("all"), List.of(everyone)).allows("sip:x@y.example"), everyone);
        }
        assertFalse(new AccessList(false, List.of("none"), List.of("none")).allows("sip:x@y.example"));
    }
}
