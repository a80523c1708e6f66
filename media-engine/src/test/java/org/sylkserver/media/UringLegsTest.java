package org.sylkserver.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ICE-lite legs' own sockets on io_uring ({@link UringLegs}, {@code [RTP] webrtc_io_uring}): ports of the range as
 * with the selector, a publisher's legs on one loop, and what a loop writes while it handles a datagram or a task
 * reaching the network although no socket is flushed by its writer (the loop flushes every socket written to at the
 * end, so that the sends of many sockets go to the kernel in one {@code io_uring_enter}).
 */
class UringLegsTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration WAIT = Duration.ofSeconds(5);

    private MediaEngine engine;
    private final List<DatagramSocket> peers = new ArrayList<>();

    @BeforeEach
    void ioUringIsThere() {
        org.junit.jupiter.api.Assumptions.assumeTrue(UringLegs.available(),
                () -> "io_uring is not available here: " + UringLegs.unavailability());
    }

    @AfterEach
    void close() throws IOException {
        peers.forEach(DatagramSocket::close);
        if (engine != null) {
            engine.close();
        }
    }

    private MediaEngine engine(int start, int end, int threads) throws IOException {
        engine = new MediaEngine(LOOPBACK, start, end, Duration.ZERO, RtpPolicy.OPEN, 0, threads, true);
        return engine;
    }

    private DatagramSocket peer() throws IOException {
        DatagramSocket peer = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        peer.setSoTimeout((int) WAIT.toMillis());
        peers.add(peer);
        return peer;
    }

    private static String receive(DatagramSocket peer) throws IOException {
        DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
        peer.receive(packet);
        return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.US_ASCII);
    }

    private static void send(DatagramSocket peer, String text, int port) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        peer.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress(LOOPBACK, port)));
    }

    private static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void withoutIoUringTheLegsStayOnTheSelector() throws IOException {
        engine = new MediaEngine(LOOPBACK, 47700, 47710, Duration.ZERO, RtpPolicy.OPEN, 0, 2, false);
        assertNull(engine.uringLegs());
        try (MediaSocket socket = engine.openIceSocket("u1", null, (datagram, source) -> { }, () -> { })) {
            assertTrue(socket.channel() != null, "a selector channel");
            assertNull(socket.uringLeg());
        }
    }

    /** RFC 3550 §11: an even port for RTP, the odd one above kept with it (rtcp-mux or not, as with the selector). */
    @Test
    void legsTakeEvenPortsOfTheRangeAndGiveThemBackWhenClosed() throws Exception {
        engine(47720, 47724, 1);
        MediaSocket first = engine.openIceSocket("u1", null, (datagram, source) -> { }, () -> { });
        MediaSocket second = engine.openIceSocket("u2", null, (datagram, source) -> { }, () -> { });
        assertEquals(Set.of(47720, 47722), Set.of(first.port(), second.port()));
        assertTrue(first.uringLeg() != null && first.channel() == null, "an io_uring socket");
        assertEquals(2, engine.portPairsInUse());
        first.close();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (engine.portPairsInUse() > 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, engine.portPairsInUse(), "the closed leg's pair is back");
        MediaSocket third = engine.openIceSocket("u3", null, (datagram, source) -> { }, () -> { });
        assertEquals(first.port(), third.port());
        second.close();
        third.close();
    }

    /** A port another program holds is skipped, as {@link MediaEngine#openSocket} skips it. */
    @Test
    void aPortHeldByAnotherProgramIsSkipped() throws Exception {
        engine(47730, 47734, 1);
        try (DatagramSocket squatter = new DatagramSocket(new InetSocketAddress(LOOPBACK, 47730));
             MediaSocket socket = engine.openIceSocket("u1", null, (datagram, source) -> { }, () -> { })) {
            assertEquals(47732, socket.port());
            assertTrue(squatter.isBound());
        }
    }

    /**
     * A publisher's legs take the loop with the fewest legs; a feed opened on the publisher's thread gets its datagrams
     * there, so a room's fan-out and its feeds' pipelines never run on two threads at once.
     */
    @Test
    void publishersSpreadOverTheLoopsAndTheirFeedsStayOnTheirs() throws Exception {
        engine(47740, 47760, 2);
        List<Thread> publisherThreads = new CopyOnWriteArrayList<>();
        List<Thread> feedThreads = new CopyOnWriteArrayList<>();
        MediaSocket publisher1 = engine.openIceSocket("p1", null, (d, s) -> publisherThreads.add(Thread.currentThread()), () -> { });
        MediaSocket publisher2 = engine.openIceSocket("p2", null, (d, s) -> publisherThreads.add(Thread.currentThread()), () -> { });
        MediaSocket feed = engine.openIceSocket("f1", publisher1.thread(), (d, s) -> feedThreads.add(Thread.currentThread()), () -> { });
        assertNotSame(publisher1.thread(), publisher2.thread(), "two publishers, two loops");
        assertSame(publisher1.thread(), feed.thread());
        DatagramSocket peer = peer();
        send(peer, "to publisher 1", publisher1.port());
        send(peer, "to publisher 2", publisher2.port());
        send(peer, "to the feed", feed.port());
        long deadline = System.nanoTime() + WAIT.toNanos();
        while ((publisherThreads.size() < 2 || feedThreads.isEmpty()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(2, publisherThreads.size());
        assertNotEquals(publisherThreads.get(0), publisherThreads.get(1));
        assertTrue(publisherThreads.get(0).getName().startsWith("sylk-media-uring-"), publisherThreads.get(0).getName());
        assertTrue(publisherThreads.contains(feedThreads.get(0)), "the feed's datagram on a publisher's loop");
    }

    /**
     * A publisher's datagram forwarded from its receiver to every feed's socket (the fan-out): written on the loop,
     * without a flush of its own, each copy still leaves, from its feed's port, once the read is done.
     */
    @Test
    void whatAReadWritesToOtherSocketsLeavesFromThemWhenTheReadIsDone() throws Exception {
        engine(47770, 47800, 1);
        List<MediaSocket> feeds = new CopyOnWriteArrayList<>();
        List<DatagramSocket> subscribers = new CopyOnWriteArrayList<>();
        Set<Thread> senders = ConcurrentHashMap.newKeySet();
        MediaSocket publisher = engine.openIceSocket("p", null, (datagram, source) -> {
            senders.add(Thread.currentThread());
            byte[] copy = new byte[datagram.remaining()];
            datagram.get(copy);
            for (int i = 0; i < feeds.size(); i++) {
                try {
                    feeds.get(i).send(ByteBuffer.wrap(copy), subscribers.get(i).getLocalSocketAddress());
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
        }, () -> { });
        for (int i = 0; i < 5; i++) {
            subscribers.add(peer());
            feeds.add(engine.openIceSocket("f" + i, publisher.thread(), (d, s) -> { }, () -> { }));
        }
        DatagramSocket browser = peer();
        for (int packet = 0; packet < 20; packet++) {
            send(browser, "packet " + packet, publisher.port());
            for (int i = 0; i < subscribers.size(); i++) {
                DatagramPacket received = new DatagramPacket(new byte[2048], 2048);
                subscribers.get(i).receive(received);
                assertEquals("packet " + packet, new String(received.getData(), 0, received.getLength(),
                        StandardCharsets.US_ASCII));
                assertEquals(feeds.get(i).port(), received.getPort(), "sent from the feed's own socket");
            }
        }
        assertEquals(1, senders.size());
    }

    /** A task on a leg's thread (a phone's voice joining the pipelines) sends as a read does; so does any thread. */
    @Test
    void whatATaskOrAnotherThreadSendsLeaves() throws Exception {
        engine(47810, 47820, 1);
        MediaSocket leg = engine.openIceSocket("u1", null, (datagram, source) -> { }, () -> { });
        DatagramSocket peer = peer();
        leg.thread().execute(() -> {
            try {
                leg.send(ascii("from a task"), peer.getLocalSocketAddress());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        assertEquals("from a task", receive(peer));
        leg.send(ascii("from the test's thread"), peer.getLocalSocketAddress());
        assertEquals("from the test's thread", receive(peer));
        leg.close();
    }
}
