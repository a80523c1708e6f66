package org.sylkserver.media.srtp;

/**
 * A well-formed {@code a=crypto} line that this package cannot honour: an unknown crypto suite, a key with an MKI,
 * several keys, or a session parameter that changes how packets are protected. An answerer catches this to skip the
 * line and try the next offered one (RFC 4568 §7.1.2: the answerer picks one acceptable crypto attribute).
 *
 * <p>It is a subtype of {@link MalformedCryptoAttributeException} so that a caller that only wants "usable or not"
 * needs a single catch; catch this type first to tell "not for us" from "broken".
 */
public class UnsupportedCryptoAttributeException extends MalformedCryptoAttributeException {

    private static final long serialVersionUID = 1L;

    private final int tag;
    private final String suiteName;

    /**
     * @param tag       the line's tag, so that the caller can report which offer it skipped
     * @param suiteName the crypto suite as written in the line
     * @param message   what is not supported, naming the value
     */
    public UnsupportedCryptoAttributeException(int tag, String suiteName, String message) {
        super(message);
        this.tag = tag;
        this.suiteName = suiteName;
    }

    /** The tag of the skipped line (RFC 4568 §4). */
    public int tag() {
        return tag;
    }

    /** The crypto suite of the skipped line as written, e.g. {@code AES_256_CM_HMAC_SHA1_80}. */
    public String suiteName() {
        return suiteName;
    }
}
