package org.sylkserver.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sylkserver.media.dtmf.DtmfSender;
import org.sylkserver.media.dtmf.TelephoneEventPacket;
import org.sylkserver.media.rtcp.RtcpCompound;

/** The audio endpoint of a call participant, driven over real loopback sockets. */
class RtpAudioEndpointTest {

    private final InetAddress loopback = InetAddress.getLoopbackAddress();
    private MediaEngine engine;

    private record Received(RtpHeader header, byte[] payload) {
    }

    @AfterEach
    void close() throws IOException {
        if (engine != null) {
            engine.close();
        }
    }

    private DatagramSocket peer() throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(loopback, 0));
        socket.setSoTimeout(2000);
        return socket;
    }

    private static ByteBuffer receive(DatagramSocket socket) throws IOException {
        DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
        socket.receive(packet);
        return ByteBuffer.wrap(Arrays.copyOf(packet.getData(), packet.getLength()));
    }

    private static byte[] rtp(int seq, long timestamp, byte fill) {
        ByteBuffer packet = ByteBuffer.allocate(12 + 160);
        packet.put((byte) 0x80).put((byte) 0).putShort((short) seq).putInt((int) timestamp).putInt(0x4242);
        byte[] payload = new byte[160];
        Arrays.fill(payload, fill);
        return packet.put(payload).array();
    }

    /** RFC 3550 §5.1: our own SSRC; sequence numbers +1 and timestamps +160 per 20 ms PCMU frame. */
    @Test
    void sentFramesAreRtpOfOurOwnToTheSdpAddressBeforeLatching_rfc3550_s5_1() throws Exception {
        engine = new MediaEngine(loopback, 43000, 43010, Duration.ZERO, RtpPolicy.OPEN);
        RtpAudioEndpoint endpoint = engine.openAudioEndpoint(e -> { });
        try (DatagramSocket peer = peer()) {
            endpoint.remote(new InetSocketAddress(loopback, peer.getLocalPort()), false, 8000);
            byte[] frame = new byte[160];
            endpoint.send(0, frame, 0, true);
            endpoint.send(0, frame, 160, false);
            ByteBuffer first = receive(peer);
            ByteBuffer second = receive(peer);
            RtpHeader a = RtpHeader.parse(first);
            RtpHeader b = RtpHeader.parse(second);
            assertNotNull(a);
            assertTrue(a.marker());
            assertEquals(endpoint.ssrc(), a.ssrc());
            assertEquals(a.ssrc(), b.ssrc());
            assertEquals((a.sequence() + 1) & 0xffff, b.sequence());
            assertEquals((a.timestamp() + 160) & 0xffffffffL, b.timestamp());
            assertEquals(160, b.payloadLength());
        }
    }

    /**
     * RFC 3550 §5.1: each packet is its header and exactly the payload given, whatever came before it (the endpoint
     * reuses one buffer for its packets: a short payload after a long one, and a longer one after it).
     */
    @Test
    void eachPacketCarriesExactlyItsOwnPayload_rfc3550_s5_1() throws Exception {
        engine = new MediaEngine(loopback, 43140, 43150, Duration.ZERO, RtpPolicy.OPEN);
        RtpAudioEndpoint endpoint = engine.openAudioEndpoint(e -> { });
        try (DatagramSocket peer = peer()) {
            endpoint.remote(new InetSocketAddress(loopback, peer.getLocalPort()), false, 8000);
            byte[][] payloads = {new byte[160], new byte[20], new byte[320]};
            for (int i = 0; i < payloads.length; i++) {
                Arrays.fill(payloads[i], (byte) (i + 1));
                endpoint.send(i, payloads[i], 160, false);
            }
            for (int i = 0; i < payloads.length; i++) {
                ByteBuffer packet = receive(peer);
                RtpHeader header = RtpHeader.parse(packet);
                assertEquals(i, header.payloadType());
                assertEquals(12 + payloads[i].length, packet.remaining());
                byte[] payload = new byte[header.payloadLength()];
                packet.get(header.headerLength(), payload);
                assertArrayEquals(payloads[i], payload);
            }
        }
    }

    /** RFC 4961: once the peer sends, replies go where its packets come from, not to the SDP address. */
    @Test
    void receivedPacketsReachTheReceiverAndLatchTheTarget_rfc4961() throws Exception {
        engine = new MediaEngine(loopback, 43020, 43030, Duration.ZERO, RtpPolicy.OPEN);
        RtpAudioEndpoint endpoint = engine.openAudioEndpoint(e -> { });
        BlockingQueue<Received> received = new LinkedBlockingQueue<>();
        endpoint.receive((header, payload, arrival, level) -> received.add(new Received(header, payload)));
        try (DatagramSocket sdpAddress = peer(); DatagramSocket natted = peer()) {
            endpoint.remote(new InetSocketAddress(loopback, sdpAddress.getLocalPort()), true, 8000);
            natted.send(new DatagramPacket(rtp(7, 1600, (byte) 0x55), 172, loopback, endpoint.port()));
            Received first = received.poll(2, TimeUnit.SECONDS);
            assertNotNull(first);
            assertEquals(7, first.header().sequence());
            byte[] expected = new byte[160];
            Arrays.fill(expected, (byte) 0x55);
            assertArrayEquals(expected, first.payload());
            endpoint.send(0, new byte[160], 160, false);
            assertEquals(endpoint.ssrc(), RtpHeader.parse(receive(natted)).ssrc());
            sdpAddress.setSoTimeout(200);
            assertThrows(SocketTimeoutException.class, () -> receive(sdpAddress));
        }
    }

    /** RFC 3264 §6.1: nothing is sent while the answered direction forbids it. */
    @Test
    void nothingIsSentWhileSendingIsOff_rfc3264_s6_1() throws Exception {
        engine = new MediaEngine(loopback, 43040, 43050, Duration.ZERO, RtpPolicy.OPEN);
        RtpAudioEndpoint endpoint = engine.openAudioEndpoint(e -> { });
        try (DatagramSocket peer = peer()) {
            endpoint.remote(new InetSocketAddress(loopback, peer.getLocalPort()), true, 8000);
            endpoint.sendRtp(false);
            endpoint.send(0, new byte[160], 160, false);
            peer.setSoTimeout(200);
            assertThrows(SocketTimeoutException.class, () -> receive(peer));
            endpoint.sendRtp(true);
            endpoint.send(0, new byte[160], 160, false);
            assertEquals(172, receive(peer).remaining());
            assertEquals(1, endpoint.stats().rtpPacketsOut());
        }
    }

    /** RFC 4733 §2.5.1: an event's packets share its start timestamp; only the first has the marker bit. */
    @Test
    void telephoneEventsShareTheirStartTimestamp_rfc4733_s2_5_1() throws Exception {
        engine = new MediaEngine(loopback, 43060, 43070, Duration.ZERO, RtpPolicy.OPEN);
        RtpAudioEndpoint endpoint = engine.openAudioEndpoint(e -> { });
        try (DatagramSocket peer = peer()) {
            endpoint.remote(new InetSocketAddress(loopback, peer.getLocalPort()), true, 8000);
            long start = endpoint.currentTimestamp();
            var packets = new DtmfSender(8000).packets('5', Duration.ofMillis(100));
            for (TelephoneEventPacket packet : packets) {
                endpoint.sendTelephoneEvent(101, start, packet);
            }
            for (int i = 0; i < packets.size(); i++) {
                ByteBuffer packet = receive(peer);
                RtpHeader header = RtpHeader.parse(packet);
                assertEquals(101, header.payloadType());
                assertEquals(i == 0, header.marker());
                assertEquals(start, header.timestamp());
                assertEquals(5, packet.get(12), "event code of key 5");
            }
        }
    }

    /** RFC 3550 §6.1/§6.6: closing sends a compound RR/SR + SDES + BYE to the RTCP port above the RTP port. */
    @Test
    void closingSendsAByeToTheRtcpPort_rfc3550_s6_6() throws Exception {
        engine = new MediaEngine(loopback, 43080, 43090, Duration.ZERO, RtpPolicy.OPEN);
        RtpAudioEndpoint endpoint = engine.openAudioEndpoint(e -> { });
        try (DatagramSocket rtcp = new DatagramSocket(0, loopback)) {
            rtcp.setSoTimeout(2000);
            // the RTP port is the one below the RTCP socket's (nothing listens there)
            endpoint.remote(new InetSocketAddress(loopback, rtcp.getLocalPort() - 1), false, 8000);
            endpoint.send(0, new byte[160], 160, false);
            endpoint.close();
            ByteBuffer report = receive(rtcp);
            assertTrue(RtcpCompound.isValid(report));
            assertEquals(200, report.get(1) & 0xff, "a sender report: one packet was sent");
            assertEquals(1, report.getInt(20), "sender's packet count");
            int bye = report.remaining() - 8;
            assertEquals(203, report.get(bye + 1) & 0xff);
            assertEquals((int) endpoint.ssrc(), report.getInt(bye + 4));
        }
    }

    /**
     * RFC 3711 with RFC 4568 keys: what one endpoint sends is encrypted and authenticated on the wire (10 more bytes,
     * payload unreadable), the other decrypts it; plain RTP sent to an SRTP endpoint is dropped as invalid.
     */
    @Test
    void srtpEndpointsUnderstandEachOtherAndDropPlainRtp_rfc3711() throws Exception {
        engine = new MediaEngine(loopback, 43100, 43110, Duration.ZERO, RtpPolicy.OPEN);
        org.sylkserver.media.srtp.SdesCrypto keyA = org.sylkserver.media.srtp.SdesCrypto.generate(1,
                org.sylkserver.media.srtp.CryptoSuite.AES_CM_128_HMAC_SHA1_80, new java.security.SecureRandom());
        org.sylkserver.media.srtp.SdesCrypto keyB = org.sylkserver.media.srtp.SdesCrypto.generate(1,
                org.sylkserver.media.srtp.CryptoSuite.AES_CM_128_HMAC_SHA1_80, new java.security.SecureRandom());
        RtpAudioEndpoint a = engine.openAudioEndpoint(e -> { });
        RtpAudioEndpoint b = engine.openAudioEndpoint(e -> { });
        a.secure(keyB, keyA);
        b.secure(keyA, keyB);
        BlockingQueue<byte[]> atB = new LinkedBlockingQueue<>();
        b.receive((header, payload, arrival, level) -> atB.add(payload));
        a.remote(new InetSocketAddress(loopback, b.port()), false, 8000);
        byte[] frame = new byte[160];
        Arrays.fill(frame, (byte) 0x55);
        a.send(0, frame, 160, true);
        assertArrayEquals(frame, atB.poll(5, TimeUnit.SECONDS), "decrypted at the other end");
        try (DatagramSocket peer = peer()) {
            a.remote(new InetSocketAddress(loopback, peer.getLocalPort()), false, 8000);
            a.send(0, frame, 160, false);
            ByteBuffer wire = receive(peer);
            assertEquals(12 + 160 + 10, wire.remaining(), "header, payload and the 80-bit tag");
            byte[] payload = new byte[160];
            wire.get(12, payload);
            assertTrue(!Arrays.equals(frame, payload), "the payload is encrypted");
            byte[] plain = rtp(1, 160, (byte) 1);
            peer.send(new DatagramPacket(plain, plain.length, loopback, b.port()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (b.stats().invalidPackets() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1, b.stats().invalidPackets(), "plain RTP fails authentication");
            assertEquals(null, atB.poll(200, TimeUnit.MILLISECONDS));
        }
    }

    /**
     * RFC 6189 in the media path: two endpoints negotiate ZRTP over their RTP sockets, show the same SAS, and
     * then carry audio as SRTP (encrypted on the wire, decrypted at the other end).
     */
    @Test
    void zrtpBetweenTwoEndpointsGivesTheSameSasAndSrtp_rfc6189(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        engine = new MediaEngine(loopback, 43120, 43130, Duration.ZERO, RtpPolicy.OPEN);
        RtpAudioEndpoint a = engine.openAudioEndpoint(e -> { });
        RtpAudioEndpoint b = engine.openAudioEndpoint(e -> { });
        a.remote(new InetSocketAddress(loopback, b.port()), false, 8000);
        b.remote(new InetSocketAddress(loopback, a.port()), false, 8000);
        BlockingQueue<byte[]> atB = new LinkedBlockingQueue<>();
        b.receive((header, payload, arrival, level) -> atB.add(payload));
        BlockingQueue<String> sasA = new LinkedBlockingQueue<>();
        BlockingQueue<String> sasB = new LinkedBlockingQueue<>();
        byte[] zidA = new byte[12];
        byte[] zidB = new byte[12];
        Arrays.fill(zidA, (byte) 0xA);
        Arrays.fill(zidB, (byte) 0xB);
        a.zrtp(dir.resolve("zid"), zidA, sasA::add);
        b.zrtp(dir.resolve("zid"), zidB, sasB::add);
        String sas = sasA.poll(20, TimeUnit.SECONDS);
        assertNotNull(sas, "ZRTP completed");
        assertEquals(sas, sasB.poll(20, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!(a.isSecure() && b.isSecure()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(a.isSecure() && b.isSecure(), "both directions keyed after Conf2Ack");
        atB.clear();
        byte[] frame = new byte[160];
        Arrays.fill(frame, (byte) 0x33);
        a.send(0, frame, 160, false);
        assertArrayEquals(frame, atB.poll(5, TimeUnit.SECONDS), "SRTP with the ZRTP keys");
    }
}
