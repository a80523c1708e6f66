package org.sylkserver.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The media engine's ports and the echo endpoint on loopback. */
class MediaEngineTest {

    private final InetAddress loopback = InetAddress.getLoopbackAddress();
    private MediaEngine engine;

    @AfterEach
    void close() throws IOException {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void echoEndpointReturnsEveryRtpPacketUnchangedToItsSource_rfc4961() throws Exception {
        engine = new MediaEngine(loopback, 42000, 42010, Duration.ZERO);
        RtpEchoEndpoint endpoint = engine.openEchoEndpoint(e -> { });
        try (DatagramSocket caller = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
            caller.setSoTimeout(2000);
            for (int seq = 0; seq < 50; seq++) {
                byte[] packet = new byte[172];
                packet[0] = (byte) 0x80;
                packet[3] = (byte) seq;
                Arrays.fill(packet, 12, 172, (byte) seq);
                caller.send(new DatagramPacket(packet, packet.length, loopback, endpoint.port()));
                DatagramPacket back = new DatagramPacket(new byte[2048], 2048);
                caller.receive(back);
                assertArrayEquals(packet, Arrays.copyOf(back.getData(), back.getLength()));
            }
            // the counters are updated on the I/O thread just after the send
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (endpoint.packetsOut() < 50 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(50, endpoint.packetsIn());
            assertEquals(50, endpoint.packetsOut());
            assertEquals(new InetSocketAddress(loopback, caller.getLocalPort()), endpoint.latchedSource());

            caller.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, loopback, endpoint.port()));
            byte[] rtcp = {(byte) 0x80, (byte) 200, 0, 6, 0, 0, 0, 1};
            caller.send(new DatagramPacket(rtcp, rtcp.length, loopback, endpoint.port()));
            assertThrows(SocketTimeoutException.class, () -> {
                caller.setSoTimeout(300);
                caller.receive(new DatagramPacket(new byte[2048], 2048));
            }, "neither garbage nor RTCP is echoed");
            assertEquals(1, endpoint.invalidPackets());
            assertEquals(1, endpoint.rtcpPacketsIn());
        }
    }

    @Test
    void portsAreEvenComeFromTheRangeAndAreReleased() throws Exception {
        engine = new MediaEngine(loopback, 42100, 42104, Duration.ZERO);
        RtpEchoEndpoint first = engine.openEchoEndpoint(e -> { });
        RtpEchoEndpoint second = engine.openEchoEndpoint(e -> { });
        assertEquals(0, first.port() % 2);
        assertTrue(first.port() >= 42100 && first.port() < 42104);
        assertNotEquals(first.port(), second.port());
        IOException full = assertThrows(IOException.class, () -> engine.openEchoEndpoint(e -> { }));
        assertTrue(full.getMessage().contains("no free RTP port"));
        first.close();
        first.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        RtpEchoEndpoint third = null;
        while (third == null && System.nanoTime() < deadline) {
            try {
                third = engine.openEchoEndpoint(e -> { });
            } catch (IOException stillClosing) {
                Thread.sleep(20);
            }
        }
        assertEquals(first.port(), third.port());
        assertEquals(2, engine.openEndpoints());
    }

    @Test
    void silenceForTheTimeoutIsReportedOnce() throws Exception {
        engine = new MediaEngine(loopback, 42200, 42210, Duration.ofSeconds(1));
        CountDownLatch timedOut = new CountDownLatch(2);
        engine.openEchoEndpoint(e -> timedOut.countDown());
        assertTrue(timedOut.await(4, TimeUnit.SECONDS) == false && timedOut.getCount() == 1,
                "reported exactly once");
    }
}
