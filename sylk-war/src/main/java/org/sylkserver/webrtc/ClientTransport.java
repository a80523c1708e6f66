package org.sylkserver.webrtc;

/**
 * The WebSocket under a {@link SylkRtcConnection}, seen from the protocol: text frames out and a way to close.
 * Implementations may be called from several threads and must serialize writes themselves; once the socket is
 * closed both methods do nothing.
 */
public interface ClientTransport {

    /** Sends one text frame. */
    void send(String text);

    /** Closes the WebSocket with {@code code} (RFC 6455 §7.4.1) and {@code reason}. */
    void close(int code, String reason);
}
