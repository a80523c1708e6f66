package org.sylkserver.media.srtp;

/**
 * The value of an {@code a=crypto} attribute does not follow the grammar of RFC 4568 §9, or its key does not have
 * the length its crypto suite requires. The message names the offending part; it never quotes key material beyond
 * what is needed to locate the problem.
 *
 * <p>An offerer's line that is well formed but asks for something this package does not implement raises the
 * subtype {@link UnsupportedCryptoAttributeException} instead: an answerer should skip such a line and consider the
 * next one (RFC 4568 §7.1.2), whereas a malformed line is an error in the offer.
 */
public class MalformedCryptoAttributeException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public MalformedCryptoAttributeException(String message) {
        super(message);
    }

    public MalformedCryptoAttributeException(String message, Throwable cause) {
        super(message, cause);
    }
}
