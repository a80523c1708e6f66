package org.sylkserver.media.msrp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The listener of an {@link MsrpServer}: one thread accepting connections, each started unless it would take the
 * endpoint over its {@link MsrpServer.Limits} (connections in all and from one address), in which case it is reset
 * at once and logged (at most a line a second, so that a flood does not flood the log).
 */
final class MsrpAcceptor {

    /** Starts an accepted connection. */
    @FunctionalInterface
    interface Start {
        void accepted(Socket client) throws IOException;
    }

    private static final Logger log = Logger.getLogger(MsrpServer.class.getName());

    private final ServerSocket socket;
    private final MsrpServer.Limits limits;
    private final Supplier<Collection<MsrpConnection>> open;
    private final Start start;
    /** When a refused connection was last logged (nanoTime), so that a flood logs one line a second. */
    private volatile long refusalLogged;

    /**
     * @param open  the endpoint's open connections (accepted and opened)
     * @param start starts a connection that may be accepted
     */
    MsrpAcceptor(ServerSocket socket, MsrpServer.Limits limits, Supplier<Collection<MsrpConnection>> open,
                 Start start) {
        this.socket = socket;
        this.limits = limits;
        this.open = open;
        this.start = start;
    }

    /** Starts the accepting thread; it ends when the socket is closed. */
    void start() {
        Thread acceptor = new Thread(this::accept, "sylk-msrp-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                String refusal = refusal(client.getInetAddress(), open.get(), limits);
                if (refusal != null) {
                    client.setSoLinger(true, 0);
                    client.close();
                    long now = System.nanoTime();
                    if (now - refusalLogged > TimeUnit.SECONDS.toNanos(1)) {
                        refusalLogged = now;
                        log.warning(() -> "MSRP connection from " + client.getRemoteSocketAddress() + " refused: "
                                + refusal);
                    }
                    continue;
                }
                start.accepted(client);
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    log.log(Level.WARNING, "MSRP accept failed", e);
                }
            }
        }
    }

    /**
     * Why a connection from {@code peer} may not be accepted while {@code open} are ({@link MsrpServer.Limits}: only
     * accepted connections count), or null.
     */
    static String refusal(InetAddress peer, Collection<MsrpConnection> open, MsrpServer.Limits limits) {
        int all = 0;
        int fromPeer = 0;
        for (MsrpConnection connection : open) {
            if (connection.accepted()) {
                all++;
                if (peer.equals(connection.peerAddress())) {
                    fromPeer++;
                }
            }
        }
        if (all >= limits.maxConnections()) {
            return all + " connections are open, the limit (max_connections)";
        }
        if (fromPeer >= limits.maxConnectionsPerAddress()) {
            return fromPeer + " connections from " + peer.getHostAddress()
                    + " are open, the limit (max_connections_per_address)";
        }
        return null;
    }
}
