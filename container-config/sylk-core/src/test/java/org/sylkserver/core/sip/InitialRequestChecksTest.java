package org.sylkserver.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The RFC 3261 §8.2 checks of a new request, with the RFC 4475 torture messages that exercise them. */
class InitialRequestChecksTest {

    /** RFC 3261 §8.2.1: 405 for a known method, 501 for an unknown one; RFC 4475 §3.1.1.2, §3.1.1.5. */
    @Test
    void rfc3261_s8_2_1_unknownMethodsAreToldFromKnownOnes() {
        for (String known : List.of("INVITE", "REGISTER", "MESSAGE", "SUBSCRIBE", "PRACK", "UPDATE")) {
            assertTrue(InitialRequestChecks.isKnownMethod(known), known);
        }
        assertFalse(InitialRequestChecks.isKnownMethod("!interesting-Method0123456789_*+`.%indeed'~"));
        assertFalse(InitialRequestChecks.isKnownMethod("RE%47IST%45R"), "% is no escape in a method");
        assertFalse(InitialRequestChecks.isKnownMethod("NEWMETHOD"));
        assertFalse(InitialRequestChecks.isKnownMethod("invite"), "methods are case-sensitive (RFC 3261 §7.1)");
    }

    /** RFC 3261 §8.2.2.3: every Require tag the server lacks is listed for the 420; RFC 4475 §3.3.5. */
    @Test
    void rfc3261_s8_2_2_3_unsupportedRequiredExtensionsAreListed() {
        assertEquals(List.of("nothingSupportsThis", "nothingSupportsThisEither"),
                InitialRequestChecks.unsupportedExtensions(List.of("nothingSupportsThis,nothingSupportsThisEither")));
        assertEquals(List.of("100rel"), InitialRequestChecks.unsupportedExtensions(List.of("Replaces", " 100rel ")));
        assertEquals(List.of(), InitialRequestChecks.unsupportedExtensions(List.of("replaces, norefersub")));
        assertEquals(List.of(), InitialRequestChecks.unsupportedExtensions(List.of()));
    }

    /** RFC 3261 §8.2.3: an INVITE's body must be SDP (else 415); RFC 4475 §3.3.6. */
    @Test
    void rfc3261_s8_2_3_onlySdpCanBeAnOffer() {
        assertTrue(InitialRequestChecks.isSdpOrAbsent(null));
        assertTrue(InitialRequestChecks.isSdpOrAbsent("Application/SDP; charset=utf-8"));
        assertFalse(InitialRequestChecks.isSdpOrAbsent("application/unknownformat"));
    }

    /** RFC 3261 §20.1: an absent Accept means SDP, an empty one nothing; RFC 4475 §3.3.15 (406). */
    @Test
    void rfc3261_s20_1_acceptMustAllowTheSdpAnswer() {
        assertTrue(InitialRequestChecks.acceptsSdp(List.of()));
        assertTrue(InitialRequestChecks.acceptsSdp(List.of("text/plain, application/sdp;level=1")));
        assertTrue(InitialRequestChecks.acceptsSdp(List.of("application/*")));
        assertTrue(InitialRequestChecks.acceptsSdp(List.of("*/*")));
        assertFalse(InitialRequestChecks.acceptsSdp(List.of("text/nobodyknowsthis")));
        assertFalse(InitialRequestChecks.acceptsSdp(List.of("")));
    }
}
