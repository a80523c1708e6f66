package org.sylkserver.core.config;

/**
 * Limits on SIP over TCP and TLS ({@code [SIP]}, ours), so that a flood of connections from one source cannot take
 * the listener from everyone else. A count of 0 means no limit.
 *
 * @param maxConnections           {@code tcp_max_connections}: accepted TCP and TLS connections open at once
 * @param maxConnectionsPerAddress {@code tcp_max_connections_per_address}: the same from one IP address
 * @param idleTimeout              {@code tcp_idle_timeout}: seconds without any byte after which a connection is closed
 *                                 (clients keep theirs with RFC 5626 CRLF keep-alives or traffic)
 * @param tlsHandshakeTimeout      {@code tls_handshake_timeout}: seconds a TLS handshake may take
 */
public record SipConnections(int maxConnections, int maxConnectionsPerAddress, int idleTimeout,
                             int tlsHandshakeTimeout) {

    /** Every limit at its default. */
    public static final SipConnections DEFAULTS = new SipConnections(5000, 100, 600, 10);

    static SipConnections read(SectionReader p) throws ConfigException {
        return new SipConnections(
                p.integer("tcp_max_connections", DEFAULTS.maxConnections, 0, Integer.MAX_VALUE),
                p.integer("tcp_max_connections_per_address", DEFAULTS.maxConnectionsPerAddress, 0, Integer.MAX_VALUE),
                p.integer("tcp_idle_timeout", DEFAULTS.idleTimeout, 1, 86400),
                p.integer("tls_handshake_timeout", DEFAULTS.tlsHandshakeTimeout, 1, 300));
    }
}
