package org.sylkserver.xmpp.s2s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The transport of one S2S stream (RFC 6120 §4): what reaches the socket. */
class XmppConnectionTest {

    /** A socket whose peer reads slowly: the first write waits until the test lets it through. */
    private static final class SlowPeer extends Socket {
        final List<String> writes = new CopyOnWriteArrayList<>();
        final CountDownLatch firstWriteStarted = new CountDownLatch(1);
        final CountDownLatch peerReads = new CountDownLatch(1);
        private final PipedOutputStream feed = new PipedOutputStream();
        private final InputStream in;

        SlowPeer() throws IOException {
            in = new PipedInputStream(feed);
        }

        @Override
        public InputStream getInputStream() {
            return in;
        }

        @Override
        public OutputStream getOutputStream() {
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] bytes, int offset, int length) throws IOException {
                    firstWriteStarted.countDown();
                    try {
                        peerReads.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                    writes.add(new String(bytes, offset, length, StandardCharsets.UTF_8));
                }
            };
        }

        @Override
        public synchronized void close() throws IOException {
            feed.close();
        }

        String written() {
            return String.join("", writes);
        }
    }

    /**
     * Stanzas queued while the peer was not reading go out together, in order, in one write (one TLS record, one
     * system call) instead of one write each.
     */
    @Test
    void stanzasQueuedMeanwhileAreWrittenInOneWrite() throws Exception {
        SlowPeer peer = new SlowPeer();
        XmppConnection connection = connection(peer, 100, Duration.ofSeconds(10));
        Thread reader = running(connection);
        assertTrue(connection.send("<message id='1'/>"));
        assertTrue(peer.firstWriteStarted.await(10, TimeUnit.SECONDS));
        assertTrue(connection.send("<message id='2'/>"));
        assertTrue(connection.send("<message id='3'/>"));
        assertTrue(connection.send("<message id='4'/>"));
        peer.peerReads.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (peer.writes.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(100); // a third write, if any, would come now
        assertEquals(List.of("<message id='1'/>", "<message id='2'/><message id='3'/><message id='4'/>"), peer.writes);
        connection.close();
        reader.join(5000);
    }

    /**
     * A busy link: a stanza that comes soon after the previous write waits a moment for others, and they share one
     * write (one TLS record, one system call, one read for the peer) instead of one write each; a stanza after a
     * quiet spell goes out at once. (The wait is 1 s here so that the test does not depend on the machine's pace;
     * the link's is {@link XmppConnection#COALESCE}.)
     */
    @Test
    void stanzasOfABusyLinkShareTheirWrites() throws Exception {
        SlowPeer peer = new SlowPeer();
        peer.peerReads.countDown();
        XmppConnection connection = connection(peer, 100, Duration.ofSeconds(10), Duration.ofSeconds(1));
        Thread reader = running(connection);
        long quiet = System.nanoTime();
        assertTrue(connection.send(new Outgoing("<message id='1'/>", false)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (peer.writes.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertTrue(System.nanoTime() - quiet < TimeUnit.MILLISECONDS.toNanos(500), "after a quiet spell: at once");
        for (int id = 2; id <= 4; id++) {
            assertTrue(connection.send(new Outgoing("<message id='" + id + "'/>", false)));
            Thread.sleep(10);
        }
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!peer.written().contains("id='4'") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(List.of("<message id='1'/>", "<message id='2'/><message id='3'/><message id='4'/>"), peer.writes);
        connection.close();
        reader.join(5000);
    }

    /**
     * A peer that reads more slowly than we send (a write waits, the queue is full, for less than send_timeout): the
     * stanza that does not fit is refused and the connection stays; once the peer has read, the queued stanzas go
     * out and the next one is taken. Before, a full queue ended the connection at once (connection-timeout, the
     * queued stanzas bounced), and bench/xmpp.sh's 5,000 MESSAGEs/s lost the link to Prosody three times a minute.
     */
    @Test
    void aFullQueueWhileThePeerReadsRefusesTheStanzaAndKeepsTheConnection() throws Exception {
        SlowPeer peer = new SlowPeer();
        XmppConnection connection = connection(peer, 2, Duration.ofSeconds(10));
        Thread reader = running(connection);
        assertTrue(connection.send(new Outgoing("<message id='1'/>", false)));
        assertTrue(peer.firstWriteStarted.await(10, TimeUnit.SECONDS));
        assertTrue(connection.send(new Outgoing("<message id='2'/>", false)));
        assertTrue(connection.send(new Outgoing("<message id='3'/>", false)));
        assertFalse(connection.send(new Outgoing("<message id='4'/>", false)), "the queue is full");
        assertFalse(connection.ending(), "the connection stays");
        assertFalse(connection.stalled());
        peer.peerReads.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!peer.written().contains("id='3'") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(connection.send(new Outgoing("<message id='5'/>", false)), "taken again once the peer read");
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!peer.written().contains("id='5'") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals("<message id='1'/><message id='2'/><message id='3'/><message id='5'/>", peer.written());
        connection.close();
        reader.join(5000);
    }

    /**
     * A peer that stopped reading (a write has waited for send_timeout and the queue is full): the connection ends
     * (RFC 6120 §4.9.3.4, connection-timeout) and its queued stanzas are kept for the link to bounce or resend.
     */
    @Test
    void aFullQueueWhileAWriteWaitedForTheSendTimeoutEndsTheConnection() throws Exception {
        SlowPeer peer = new SlowPeer();
        Duration sendTimeout = Duration.ofMillis(300);
        XmppConnection connection = connection(peer, 2, sendTimeout);
        Thread reader = running(connection);
        assertTrue(connection.send(new Outgoing("<message id='1'/>", false)));
        assertTrue(peer.firstWriteStarted.await(10, TimeUnit.SECONDS));
        long writeStarted = System.nanoTime();
        assertTrue(connection.send(new Outgoing("<message id='2'/>", false)));
        assertTrue(connection.send(new Outgoing("<message id='3'/>", false)));
        assertFalse(connection.send(new Outgoing("<message id='4'/>", false)));
        while (System.nanoTime() - writeStarted < sendTimeout.toNanos() + TimeUnit.MILLISECONDS.toNanos(50)) {
            Thread.sleep(10);
        }
        assertFalse(connection.send(new Outgoing("<message id='5'/>", false)));
        assertTrue(connection.stalled(), "the peer stopped reading");
        assertTrue(connection.ending());
        assertEquals(List.of("<message id='2'/>", "<message id='3'/>"),
                connection.takeUnsent().stream().map(Outgoing::xml).toList());
        peer.peerReads.countDown();
        reader.join(10_000);
    }

    private static XmppConnection connection(Socket peer, int queueLimit, Duration sendTimeout) throws IOException {
        return connection(peer, queueLimit, sendTimeout, Duration.ZERO);
    }

    private static XmppConnection connection(Socket peer, int queueLimit, Duration sendTimeout, Duration coalesce)
            throws IOException {
        return new XmppConnection(peer, "test", 65536, queueLimit, sendTimeout, coalesce, XmppTrace.off(),
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor());
    }

    /** The connection's reader (and so its writer) running on a thread of its own. */
    private static Thread running(XmppConnection connection) {
        Thread reader = new Thread(() -> connection.run(new XmppConnection.Handler() {
            @Override
            public void streamOpened(StreamElement header) {
            }

            @Override
            public void element(StreamElement element) {
            }

            @Override
            public void streamClosed() {
            }

            @Override
            public void streamFailed(StreamError error) {
            }

            @Override
            public void connectionLost(String reason) {
            }
        }));
        reader.start();
        return reader;
    }
}
