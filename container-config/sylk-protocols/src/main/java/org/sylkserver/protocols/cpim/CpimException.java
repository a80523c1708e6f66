package org.sylkserver.protocols.cpim;

/** A {@code message/cpim} body that does not follow RFC 3862. */
public class CpimException extends Exception {

    private static final long serialVersionUID = 1L;

    public CpimException(String message) {
        super(message);
    }
}
