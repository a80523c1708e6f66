package org.sylkserver.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sylkserver.media.ice.IceChecks;
import org.sylkserver.media.ice.IceLite;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Pipeline;

/**
 * The shared WebRTC port ({@code [RTP] webrtc_port}, {@link UdpMux}) over loopback: a datagram reaches a leg only
 * from an address that leg's ICE agent saw pass a check (RFC 8445 §7.3: USERNAME {@code <our ufrag>:<theirs>},
 * MESSAGE-INTEGRITY keyed with our password, RFC 5389 §10.1.2), or as such a check; everything else is a stranger's
 * and dropped; the address table is bounded per leg and freed with the leg.
 */
class UdpMuxTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int PORT = 43432;
    /** More threads than this machine may have cores: most datagrams are read by a socket of another leg's thread. */
    private static final int THREADS = 4;

    private MediaEngine engine;
    private final List<DatagramSocket> peers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        engine = new MediaEngine(LOOPBACK, 43420, 43430, Duration.ZERO, RtpPolicy.OPEN, PORT, THREADS);
    }

    @AfterEach
    void stop() throws Exception {
        peers.forEach(DatagramSocket::close);
        engine.close();
    }

    /**
     * A leg whose datagrams go through its own ICE stage (as a WebRtcTransport's do), then into a queue, with the
     * threads that handled them.
     */
    private final class Leg {
        final IceLite ice = new IceLite();
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final Set<Thread> threads = ConcurrentHashMap.newKeySet();
        final MediaSocket socket;

        /** The first leg of a group (a publisher's): on the least busy thread. */
        Leg() throws IOException {
            this(null);
        }

        Leg(IceThread thread) throws IOException {
            Pipeline[] pipeline = new Pipeline[1];
            socket = engine.openIceSocket(ice.ufrag(), thread, (datagram, source) -> {
                threads.add(Thread.currentThread());
                pipeline[0].accept(new Packet(datagram, source, System.nanoTime(), false));
            }, () -> { });
            pipeline[0] = Pipeline.named("leg")
                    .then(IceChecks.forSocket("leg", ice, socket, new InetSocketAddress(LOOPBACK, PORT)))
                    .then(new org.sylkserver.media.pipeline.Stage("queue") {
                        @Override
                        protected Packet handle(Packet packet) {
                            received.add(StandardCharsets.ISO_8859_1.decode(packet.buffer().duplicate()).toString());
                            return packet;
                        }
                    }).build();
        }

        String next() throws InterruptedException {
            return received.poll(5, TimeUnit.SECONDS);
        }

        String none() throws InterruptedException {
            return received.poll(300, TimeUnit.MILLISECONDS);
        }

        /** A check from {@code peer}, valid or keyed with another password; waits for the answer if valid. */
        void check(DatagramSocket peer, boolean valid) throws Exception {
            byte[] request = bindingRequest(ice.ufrag() + ":peer", valid ? ice.password() : "not-the-password-at-all");
            peer.send(new DatagramPacket(request, request.length, new InetSocketAddress(LOOPBACK, PORT)));
            if (valid) {
                assertNotNull(receive(peer), "the check is answered");
            }
        }
    }

    private DatagramSocket peer() throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        socket.setSoTimeout(5000);
        peers.add(socket);
        return socket;
    }

    private static void send(DatagramSocket peer, String text) throws IOException {
        byte[] data = text.getBytes(StandardCharsets.ISO_8859_1);
        peer.send(new DatagramPacket(data, data.length, new InetSocketAddress(LOOPBACK, PORT)));
    }

    private static DatagramPacket receive(DatagramSocket peer) throws IOException {
        DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
        try {
            peer.receive(packet);
            return packet;
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    /**
     * A STUN binding request with USERNAME and MESSAGE-INTEGRITY (RFC 5389 §15.3, §15.4: HMAC-SHA1 over the message
     * up to the attribute, with the header's length counting it; short-term credentials key with the password).
     */
    static byte[] bindingRequest(String username, String password) throws Exception {
        byte[] user = username.getBytes(StandardCharsets.UTF_8);
        int padded = (user.length + 3) & ~3;
        int length = 4 + padded + 4 + 20;
        ByteBuffer message = ByteBuffer.allocate(20 + length)
                .putShort((short) 0x0001).putShort((short) length).putInt(0x2112A442)
                .putLong(0x0102030405060708L).putInt(0x090a0b0c)
                .putShort((short) 0x0006).putShort((short) user.length).put(user);
        message.position(message.position() + padded - user.length);
        Mac hmac = Mac.getInstance("HmacSHA1");
        hmac.init(new SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        hmac.update(message.array(), 0, message.position());
        message.putShort((short) 0x0008).putShort((short) 20).put(hmac.doFinal());
        return message.array();
    }

    /** RFC 8445 §7.2.2: the USERNAME of a check is "RFRAG:LFRAG", the receiver's ufrag first. */
    @Test
    void theReceiversUfragIsReadFromABindingRequest_rfc8445_7_2_2() throws Exception {
        assertEquals("abcd", StunUsername.receiverUfrag(Unpooled.wrappedBuffer(bindingRequest("abcd:efgh", "x"))));
        assertNull(StunUsername.receiverUfrag(Unpooled.wrappedBuffer(bindingRequest("abcd", "x"))), "no colon");
        assertNull(StunUsername.receiverUfrag(Unpooled.wrappedBuffer(bindingRequest(":efgh", "x"))), "empty ufrag");
        byte[] response = bindingRequest("abcd:efgh", "x");
        response[0] = 0x01; // 0x0101, a binding success response: not a check
        assertNull(StunUsername.receiverUfrag(Unpooled.wrappedBuffer(response)));
        byte[] truncated = bindingRequest("abcd:efgh", "x");
        truncated[23] = (byte) 200; // USERNAME longer than the message
        assertNull(StunUsername.receiverUfrag(Unpooled.wrappedBuffer(truncated)));
        assertNull(StunUsername.receiverUfrag(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, 0, 0, 1})), "RTP");
    }

    @Test
    void aStrangersDatagramsReachNoLeg() throws Exception {
        Leg leg = new Leg();
        DatagramSocket stranger = peer();
        send(stranger, "media from nowhere");
        byte[] check = bindingRequest("nobody:peer", "x");
        stranger.send(new DatagramPacket(check, check.length, new InetSocketAddress(LOOPBACK, PORT)));
        assertNull(leg.none());
        assertTrue(waitFor(() -> engine.webrtcPort().strangers() == 2), "dropped as strangers'");
    }

    /**
     * What the port drops is logged (the bench's loss is otherwise unexplained in the log): datagrams from addresses no
     * leg learned, at INFO from 100 in a report on, with their count since the last report.
     */
    @Test
    void droppedDatagramsAreReported() throws Exception {
        java.util.List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("sylk.media");
        log.addHandler(handler);
        try {
            DatagramSocket stranger = peer();
            for (int i = 0; i < 120; i++) {
                send(stranger, "media from nowhere " + i);
            }
            assertTrue(waitFor(() -> engine.webrtcPort().strangers() == 120), "dropped as strangers'");
            UdpMux mux = engine.webrtcPort();
            IceThread reporting = mux.loops().get(0);
            reporting.execute(mux::report);
            assertTrue(waitFor(() -> records.stream().anyMatch(r -> r.getLevel() == java.util.logging.Level.INFO
                    && r.getMessage().contains("120 datagrams from unknown addresses"))), "reported: " + records);
            records.clear();
            reporting.execute(mux::report);
            reporting.execute(() -> { });
            Thread.sleep(200);
            assertTrue(records.stream().noneMatch(r -> r.getMessage().contains("unknown addresses")),
                    "nothing new, nothing reported: " + records);
        } finally {
            log.removeHandler(handler);
        }
    }

    /** RFC 8445 §7.3 with RFC 5389 §10.1.2: only a check that passes the leg's integrity check makes the address its. */
    @Test
    void anAddressIsALegsOnlyAfterAValidCheck_rfc8445_7_3() throws Exception {
        Leg alice = new Leg();
        Leg bob = new Leg();
        DatagramSocket peer = peer();
        alice.check(peer, false);
        send(peer, "before a valid check");
        assertNull(alice.none(), "a check keyed with another password teaches the port nothing");

        alice.check(peer, true);
        send(peer, "after");
        assertEquals("after", alice.next());
        assertNull(bob.none(), "another leg gets nothing of it");
        assertEquals(1, engine.webrtcPort().addresses());
    }

    /**
     * RFC 8445 §7.3: a check is for the leg its USERNAME names. A valid one for another leg from an address a leg
     * learned (a NAT gave that port to another peer) is answered by that other leg, and the address becomes its own.
     */
    @Test
    void aValidCheckForAnotherLegMovesTheAddress_rfc8445_7_3() throws Exception {
        Leg alice = new Leg();
        Leg bob = new Leg();
        DatagramSocket peer = peer();
        alice.check(peer, true);
        bob.check(peer, true);
        send(peer, "now bob's");
        assertEquals("now bob's", bob.next());
        assertNull(alice.none(), "no longer alice's");
        assertEquals(1, engine.webrtcPort().addresses());
    }

    /** The address table has a bound of its own: past it, a valid check is answered but its address not learned. */
    @Test
    void theAddressTableIsBounded() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        UdpMux.Leg[] leg = new UdpMux.Leg[1];
        try (UdpMux mux = new UdpMux(LOOPBACK, PORT + 2, 1, 2, true)) {
            // a stand-in for the leg's ICE stage: every check is valid
            leg[0] = mux.open("abcd", mux.leastBusy(), (datagram, source) -> {
                if (datagram.get(datagram.position()) == 0) {
                    leg[0].learn(source);
                } else {
                    received.add(StandardCharsets.ISO_8859_1.decode(datagram).toString());
                }
            });
            List<DatagramSocket> candidates = new ArrayList<>();
            byte[] check = bindingRequest("abcd:peer", "x");
            for (int i = 0; i < 3; i++) {
                DatagramSocket peer = peer();
                candidates.add(peer);
                peer.send(new DatagramPacket(check, check.length, new InetSocketAddress(LOOPBACK, PORT + 2)));
                int learned = Math.min(i + 1, 2);
                assertTrue(waitFor(() -> mux.addresses() == learned));
            }
            Thread.sleep(200);
            assertEquals(2, mux.addresses(), "the table's bound");
            byte[] media = "media".getBytes(StandardCharsets.ISO_8859_1);
            candidates.get(2).send(new DatagramPacket(media, media.length, new InetSocketAddress(LOOPBACK, PORT + 2)));
            assertNull(received.poll(300, TimeUnit.MILLISECONDS), "not learned");
            candidates.get(0).send(new DatagramPacket(media, media.length, new InetSocketAddress(LOOPBACK, PORT + 2)));
            assertEquals("media", received.poll(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void whatALegSendsLeavesFromTheSharedPort() throws Exception {
        Leg leg = new Leg();
        DatagramSocket peer = peer();
        leg.check(peer, true);
        leg.socket.send(ByteBuffer.wrap("to the browser".getBytes(StandardCharsets.ISO_8859_1)),
                peer.getLocalSocketAddress());
        DatagramPacket packet = receive(peer);
        assertNotNull(packet);
        assertEquals(PORT, packet.getPort());
        assertEquals("to the browser", new String(packet.getData(), 0, packet.getLength(), StandardCharsets.ISO_8859_1));
        assertEquals(PORT, leg.socket.port());
    }

    @Test
    void aLegKeepsItsLastEightCheckedAddresses() throws Exception {
        Leg leg = new Leg();
        List<DatagramSocket> candidates = new ArrayList<>();
        for (int i = 0; i <= UdpMux.ADDRESSES_PER_LEG; i++) {
            DatagramSocket peer = peer();
            leg.check(peer, true);
            candidates.add(peer);
        }
        assertEquals(UdpMux.ADDRESSES_PER_LEG, engine.webrtcPort().addresses());
        send(candidates.get(0), "from the least recently checked");
        assertNull(leg.none(), "forgotten");
        send(candidates.get(UdpMux.ADDRESSES_PER_LEG), "from the newest");
        assertEquals("from the newest", leg.next());
    }

    @Test
    void closingALegFreesItsAddressesAndUfrag() throws Exception {
        Leg leg = new Leg();
        DatagramSocket peer = peer();
        leg.check(peer, true);
        leg.socket.close();
        assertTrue(waitFor(() -> engine.webrtcPort().addresses() == 0));
        send(peer, "after the close");
        assertNull(leg.none());
        engine.openIceSocket(leg.ice.ufrag(), engine.iceThread(), (d, s) -> { }, () -> { }).close();
    }

    @Test
    void aUfragInUseIsRefused() throws Exception {
        Leg leg = new Leg();
        assertThrows(IOException.class, () -> engine.openIceSocket(leg.ice.ufrag(), engine.iceThread(), (d, s) -> { }, () -> { }));
    }

    /**
     * The port is bound by one socket per thread ({@code SO_REUSEPORT}; the kernel spreads sources over them): a
     * leg's datagrams, checks and media, from whichever of its peer's addresses and so whichever socket read them, are
     * all handled on the leg's one thread, the one it was opened on.
     */
    @Test
    void aLegsDatagramsAreHandledOnItsThreadWhicheverSocketReadThem() throws Exception {
        UdpMux mux = engine.webrtcPort();
        assertEquals(THREADS, mux.loops().size());
        IceThread thread = engine.iceThread();
        Thread[] owner = new Thread[1];
        CountDownLatch ran = new CountDownLatch(1);
        thread.execute(() -> {
            owner[0] = Thread.currentThread();
            ran.countDown();
        });
        assertTrue(ran.await(5, TimeUnit.SECONDS));
        Leg leg = new Leg(thread);
        int candidates = 16;
        for (int i = 0; i < candidates; i++) {
            // a fresh peer for each: the leg keeps 8 addresses, and each is checked again before its media
            DatagramSocket peer = peer();
            leg.check(peer, true);
            send(peer, "media " + i);
            assertEquals("media " + i, leg.next());
        }
        assertEquals(Set.of(owner[0]), leg.threads, "one thread, the leg's");
        assertTrue(mux.handedOver() > 0, "some of 16 sources were read by another thread's socket (the kernel's "
                + "hash over " + THREADS + " sockets)");
    }

    /**
     * What another thread's socket read reaches the owner in the order it was read (one hand-over per read batch),
     * and what the leg sends in answer leaves from the shared port.
     */
    @Test
    void datagramsHandedOverKeepTheirOrder() throws Exception {
        List<Leg> legs = new ArrayList<>();
        List<DatagramSocket> peers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Leg leg = new Leg();
            DatagramSocket peer = peer();
            leg.check(peer, true);
            legs.add(leg);
            peers.add(peer);
        }
        for (int n = 0; n < 50; n++) {
            for (int i = 0; i < legs.size(); i++) {
                send(peers.get(i), "packet " + n);
            }
        }
        for (Leg leg : legs) {
            for (int n = 0; n < 50; n++) {
                assertEquals("packet " + n, leg.next());
            }
            assertEquals(1, leg.threads.size());
        }
        assertTrue(engine.webrtcPort().handedOver() > 0);
    }

    /**
     * Two sockets on the port ({@code SO_REUSEPORT}, a loop each) and a leg of the second loop that has learned one
     * peer whose datagrams the first loop's socket reads (handed over) and one whose the second's reads (its own).
     */
    private final class TwoLoops implements AutoCloseable {
        final UdpMux mux = new UdpMux(LOOPBACK, PORT + 6, 2, 64, true);
        final UdpMux.Loop owner = mux.loops().get(1);
        /** What the leg handled, in order. */
        final List<String> handled = new java.util.concurrent.CopyOnWriteArrayList<>();
        final UdpMux.Leg leg;
        DatagramSocket handedOver;
        DatagramSocket own;

        TwoLoops(java.util.function.Consumer<String> beforeEach) throws Exception {
            leg = mux.open("twoloops", owner, (datagram, source) -> {
                String text = StandardCharsets.ISO_8859_1.decode(datagram).toString();
                beforeEach.accept(text);
                handled.add(text);
            });
            for (int i = 0; (handedOver == null || own == null) && i < 64; i++) {
                DatagramSocket peer = peer();
                leg.learn((InetSocketAddress) peer.getLocalSocketAddress());
                long before = mux.handedOver();
                int count = handled.size();
                sendTo(peer, "probe " + i);
                assertTrue(waitFor(() -> handled.size() == count + 1), "the probe reached the leg");
                if (mux.handedOver() > before) {
                    handedOver = handedOver == null ? peer : handedOver;
                } else {
                    own = own == null ? peer : own;
                }
            }
            assertNotNull(handedOver, "a peer read by the first loop's socket");
            assertNotNull(own, "a peer read by the second loop's socket");
            handled.clear();
        }

        void sendTo(DatagramSocket peer, String text) throws IOException {
            byte[] data = text.getBytes(StandardCharsets.ISO_8859_1);
            peer.send(new DatagramPacket(data, data.length, new InetSocketAddress(LOOPBACK, PORT + 6)));
        }

        @Override
        public void close() {
            mux.close();
        }
    }

    /**
     * A loop that falls behind with what other loops hand over to it still reads its own socket between turns of
     * about a read batch (64 datagrams): without turns, Netty's loop ran every queued hand-over (up to a second's
     * worth) between two reads of its socket, whose buffer then overflowed while the other socket's loop idled
     * (docs/benchmarks.md, issue 13, session 26).
     */
    @Test
    void aLoopReadsItsOwnSocketBetweenTurnsOfHandedOverDatagrams() throws Exception {
        try (TwoLoops port = new TwoLoops(text -> {
            if (text.startsWith("handed over")) {
                sleep(1);
            }
        })) {
            int count = 400;
            for (int i = 0; i < count; i++) {
                port.sendTo(port.handedOver, "handed over " + i);
            }
            port.sendTo(port.own, "own");
            assertTrue(waitFor(() -> port.handled.size() == count + 1), "all handled: " + port.handled.size());
            int at = port.handled.indexOf("own");
            assertTrue(at < 200, "the own socket's datagram was handled after " + at + " of " + count
                    + " handed over, sent before it");
            for (int i = 0, n = 0; i < port.handled.size(); i++) {
                if (i != at) {
                    assertEquals("handed over " + n++, port.handled.get(i), "in the order read");
                }
            }
        }
    }

    /**
     * What waits for a loop from other loops is bounded ({@value UdpMux#HANDOVERS_WAITING} datagrams), as a socket's
     * buffer is: beyond it datagrams are dropped and counted, and the rest is handled once the loop goes on.
     */
    @Test
    void datagramsHandedOverToALoopThatIsStuckAreBoundedAndCounted() throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch stuck = new CountDownLatch(1);
        try (TwoLoops port = new TwoLoops(text -> {
            if (text.equals("block")) {
                blocked.countDown();
                await(stuck);
            }
        })) {
            port.sendTo(port.own, "block");
            assertTrue(blocked.await(5, TimeUnit.SECONDS), "the second loop is stuck in a datagram of its own");
            int count = UdpMux.HANDOVERS_WAITING + 500;
            for (int i = 0; i < count; i++) {
                port.sendTo(port.handedOver, "handed over " + i);
                if (i % 500 == 0) {
                    Thread.sleep(5); // the first loop reads as fast as this sends: no loss at its socket
                }
            }
            assertTrue(waitFor(() -> port.mux.handoversDropped() >= 500), "dropped: " + port.mux.handoversDropped());
            stuck.countDown();
            assertTrue(waitFor(() -> port.handled.size() == 1 + count - port.mux.handoversDropped()),
                    port.handled.size() + " handled, " + port.mux.handoversDropped() + " dropped");
            int waited = port.handled.size() - 1;
            assertTrue(waited <= UdpMux.HANDOVERS_WAITING && waited > UdpMux.HANDOVERS_WAITING - 64,
                    "as many as may wait, less a read batch at most: " + waited);
        }
    }

    /** A hand-over whose handling fails, even with an Error, is dropped and logged; the ones after it are handled. */
    @Test
    void aFailingHandOverDoesNotStopTheOnesAfterIt() throws Exception {
        try (TwoLoops port = new TwoLoops(text -> {
            if (text.equals("fails")) {
                throw new StackOverflowError("a leg's pipeline failed");
            }
        })) {
            port.sendTo(port.handedOver, "fails");
            Thread.sleep(100);
            port.sendTo(port.handedOver, "after");
            assertTrue(waitFor(() -> port.handled.contains("after")), "handed over after the failure: " + port.handled);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A new group of legs (a publisher and its feeds) goes to the thread with the fewest legs, so that publishers
     * spread over the threads; a closed leg no longer counts.
     */
    @Test
    void aNewPublisherGoesToTheThreadWithTheFewestLegs() throws Exception {
        UdpMux mux = engine.webrtcPort();
        IceThread first = engine.iceThread();
        Leg publisher = new Leg(first);
        Leg feed = new Leg(first);
        assertEquals(2, mux.loop(first).legs());
        Set<IceThread> others = new java.util.HashSet<>();
        for (int i = 1; i < THREADS; i++) {
            IceThread next = engine.iceThread();
            assertTrue(next != first && others.add(next), "an empty thread each time");
            new Leg(next);
        }
        assertTrue(others.contains(engine.iceThread()), "a thread with one leg before the first's two");
        publisher.socket.close();
        feed.socket.close();
        assertEquals(0, mux.loop(first).legs());
        assertEquals(first, engine.iceThread());
    }

    /**
     * Publishers that join at once (the signalling threads open their legs concurrently) spread evenly: the choice of
     * the least busy thread and its count are one step.
     */
    @Test
    void publishersOpenedAtOnceSpreadOverTheThreads() throws Exception {
        int perThread = 3;
        java.util.concurrent.ExecutorService signalling = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<java.util.concurrent.Future<Leg>> opening = new ArrayList<>();
            for (int i = 0; i < THREADS * perThread; i++) {
                opening.add(signalling.submit(() -> {
                    start.await();
                    return new Leg();
                }));
            }
            start.countDown();
            for (java.util.concurrent.Future<Leg> leg : opening) {
                leg.get(5, TimeUnit.SECONDS);
            }
        } finally {
            signalling.shutdown();
        }
        for (UdpMux.Loop loop : engine.webrtcPort().loops()) {
            assertEquals(perThread, loop.legs(), loop.toString());
        }
    }

    /** A leg opened on another leg's thread (a feed on its publisher's) is handled there. */
    @Test
    void aLegOpenedOnAnotherLegsThreadSharesIt() throws Exception {
        Leg publisher = new Leg();
        Leg feed = new Leg(publisher.socket.thread());
        assertEquals(publisher.socket.thread(), feed.socket.thread());
        assertEquals(2, engine.webrtcPort().loop(publisher.socket.thread()).legs());
    }

    @Test
    void aThreadOfAnotherEngineIsRefused() throws Exception {
        try (MediaEngine other = new MediaEngine(LOOPBACK, 43434, 43440, Duration.ZERO, RtpPolicy.OPEN, PORT + 4, 1)) {
            assertThrows(IllegalArgumentException.class,
                    () -> engine.openIceSocket("abcd", other.iceThread(), (d, s) -> { }, () -> { }));
        }
    }

    @Test
    void withoutAWebRtcPortEachLegHasAPortOfTheRange() throws Exception {
        try (MediaEngine perLeg = new MediaEngine(LOOPBACK, 43434, 43440, Duration.ZERO, RtpPolicy.OPEN)) {
            MediaSocket socket = perLeg.openIceSocket("abcd", perLeg.iceThread(), (d, s) -> { }, () -> { });
            assertTrue(socket.port() >= 43434 && socket.port() < 43440);
            assertTrue(!socket.isShared());
            socket.close();
        }
    }

    private static boolean waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 250; i++) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }
}
