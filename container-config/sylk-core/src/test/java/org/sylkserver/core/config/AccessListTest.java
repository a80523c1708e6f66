package org.sylkserver.core.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Spec §3.10: Apache-style allow/deny lists of users and domains. */
class AccessListTest {

    @Test
    void theDefaultAllowsEveryone() {
        assertTrue(AccessList.OPEN.allows("anyone@anywhere.example"));
    }

    @Test
    void allowDenyNeedsAnAllowAndNoDeny() {
        AccessList list = new AccessList(false, List.of("example.com"), List.of("mallory@example.com"));
        assertTrue(list.allows("alice@example.com"));
        assertFalse(list.allows("mallory@example.com"), "denied although the domain is allowed");
        assertFalse(list.allows("bob@elsewhere.example"), "not in allow");
    }

    @Test
    void denyAllowRefusesOnlyWhatIsDeniedAndNotAllowed() {
        AccessList list = new AccessList(true, List.of("boss@example.com"), List.of("example.com"));
        assertTrue(list.allows("boss@example.com"), "allowed overrides the denied domain");
        assertFalse(list.allows("intern@example.com"));
        assertTrue(list.allows("guest@other.example"), "neither listed: allowed under deny, allow");
    }

    @Test
    void allAnyAndStarMatchEveryone() {
        for (String everyone : new String[] {"all", "any", "*"}) {
            assertFalse(new AccessList(false, List.of("all"), List.of(everyone)).allows("x@y.example"), everyone);
        }
        assertFalse(new AccessList(false, List.of("none"), List.of("none")).allows("x@y.example"));
    }
}
