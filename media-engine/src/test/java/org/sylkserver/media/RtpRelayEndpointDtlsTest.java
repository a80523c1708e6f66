package org.sylkserver.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sylkserver.media.dtls.DtlsRole;
import org.sylkserver.media.dtls.DtlsSession;
import org.sylkserver.media.dtls.DtlsSrtpKeys;
import org.sylkserver.media.dtls.DtlsTestClient;

/**
 * DTLS-SRTP on an RTP endpoint (RFC 5763, RFC 5764), as the Jingle calls of XEP-0320 use it: the handshake in the
 * media path, SRTP keyed with the exported keys, nothing in clear before, and the bad cases (a certificate that does
 * not match its fingerprint, a peer that never shakes hands) ending the association with its thread.
 */
class RtpRelayEndpointDtlsTest {

    private final InetAddress loopback = InetAddress.getLoopbackAddress();
    private MediaEngine engine;

    @AfterEach
    void close() throws IOException {
        if (engine != null) {
            engine.close();
        }
    }

    /** What a DTLS listener learnt. */
    private static final class Outcome implements DtlsSession.Listener {
        final CompletableFuture<DtlsSrtpKeys> keys = new CompletableFuture<>();
        final CompletableFuture<Boolean> timedOut = new CompletableFuture<>();

        @Override
        public void connected(DtlsSrtpKeys k) {
            keys.complete(k);
        }

        @Override
        public void failed(String reason, boolean timeout) {
            timedOut.complete(timeout);
        }
    }

    private static byte[] rtp(int seq) {
        byte[] packet = new byte[172];
        packet[0] = (byte) 0x80;
        packet[3] = (byte) seq;
        packet[11] = 7;
        for (int i = 12; i < packet.length; i++) {
            packet[i] = (byte) i;
        }
        return packet;
    }

    private static byte[] receive(DatagramSocket socket) throws IOException {
        byte[] buffer = new byte[1500];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return Arrays.copyOf(buffer, packet.getLength());
    }

    private static LinkedBlockingQueue<byte[]> relayed(RtpRelayEndpoint endpoint) {
        LinkedBlockingQueue<byte[]> relayed = new LinkedBlockingQueue<>();
        endpoint.relayTo(new RtpRelayEndpoint.Relay() {
            @Override
            public void rtp(RtpHeader header, ByteBuffer packet) {
                byte[] copy = new byte[packet.remaining()];
                packet.get(copy);
                relayed.add(copy);
            }

            @Override
            public void rtcp(ByteBuffer packet) {
            }
        });
        return relayed;
    }

    /**
     * RFC 5764 §4.2, as the DTLS server (setup passive): a client written apart from ours (its own key slicing)
     * completes the handshake against our certificate's fingerprint; its SRTP reaches the relay decrypted, and what
     * we send it is SRTP it decrypts. Before the handshake our plain RTP is not sent and its plain RTP is not relayed
     * (RFC 5764 §4.1: SRTP or nothing).
     */
    @Test
    void asServerTheClientsSrtpIsDecryptedAndOursProtected_rfc5764_s4_2() throws Exception {
        engine = new MediaEngine(loopback, 46100, 46120, Duration.ZERO, RtpPolicy.DEFAULTS);
        RtpRelayEndpoint endpoint = engine.openRelayEndpoint(e -> { });
        LinkedBlockingQueue<byte[]> relayed = relayed(endpoint);
        DtlsTestClient client = new DtlsTestClient();
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
            InetSocketAddress ours = new InetSocketAddress(loopback, endpoint.port());
            endpoint.remote(new InetSocketAddress(loopback, peer.getLocalPort()), peer.getLocalPort() + 1, true);
            Outcome outcome = new Outcome();
            endpoint.dtls(DtlsRole.SERVER, client.fingerprint(), Duration.ofSeconds(5), outcome);
            assertEquals(DtlsSession.State.CONNECTING, endpoint.dtlsState());

            peer.send(new DatagramPacket(rtp(1), 172, ours));
            endpoint.forwardRtp(ByteBuffer.wrap(rtp(2)));
            assertNull(relayed.poll(200, TimeUnit.MILLISECONDS), "plain RTP relayed before the handshake");
            peer.setSoTimeout(200);
            assertNull(receive(peer), "plain RTP sent before the handshake");

            DtlsTestClient.Srtp srtp = client.handshake(peer, ours, endpoint.dtlsFingerprint());
            assertNotNull(outcome.keys.get(5, TimeUnit.SECONDS));
            assertEquals(DtlsSession.State.CONNECTED, endpoint.dtlsState());
            byte[] sent = rtp(3);
            byte[] protectedRtp = srtp.sending().protectRtp(sent, sent.length);
            peer.send(new DatagramPacket(protectedRtp, protectedRtp.length, ours));
            assertArrayEquals(sent, relayed.poll(2, TimeUnit.SECONDS));

            endpoint.forwardRtp(ByteBuffer.wrap(rtp(4)));
            peer.setSoTimeout(2000);
            byte[] received = receive(peer);
            assertNotNull(received);
            assertEquals(172 + 10, received.length, "SRTP with the 80-bit tag");
            byte[] plain = srtp.receiving().unprotectRtp(received, received.length);
            assertArrayEquals(rtp(4), plain);
        }
    }

    /**
     * RFC 5763 §5: the certificate is what the fingerprint names, or the handshake is refused; and a peer that never
     * shakes hands fails it in time. Either way the listener learns which, and the endpoint's close leaves no DTLS
     * thread behind.
     */
    @Test
    void aMismatchIsRefusedAndSilenceTimesOut_rfc5763_s5() throws Exception {
        engine = new MediaEngine(loopback, 46100, 46120, Duration.ZERO, RtpPolicy.DEFAULTS);
        RtpRelayEndpoint mismatched = engine.openRelayEndpoint(e -> { });
        RtpRelayEndpoint silent = engine.openRelayEndpoint(e -> { });
        DtlsTestClient client = new DtlsTestClient();
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
            mismatched.remote(new InetSocketAddress(loopback, peer.getLocalPort()), peer.getLocalPort() + 1, true);
            Outcome refused = new Outcome();
            mismatched.dtls(DtlsRole.SERVER, DtlsTestClient.someOtherFingerprint(), Duration.ofSeconds(5), refused);
            assertThrows(IOException.class, () -> client.handshake(peer,
                    new InetSocketAddress(loopback, mismatched.port()), mismatched.dtlsFingerprint()));
            assertFalse(refused.timedOut.get(5, TimeUnit.SECONDS), "refused, not timed out");
            assertEquals(DtlsSession.State.FAILED, mismatched.dtlsState());

            silent.remote(new InetSocketAddress(loopback, 9), 10, true);
            Outcome timeout = new Outcome();
            long start = System.nanoTime();
            silent.dtls(DtlsRole.SERVER, client.fingerprint(), Duration.ofMillis(700), timeout);
            assertTrue(timeout.timedOut.get(5, TimeUnit.SECONDS), "timed out");
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3));
            assertThrows(IllegalStateException.class, () -> silent.dtls(DtlsRole.SERVER, client.fingerprint(),
                    Duration.ofSeconds(1), timeout));
        }
        mismatched.close();
        silent.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (dtlsThreads(mismatched, silent) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, dtlsThreads(mismatched, silent), "DTLS threads left");
    }

    /**
     * RFC 8842 §5.3: when the peer answers passive we are the client (setup active): one endpoint of ours as client
     * against another as server, each checking the other's fingerprint; the keys agree (RFC 5764 §4.2: each sends
     * with its own role's key), so RTP sent through one is relayed decrypted by the other.
     */
    @Test
    void asClientAgainstAServerTheKeysAgree_rfc8842_s5_3() throws Exception {
        engine = new MediaEngine(loopback, 46100, 46120, Duration.ZERO, RtpPolicy.DEFAULTS);
        RtpRelayEndpoint client = engine.openRelayEndpoint(e -> { });
        RtpRelayEndpoint server = engine.openRelayEndpoint(e -> { });
        LinkedBlockingQueue<byte[]> atServer = relayed(server);
        LinkedBlockingQueue<byte[]> atClient = relayed(client);
        client.remote(new InetSocketAddress(loopback, server.port()), server.port() + 1, true);
        server.remote(new InetSocketAddress(loopback, client.port()), client.port() + 1, true);
        Outcome clientOutcome = new Outcome();
        Outcome serverOutcome = new Outcome();
        server.dtls(DtlsRole.SERVER, client.dtlsFingerprint(), Duration.ofSeconds(5), serverOutcome);
        client.dtls(DtlsRole.CLIENT, server.dtlsFingerprint(), Duration.ofSeconds(5), clientOutcome);
        // the client's first flight goes to the address of the SDP until something latches: the server's answer
        assertEquals(clientOutcome.keys.get(8, TimeUnit.SECONDS).suite(), serverOutcome.keys.get(8, TimeUnit.SECONDS)
                .suite());
        engine.onIoThread(() -> {
            try {
                client.forwardRtp(ByteBuffer.wrap(rtp(5)));
                server.forwardRtp(ByteBuffer.wrap(rtp(6)));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertArrayEquals(rtp(5), atServer.poll(2, TimeUnit.SECONDS));
        assertArrayEquals(rtp(6), atClient.poll(2, TimeUnit.SECONDS));
    }

    /**
     * RFC 5764 §4.1: the association keys the RTP port (and RTCP multiplexed on it); a ClientHello on the RTCP port
     * is not taken (RTCP on its own port would need an association of its own), the same on the RTP port is answered.
     */
    @Test
    void dtlsIsTakenOnTheRtpPortOnly_rfc5764_s4_1() throws Exception {
        engine = new MediaEngine(loopback, 46100, 46120, Duration.ZERO, RtpPolicy.DEFAULTS);
        RtpRelayEndpoint endpoint = engine.openRelayEndpoint(e -> { });
        DtlsTestClient client = new DtlsTestClient();
        try (DatagramSocket sink = new DatagramSocket(new InetSocketAddress(loopback, 0));
             DatagramSocket clientSocket = new DatagramSocket(new InetSocketAddress(loopback, 0));
             DatagramSocket probe = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
            // the client's first flight, caught on its way to a socket that never answers
            Thread first = new Thread(() -> {
                try {
                    client.handshake(clientSocket, new InetSocketAddress(loopback, sink.getLocalPort()),
                            endpoint.dtlsFingerprint());
                } catch (IOException ended) {
                    // the socket closes under it
                }
            });
            first.setDaemon(true);
            first.start();
            sink.setSoTimeout(3000);
            byte[] clientHello = receive(sink);
            assertNotNull(clientHello);
            assertEquals(22, clientHello[0], "a handshake record");

            endpoint.remote(new InetSocketAddress(loopback, probe.getLocalPort()), probe.getLocalPort() + 1, false);
            endpoint.dtls(DtlsRole.SERVER, client.fingerprint(), Duration.ofSeconds(5), new Outcome());
            probe.setSoTimeout(500);
            probe.send(new DatagramPacket(clientHello, clientHello.length,
                    new InetSocketAddress(loopback, endpoint.port() + 1)));
            assertNull(receive(probe), "the RTCP port's ClientHello was answered");
            probe.setSoTimeout(3000);
            probe.send(new DatagramPacket(clientHello, clientHello.length,
                    new InetSocketAddress(loopback, endpoint.port())));
            byte[] answer = receive(probe);
            assertNotNull(answer, "the RTP port's ClientHello was not answered");
            assertEquals(22, answer[0], "a handshake record (HelloVerifyRequest or ServerHello)");
        }
    }

    /** The DTLS threads of these endpoints still alive (other tests of the JVM may have theirs). */
    private static long dtlsThreads(RtpEndpoint... endpoints) {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (RtpEndpoint endpoint : endpoints) {
            names.add("sylk-dtls-RTP port " + endpoint.port());
        }
        return Thread.getAllStackTraces().keySet().stream().filter(t -> names.contains(t.getName()) && t.isAlive())
                .count();
    }
}
