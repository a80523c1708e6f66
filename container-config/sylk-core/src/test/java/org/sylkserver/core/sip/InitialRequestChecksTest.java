package org.sylkserver.core.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The RFC 3261 §8.2 checks of a new request, with the RFC 4475 torture messages that exercise them. */
class InitialRequestChecksTest {

    /** RFC 3261 §20.42, §21.5.6: 505 for a sender of another SIP version; RFC 4475 §3.1.2.16. */
    @Test
    void rfc3261_s21_5_6_onlySip20IsServed() {
        assertTrue(InitialRequestChecks.speaksSip20("SIP/2.0/UDP c.example.com;branch=z9hG4bKkdjuw"));
        assertTrue(InitialRequestChecks.speaksSip20("SIP  /   2.0 / TCP spindle.example.com ;branch=x"));
        assertFalse(InitialRequestChecks.speaksSip20("SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw"));
        assertFalse(InitialRequestChecks.speaksSip20("FOO/2.0/UDP c.example.com"));
    }

    /** RFC 3261 §8.2.2.1: 416 for a Request-URI scheme the server cannot serve; RFC 4475 §3.3.2, §3.3.3. */
    /** RFC 3261 §8.2.1, §21.5.2: an unknown method gets 501 (RFC 4475 intmeth, esc02), a defined one 405. */
    @Test
    void rfc3261_s8_2_1_methodsSipDefinesAreKnownOthersAreNot() {
        for (String method : List.of("INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK", "SUBSCRIBE",
                "NOTIFY", "UPDATE", "MESSAGE", "REFER", "INFO", "PUBLISH")) {
            assertTrue(InitialRequestChecks.isKnownMethod(method), method);
        }
        assertFalse(InitialRequestChecks.isKnownMethod("NEWMETHOD"));
        assertFalse(InitialRequestChecks.isKnownMethod("!interesting-Method0123456789_*+`.%indeed'~"));
        assertFalse(InitialRequestChecks.isKnownMethod("invite"), "methods are case-sensitive (RFC 3261 §7.1)");
    }

    @Test
    void rfc3261_s8_2_2_1_onlySipAndSipsRequestUrisAreServed() {
        assertTrue(InitialRequestChecks.isServableScheme("sip"));
        assertTrue(InitialRequestChecks.isServableScheme("SIPS"));
        assertFalse(InitialRequestChecks.isServableScheme("nobodyKnowsThisScheme"));
        assertFalse(InitialRequestChecks.isServableScheme("soap.beep"));
        assertFalse(InitialRequestChecks.isServableScheme("tel"));
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
