package org.sylkserver.webrtc.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.core.config.ConfigException;

/** spec §8.3 {@code [Cassandra]}: the options that select and reach the Cassandra store. */
class CassandraConfigTest {

    @TempDir
    Path configDir;

    private CassandraConfig load(String section) throws IOException, ConfigException {
        Files.writeString(configDir.resolve("webrtcgateway.ini"), "[Cassandra]\n" + section);
        return CassandraConfig.load(configDir);
    }

    /** spec §4.8.6: no contact point, no Cassandra (the embedded store). */
    @Test
    void withoutContactPointsThereIsNoCassandra_spec_4_8_6() throws Exception {
        assertNull(load("keyspace = sylk\n"));
        assertNull(load("cluster_contact_points =\n"));
    }

    @Test
    void contactPointsTakePort9042WhenAbsent_spec_8_3() throws Exception {
        CassandraConfig config = load("cluster_contact_points = db1.example.com, 10.0.0.2:19042, [::1]:9999\n"
                + "keyspace = sylk\n");
        assertEquals(List.of(InetSocketAddress.createUnresolved("db1.example.com", 9042),
                InetSocketAddress.createUnresolved("10.0.0.2", 19042), InetSocketAddress.createUnresolved("::1", 9999)),
                config.contactPoints());
        assertEquals("push_tokens", config.pushTokensTable());
        assertNull(config.localDatacenter());
        assertEquals(Duration.ofSeconds(5), config.requestTimeout());
        assertEquals("db1.example.com:9042, 10.0.0.2:19042, ::1:9999 (keyspace sylk)", config.describe());
    }

    @Test
    void theOtherOptions_spec_8_3() throws Exception {
        CassandraConfig config = load("cluster_contact_points = 127.0.0.1\nkeyspace = sylk\n"
                + "push_tokens_table = mobile_tokens\nlocal_datacenter = dc2\nrequest_timeout = 2.5\n");
        assertEquals("mobile_tokens", config.pushTokensTable());
        assertEquals("dc2", config.localDatacenter());
        assertEquals(Duration.ofMillis(2500), config.requestTimeout());
    }

    /** Bad values name file, option and value; names go into CQL, so only plain identifiers are taken. */
    @Test
    void badValuesAreRefusedWithTheOption() {
        ConfigException noKeyspace = assertThrows(ConfigException.class, () -> load("cluster_contact_points = h\n"));
        assertTrue(noKeyspace.getMessage().contains("keyspace"), noKeyspace.getMessage());
        ConfigException injected = assertThrows(ConfigException.class,
                () -> load("cluster_contact_points = h\nkeyspace = sylk; DROP KEYSPACE x\n"));
        assertTrue(injected.getMessage().contains("keyspace"), injected.getMessage());
        assertThrows(ConfigException.class, () -> load("cluster_contact_points = h\nkeyspace = k\npush_tokens_table = a.b\n"));
        assertThrows(ConfigException.class, () -> load("cluster_contact_points = h:port\nkeyspace = k\n"));
        assertThrows(ConfigException.class, () -> load("cluster_contact_points = h:70000\nkeyspace = k\n"));
        assertThrows(ConfigException.class, () -> load("cluster_contact_points = h\nkeyspace = k\nrequest_timeout = 0\n"));
    }
}
