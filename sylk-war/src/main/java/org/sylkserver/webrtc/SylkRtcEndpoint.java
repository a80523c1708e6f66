package org.sylkserver.webrtc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.websocket.CloseReason;
import javax.websocket.EndpointConfig;
import javax.websocket.OnClose;
import javax.websocket.OnError;
import javax.websocket.OnMessage;
import javax.websocket.OnOpen;
import javax.websocket.Session;
import javax.websocket.server.ServerEndpoint;

/**
 * The sylkRTC WebSocket endpoint, {@code /webrtcgateway/ws} with subprotocol {@code sylkRTC-2} (spec §4.2).
 * Handshakes without the subprotocol never reach it: {@link SubprotocolFilter} refuses them with 406.
 * Text frames go to the connection's {@link SylkRtcConnection}; binary frames are logged and ignored.
 */
@ServerEndpoint(value = "/ws", subprotocols = SylkRtcEndpoint.SUBPROTOCOL)
public class SylkRtcEndpoint {

    public static final String SUBPROTOCOL = "sylkRTC-2";
    /** Largest accepted text frame; larger ones close the connection with 1009 (RFC 6455 §7.4.1). */
    static final int MAX_MESSAGE_SIZE = 64 * 1024;
    /** Server pings (spec §4.2: websocket_ping_interval, default 120 s). */
    static final long PING_INTERVAL_SECONDS = 120;

    private static final Logger LOG = Logger.getLogger("webrtcgateway");
    private static final ExecutorService REQUESTS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "sylkrtc-requests");
        thread.setDaemon(true);
        return thread;
    });
    private static final ScheduledExecutorService PINGS = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "sylkrtc-pings");
        thread.setDaemon(true);
        return thread;
    });

    /** Stops the shared executors (archive undeployed). */
    static void shutdown() {
        PINGS.shutdownNow();
        REQUESTS.shutdownNow();
    }

    private SylkRtcConnection connection;
    private ScheduledFuture<?> pings;

    @OnOpen
    public void open(Session session, EndpointConfig config) {
        session.setMaxTextMessageBufferSize(MAX_MESSAGE_SIZE);
        // Tomcat 7's WebSocket session does not expose the client's address; the session id identifies it
        connection = new SylkRtcConnection("websocket session " + session.getId(), text -> send(session, text), REQUESTS);
        pings = PINGS.scheduleAtFixedRate(() -> ping(session), PING_INTERVAL_SECONDS, PING_INTERVAL_SECONDS,
                TimeUnit.SECONDS);
        connection.opened();
    }

    @OnMessage(maxMessageSize = MAX_MESSAGE_SIZE)
    public void text(String text) {
        connection.received(text);
    }

    @OnMessage
    public void binary(ByteBuffer data) {
        LOG.severe(() -> connection + ": binary frame of " + data.remaining() + " bytes ignored (sylkRTC is JSON text)");
    }

    @OnClose
    public void close(CloseReason reason) {
        if (pings != null) {
            pings.cancel(false);
        }
        if (connection != null) {
            connection.closed(reason.getCloseCode().getCode() + " " + reason.getReasonPhrase());
        }
    }

    @OnError
    public void error(Throwable error) {
        LOG.log(Level.FINE, connection + ": WebSocket error", error);
    }

    private static void send(Session session, String text) {
        try {
            synchronized (session) {
                if (session.isOpen()) {
                    session.getBasicRemote().sendText(text);
                }
            }
        } catch (IOException | IllegalStateException e) {
            LOG.fine(() -> "cannot send to a closing sylkRTC connection: " + e.getMessage());
        }
    }

    private static void ping(Session session) {
        try {
            synchronized (session) {
                if (session.isOpen()) {
                    session.getBasicRemote().sendPing(ByteBuffer.allocate(0));
                }
            }
        } catch (IOException | IllegalStateException e) {
            LOG.fine(() -> "ping failed: " + e.getMessage());
        }
    }
}
