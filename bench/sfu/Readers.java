import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.sylkserver.media.ice.ConnectivityCheck;
import org.sylkserver.media.webrtc.BrowserPeer;

/**
 * The load generator's receive side without a thread per peer (session 26): a few selector threads read every peer's
 * socket straight from the kernel, draining each ready socket, and hand each datagram to the peer's
 * {@link BrowserPeer.PacketSink} (RTP and RTCP, first byte 128-191, RFC 7983 §7). With ice4j gone from a peer after
 * its checks and handshake ({@link BrowserPeer#detach()}), these threads also keep its ICE consent as a browser does
 * (RFC 7675 §5.1: a binding request on the selected pair every 4-6 s; the SFU drops a leg that sends neither media
 * nor consent for its RTP timeout, 30 s by default) and count the answers.
 *
 * <p>Why: a peer read through ice4j ({@code Component.getSocket()}, a {@code MergingDatagramSocket}) has a
 * {@code SocketContainer} thread that reads through a multiplexing socket into a queue of 100, and another thread of
 * the peer's takes from that queue; the STUN stack's thread reads the same kernel socket. So every packet woke one or
 * two threads of ~400 peers, and waited in Java queues that the kernel's counters cannot see (docs/benchmarks.md,
 * issue 13, session 26).
 */
final class Readers implements AutoCloseable {

    /** One peer's socket and what it needs of its reader: where its datagrams go, its consent checks. */
    static final class Port {
        final DatagramChannel channel;
        final BrowserPeer.Detached ice;
        volatile BrowserPeer.PacketSink sink;
        /** Binding requests sent and success responses received (RFC 7675 consent). */
        final AtomicLong consentSent = new AtomicLong();
        final AtomicLong consentAnswered = new AtomicLong();
        volatile long lastAnswered = System.nanoTime();
        /** Datagrams with no sink yet, and those neither STUN nor RTP/RTCP. */
        long unclaimed;
        long nextConsent;

        Port(DatagramChannel channel, BrowserPeer.Detached ice) {
            this.channel = channel;
            this.ice = ice;
        }
    }

    private final Loop[] loops;
    private int next;

    /**
     * @param pollNanos 0: each thread blocks in {@code select} and is woken by the first datagram to arrive (by the
     *                  SFU's {@code sendto}, on its CPU time); else each thread sleeps this long between two
     *                  {@code selectNow}s, so that no datagram wakes it (a remote browser's receiving costs the SFU's
     *                  machine nothing), at the price of up to this much delay
     */
    Readers(int threads, long pollNanos) throws IOException {
        loops = new Loop[threads];
        for (int i = 0; i < threads; i++) {
            loops[i] = new Loop("peer-reader-" + i, pollNanos);
            loops[i].thread.start();
        }
    }

    /** Reads {@code port}'s datagrams from now on, on the reader with the fewest ports so far (round robin). */
    synchronized void add(Port port) throws IOException {
        port.channel.configureBlocking(false);
        if (port.ice != null) {
            // the first check soon, spread over 1 s: consent is kept from the last check ice4j made
            port.nextConsent = System.nanoTime() + ThreadLocalRandom.current().nextLong(1_000_000_000L);
        }
        Loop loop = loops[next++ % loops.length];
        loop.pending.add(port);
        loop.selector.wakeup();
    }

    /** Datagrams read and selector wake-ups, summed over the readers. */
    long[] counts() {
        long[] sum = new long[2];
        for (Loop loop : loops) {
            sum[0] += loop.datagrams;
            sum[1] += loop.wakeups;
        }
        return sum;
    }

    /** The reader threads' ids (for their CPU in /proc/self/task). */
    List<Long> threadIds() {
        List<Long> ids = new ArrayList<>();
        for (Loop loop : loops) {
            ids.add(loop.thread.getId());
        }
        return ids;
    }

    @Override
    public void close() {
        for (Loop loop : loops) {
            loop.closed = true;
            loop.selector.wakeup();
        }
    }

    /**
     * A consent check (RFC 7675 §5.1, RFC 8445 §7.2.2): a binding request with PRIORITY, USERNAME remote:local,
     * ICE-CONTROLLING (the peers control), MESSAGE-INTEGRITY keyed with the remote password, FINGERPRINT.
     */
    static byte[] consentCheck(BrowserPeer.Detached ice) throws Exception {
        return ConnectivityCheck.request(ice.remoteUfrag(), ice.localUfrag(), ice.remotePassword(), false);
    }

    /** Whether a datagram is a STUN binding success response (RFC 5389 §6: type 0x0101, magic cookie). */
    static boolean isBindingSuccess(byte[] b, int length) {
        return length >= 20 && b[0] == 0x01 && b[1] == 0x01 && b[4] == 0x21 && b[5] == 0x12 && (b[6] & 0xff) == 0xa4
                && b[7] == 0x42;
    }

    private static final class Loop implements Runnable {
        final Selector selector;
        final Thread thread;
        final ConcurrentLinkedQueue<Port> pending = new ConcurrentLinkedQueue<>();
        final List<Port> ports = new ArrayList<>();
        final ByteBuffer buffer = ByteBuffer.allocate(2048);
        final long pollNanos;
        volatile boolean closed;
        volatile long datagrams;
        volatile long wakeups;

        Loop(String name, long pollNanos) throws IOException {
            this.pollNanos = pollNanos;
            selector = Selector.open();
            thread = new Thread(this, name);
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            byte[] array = buffer.array();
            long nextTimers = 0;
            while (!closed) {
                try {
                    if (pollNanos == 0) {
                        selector.select(100);
                    } else {
                        java.util.concurrent.locks.LockSupport.parkNanos(pollNanos);
                        selector.selectNow();
                    }
                    wakeups++;
                    for (Port port; (port = pending.poll()) != null; ) {
                        port.channel.register(selector, SelectionKey.OP_READ, port);
                        ports.add(port);
                    }
                    for (SelectionKey key : selector.selectedKeys()) {
                        Port port = (Port) key.attachment();
                        // drain: every datagram queued at the socket now, not one a wake-up or a poll
                        while (true) {
                            buffer.clear();
                            InetSocketAddress from;
                            try {
                                from = (InetSocketAddress) port.channel.receive(buffer);
                            } catch (IOException e) {
                                key.cancel();
                                break;
                            }
                            if (from == null) {
                                break;
                            }
                            datagrams++;
                            received(port, array, buffer.position());
                        }
                    }
                    selector.selectedKeys().clear();
                    long now = System.nanoTime();
                    if (now - nextTimers >= 0) {
                        nextTimers = now + 100_000_000L;
                        for (Port port : ports) {
                            if (port.ice != null && port.channel.isOpen() && now - port.nextConsent >= 0) {
                                // RFC 7675 §5.1: every 5 s on average, randomised over 0.8-1.2 of that
                                port.nextConsent = now + ThreadLocalRandom.current().nextLong(4_000_000_000L, 6_000_000_000L);
                                try {
                                    port.channel.send(ByteBuffer.wrap(consentCheck(port.ice)), port.ice.remote());
                                    port.consentSent.incrementAndGet();
                                } catch (Exception e) {
                                    // closed meanwhile, or a full send buffer: the next one in 4-6 s
                                }
                            }
                        }
                    }
                } catch (IOException e) {
                    if (!closed) {
                        System.err.println("peer reader: " + e);
                    }
                }
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing
            }
        }

        private static void received(Port port, byte[] array, int length) {
            int first = array[0] & 0xff;
            if (first <= 3) {
                if (isBindingSuccess(array, length)) {
                    port.consentAnswered.incrementAndGet();
                    port.lastAnswered = System.nanoTime();
                }
                return;
            }
            BrowserPeer.PacketSink sink = port.sink;
            if (first >= 128 && first <= 191 && sink != null) {
                sink.received(array, length);
            } else {
                port.unclaimed++;
            }
        }
    }
}
