import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.sylkserver.webrtc.messaging.CassandraConfig;
import org.sylkserver.webrtc.messaging.CassandraMessageStore;
import org.sylkserver.webrtc.messaging.StoreException;
import org.sylkserver.webrtc.messaging.StoredMessage;

import com.datastax.oss.driver.api.core.CqlSession;

/**
 * For {@code bench/store-lookup.sh}: the Cassandra store's cost of a message id's second copy. A message between two
 * local accounts is stored twice under one id, and {@code chat_message_created_at_by_id} names only the copy stored
 * last; the other copy is found through the store's index of the journal's {@code message_id}, or, without it, by
 * reading the account's journal. One account (alice) has a journal of {@code journal} messages; each measured
 * message is stored as alice's outgoing copy, then bob's incoming copy, then alice's copy is updated twice (IMDN
 * delivered and displayed), as the gateway does. Measured with the index, then again after {@code DROP INDEX}, in
 * the same run.
 */
public final class StoreLookupBench {
    private static final String KEYSPACE = "lookup_bench";
    private static final String ALICE = "alice@example.com";
    private static final String BOB = "bob@example.com";

    public static void main(String[] args) throws Exception {
        String[] contact = args[0].split(":");
        InetSocketAddress point = new InetSocketAddress(contact[0], Integer.parseInt(contact[1]));
        int journal = Integer.parseInt(args[1]);
        int messages = Integer.parseInt(args[2]);
        try (CqlSession admin = CqlSession.builder().addContactPoint(point).withLocalDatacenter("datacenter1").build()) {
            admin.execute("DROP KEYSPACE IF EXISTS " + KEYSPACE);
        }
        CassandraConfig config = new CassandraConfig(List.of(point), KEYSPACE, "push_tokens", null,
                CassandraConfig.DEFAULT_REQUEST_TIMEOUT);
        try (CassandraMessageStore store = CassandraMessageStore.open(config);
                CqlSession admin = CqlSession.builder().addContactPoint(point).withLocalDatacenter("datacenter1")
                        .build()) {
            if (!store.isConnected()) {
                throw new IllegalStateException("no Cassandra at " + args[0]);
            }
            long start = System.nanoTime();
            for (int i = 0; i < journal; i++) {
                store.add(message(ALICE, BOB, StoredMessage.OUTGOING, "journal-" + i));
                if ((i + 1) % 1000 == 0) {
                    System.out.printf("journal: %,d of %,d messages of %s stored%n", i + 1, journal, ALICE);
                }
            }
            System.out.printf("journal: %,d messages in %.1f s%n", journal, (System.nanoTime() - start) / 1e9);
            exchange(store, "warm-up", messages / 2);
            double indexed = exchange(store, "with the index", messages);
            admin.execute("DROP INDEX " + KEYSPACE + ".chat_messages_by_timestamp_message_id");
            double filtering = exchange(store, "without the index (DROP INDEX)", messages);
            System.out.printf("result: %.0f us per message with the index, %.0f us without, %.1fx%n", indexed,
                    filtering, filtering / indexed);
            admin.execute("DROP KEYSPACE " + KEYSPACE);
        }
    }

    /** Stores {@code count} messages from alice to bob as the gateway does; the time per message in microseconds. */
    private static double exchange(CassandraMessageStore store, String label, int count) throws StoreException {
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            String id = label.charAt(0) + "-" + System.nanoTime() + "-" + i;
            check(store.add(message(ALICE, BOB, StoredMessage.OUTGOING, id)), "add alice's copy of " + id);
            check(store.add(message(BOB, ALICE, StoredMessage.INCOMING, id)), "add bob's copy of " + id);
            check(store.update(ALICE, id, "delivered", List.of("display")), "update alice's copy of " + id);
            check(store.update(ALICE, id, "displayed", List.of()), "update alice's copy of " + id);
        }
        double micros = (System.nanoTime() - start) / 1e3 / count;
        System.out.printf("%s: %,d messages, %.0f us per message (2 adds, 2 updates), %.0f messages/s%n", label, count,
                micros, 1e6 / micros);
        return micros;
    }

    private static void check(boolean done, String what) {
        if (!done) {
            throw new IllegalStateException("the store did not " + what);
        }
    }

    private static StoredMessage message(String account, String contact, String direction, String id) {
        return new StoredMessage(account, contact, direction, id, "text/plain", "hello " + id,
                Instant.now().atOffset(ZoneOffset.UTC), Instant.now(), List.of("display"),
                StoredMessage.OUTGOING.equals(direction) ? "pending" : "received");
    }
}
