package org.sylkserver.webrtc.api;

/**
 * A request failed for a reason the client is told (spec §4.3: validation and API errors); the message is the
 * text of the {@code error} response, e.g. {@code Unknown account specified: alice@example.com}.
 */
public class RequestError extends Exception {

    private static final long serialVersionUID = 1L;

    public RequestError(String message) {
        super(message);
    }
}
