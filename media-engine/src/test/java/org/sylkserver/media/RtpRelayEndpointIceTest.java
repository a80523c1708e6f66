package org.sylkserver.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sylkserver.media.ice.ConnectivityCheck;
import org.sylkserver.media.ice.IceLite;

/**
 * A relay endpoint whose peer is found by ICE (XEP-0176 over RFC 8445, the Jingle ICE-UDP transport): our lite agent
 * answers the peer's connectivity checks (RFC 8445 §7.3) and media goes where the nominated check came from.
 */
class RtpRelayEndpointIceTest {

    private final InetAddress loopback = InetAddress.getLoopbackAddress();
    private MediaEngine engine;

    @AfterEach
    void close() throws IOException {
        if (engine != null) {
            engine.close();
        }
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

    private static byte[] rtp(int seq) {
        byte[] packet = new byte[172];
        packet[0] = (byte) 0x80;
        packet[3] = (byte) seq;
        packet[11] = 7;
        return packet;
    }

    /**
     * RFC 8445 §7.3: a check with our ufrag, keyed with our password, is answered with a success response that maps
     * the peer's address (XOR-MAPPED-ADDRESS, RFC 8489 §14.2); one keyed otherwise is dropped unanswered (§7.3: the
     * MESSAGE-INTEGRITY check). Nothing is sent to the peer before a check passed (RFC 7675: no consent yet); after
     * the nominating check (USE-CANDIDATE, §7.3.1.5) RTP goes to the address it came from, and the peer's RTP from
     * there is relayed.
     */
    @Test
    void theNominatedCheckGivesThePeersAddress_rfc8445_s7_3() throws Exception {
        engine = new MediaEngine(loopback, 44700, 44710, Duration.ZERO, RtpPolicy.DEFAULTS);
        RtpRelayEndpoint endpoint = engine.openRelayEndpoint(e -> { });
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
        IceLite ice = endpoint.remoteByIce(true);
        InetSocketAddress ours = new InetSocketAddress(loopback, endpoint.port());
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
            peer.setSoTimeout(300);
            engine.onIoThread(() -> forward(endpoint, rtp(1)));
            assertNull(receive(peer), "no media before a check passed");

            byte[] forged = ConnectivityCheck.request(ice.ufrag(), "not-our-password-at-all", true);
            peer.send(new DatagramPacket(forged, forged.length, ours));
            assertNull(receive(peer), "a check keyed with another password is not answered");

            byte[] nominate = ConnectivityCheck.request(ice.ufrag(), ice.password(), true);
            peer.setSoTimeout(3000);
            peer.send(new DatagramPacket(nominate, nominate.length, ours));
            assertEquals(peer.getLocalPort(), ConnectivityCheck.mapped(nominate, receive(peer)).getPort());

            engine.onIoThread(() -> forward(endpoint, rtp(2)));
            assertArrayEquals(rtp(2), receive(peer), "media goes to the nominated pair");

            byte[] media = rtp(3);
            peer.send(new DatagramPacket(media, media.length, ours));
            assertArrayEquals(media, relayed.poll(2, TimeUnit.SECONDS), "the peer's media from there is relayed");
        }
    }

    /** An endpoint without ICE takes no STUN: a binding request is neither answered nor relayed. */
    @Test
    void withoutIceChecksAreNotAnswered() throws Exception {
        engine = new MediaEngine(loopback, 44720, 44730, Duration.ZERO, RtpPolicy.OPEN);
        RtpRelayEndpoint endpoint = engine.openRelayEndpoint(e -> { });
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
            peer.setSoTimeout(300);
            byte[] request = ConnectivityCheck.request("abcd", "0123456789012345678901", true);
            peer.send(new DatagramPacket(request, request.length, new InetSocketAddress(loopback, endpoint.port())));
            assertNull(receive(peer));
        }
    }

    private static void forward(RtpRelayEndpoint endpoint, byte[] packet) {
        try {
            endpoint.forwardRtp(ByteBuffer.wrap(packet));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
