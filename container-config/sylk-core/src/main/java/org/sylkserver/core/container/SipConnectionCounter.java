package org.sylkserver.core.container;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.logging.Logger;

import gov.nist.javax.sip.stack.ConnectionOrientedMessageChannel;

/**
 * Counts the SIP connections the TCP and TLS listeners accepted, in all and per client IP address, and refuses
 * (closes at once) one over {@code [SIP] tcp_max_connections} or {@code tcp_max_connections_per_address}. The
 * JAIN-SIP stack's own {@code gov.nist.javax.sip.MAX_CONNECTIONS} applies only to its blocking (OIO) listeners, and
 * there it stops accepting anyone's connections. Thread-safe.
 */
final class SipConnectionCounter {

    private static final Logger LOG = Logger.getLogger("sylk.sip");

    /** Makes the stack's channel for an accepted connection. */
    @FunctionalInterface
    interface ChannelMaker<C extends ConnectionOrientedMessageChannel> {
        C make() throws IOException;
    }

    private final int maxConnections;
    private final int maxPerAddress;
    private final Map<ConnectionOrientedMessageChannel, InetAddress> accepted = new IdentityHashMap<>();
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();

    SipConnectionCounter(int maxConnections, int maxPerAddress) {
        this.maxConnections = maxConnections;
        this.maxPerAddress = maxPerAddress;
    }

    /**
     * The channel for connection {@code socket}, made by {@code maker} and counted, or an IOException (the connection
     * closed) when the limits leave no room for it.
     */
    <C extends ConnectionOrientedMessageChannel> C admit(SocketChannel socket, ChannelMaker<C> maker) throws IOException {
        InetAddress address = socket.socket().getInetAddress();
        synchronized (this) {
            int fromAddress = perAddress.getOrDefault(address, 0);
            boolean full = maxConnections > 0 && accepted.size() >= maxConnections;
            if (full || maxPerAddress > 0 && fromAddress >= maxPerAddress) {
                socket.close();
                String why = full ? "tcp_max_connections " + maxConnections
                        : "tcp_max_connections_per_address " + maxPerAddress;
                LOG.warning(() -> "SIP connection from " + address.getHostAddress() + " refused: over " + why);
                throw new IOException("SIP connection from " + address.getHostAddress() + " refused: over " + why);
            }
            perAddress.put(address, fromAddress + 1);
        }
        C channel;
        try {
            channel = maker.make();
        } catch (IOException | RuntimeException e) {
            forget(address);
            throw e;
        }
        synchronized (this) {
            accepted.put(channel, address);
        }
        return channel;
    }

    /** A channel closed; counted ones make room again (called once or more per channel, for outgoing ones too). */
    void closed(ConnectionOrientedMessageChannel channel) {
        InetAddress address;
        synchronized (this) {
            address = accepted.remove(channel);
        }
        if (address != null) {
            forget(address);
        }
    }

    private synchronized void forget(InetAddress address) {
        perAddress.computeIfPresent(address, (key, count) -> count == 1 ? null : count - 1);
    }

    /** Accepted connections open now. */
    synchronized int open() {
        return accepted.size();
    }
}
