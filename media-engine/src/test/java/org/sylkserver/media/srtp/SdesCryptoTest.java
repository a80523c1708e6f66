package org.sylkserver.media.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Parsing and writing {@code a=crypto} values (RFC 4568 §9). */
class SdesCryptoTest {

    /** The key of the RFC 4568 §3 example offer. */
    private static final String RFC4568_KEY = "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR";

    private static String malformed(String value) {
        MalformedCryptoAttributeException e = assertThrows(MalformedCryptoAttributeException.class,
                () -> SdesCrypto.parse(value));
        assertFalse(e instanceof UnsupportedCryptoAttributeException, e.getMessage());
        return e.getMessage();
    }

    private static UnsupportedCryptoAttributeException unsupported(String value) {
        return assertThrows(UnsupportedCryptoAttributeException.class, () -> SdesCrypto.parse(value));
    }

    @Test
    void rfc4568_s3_exampleWithMkiIsSkippedAsUnsupportedNamingTheMki() {
        UnsupportedCryptoAttributeException e =
                unsupported("1 AES_CM_128_HMAC_SHA1_80 inline:" + RFC4568_KEY + "|2^20|1:32");
        assertEquals(1, e.tag());
        assertEquals("AES_CM_128_HMAC_SHA1_80", e.suiteName());
        assertEquals("MKI '1:32' in a=crypto tag 1: only a single inline key without MKI is supported",
                e.getMessage());
    }

    @Test
    void rfc4568_s3_exampleWithoutMkiRoundTrips() {
        String line = "1 AES_CM_128_HMAC_SHA1_80 inline:" + RFC4568_KEY + "|2^20";
        SdesCrypto crypto = SdesCrypto.parse(line);
        byte[] keySalt = Base64.getDecoder().decode(RFC4568_KEY);
        assertEquals(1, crypto.tag());
        assertEquals(CryptoSuite.AES_CM_128_HMAC_SHA1_80, crypto.suite());
        assertArrayEquals(java.util.Arrays.copyOf(keySalt, 16), crypto.masterKey());
        assertArrayEquals(java.util.Arrays.copyOfRange(keySalt, 16, 30), crypto.masterSalt());
        assertEquals("2^20", crypto.lifetime());
        assertEquals(List.of(), crypto.sessionParams());
        assertEquals(line, crypto.format());
        assertEquals(crypto, SdesCrypto.parse(crypto.format()));
    }

    @Test
    void minimalLineDecimalLifetimeAndWindowSizeHintRoundTrip() {
        for (String line : List.of(
                "7 AES_CM_128_HMAC_SHA1_32 inline:" + RFC4568_KEY,
                "2 AES_CM_128_HMAC_SHA1_80 inline:" + RFC4568_KEY + "|1048576",
                "3 AES_CM_128_HMAC_SHA1_80 inline:" + RFC4568_KEY + "|2^31 WSH=128")) {
            assertEquals(line, SdesCrypto.parse(line).format());
        }
        assertEquals(List.of("WSH=128"),
                SdesCrypto.parse("3 AES_CM_128_HMAC_SHA1_80 inline:" + RFC4568_KEY + " WSH=128").sessionParams());
    }

    @Test
    void suiteAndKeyMethodAreCaseInsensitiveAndWhitespaceIsFlexible_rfc5234_s2_3() {
        SdesCrypto crypto = SdesCrypto.parse("  5\taes_cm_128_hmac_sha1_32   INLINE:" + RFC4568_KEY + "  ");
        assertEquals(CryptoSuite.AES_CM_128_HMAC_SHA1_32, crypto.suite());
        assertEquals("5 AES_CM_128_HMAC_SHA1_32 inline:" + RFC4568_KEY, crypto.format());
    }

    @Test
    void generateMakesDistinctKeysThatRoundTrip() {
        SecureRandom random = new SecureRandom();
        SdesCrypto a = SdesCrypto.generate(1, CryptoSuite.AES_CM_128_HMAC_SHA1_80, random);
        SdesCrypto b = SdesCrypto.generate(1, CryptoSuite.AES_CM_128_HMAC_SHA1_80, random);
        assertEquals(16, a.masterKey().length);
        assertEquals(14, a.masterSalt().length);
        assertNotEquals(a, b);
        assertEquals(a, SdesCrypto.parse(a.format()));
        assertTrue(a.format().matches("1 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}"), a.format());
    }

    @Test
    void keysAreCopiedInAndOutAndNeverPrinted() {
        byte[] key = new byte[16];
        SdesCrypto crypto = new SdesCrypto(1, CryptoSuite.AES_CM_128_HMAC_SHA1_80, key, new byte[14], "", List.of());
        key[0] = 1;
        crypto.masterKey()[1] = 1;
        assertArrayEquals(new byte[16], crypto.masterKey());
        SdesCrypto parsed = SdesCrypto.parse("1 AES_CM_128_HMAC_SHA1_80 inline:" + RFC4568_KEY);
        assertFalse(parsed.toString().contains(RFC4568_KEY.substring(0, 8)), parsed.toString());
        assertFalse(parsed.toString().contains(HexFormat.of().formatHex(parsed.masterKey())), parsed.toString());
    }

    @Test
    void unknownSuiteIsDistinguishableSoTheAnswererCanTryTheNextLine_rfc4568_s7_1_2() {
        UnsupportedCryptoAttributeException e = unsupported("2 AES_256_CM_HMAC_SHA1_80 inline:"
                + "anythingsuitespecific|2^20");
        assertEquals(2, e.tag());
        assertEquals("AES_256_CM_HMAC_SHA1_80", e.suiteName());
        assertEquals("unknown crypto suite 'AES_256_CM_HMAC_SHA1_80' in a=crypto tag 2: supported are "
                + "AES_CM_128_HMAC_SHA1_80 and AES_CM_128_HMAC_SHA1_32", e.getMessage());
    }

    @Test
    void severalKeysAndBehaviourChangingSessionParametersAreUnsupported() {
        assertEquals("2 keys in a=crypto tag 1: only a single inline key without MKI is supported",
                unsupported("1 AES_CM_128_HMAC_SHA1_80 inline:" + RFC4568_KEY + "|2^20|1:4;inline:"
                        + RFC4568_KEY + "|2^20|2:4").getMessage());
        assertEquals("session parameter 'UNENCRYPTED_SRTCP' in a=crypto tag 1 is not supported (only WSH)",
                unsupported("1 AES_CM_128_HMAC_SHA1_80 inline:" + RFC4568_KEY + " UNENCRYPTED_SRTCP").getMessage());
        assertEquals("session parameter 'KDR=20' in a=crypto tag 1 is not supported (only WSH)",
                unsupported("1 AES_CM_128_HMAC_SHA1_80 inline:" + RFC4568_KEY + " KDR=20").getMessage());
    }

    @Test
    void brokenLinesNameTheProblem() {
        assertEquals("missing a=crypto value", malformed(null));
        assertEquals("a=crypto value '1 AES_CM_128_HMAC_SHA1_80' needs a tag, a crypto suite and key parameters "
                + "(RFC 4568 §9.1)", malformed("1 AES_CM_128_HMAC_SHA1_80"));
        assertEquals("bad tag 'x1': RFC 4568 §9.1 allows 1 to 9 digits",
                malformed("x1 AES_CM_128_HMAC_SHA1_80 inline:" + RFC4568_KEY));
        assertEquals("bad tag '1234567890': RFC 4568 §9.1 allows 1 to 9 digits",
                malformed("1234567890 AES_CM_128_HMAC_SHA1_80 inline:" + RFC4568_KEY));
        assertEquals("bad crypto suite 'AES-CM': RFC 4568 §9.1 allows letters, digits and '_'",
                malformed("1 AES-CM inline:" + RFC4568_KEY));
        assertEquals("key parameter '" + RFC4568_KEY.substring(0, 12) + "...' does not start with 'inline:' "
                + "(RFC 4568 §6.1)", malformed("1 AES_CM_128_HMAC_SHA1_80 " + RFC4568_KEY));
        assertEquals("key parameter 'uri:...' does not start with 'inline:' (RFC 4568 §6.1)",
                malformed("1 AES_CM_128_HMAC_SHA1_80 uri:https://example.com/key"));
        assertEquals("empty key after 'inline:' (RFC 4568 §6.1)", malformed("1 AES_CM_128_HMAC_SHA1_80 inline:"));
        assertTrue(malformed("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVe-CFCanVmcjkpPywjNWhcYD0mXXtxaVBR")
                .startsWith("bad base64 in inline key (RFC 4568 §6.1): Illegal base64 character 2d"));
        assertEquals("wrong key length: inline key and salt decode to 24 bytes, AES_CM_128_HMAC_SHA1_80 needs 30 "
                + "(16-byte key, 14-byte salt)", malformed("1 AES_CM_128_HMAC_SHA1_80 inline:"
                + RFC4568_KEY.substring(0, 32)));
        assertEquals("bad lifetime 'forever' (RFC 4568 §9.2: [2^]digits, then digits:length)",
                malformed("1 AES_CM_128_HMAC_SHA1_80 inline:" + RFC4568_KEY + "|forever|1:4"));
        assertEquals("bad lifetime '2^49': SRTP allows at most 2^48 packets per master key (RFC 3711 §3.2.1)",
                malformed("1 AES_CM_128_HMAC_SHA1_80 inline:" + RFC4568_KEY + "|2^49"));
        assertEquals("bad MKI length in '1:129': RFC 4568 §6.1 allows 1 to 128 bytes",
                malformed("1 AES_CM_128_HMAC_SHA1_80 inline:" + RFC4568_KEY + "|2^20|1:129"));
        assertEquals("bad session parameter 'WSH=32': RFC 3711 §3.3.2 requires a replay window of at least 64",
                malformed("1 AES_CM_128_HMAC_SHA1_80 inline:" + RFC4568_KEY + " WSH=32"));
    }

    @Test
    void constructorRejectsWrongKeyLengths() {
        assertEquals("master key is 15 bytes, AES_CM_128_HMAC_SHA1_80 needs 16",
                assertThrows(MalformedCryptoAttributeException.class, () -> new SdesCrypto(1,
                        CryptoSuite.AES_CM_128_HMAC_SHA1_80, new byte[15], new byte[14], "", List.of())).getMessage());
        assertEquals("master salt is 16 bytes, AES_CM_128_HMAC_SHA1_32 needs 14",
                assertThrows(MalformedCryptoAttributeException.class, () -> new SdesCrypto(1,
                        CryptoSuite.AES_CM_128_HMAC_SHA1_32, new byte[16], new byte[16], "", List.of())).getMessage());
    }
}
