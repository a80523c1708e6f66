package org.sylkserver.xmpp.jingle;

/** A Jingle element that breaks its XEP's syntax; answered with {@code bad-request} (XEP-0166 §8). */
public final class MalformedJingleException extends Exception {

    private static final long serialVersionUID = 1L;

    public MalformedJingleException(String message) {
        super(message);
    }
}
