import java.io.IOException;
import java.io.InputStream;

import org.sylkserver.cassandra.CassandraNode;

/**
 * For {@code BACKEND=cassandra bench/messaging.sh}: starts a one-node Cassandra (the tests' {@link CassandraNode}: its
 * own JVM, 512 MiB heap, loopback, data under ./target), prints {@code contact <host>:<port>} once it takes CQL
 * connections, and stops it when standard input closes (the script ends).
 */
public final class CassandraForBench {
    public static void main(String[] args) throws IOException {
        CassandraNode node = CassandraNode.start();
        System.out.println("contact " + node.contactPoint().getHostString() + ":" + node.contactPoint().getPort());
        System.out.flush();
        try (InputStream in = System.in) {
            while (in.read() >= 0) {
                // only the end of the stream matters
            }
        } finally {
            node.stop();
        }
    }
}
