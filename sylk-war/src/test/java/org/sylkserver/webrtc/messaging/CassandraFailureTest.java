package org.sylkserver.webrtc.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sylkserver.cassandra.CassandraNode;

/**
 * Issue 14, "Cassandra unreachable at start or mid-run gives clear errors and retries, never a silent loss": against
 * the real test node ({@link CassandraNode}), reached through a relay the test opens late, or suspended mid-run. The
 * keyspace is the contract's (a schema change takes the node seconds), the account one the contract does not use.
 */
class CassandraFailureTest {

    private static StoredMessage message(String id) {
        return new StoredMessage("failure@example.com", "alice@example.com", StoredMessage.INCOMING, id, "text/plain",
                "hello", OffsetDateTime.parse("2026-01-01T10:00:00Z"), Instant.now(), List.of("display"), "received");
    }

    /** Nothing listens at the contact point when the store opens: refused with the address, connected once it answers. */
    @BeforeEach
    void forgetTheAccount() throws Exception {
        try (CassandraMessageStore store = CassandraMessageStore.open(CassandraMessageStoreTest.config(
                CassandraNode.shared(), CassandraMessageStoreTest.KEYSPACE))) {
            store.removeAccount("failure@example.com");
        }
    }

    @Test
    void unreachableAtStartIsRefusedThenRetried() throws Exception {
        CassandraNode node = CassandraNode.shared();
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        InetSocketAddress contactPoint = new InetSocketAddress("127.0.0.1", port);
        try (CassandraMessageStore store = CassandraMessageStore.open(new CassandraConfig(List.of(contactPoint),
                CassandraMessageStoreTest.KEYSPACE, "push_tokens", null, Duration.ofSeconds(5)))) {
            assertFalse(store.isConnected());
            StoreException refused = assertThrows(StoreException.class, () -> store.add(message("m1")));
            assertTrue(refused.getMessage().contains("127.0.0.1:" + port) && refused.getMessage().contains("unreachable"),
                    refused.getMessage());
            try (Relay relay = new Relay(port, node.contactPoint())) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CassandraMessageStore.CONNECT_RETRY.toSeconds() + 30);
                while (!store.isConnected() && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                assertTrue(store.isConnected(), "connected after the node became reachable");
                assertTrue(store.add(message("m1")));
                assertEquals(List.of("m1"), store.journal("failure@example.com", null, null, 10).stream()
                        .map(StoredMessage::messageId).toList());
            }
        }
    }

    /**
     * The node stops answering mid-run: the add fails within request_timeout, naming the contact point (the caller
     * does not acknowledge it); once the node is back, the retried add leaves the message stored exactly once.
     */
    @Test
    void aNodeThatStopsAnsweringFailsTheAddAndNothingIsLostOrDoubled() throws Exception {
        CassandraNode node = CassandraNode.shared();
        try (CassandraMessageStore store = CassandraMessageStore.open(new CassandraConfig(List.of(node.contactPoint()),
                CassandraMessageStoreTest.KEYSPACE, "push_tokens", null, Duration.ofSeconds(1)))) {
            assertTrue(store.add(message("before")));
            StoredMessage during = message("during");
            signal("STOP", node.pid());
            try {
                StoreException failed = assertThrows(StoreException.class, () -> store.add(during));
                assertTrue(failed.getMessage().contains(node.contactPoint().getPort() + ""), failed.getMessage());
            } finally {
                signal("CONT", node.pid());
            }
            // the client retries what was not acknowledged (the node may or may not have applied the first try)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    store.add(during);
                    break;
                } catch (StoreException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw notYet;
                    }
                    Thread.sleep(200);
                }
            }
            assertEquals(List.of("before", "during"), store.journal("failure@example.com", null, null, 10).stream()
                    .map(StoredMessage::messageId).toList());
        }
    }

    /** Sends {@code signal} and waits until the process is in the state it asks for (kill returns before that). */
    private static void signal(String signal, long pid) throws IOException, InterruptedException {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor());
        boolean stopping = "STOP".equals(signal);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (stopped(pid) != stopping) {
            assertTrue(System.nanoTime() < deadline, "process " + pid + " not " + (stopping ? "stopped" : "continued"));
            Thread.sleep(20);
        }
    }

    /** Whether the process is stopped: state T in /proc/PID/stat (the field after the parenthesised name). */
    private static boolean stopped(long pid) throws IOException {
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).startsWith("T");
    }

    /** A TCP relay from a loopback port to the node, so that the contact point starts answering when the test says. */
    private static final class Relay implements AutoCloseable {
        private final ServerSocket server;

        Relay(int port, InetSocketAddress target) throws IOException {
            server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket client = server.accept();
                        Socket upstream = new Socket(target.getAddress(), target.getPort());
                        pump(client, upstream);
                        pump(upstream, client);
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "relay-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private static void pump(Socket from, Socket to) {
            Thread thread = new Thread(() -> {
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    in.transferTo(out);
                } catch (IOException e) {
                    // one side closed: close both below
                }
                try {
                    from.close();
                    to.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }, "relay-pump");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
