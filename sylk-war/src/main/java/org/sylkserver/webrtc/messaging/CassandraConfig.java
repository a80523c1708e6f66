package org.sylkserver.webrtc.messaging;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.IniFile;
import org.sylkserver.core.config.SectionReader;

/**
 * The {@code [Cassandra]} section of {@code webrtcgateway.ini} (spec §8.3): when {@code cluster_contact_points} is set
 * the message store is {@link CassandraMessageStore} (spec §4.8.6), else the embedded SQLite store.
 *
 * @param contactPoints   {@code cluster_contact_points}: {@code host[:port]}, comma separated, port 9042 when absent
 * @param keyspace        {@code keyspace}: where the original's tables are (created when missing)
 * @param pushTokensTable {@code push_tokens_table}: the name of the push token table, {@code push_tokens} when empty
 * @param localDatacenter {@code local_datacenter}: the data centre whose nodes are asked first, or null to take that
 *                        of the contact points (as the original's driver did)
 * @param requestTimeout  {@code request_timeout}: how long one query may take before it counts as failed (the message
 *                        is then refused, not acknowledged)
 */
public record CassandraConfig(List<InetSocketAddress> contactPoints, String keyspace, String pushTokensTable,
                              String localDatacenter, Duration requestTimeout) {

    public static final int DEFAULT_PORT = 9042;
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** What CQL takes as a keyspace or table name without quotes (spec §4.8.6 names are such). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,47}");

    public CassandraConfig {
        contactPoints = List.copyOf(contactPoints);
    }

    /** The section of {@code webrtcgateway.ini} in {@code configDir}, or null when no contact point is set. */
    public static CassandraConfig load(Path configDir) throws ConfigException {
        SectionReader section = new SectionReader(IniFile.read(configDir.resolve("webrtcgateway.ini")), "Cassandra");
        List<String> points = section.list("cluster_contact_points", List.of());
        if (points.isEmpty()) {
            return null;
        }
        List<InetSocketAddress> contactPoints = new ArrayList<>();
        for (String point : points) {
            contactPoints.add(contactPoint(section, point));
        }
        String keyspace = section.string("keyspace", "").strip();
        if (!NAME.matcher(keyspace).matches()) {
            throw section.error("keyspace", keyspace, keyspace.isEmpty() ? "required with cluster_contact_points"
                    : "not a keyspace name (letters, digits, _; at most 48)");
        }
        String table = section.string("push_tokens_table", "").strip();
        if (table.isEmpty()) {
            table = "push_tokens";
        } else if (!NAME.matcher(table).matches()) {
            throw section.error("push_tokens_table", table, "not a table name (letters, digits, _; at most 48)");
        }
        String datacenter = section.string("local_datacenter", "").strip();
        Duration timeout = section.seconds("request_timeout", DEFAULT_REQUEST_TIMEOUT);
        if (timeout.isZero()) {
            throw section.error("request_timeout", section.raw("request_timeout"), "must be more than 0");
        }
        return new CassandraConfig(contactPoints, keyspace, table, datacenter.isEmpty() ? null : datacenter, timeout);
    }

    /** {@code host}, {@code host:port} or {@code [IPv6]:port}; the host is resolved when the store connects. */
    private static InetSocketAddress contactPoint(SectionReader section, String point) throws ConfigException {
        String host = point;
        String port = null;
        if (point.startsWith("[")) {
            int end = point.indexOf(']');
            if (end < 0 || end + 1 < point.length() && point.charAt(end + 1) != ':') {
                throw section.error("cluster_contact_points", point, "expected host[:port]");
            }
            host = point.substring(1, end);
            port = end + 1 < point.length() ? point.substring(end + 2) : null;
        } else if (point.indexOf(':') > 0 && point.indexOf(':') == point.lastIndexOf(':')) {
            host = point.substring(0, point.indexOf(':'));
            port = point.substring(point.indexOf(':') + 1);
        }
        try {
            int number = port == null ? DEFAULT_PORT : Integer.parseInt(port);
            if (host.isEmpty() || number < 1 || number > 65535) {
                throw new NumberFormatException();
            }
            return InetSocketAddress.createUnresolved(host, number);
        } catch (NumberFormatException e) {
            throw section.error("cluster_contact_points", point, "expected host[:port]");
        }
    }

    /** The contact points as the operator wrote them, for messages. */
    public String describe() {
        List<String> points = new ArrayList<>();
        for (InetSocketAddress point : contactPoints) {
            points.add(point.getHostString() + ":" + point.getPort());
        }
        return String.join(", ", points) + " (keyspace " + keyspace + ")";
    }
}
