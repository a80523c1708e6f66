package org.sylkserver.webrtc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Supplier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.websocket.CloseReason;
import javax.websocket.EndpointConfig;
import javax.websocket.HandshakeResponse;
import javax.websocket.OnClose;
import javax.websocket.OnError;
import javax.websocket.OnMessage;
import javax.websocket.OnOpen;
import javax.websocket.PongMessage;
import javax.websocket.RemoteEndpoint;
import javax.websocket.Session;
import javax.websocket.server.HandshakeRequest;
import javax.websocket.server.ServerEndpointConfig;

/**
 * The sylkRTC WebSocket endpoint, {@code /webrtcgateway/ws} with subprotocol {@code sylkRTC-2} (spec §4.2): one
 * instance per WebSocket, handing text to its {@link SylkRtcConnection}. Handshakes without the subprotocol
 * never reach it ({@link HandshakeFilter} refuses them with 406). Binary messages are logged and ignored. The
 * server pings every {@code websocket_ping_interval} seconds and closes a connection whose pong does not come within
 * half of that. A connection over {@code max_connections} in all or {@code max_connections_per_address} from its
 * IP address is closed at once with 1013 (try again later, RFC 6455 §7.4.2's registry).
 *
 * <p>Deployed by {@link GatewayLifecycle} when the archive starts ({@link Deployment#config}), so that every
 * endpoint is made with what its deployment shares: the running gateway, the connection counts and the threads.
 */
public class SylkRtcEndpoint {

    public static final String SUBPROTOCOL = "sylkRTC-2";

    private static final Logger LOG = Logger.getLogger("webrtcgateway");
    private static final String PEER_PROPERTY = "sylkrtc.peer";

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    /**
     * What the endpoints of one deployment of the archive share, and how they are made: the gateway of its servlet
     * context, the connection counts, the pool the connections' requests run on and the keep-alive thread. It also
     * copies the client address that {@link HandshakeFilter} put into the handshake to the connection's own
     * properties: Tomcat 7's WebSocket session does not expose it.
     */
    static final class Deployment extends ServerEndpointConfig.Configurator {

        private final Supplier<Gateway> gateway;
        private final ExecutorService requests = Executors.newCachedThreadPool(task -> daemon(task, "sylkrtc-requests"));
        private final ScheduledExecutorService keepAlive =
                Executors.newSingleThreadScheduledExecutor(task -> daemon(task, "sylkrtc-keepalive"));
        private final ConnectionCounter connections = new ConnectionCounter();

        /** @param gateway the running gateway, asked for at each connection */
        Deployment(Supplier<Gateway> gateway) {
            this.gateway = gateway;
        }

        /** The endpoint's configuration at {@code /ws} with subprotocol {@value #SUBPROTOCOL}, made by this. */
        ServerEndpointConfig config() {
            return ServerEndpointConfig.Builder.create(SylkRtcEndpoint.class, "/ws").subprotocols(List.of(SUBPROTOCOL))
                    .configurator(this).build();
        }

        @Override
        public <T> T getEndpointInstance(Class<T> endpointClass) {
            return endpointClass.cast(new SylkRtcEndpoint(this));
        }

        @Override
        public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
            List<String> peer = request.getHeaders().get(HandshakeFilter.PEER_HEADER);
            if (peer != null && !peer.isEmpty()) {
                config.getUserProperties().put(PEER_PROPERTY, peer.get(0));
            }
        }

        /** Stops the shared threads; the archive is being undeployed. */
        void shutdown() {
            keepAlive.shutdownNow();
            requests.shutdownNow();
        }
    }

    /** RFC 6455 close code 1013 (IANA registry): the server cannot take the connection now. */
    static final int CLOSE_TRY_AGAIN_LATER = 1013;

    private final Deployment deployment;
    private Session session;
    private ClientTransport transport;
    /** The client's IP address while it counts towards the connection limits, else null. */
    private String countedAddress;
    private SylkRtcConnection connection;
    // keep-alive state, owned by the deployment's keep-alive thread except for the volatile pong time and cancellation
    private volatile ScheduledFuture<?> keepAlive;
    private volatile long lastPong;
    private long lastPing;
    /** {@code websocket_ping_interval} (spec §4.2) when the connection opened. */
    private long pingInterval;

    SylkRtcEndpoint(Deployment deployment) {
        this.deployment = deployment;
    }

    @OnOpen
    public void open(Session session, EndpointConfig config) {
        this.session = session;
        String peer = (String) config.getUserProperties().getOrDefault(PEER_PROPERTY, "unknown address");
        transport = new SessionTransport(session);
        String address = ConnectionCounter.address(peer);
        Gateway gateway = deployment.gateway.get();
        ClientLimits limits = gateway.config().limits();
        if (!deployment.connections.admit(address, limits)) {
            LOG.warning(() -> "sylkRTC connection from " + peer + " refused: over max_connections ("
                    + limits.maxConnections() + ") or max_connections_per_address (" + limits.maxConnectionsPerAddress()
                    + ")");
            transport.close(CLOSE_TRY_AGAIN_LATER, "Too many connections");
            return;
        }
        countedAddress = address;
        connection = new SylkRtcConnection(peer, transport, deployment.requests, gateway);
        lastPong = System.nanoTime();
        pingInterval = gateway.config().websocketPingInterval().toSeconds();
        keepAlive = deployment.keepAlive.schedule(this::ping, pingInterval, TimeUnit.SECONDS);
        connection.onOpen();
    }

    @OnMessage
    public void text(String fragment, boolean last) {
        if (connection != null) {
            connection.onText(fragment, last);
        }
    }

    @OnMessage
    public void binary(ByteBuffer fragment, boolean last) {
        if (last && connection != null) {
            LOG.severe(() -> connection + ": binary message ignored, sylkRTC messages are JSON text");
        }
    }

    @OnMessage
    public void pong(PongMessage pong) {
        lastPong = System.nanoTime();
    }

    @OnClose
    public void close(CloseReason reason) {
        if (connection == null) {
            return; // refused in open()
        }
        keepAlive.cancel(false);
        deployment.connections.release(countedAddress);
        connection.onClose(reason.getCloseCode().getCode(), reason.getReasonPhrase());
    }

    @OnError
    public void error(Throwable error) {
        // read failures of a vanishing client are routine; anything else deserves a stack trace
        Level level = error instanceof IOException ? Level.FINE : Level.WARNING;
        LOG.log(level, connection + ": WebSocket error", error);
    }

    private void ping() {
        lastPing = System.nanoTime();
        if (sendPing()) {
            reschedule(this::checkPong, pingInterval / 2);
        }
    }

    private void checkPong() {
        if (lastPong - lastPing < 0) {
            LOG.warning(() -> connection + ": no pong within " + pingInterval / 2 + " s, closing");
            transport.close(CloseReason.CloseCodes.GOING_AWAY.getCode(), "Ping timeout");
        } else {
            reschedule(this::ping, pingInterval - pingInterval / 2);
        }
    }

    private void reschedule(Runnable task, long seconds) {
        if (!keepAlive.isCancelled()) {
            keepAlive = deployment.keepAlive.schedule(task, seconds, TimeUnit.SECONDS);
        }
    }

    private boolean sendPing() {
        try {
            synchronized (session) {
                if (!session.isOpen()) {
                    return false;
                }
                session.getBasicRemote().sendPing(ByteBuffer.allocate(0));
                return true;
            }
        } catch (IOException | IllegalStateException e) {
            LOG.fine(() -> connection + ": ping failed: " + e.getMessage());
            return false;
        }
    }

    /**
     * Writes to the session one frame at a time: Tomcat's basic remote endpoint refuses concurrent writes. Frames sent
     * with {@code more} go to Tomcat's batch buffer (RemoteEndpoint batching, JSR 356 §2.1.3), written when it fills
     * and on {@link #flush} or the next frame without {@code more}: one socket write for many frames. Outside such a
     * run batching is off, so that what Tomcat sends on its own (pongs, the close handshake) goes out at once.
     */
    private static final class SessionTransport implements ClientTransport {
        private final Session session;
        /** Whether batching is on, frames possibly held; guarded by {@code session}. */
        private boolean holding;

        /**
         * Batching only without extensions: browsers negotiate permessage-deflate (RFC 7692), and with it Tomcat's
         * batched frames broke every browser's connection (the pages never saw their registration; Java clients, which
         * negotiate no extension, were fine).
         */
        private final boolean batching;

        SessionTransport(Session session) {
            this.session = session;
            this.batching = session.getNegotiatedExtensions().isEmpty();
        }

        @Override
        public void send(String text) {
            send(text, false);
        }

        @Override
        public void send(String text, boolean more) {
            boolean batch = more && batching;
            try {
                synchronized (session) {
                    if (session.isOpen()) {
                        RemoteEndpoint.Basic remote = session.getBasicRemote();
                        if (batch != holding) {
                            // turning batching off writes what it held first
                            holding = batch;
                            remote.setBatchingAllowed(batch);
                        }
                        remote.sendText(text);
                    }
                }
            } catch (IOException | IllegalStateException e) {
                LOG.fine(() -> "cannot send to a closing sylkRTC connection: " + e.getMessage());
            }
        }

        @Override
        public void flush() {
            try {
                synchronized (session) {
                    if (holding) {
                        holding = false;
                        if (session.isOpen()) {
                            session.getBasicRemote().setBatchingAllowed(false);
                        }
                    }
                }
            } catch (IOException | IllegalStateException e) {
                LOG.fine(() -> "cannot send to a closing sylkRTC connection: " + e.getMessage());
            }
        }

        @Override
        public void close(int code, String reason) {
            flush();
            try {
                synchronized (session) {
                    if (session.isOpen()) {
                        session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
                    }
                }
            } catch (IOException e) {
                LOG.fine(() -> "cannot close a closing sylkRTC connection: " + e.getMessage());
            }
        }
    }
}
