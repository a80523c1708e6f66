package org.sylkserver.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sylkserver.media.ice.ConnectivityCheck;
import org.sylkserver.media.ice.IceChecks;
import org.sylkserver.media.ice.IceLite;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Pipeline;
import org.sylkserver.media.pipeline.Stage;

/**
 * A bare socket of an ICE-lite leg sends to the peer of the selected pair on a second socket of its port, connected to
 * it ({@link MediaSocket#selected}), while checks from the browser's other addresses still arrive and are answered
 * (RFC 8445 §7.3, RFC 7675), over real sockets on loopback.
 */
class ConnectedSendsTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private MediaEngine engine;
    private final IceLite ice = new IceLite();
    /** What came through the ICE stage (not STUN), as "source text". */
    private final BlockingQueue<String> media = new LinkedBlockingQueue<>();
    private MediaSocket socket;

    @BeforeEach
    void open() throws IOException {
        engine = new MediaEngine(LOOPBACK, 48800, 48810, Duration.ZERO, RtpPolicy.OPEN);
        Pipeline[] pipeline = new Pipeline[1];
        socket = engine.openSocket((datagram, source) -> pipeline[0].accept(
                new Packet(datagram, source, System.nanoTime(), false)), () -> { });
        pipeline[0] = Pipeline.named("leg")
                .then(IceChecks.forSocket("leg", ice, socket, new InetSocketAddress(LOOPBACK, socket.port())))
                .then(new Stage("media") {
                    @Override
                    protected Packet handle(Packet packet) {
                        media.add(((InetSocketAddress) packet.source()).getPort() + " "
                                + StandardCharsets.ISO_8859_1.decode(packet.buffer().duplicate()));
                        return consume();
                    }
                }).build();
    }

    @AfterEach
    void close() throws IOException {
        engine.close();
    }

    private static DatagramSocket browser() throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        socket.setSoTimeout(3000);
        return socket;
    }

    /** Sends a check from {@code browser} and returns the source port of its success response (ours). */
    private int check(DatagramSocket browser, boolean nominate) throws Exception {
        byte[] request = ConnectivityCheck.request(ice.ufrag(), ice.password(), nominate);
        browser.send(new DatagramPacket(request, request.length, LOOPBACK, socket.port()));
        DatagramPacket response = new DatagramPacket(new byte[1500], 1500);
        browser.receive(response);
        assertEquals(browser.getLocalSocketAddress(),
                ConnectivityCheck.mapped(request, Arrays.copyOf(response.getData(), response.getLength())),
                "the success response maps the check's source");
        return response.getPort();
    }

    /** Sends non-STUN bytes (RFC 7983: first byte 128-191, RTP) from {@code browser} to the socket. */
    private void sendMedia(DatagramSocket browser, String text) throws IOException {
        byte[] bytes = ("\u0080" + text).getBytes(StandardCharsets.ISO_8859_1);
        browser.send(new DatagramPacket(bytes, bytes.length, LOOPBACK, socket.port()));
    }

    private String nextMedia() throws InterruptedException {
        return media.poll(3, TimeUnit.SECONDS);
    }

    /** What {@code browser} receives next, and that it came from the socket's port. */
    private String receive(DatagramSocket browser) throws IOException {
        DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
        browser.receive(packet);
        assertEquals(socket.port(), packet.getPort(), "sent from the leg's port");
        return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.ISO_8859_1);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    /** Where the socket's connected channel sends to, once there is one (it is set on the I/O thread). */
    private InetSocketAddress connectedPeer() throws Exception {
        onIoThread(() -> { });
        DatagramChannel connected = socket.connectedChannel();
        return connected == null ? null : (InetSocketAddress) connected.getRemoteAddress();
    }

    private void onIoThread(Runnable task) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        engine.onIoThread(() -> {
            task.run();
            done.countDown();
        });
        assertTrue(done.await(3, TimeUnit.SECONDS));
    }

    private static InetSocketAddress address(DatagramSocket browser) {
        return (InetSocketAddress) browser.getLocalSocketAddress();
    }

    @Test
    void theNominatedPeerIsSentToOnAConnectedSocketAndANewAddressIsStillAnswered_rfc8445_s7_3() throws Exception {
        try (DatagramSocket browser = browser(); DatagramSocket otherCandidate = browser()) {
            assertEquals(socket.port(), check(browser, false));
            assertNull(connectedPeer(), "a check without USE-CANDIDATE selects nothing");

            assertEquals(socket.port(), check(browser, true));
            assertEquals(address(browser), connectedPeer(), "the nominated pair's peer");
            assertEquals(socket.port(), ((InetSocketAddress) socket.connectedChannel().getLocalAddress()).getPort());

            socket.send(ByteBuffer.wrap("to the peer".getBytes(StandardCharsets.ISO_8859_1)), address(browser));
            assertEquals("to the peer", receive(browser));
            sendMedia(browser, "from the peer");
            assertEquals(browser.getLocalPort() + " \u0080from the peer", nextMedia());

            // RFC 8445 §7.3: a lite agent answers a valid check from any address, after the selection too
            assertEquals(socket.port(), check(otherCandidate, false), "a new address's check is answered");
            sendMedia(otherCandidate, "from elsewhere");
            assertEquals(otherCandidate.getLocalPort() + " \u0080from elsewhere", nextMedia());
            socket.send(ByteBuffer.wrap("to elsewhere".getBytes(StandardCharsets.ISO_8859_1)), address(otherCandidate));
            assertEquals("to elsewhere", receive(otherCandidate));
            assertEquals(address(browser), connectedPeer(), "a check without USE-CANDIDATE changes nothing");

            // RFC 7675 §5.1: the peer's consent checks go on being answered, now on the connected socket
            assertEquals(socket.port(), check(browser, true));
        }
    }

    /**
     * The connected socket is an IPv4 one (/proc/net/udp, Linux): a connected IPv6 socket sends to an IPv4-mapped
     * peer as to an address given with each datagram, so the kernel would look the route up every time all the same.
     */
    @Test
    void onAnIpv4AddressTheConnectedSocketIsAnIpv4SocketConnectedToThePeer() throws Exception {
        Path table = Path.of("/proc/net/udp");
        assumeTrue(Files.isReadable(table), "Linux's table of IPv4 UDP sockets");
        try (DatagramSocket browser = browser()) {
            check(browser, true);
            assertEquals(address(browser), connectedPeer());
            String local = String.format(":%04X", socket.port());
            String remote = String.format("0100007F:%04X", browser.getLocalPort());
            assertTrue(Files.readAllLines(table).stream().map(String::trim).map(line -> line.split("\\s+"))
                    .anyMatch(fields -> fields[1].endsWith(local) && fields[2].equals(remote)
                            && fields[3].equals("01")),
                    "an established IPv4 socket from port " + socket.port() + " to " + address(browser));
        }
    }

    @Test
    void aPairNominatedLaterMovesTheConnectedSocketAndTheOldPeerIsStillHeard_rfc8445_s7_3_1_5() throws Exception {
        try (DatagramSocket first = browser(); DatagramSocket second = browser()) {
            check(first, true);
            assertEquals(address(first), connectedPeer());
            DatagramChannel replaced = socket.connectedChannel();

            assertEquals(socket.port(), check(second, true));
            assertEquals(address(second), connectedPeer(), "the browser nominated another pair");
            assertFalse(replaced.isOpen(), "the socket connected to the first peer is closed");
            assertEquals(address(second), ice.target());

            socket.send(ByteBuffer.wrap("to the second".getBytes(StandardCharsets.ISO_8859_1)), address(second));
            assertEquals("to the second", receive(second));
            assertEquals(socket.port(), check(first, false), "the first address is still answered");
            sendMedia(first, "late from the first");
            assertEquals(first.getLocalPort() + " \u0080late from the first", nextMedia());
            socket.send(ByteBuffer.wrap("to the first".getBytes(StandardCharsets.ISO_8859_1)), address(first));
            assertEquals("to the first", receive(first));
        }
    }

    /** The connected socket holds the port too: closing the leg closes it, so the port is free for anyone after. */
    @Test
    void closingTheSocketClosesItsConnectedSocketAndFreesThePort() throws Exception {
        try (DatagramSocket browser = browser()) {
            check(browser, true);
            assertEquals(address(browser), connectedPeer());
            DatagramChannel connected = socket.connectedChannel();
            int port = socket.port();
            socket.close();
            assertFalse(connected.isOpen());
            await(() -> engine.portPairsInUse() == 0, "the port pair's return");
            // bound without SO_REUSEPORT: refused while any socket of ours still held the port
            try (DatagramSocket next = new DatagramSocket(new InetSocketAddress(LOOPBACK, port))) {
                assertTrue(next.isBound());
            }
        }
    }

    @Test
    void aSelectionAfterTheSocketClosedOpensNoSocket() throws Exception {
        try (DatagramSocket browser = browser()) {
            int port = socket.port();
            socket.close();
            onIoThread(() -> socket.selected(address(browser)));
            assertNull(socket.connectedChannel());
            await(() -> engine.portPairsInUse() == 0, "the port pair's return");
            try (DatagramSocket next = new DatagramSocket(new InetSocketAddress(LOOPBACK, port))) {
                assertTrue(next.isBound());
            }
        }
    }

    /**
     * A peer that closed its port answers with ICMP port unreachable, which Linux reports to a connected socket (as
     * ECONNREFUSED, the JDK's PortUnreachableException) at its next send or receive: a datagram is lost, nothing else;
     * the leg goes on receiving, from the peer's port opened again and from other addresses.
     */
    @Test
    void aPeerWhosePortClosedCostsADatagramNotTheSocket() throws Exception {
        DatagramSocket browser = browser();
        InetSocketAddress peer = address(browser);
        check(browser, true);
        assertEquals(peer, connectedPeer());
        browser.close();
        for (int i = 0; i < 5; i++) {
            try {
                socket.send(ByteBuffer.wrap("nobody there".getBytes(StandardCharsets.ISO_8859_1)), peer);
            } catch (IOException refused) {
                // ECONNREFUSED for an earlier datagram: this one is lost, as on the network
            }
            Thread.sleep(20);
        }
        try (DatagramSocket back = new DatagramSocket(peer); DatagramSocket other = browser()) {
            back.setSoTimeout(3000);
            sendMedia(back, "back again");
            assertEquals(peer.getPort() + " \u0080back again", nextMedia());
            sendMedia(other, "another");
            assertEquals(other.getLocalPort() + " \u0080another", nextMedia());
            socket.send(ByteBuffer.wrap("welcome back".getBytes(StandardCharsets.ISO_8859_1)), peer);
            assertEquals("welcome back", receive(back));
        }
    }
}
