package org.sylkserver.webrtc;

import java.util.Map;

/**
 * Brings a call's SIP events, which arrive on SIP threads, onto the executor of the connection that owns its
 * {@link Session}, in arrival order.
 */
final class QueuedListener implements SipCall.Listener {

    private final SylkRtcConnection connection;
    private final Session session;

    QueuedListener(SylkRtcConnection connection, Session session) {
        this.connection = connection;
        this.session = session;
    }

    @Override
    public void provisional(int status, String reason, String sdp) {
        connection.later(() -> session.provisional(status, reason, sdp));
    }

    @Override
    public void answered(String sdp, Map<String, String> headers) {
        connection.later(() -> session.answered(sdp, headers));
    }

    @Override
    public void confirmed() {
        connection.later(session::confirmed);
    }

    @Override
    public void rejected(int status, String reason) {
        connection.later(() -> session.rejected(status, reason));
    }

    @Override
    public void cancelled() {
        connection.later(session::cancelled);
    }

    @Override
    public void ended() {
        connection.later(session::ended);
    }

    @Override
    public void reoffered(String sdp) {
        connection.later(() -> session.reoffered(sdp));
    }

    @Override
    public void reanswered(String sdp) {
        connection.later(() -> session.reanswered(sdp));
    }

    @Override
    public void reinviteFailed(int status, String reason) {
        connection.later(() -> session.reinviteFailed(status, reason));
    }

    @Override
    public void messageDelivered(int status, String reason) {
        connection.later(() -> session.messageDelivered(status, reason));
    }

    @Override
    public void messageReceived(String contentType, byte[] content) {
        connection.later(() -> session.messageReceived(contentType, content));
    }
}
