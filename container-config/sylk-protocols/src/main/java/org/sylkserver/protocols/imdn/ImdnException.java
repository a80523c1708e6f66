package org.sylkserver.protocols.imdn;

/** A {@code message/imdn+xml} document that does not follow RFC 5438 §7.2. */
public class ImdnException extends Exception {

    private static final long serialVersionUID = 1L;

    public ImdnException(String message) {
        super(message);
    }

    public ImdnException(String message, Throwable cause) {
        super(message, cause);
    }
}
