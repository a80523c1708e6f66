package org.sylkserver.webrtc;

/**
 * The WebSocket under a {@link SylkRtcConnection}, seen from the protocol: text frames out and a way to close.
 * Implementations may be called from several threads and must serialize writes themselves; once the socket is
 * closed both methods do nothing.
 */
public interface ClientTransport {

    /** Sends one text frame. */
    void send(String text);

    /**
     * Sends one text frame; with {@code more} (more frames follow at once) the transport may hold it, to write it
     * with the next ones in one go, until a send without {@code more} or {@link #flush}. Frames keep their order.
     */
    default void send(String text, boolean more) {
        send(text);
    }

    /** Writes the frames held by sends with {@code more}. */
    default void flush() {
    }

    /** Closes the WebSocket with {@code code} (RFC 6455 §7.4.1) and {@code reason}. */
    void close(int code, String reason);
}
