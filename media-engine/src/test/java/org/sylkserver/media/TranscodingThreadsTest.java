package org.sylkserver.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where transcoding runs (spec §5.7): the media engine's I/O thread reads every call's packets, so a call whose codec
 * is slow or stuck must not hold it. The I/O thread hands each transcoded packet to the stream's own queue on the
 * codec workers; a relayed call (same codec both sides) stays on the I/O thread with no extra hop; a stream that falls
 * behind loses its oldest packets, not everyone's time.
 */
class TranscodingThreadsTest {

    private static final RtpTranscoder.Format PCMU = new RtpTranscoder.Format("PCMU", 8000, 0, -1, 0);
    private static final RtpTranscoder.Format PCMA = new RtpTranscoder.Format("PCMA", 8000, 8, -1, 0);

    private final InetAddress loopback = InetAddress.getLoopbackAddress();
    private final ExecutorService codecThreads = Executors.newFixedThreadPool(2);
    private final CountDownLatch unblock = new CountDownLatch(1);
    private MediaEngine engine;

    @AfterEach
    void close() throws IOException {
        unblock.countDown();
        codecThreads.shutdownNow();
        if (engine != null) {
            engine.close();
        }
    }

    private static byte[] pcmuPacket(int sequence) {
        ByteBuffer packet = ByteBuffer.allocate(12 + 160);
        packet.put((byte) 0x80).put((byte) 0).putShort((short) sequence).putInt(160 * sequence).putInt(4242);
        return packet.array();
    }

    private static void send(DatagramSocket from, RtpEndpoint to, byte[] packet) throws IOException {
        from.send(new DatagramPacket(packet, packet.length, new InetSocketAddress(InetAddress.getLoopbackAddress(),
                to.port())));
    }

    private static byte[] receive(DatagramSocket socket) throws IOException {
        byte[] buffer = new byte[2048];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return packet.getData();
    }

    /** A relay endpoint whose output goes to {@code peer}. */
    private RtpRelayEndpoint towards(DatagramSocket peer) throws IOException {
        RtpRelayEndpoint endpoint = engine.openRelayEndpoint(e -> { });
        endpoint.remote(new InetSocketAddress(loopback, peer.getLocalPort()), peer.getLocalPort() + 1, false);
        return endpoint;
    }

    /**
     * One transcoded call whose codec never finishes (its output blocks) delays neither a relayed call, whose
     * packets the I/O thread passes on itself, nor another transcoded call, whose codec work runs on another worker.
     * (Transcoding on the I/O thread, as before, stalls both.)
     */
    @Test
    void aStuckTranscoderDelaysNoOtherCall() throws Exception {
        engine = new MediaEngine(loopback, 44740, 44760, Duration.ZERO, RtpPolicy.OPEN);
        try (DatagramSocket sender = new DatagramSocket(new InetSocketAddress(loopback, 0));
             DatagramSocket relayedPeer = new DatagramSocket(new InetSocketAddress(loopback, 0));
             DatagramSocket transcodedPeer = new DatagramSocket(new InetSocketAddress(loopback, 0));
             RtpTranscoder stuck = new RtpTranscoder(PCMU, PCMA, codecThreads, packet -> {
                 try {
                     unblock.await();
                 } catch (InterruptedException e) {
                     Thread.currentThread().interrupt();
                 }
             })) {
            relayedPeer.setSoTimeout(2000);
            transcodedPeer.setSoTimeout(2000);
            RtpRelayEndpoint stuckIn = engine.openRelayEndpoint(e -> { });
            stuckIn.relayTo(stuck);

            RtpRelayEndpoint relayedOut = towards(relayedPeer);
            RtpRelayEndpoint relayedIn = engine.openRelayEndpoint(e -> { });
            relayedIn.relayTo(new RtpRelayEndpoint.Relay() {
                @Override
                public void rtp(RtpHeader header, ByteBuffer packet) {
                    try {
                        relayedOut.forwardRtp(packet);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }

                @Override
                public void rtcp(ByteBuffer packet) {
                }
            });

            RtpRelayEndpoint transcodedOut = towards(transcodedPeer);
            RtpRelayEndpoint transcodedIn = engine.openRelayEndpoint(e -> { });
            try (RtpTranscoder other = new RtpTranscoder(PCMU, PCMA, codecThreads, transcodedOut::forwardRtp)) {
                transcodedIn.relayTo(other);

                send(sender, stuckIn, pcmuPacket(1));
                send(sender, stuckIn, pcmuPacket(2));
                Thread.sleep(200); // the stuck call's first packet is on a codec thread, its second waits
                for (int sequence = 1; sequence <= 3; sequence++) {
                    send(sender, relayedIn, pcmuPacket(sequence));
                    send(sender, transcodedIn, pcmuPacket(sequence));
                    byte[] relayed = receive(relayedPeer);
                    assertNotNull(relayed, "relayed packet " + sequence + " passed on while a transcoder is stuck");
                    assertEquals(0, relayed[1] & 0x7f);
                    byte[] transcoded = receive(transcodedPeer);
                    assertNotNull(transcoded, "transcoded packet " + sequence + " sent while another is stuck");
                    assertEquals(8, transcoded[1] & 0x7f, "PCMA");
                }
            }
        }
    }

    /**
     * A stream whose codec thread falls behind keeps the newest {@value RtpTranscoder#QUEUE_LIMIT} packets: the
     * older ones are dropped and counted, and once the codec thread is back the stream goes on from the newest.
     */
    @Test
    void aStreamThatFallsBehindDropsItsOldestPackets() throws Exception {
        List<Integer> sent = new ArrayList<>();
        ExecutorService one = Executors.newSingleThreadExecutor();
        try (RtpTranscoder transcoder = new RtpTranscoder(PCMU, PCMA, one, packet -> {
            try {
                unblock.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (sent) {
                sent.add(RtpHeader.parse(packet).sequence());
            }
        })) {
            for (int sequence = 0; sequence < 1 + RtpTranscoder.QUEUE_LIMIT + 5; sequence++) {
                ByteBuffer packet = ByteBuffer.wrap(pcmuPacket(sequence));
                transcoder.rtp(RtpHeader.parse(packet), packet);
                if (sequence == 0) {
                    Thread.sleep(100); // the first packet is on the codec thread, blocked in its output
                }
            }
            assertEquals(5, transcoder.dropped());
            unblock.countDown();
            one.shutdown();
            assertTrue(one.awaitTermination(5, TimeUnit.SECONDS));
            // the first packet, then 60 ms concealing the 5 dropped (RFC 3550 §5.1: their sequence numbers are
            // missing), then the 10 kept
            synchronized (sent) {
                assertEquals(1 + 3 + RtpTranscoder.QUEUE_LIMIT, sent.size(), "packets sent " + sent);
            }
        } finally {
            one.shutdownNow();
        }
    }
}
