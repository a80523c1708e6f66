package org.sylkserver.webrtc;

/**
 * The media bridge cannot do what a call needs (an SDP it cannot parse or accept, no ports left...); the message is
 * fit for the client, e.g. as the text of an {@code error} response.
 */
public class MediaException extends Exception {

    private static final long serialVersionUID = 1L;

    public MediaException(String message) {
        super(message);
    }

    public MediaException(String message, Throwable cause) {
        super(message, cause);
    }
}
