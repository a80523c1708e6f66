package org.sylkserver.protocols.msrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The digest of RFC 4976 §7.1 AUTH: RFC 2617 §3.2. */
class DigestChallengeTest {

    /** RFC 2617 §3.5: the example's response value. */
    @Test
    void computesTheRfc2617Example_rfc2617_s3_5() throws Exception {
        DigestChallenge challenge = DigestChallenge.parse("Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\","
                + " nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
        String authorization = challenge.authorization("Mufasa", "Circle Of Life", "GET", "/dir/index.html",
                "0a4f113b", 1);
        assertTrue(authorization.contains("response=\"6629fae49393a05397450978507c4ef1\""), authorization);
        assertTrue(authorization.contains("qop=auth, nc=00000001, cnonce=\"0a4f113b\""), authorization);
        assertTrue(authorization.contains("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""), authorization);
    }

    @Test
    void badChallengesAreRefusedWithTheReason() {
        assertTrue(assertThrows(MalformedMsrpException.class, () -> DigestChallenge.parse("Basic realm=\"x\""))
                .getMessage().contains("not Digest"));
        assertTrue(assertThrows(MalformedMsrpException.class, () -> DigestChallenge.parse(
                "Digest realm=\"x\", nonce=\"n\", algorithm=SHA-512")).getMessage().contains("not supported"));
        assertTrue(assertThrows(MalformedMsrpException.class, () -> DigestChallenge.parse("Digest realm=\"x\""))
                .getMessage().contains("lacks realm or nonce"));
        assertTrue(assertThrows(MalformedMsrpException.class, () -> DigestChallenge.parse(
                "Digest realm=\"x, nonce=n")).getMessage().contains("unclosed quote"));
        assertEquals("n", assertDoesNotThrow("Digest realm=x,nonce=n").nonce());
    }

    private static DigestChallenge assertDoesNotThrow(String header) {
        try {
            return DigestChallenge.parse(header);
        } catch (MalformedMsrpException e) {
            throw new AssertionError(e);
        }
    }
}
