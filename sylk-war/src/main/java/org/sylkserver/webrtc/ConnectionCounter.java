package org.sylkserver.webrtc;

import java.util.HashMap;
import java.util.Map;

/**
 * Counts the open sylkRTC connections, in all and per client IP address, against {@code max_connections} and
 * {@code max_connections_per_address} ({@link ClientLimits}): one source cannot take every connection (and the
 * threads, buffers and memory behind them). Thread-safe.
 */
final class ConnectionCounter {

    private final Map<String, Integer> perAddress = new HashMap<>();
    private int total;

    /** Counts a new connection from {@code address} if the limits leave room for it; false (not counted) if not. */
    synchronized boolean admit(String address, ClientLimits limits) {
        int fromAddress = perAddress.getOrDefault(address, 0);
        if (!ClientLimits.roomFor(total, limits.maxConnections())
                || !ClientLimits.roomFor(fromAddress, limits.maxConnectionsPerAddress())) {
            return false;
        }
        total++;
        perAddress.put(address, fromAddress + 1);
        return true;
    }

    /** A connection that {@link #admit} counted has closed. */
    synchronized void release(String address) {
        total--;
        perAddress.computeIfPresent(address, (key, count) -> count == 1 ? null : count - 1);
    }

    /** The IP address of a peer named {@code ip:port} (IPv6 addresses have colons of their own). */
    static String address(String peer) {
        int colon = peer.lastIndexOf(':');
        return colon < 0 ? peer : peer.substring(0, colon);
    }
}
