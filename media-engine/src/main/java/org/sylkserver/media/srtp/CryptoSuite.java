package org.sylkserver.media.srtp;

import java.util.Locale;
import java.util.Optional;

/**
 * The SRTP crypto suites of RFC 4568 §6.2 that this package can key: both use AES in counter mode with a 128-bit
 * master key and a 112-bit master salt, and HMAC-SHA1 with a 160-bit session authentication key (RFC 3711 §4, §8.2).
 * They differ only in the length of the SRTP authentication tag.
 *
 * <p>The F8 suite of RFC 4568 §6.2.3 and the later suites (AES-192/256, RFC 6188; AEAD, RFC 7714) are not offered:
 * {@link #fromName} returns empty for them, so that an answerer skips such lines.
 */
public enum CryptoSuite {

    /** RFC 4568 §6.2.1: 80-bit tag on SRTP and SRTCP; the default transform of RFC 3711 §5. */
    AES_CM_128_HMAC_SHA1_80(10),

    /**
     * RFC 4568 §6.2.2: 32-bit tag on SRTP, to save bandwidth on low-rate audio; SRTCP still carries the 80-bit tag,
     * because the §6.2.2 definition applies the short tag to SRTP packets only.
     */
    AES_CM_128_HMAC_SHA1_32(4);

    /** Master key length in bytes (128 bits, RFC 4568 §6.2). */
    public static final int MASTER_KEY_LENGTH = 16;

    /** Master salt length in bytes (112 bits, RFC 4568 §6.2; RFC 3711 §8.2 recommends 112 bits). */
    public static final int MASTER_SALT_LENGTH = 14;

    /** Session authentication key length in bytes for HMAC-SHA1 (160 bits, RFC 3711 §8.2). */
    public static final int AUTH_KEY_LENGTH = 20;

    /** SRTCP authentication tag length in bytes: 80 bits for both suites (RFC 4568 §6.2.1 and §6.2.2). */
    public static final int SRTCP_AUTH_TAG_LENGTH = 10;

    private final int srtpAuthTagLength;

    CryptoSuite(int srtpAuthTagLength) {
        this.srtpAuthTagLength = srtpAuthTagLength;
    }

    /** Bytes of authentication tag appended to each SRTP packet: 10 or 4. */
    public int srtpAuthTagLength() {
        return srtpAuthTagLength;
    }

    /** Bytes of authentication tag appended to each SRTCP packet: always 10. */
    public int srtcpAuthTagLength() {
        return SRTCP_AUTH_TAG_LENGTH;
    }

    /** Length in bytes of the base64-decoded {@code inline:} key-salt of RFC 4568 §6.1: key then salt, 30 bytes. */
    public int keySaltLength() {
        return MASTER_KEY_LENGTH + MASTER_SALT_LENGTH;
    }

    /**
     * The suite called {@code name} in an {@code a=crypto} line, or empty when this package does not support it.
     * The comparison ignores case because the suite names of the RFC 4568 §9 grammar are ABNF literal strings, which are
     * case-insensitive (RFC 5234 §2.3); {@link #name()} is the spelling to send.
     */
    public static Optional<CryptoSuite> fromName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String upper = name.toUpperCase(Locale.ROOT);
        for (CryptoSuite suite : values()) {
            if (suite.name().equals(upper)) {
                return Optional.of(suite);
            }
        }
        return Optional.empty();
    }
}
