package org.sylkserver.webrtc.messaging;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.junit.jupiter.api.Test;
import org.sylkserver.cassandra.CassandraNode;

import com.datastax.oss.driver.api.core.CqlSession;

/** The test node is a real Cassandra (issue 14: no mock): the driver connects to it and it answers CQL. */
class CassandraNodeTest {

    @Test
    void theNodeAnswersCql() throws IOException {
        CassandraNode node = CassandraNode.shared();
        try (CqlSession session = CqlSession.builder().addContactPoint(node.contactPoint())
                .withLocalDatacenter(CassandraNode.DATACENTER).build()) {
            String version = session.execute("SELECT release_version FROM system.local").one().getString(0);
            assertTrue(version.startsWith("5."), version);
        }
    }
}
