package org.sylkserver.protocols.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DigestChallengeTest {

    /** RFC 2617 §3.5: the example exchange, answered from the HA1 only. */
    @Test
    void theRfcExampleResponseIsReproducedFromTheHa1_rfc2617_s3_5() {
        DigestChallenge challenge = DigestChallenge.parse("Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
                + "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
        assertEquals("testrealm@host.com", challenge.realm());
        assertTrue(challenge.qopAuth());
        String ha1 = DigestChallenge.ha1("Mufasa", "testrealm@host.com", "Circle Of Life");
        String header = challenge.authorization("Mufasa", ha1, "GET", "/dir/index.html", "0a4f113b", 1);
        assertTrue(header.contains("response=\"6629fae49393a05397450978507c4ef1\""), header);
        assertTrue(header.contains("nc=00000001"), header);
        assertTrue(header.contains("cnonce=\"0a4f113b\""), header);
        assertTrue(header.contains("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""), header);
    }

    /** RFC 2617 §3.2.2.1 without qop (RFC 2069 compatibility): response = MD5(HA1:nonce:HA2). */
    @Test
    void withoutQopTheResponseOmitsCnonceAndCount_rfc2617_s3_2_2_1() {
        DigestChallenge challenge = DigestChallenge.parse("Digest realm=\"example.com\", nonce=\"n1\"");
        assertFalse(challenge.qopAuth());
        assertNull(challenge.opaque());
        String ha1 = DigestChallenge.ha1("alice", "example.com", "secret");
        String expected = DigestChallenge.md5(ha1 + ":n1:" + DigestChallenge.md5("REGISTER:sip:example.com"));
        String header = challenge.authorization("alice", ha1, "REGISTER", "sip:example.com", "ignored", 1);
        assertTrue(header.contains("response=\"" + expected + "\""), header);
        assertFalse(header.contains("qop"), header);
    }

    @Test
    void staleAndUnquotedParametersAreRead_rfc2617_s3_2_1() {
        DigestChallenge challenge = DigestChallenge.parse("Digest realm=\"r\",nonce=\"x\",stale=TRUE,algorithm=MD5");
        assertTrue(challenge.stale());
        assertEquals("MD5", challenge.algorithm());
    }

    @Test
    void whatCannotBeAnsweredIsRefusedClearly() {
        assertThrows(IllegalArgumentException.class, () -> DigestChallenge.parse("Basic realm=\"r\""));
        assertThrows(IllegalArgumentException.class, () -> DigestChallenge.parse("Digest realm=\"r\""));
        assertThrows(IllegalArgumentException.class,
                () -> DigestChallenge.parse("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256"));
        assertThrows(IllegalArgumentException.class,
                () -> DigestChallenge.parse("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\""));
        assertThrows(IllegalArgumentException.class, () -> DigestChallenge.parse("Digest realm=\"r, nonce=n"));
        assertThrows(IllegalArgumentException.class, () -> DigestChallenge.parse(null));
    }
}
