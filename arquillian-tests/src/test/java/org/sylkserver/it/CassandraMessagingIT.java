package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.cassandra.CassandraNode;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;

/**
 * spec §4.8.6: with {@code [Cassandra] cluster_contact_points} set, the gateway keeps its messages on Cassandra (a real
 * node this test starts), in the original's table, and sends, receives and syncs as with the embedded store
 * (MessagingIT has the whole flow; sipp is the proxy of example.com and bob's phone, as there); with the node gone, a
 * MESSAGE is refused rather than acknowledged.
 */
@ExtendWith(ArquillianExtension.class)
class CassandraMessagingIT {

    private static final String KEYSPACE = "sylk_it";
    private static final int PROXY_PORT = Sipp.freePortUnchecked();
    private static CassandraNode node;

    @Deployment(testable = false)
    static EnterpriseArchive all() throws IOException {
        node = CassandraNode.start();
        ServerConfig.write("webrtcgateway.ini", "[General]\noutbound_sip_proxy = 127.0.0.1:" + PROXY_PORT
                + ";transport=udp\nsip_domains = example.com\n[Cassandra]\ncluster_contact_points = 127.0.0.1:"
                + node.contactPoint().getPort() + "\nkeyspace = " + KEYSPACE + "\n");
        return Archives.all();
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.stop();
        }
    }

    @TempDir
    Path work;

    @Test
    void messagesAreKeptInTheOriginalsCassandraTables_spec_4_8_6() throws Exception {
        // two REGISTERs and alice's MESSAGE
        Sipp.Running proxy = Sipp.scenario(work.resolve("proxy"), MessagingIT.proxy()).waitingForRequests()
                .localPort(PROXY_PORT).calls(3).timeoutSeconds(50).start();
        SylkRtcClient phone = MessagingIT.alice("p");
        MessagingIT.register(phone, "p");
        phone.send("{\"sylkrtc\":\"account-message\",\"transaction\":\"t1\",\"account\":\"alice@example.com\","
                + "\"uri\":\"bob@example.com\",\"message_id\":\"m1\",\"content\":\"Hello Bob\","
                + "\"content_type\":\"text/plain\",\"timestamp\":\"2026-01-01T10:00:00.000Z\"}");
        assertEquals(SylkRtcCallIT.ack("t1"), phone.next());
        MessagingIT.expect(phone, "\"event\":\"disposition-notification\"", "\"message_id\":\"m1\"", "\"state\":\"accepted\"");

        Sipp.Result hello = Sipp.scenario(work.resolve("bob"),
                MessagingIT.bobSends("message/cpim", MessagingIT.cpim("b1", "text/plain", "Hello Alice"), 200)).run();
        assertEquals(0, hello.exitCode(), hello::toString);
        MessagingIT.expect(phone, "\"event\":\"message\"", "\"message_id\":\"b1\"", "Hello Alice");

        // a new device syncs the journal from Cassandra (spec §4.8.4)
        SylkRtcClient tablet = MessagingIT.alice("t");
        MessagingIT.register(tablet, "t");
        tablet.send("{\"sylkrtc\":\"account-sync-conversations\",\"transaction\":\"t2\",\"account\":\"alice@example.com\"}");
        assertEquals(SylkRtcCallIT.ack("t2"), tablet.next());
        String sync = tablet.next();
        assertTrue(sync.startsWith("{\"sylkrtc\":\"account-event\",\"account\":\"alice@example.com\","
                + "\"event\":\"sync-conversations\",\"messages\":[{\"contact\":\"bob@example.com\","
                + "\"timestamp\":\"2026-01-01T10:00:00+00:00\""), sync);
        int m1 = sync.indexOf("\"message_id\":\"m1\",\"content_type\":\"text/plain\",\"content\":\"Hello Bob\","
                + "\"direction\":\"outgoing\",\"state\":\"accepted\"");
        int b1 = sync.indexOf("\"message_id\":\"b1\",\"content_type\":\"text/plain\",\"content\":\"Hello Alice\","
                + "\"direction\":\"incoming\",\"state\":\"received\"");
        assertTrue(m1 > 0 && b1 > m1, sync);

        // where the original keeps them: an existing SylkServer keyspace reads the same
        try (CqlSession cql = CqlSession.builder().addContactPoint(node.contactPoint())
                .withLocalDatacenter(CassandraNode.DATACENTER).build()) {
            List<String> journal = new ArrayList<>();
            for (Row row : cql.execute("SELECT message_id, direction, state FROM " + KEYSPACE
                    + ".chat_messages_by_timestamp WHERE account = 'alice@example.com'")) {
                journal.add(row.getString(0) + " " + row.getString(1) + " " + row.getString(2));
            }
            assertEquals(List.of("m1 outgoing accepted", "b1 incoming received"), journal);
            assertTrue(cql.execute("SELECT created_at FROM " + KEYSPACE + ".chat_message_created_at_by_id"
                    + " WHERE message_id = 'b1'").one() != null);
        }
        Sipp.Result result = proxy.await();
        assertEquals(0, result.exitCode(), result::toString);

        // issue 14: Cassandra gone mid-run, a MESSAGE is not acknowledged (500: the sender tries again), nothing
        // reaches alice's devices
        node.stop();
        Sipp.Result refused = Sipp.scenario(work.resolve("bob2"),
                MessagingIT.bobSends("message/cpim", MessagingIT.cpim("b2", "text/plain", "Lost?"), 500)).run();
        assertEquals(0, refused.exitCode(), refused::toString);
        assertEquals(null, phone.next(Duration.ofSeconds(1)));
        phone.close();
        tablet.close();
    }
}
