package org.sylkserver.webrtc;

import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.SectionReader;

/**
 * What one sylkRTC client may take of the gateway (issue 11 part 3: one misbehaving client never hurts the
 * others), from {@code webrtcgateway.ini [General]}. A limit of 0 means none (only for the counts).
 *
 * @param maxMessageBytes          {@code max_message_size}: the largest message in UTF-8 bytes; a larger one closes
 *                                 the connection with 1009 (RFC 6455 §7.4.1)
 * @param maxJsonDepth             {@code max_json_depth}: the deepest nesting of objects and arrays in a message;
 *                                 a deeper one is refused before it is built (an {@code error} when it names its
 *                                 transaction)
 * @param maxPendingRequests       {@code max_pending_requests}: messages a connection may have received and not yet
 *                                 handled; a client that sends faster than that is closed with 1008
 * @param maxConnections           {@code max_connections}: open sylkRTC connections in all
 * @param maxConnectionsPerAddress {@code max_connections_per_address}: open connections from one IP address
 * @param maxAccountsPerConnection {@code max_accounts_per_connection}: accounts one connection may add
 * @param maxSessionsPerConnection {@code max_sessions_per_connection}: calls one connection may have at once
 * @param maxAddressBookEntries    {@code max_addressbook_entries}: contacts, groups and policies in one account's
 *                                 address book (spec §4.14); one more is an {@code addressbook-update-failed}
 */
public record ClientLimits(int maxMessageBytes, int maxJsonDepth, int maxPendingRequests, int maxConnections,
                           int maxConnectionsPerAddress, int maxAccountsPerConnection, int maxSessionsPerConnection,
                           int maxAddressBookEntries) {

    /** Every limit at its default. */
    public static final ClientLimits DEFAULTS = new ClientLimits(64 * 1024, 32, 100, 10_000, 100, 20, 20, 1000);

    /** The limits of {@code webrtcgateway.ini [General]}, each at its default when absent. */
    static ClientLimits read(SectionReader general) throws ConfigException {
        return new ClientLimits(
                general.integer("max_message_size", DEFAULTS.maxMessageBytes, 1024, 16 * 1024 * 1024),
                general.integer("max_json_depth", DEFAULTS.maxJsonDepth, 4, 1000),
                general.integer("max_pending_requests", DEFAULTS.maxPendingRequests, 1, 100_000),
                general.integer("max_connections", DEFAULTS.maxConnections, 0, Integer.MAX_VALUE),
                general.integer("max_connections_per_address", DEFAULTS.maxConnectionsPerAddress, 0, Integer.MAX_VALUE),
                general.integer("max_accounts_per_connection", DEFAULTS.maxAccountsPerConnection, 0, Integer.MAX_VALUE),
                general.integer("max_sessions_per_connection", DEFAULTS.maxSessionsPerConnection, 0, Integer.MAX_VALUE),
                general.integer("max_addressbook_entries", DEFAULTS.maxAddressBookEntries, 0, Integer.MAX_VALUE));
    }

    /** Whether {@code count} things already there leave room for one more under {@code limit} (0: no limit). */
    static boolean roomFor(int count, int limit) {
        return limit == 0 || count < limit;
    }
}
