package org.sylkserver.media.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.sylkserver.protocols.sdp.SdpException;

/** Certificate fingerprints as RFC 8122 §5 writes them (and XEP-0320 §1 carries them in Jingle). */
class FingerprintTest {

    private static final String XEP_0320_EXAMPLE =
            "02:1A:CC:54:27:AB:EB:9C:53:3F:3E:4B:65:2E:7D:46:3F:54:42:CD:54:F1:7A:03:A2:7D:F9:B0:7F:46:19:B2";

    /** RFC 8122 §5: hash-func SP fingerprint, upper-case hex pairs joined by colons; written back the same way. */
    @Test
    void theAttributeValueReadsAndWritesBack_rfc8122_s5() throws Exception {
        Fingerprint fingerprint = Fingerprint.parse("sha-256 " + XEP_0320_EXAMPLE);
        assertEquals("sha-256", fingerprint.algorithm());
        assertEquals(32, fingerprint.hash().length);
        assertEquals("sha-256 " + XEP_0320_EXAMPLE, fingerprint.toString());
        assertEquals(fingerprint, Fingerprint.of("SHA-256", "\n  " + XEP_0320_EXAMPLE.toLowerCase() + "\n"));
    }

    /**
     * RFC 8122 §5 allows other hash functions than the mandatory sha-256: sha-384 and sha-512 are checked with theirs;
     * md5, sha-1 and names we do not know are refused, as are a length that is not the function's and bad hex.
     */
    @Test
    void otherHashFunctionsAreCheckedWithTheirOwnOrRefused_rfc8122_s5() throws Exception {
        byte[] der = {1, 2, 3};
        String sha384 = HexFormat.ofDelimiter(":").withUpperCase()
                .formatHex(MessageDigest.getInstance("SHA-384").digest(der));
        Fingerprint fingerprint = Fingerprint.of("sha-384", sha384);
        assertTrue(fingerprint.matches(der));
        assertFalse(fingerprint.matches(new byte[] {1, 2, 4}));
        assertThrows(SdpException.class, () -> Fingerprint.of("md5", "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"));
        assertThrows(SdpException.class, () -> Fingerprint.of("sha-1", "AB:CD"));
        assertThrows(SdpException.class, () -> Fingerprint.of("x-fancy-hash", XEP_0320_EXAMPLE));
        assertThrows(SdpException.class, () -> Fingerprint.of("sha-256", "AB:CD"));
        assertThrows(SdpException.class, () -> Fingerprint.of("sha-256", XEP_0320_EXAMPLE.replace('A', 'G')));
        assertThrows(SdpException.class, () -> Fingerprint.parse("sha-256"));
    }
}
