package org.sylkserver.webrtc.messaging;

/** The message store could not do what was asked (its database failed or is unreachable): nothing was changed. */
public class StoreException extends Exception {

    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
