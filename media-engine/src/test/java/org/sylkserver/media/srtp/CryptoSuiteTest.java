package org.sylkserver.media.srtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The SDES crypto suites of RFC 4568 §6.2. */
class CryptoSuiteTest {

    @Test
    void tagLengthsFollowRfc4568_s6_2_withSrtcpAlwaysEightyBits() {
        assertEquals(10, CryptoSuite.AES_CM_128_HMAC_SHA1_80.srtpAuthTagLength());
        assertEquals(4, CryptoSuite.AES_CM_128_HMAC_SHA1_32.srtpAuthTagLength());
        assertEquals(10, CryptoSuite.AES_CM_128_HMAC_SHA1_80.srtcpAuthTagLength());
        assertEquals(10, CryptoSuite.AES_CM_128_HMAC_SHA1_32.srtcpAuthTagLength());
        assertEquals(30, CryptoSuite.AES_CM_128_HMAC_SHA1_32.keySaltLength());
    }

    @Test
    void fromNameKnowsBothSuitesIgnoringCaseAndNothingElse() {
        assertEquals(Optional.of(CryptoSuite.AES_CM_128_HMAC_SHA1_80), CryptoSuite.fromName("AES_CM_128_HMAC_SHA1_80"));
        assertEquals(Optional.of(CryptoSuite.AES_CM_128_HMAC_SHA1_32), CryptoSuite.fromName("aes_cm_128_hmac_sha1_32"));
        assertTrue(CryptoSuite.fromName("F8_128_HMAC_SHA1_80").isEmpty());
        assertTrue(CryptoSuite.fromName("AES_256_CM_HMAC_SHA1_80").isEmpty());
        assertTrue(CryptoSuite.fromName("").isEmpty());
        assertTrue(CryptoSuite.fromName(null).isEmpty());
    }
}
