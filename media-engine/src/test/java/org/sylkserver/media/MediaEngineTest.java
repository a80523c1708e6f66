package org.sylkserver.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The media engine's ports and the echo endpoint, on loopback. */
class MediaEngineTest {

    /**
     * The engine's clock in the tests that depend on time passing (latching, inactivity): moved by the test instead
     * of waited for, so that a busy machine cannot make a silence look longer than it was.
     */
    private final TestClock clock = new TestClock();

    private void advance(long millis) {
        clock.advance(millis);
    }

    private MediaEngine engineOnTheTestClock(int portStart, int portEnd, Duration timeout, RtpPolicy policy)
            throws IOException {
        return clock.engine(loopback, portStart, portEnd, timeout, policy);
    }

    private final InetAddress loopback = InetAddress.getLoopbackAddress();
    private MediaEngine engine;

    @AfterEach
    void close() throws IOException {
        if (engine != null) {
            engine.close();
        }
    }

    /** An RTP packet (RFC 3550 §5.1) of PCMU with sequence number {@code seq} and a payload that depends on it. */
    private static byte[] rtp(int seq) {
        byte[] packet = new byte[172];
        packet[0] = (byte) 0x80;
        packet[2] = (byte) (seq >> 8);
        packet[3] = (byte) seq;
        packet[8] = 0x11;
        Arrays.fill(packet, 12, packet.length, (byte) (seq * 7));
        return packet;
    }

    /** A receiver report without report blocks (RFC 3550 §6.4.2). */
    private static final byte[] RTCP_RR = {(byte) 0x80, (byte) 201, 0, 1, 0x11, 0, 0, 0};

    private DatagramSocket caller() throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(loopback, 0));
        socket.setSoTimeout(2000);
        return socket;
    }

    private void send(DatagramSocket socket, byte[] packet, int port) throws IOException {
        socket.send(new DatagramPacket(packet, packet.length, loopback, port));
    }

    private static byte[] receive(DatagramSocket socket) throws IOException {
        DatagramPacket back = new DatagramPacket(new byte[2048], 2048);
        socket.receive(back);
        return Arrays.copyOf(back.getData(), back.getLength());
    }

    private static void assertNothingComesBack(DatagramSocket socket, String why) throws IOException {
        socket.setSoTimeout(300);
        assertThrows(SocketTimeoutException.class, () -> receive(socket), why);
        socket.setSoTimeout(2000);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    @Test
    void fiftyRtpPacketsComeBackByteForByteToTheirSource_rfc4961_s3() throws Exception {
        engine = new MediaEngine(loopback, 42000, 42010, Duration.ZERO, RtpPolicy.OPEN);
        RtpEchoEndpoint endpoint = engine.openEchoEndpoint(e -> { });
        try (DatagramSocket caller = caller()) {
            for (int seq = 0; seq < 50; seq++) {
                send(caller, rtp(seq), endpoint.port());
                assertArrayEquals(rtp(seq), receive(caller), "packet " + seq);
            }
            // the counters are updated on the I/O thread just after the send
            await(() -> endpoint.stats().rtpPacketsOut() == 50, "50 packets out");
            assertEquals(new EndpointStats(50, 50 * 172, 50, 50 * 172, 0, 0, 0, 0), endpoint.stats());
            assertEquals(new InetSocketAddress(loopback, caller.getLocalPort()), endpoint.latchedSource());
        }
    }

    @Test
    void telephoneEventsOfTheNegotiatedTypeAreReportedOnceAndStillEchoed_rfc4733_s2_5() throws Exception {
        engine = new MediaEngine(loopback, 42500, 42510, Duration.ZERO, RtpPolicy.OPEN);
        RtpEchoEndpoint endpoint = engine.openEchoEndpoint(e -> { });
        java.util.List<org.sylkserver.media.dtmf.DtmfEvent> keys = new java.util.concurrent.CopyOnWriteArrayList<>();
        endpoint.receiveDtmf(101, 8000, keys::add);
        org.sylkserver.media.dtmf.DtmfSender sender = new org.sylkserver.media.dtmf.DtmfSender(8000);
        try (DatagramSocket caller = caller()) {
            int seq = 7;
            for (var packet : sender.packets('7', Duration.ofMillis(120))) {
                java.nio.ByteBuffer rtp = java.nio.ByteBuffer.allocate(12 + packet.payload().length);
                rtp.put((byte) 0x80).put((byte) ((packet.marker() ? 0x80 : 0) | 101)).putShort((short) seq++)
                        .putInt((int) (8000 + packet.timestampOffset())).putInt(42).put(packet.payload());
                send(caller, rtp.array(), endpoint.port());
                assertArrayEquals(rtp.array(), receive(caller), "telephone-events are echoed too");
            }
            await(() -> keys.size() == 1, "the key press");
            assertEquals(java.util.Optional.of('7'), keys.get(0).digit());
            assertEquals(120, keys.get(0).durationMillis(), 20);
            // PCMU (PT 0) is not a telephone-event
            byte[] audio = new byte[172];
            audio[0] = (byte) 0x80;
            send(caller, audio, endpoint.port());
            receive(caller);
            assertEquals(1, keys.size());
        }
    }

    /** A telephone-event packet (RFC 4733 §2.3) for key 1, {@code end} set or not, with sequence number {@code seq}. */
    private static byte[] keyPress(int seq, boolean end) {
        return new byte[] {(byte) 0x80, (byte) 101, (byte) (seq >> 8), (byte) seq, 0, 0, 0x1f, 0x40, 0, 0, 0, 42,
                1, (byte) (end ? 0x8a : 0x0a), 0x03, (byte) 0xc0};
    }

    /**
     * Issue 11 part 3: no exception or Error of one call's media ends the I/O thread (or the timer) that carries every
     * call: a DTMF listener that throws an Error, a queued I/O task that throws one and an inactivity callback that
     * throws one are each logged and dropped, and another call's RTP keeps flowing.
     */
    @Test
    void anErrorInOneCallsMediaTaskLeavesTheOtherCallsFlowing() throws Exception {
        engine = engineOnTheTestClock(42540, 42550, Duration.ofMillis(200), RtpPolicy.OPEN);
        AtomicInteger thrown = new AtomicInteger();
        AtomicInteger faultyInactive = new AtomicInteger();
        RtpEchoEndpoint faulty = engine.openEchoEndpoint(e -> {
            faultyInactive.incrementAndGet();
            throw new StackOverflowError("injected into the inactivity callback");
        });
        faulty.receiveDtmf(101, 8000, event -> {
            thrown.incrementAndGet();
            throw new StackOverflowError("injected into a DTMF listener");
        });
        AtomicInteger otherInactive = new AtomicInteger();
        RtpEchoEndpoint other = engine.openEchoEndpoint(e -> otherInactive.incrementAndGet());
        try (DatagramSocket attacker = caller(); DatagramSocket caller = caller()) {
            send(caller, rtp(0), other.port());
            assertArrayEquals(rtp(0), receive(caller));
            for (int seq = 1; seq <= 5; seq++) {
                send(attacker, keyPress(seq, false), faulty.port());
                send(attacker, keyPress(100 + seq, true), faulty.port());
            }
            engine.onIoThread(() -> {
                thrown.incrementAndGet();
                throw new AssertionError("injected into an I/O task");
            });
            await(() -> thrown.get() >= 2, "the injected failures");
            for (int seq = 1; seq < 20; seq++) {
                send(caller, rtp(seq), other.port());
                assertArrayEquals(rtp(seq), receive(caller), "the other call's packet " + seq);
            }
            // the faulty endpoint's own later packets are still handled too
            send(attacker, rtp(30), faulty.port());
            byte[] echoed;
            do {
                echoed = receive(attacker); // the key presses that did not fail came back first
            } while (echoed.length == 16);
            assertArrayEquals(rtp(30), echoed);
            // the timer survives the faulty inactivity callback and still reports the other endpoint's silence
            for (int seq = 40; seq < 51; seq++) {
                send(caller, rtp(seq), other.port());
                receive(caller);
                advance(20);
            }
            await(() -> faultyInactive.get() == 1, "the faulty endpoint's RTP timeout");
            assertEquals(0, otherInactive.get());
            advance(200);
            await(() -> otherInactive.get() == 1, "the other endpoint's RTP timeout after the faulty one's");
        }
    }

    private DatagramSocket stranger() throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
        socket.setSoTimeout(2000);
        return socket;
    }

    /**
     * Issue 11 part 3 (RTP hijacking): plain RTP from an address other than the one signalled in SDP never latches,
     * neither before the peer's first packet nor after it fell silent, so a stranger spraying the port range gets
     * no media; the signalled peer latches from any port (RFC 4961 §3 with NAT-shifted ports).
     */
    @Test
    void plainRtpFromAnAddressNotSignalledNeverLatches_rfc4961() throws Exception {
        engine = engineOnTheTestClock(42560, 42570, Duration.ZERO, RtpPolicy.DEFAULTS);
        RtpEchoEndpoint endpoint = engine.openEchoEndpoint(e -> { });
        try (DatagramSocket attacker = stranger(); DatagramSocket peer = caller()) {
            endpoint.signalled(new InetSocketAddress(loopback, 4000));
            send(attacker, rtp(1), endpoint.port());
            assertNothingComesBack(attacker, "a stranger's packet before the peer's first one");
            send(peer, rtp(2), endpoint.port());
            assertArrayEquals(rtp(2), receive(peer), "the signalled address latches from another port");
            advance(2100); // longer than the re-latch silence
            send(attacker, rtp(3), endpoint.port());
            assertNothingComesBack(attacker, "a stranger's packet after the peer fell silent");
            send(peer, rtp(4), endpoint.port());
            assertArrayEquals(rtp(4), receive(peer));
            await(() -> endpoint.stats().foreignPackets() == 2, "both foreign packets counted");
        }
    }

    /** The peer's SIP source (its NAT's address) latches too; a stranger's packet, first or after a silence, not. */
    @Test
    void theSignallingSourceLatchesButNoStrangerBeforeOrAfterIt() throws Exception {
        engine = engineOnTheTestClock(42640, 42660, Duration.ZERO, RtpPolicy.DEFAULTS);
        RtpEchoEndpoint natted = engine.openEchoEndpoint(e -> { });
        InetSocketAddress privateAddress = new InetSocketAddress(InetAddress.getByName("10.0.0.7"), 4000);
        natted.signalled(privateAddress);
        natted.signallingSource(loopback);
        try (DatagramSocket attacker = stranger(); DatagramSocket peer = caller()) {
            send(attacker, rtp(1), natted.port());
            assertNothingComesBack(attacker, "the first packet from a stranger does not latch");
            send(peer, rtp(2), natted.port());
            assertArrayEquals(rtp(2), receive(peer), "the SIP source's media latches");
            advance(2100);
            send(attacker, rtp(3), natted.port());
            assertNothingComesBack(attacker, "another address cannot take over after a silence");
        }
    }

    /** Issue 11 part 3: from an address not signalled (NAT), only an SRTP packet that authenticates latches. */
    @Test
    void anAuthenticatedSrtpPacketLatchesFromAnyAddress_rfc3711_s3_3() throws Exception {
        engine = new MediaEngine(loopback, 42580, 42590, Duration.ZERO, RtpPolicy.DEFAULTS);
        RtpEchoEndpoint endpoint = engine.openEchoEndpoint(e -> { });
        java.security.SecureRandom random = new java.security.SecureRandom();
        org.sylkserver.media.srtp.SdesCrypto peerKey = org.sylkserver.media.srtp.SdesCrypto.generate(1,
                org.sylkserver.media.srtp.CryptoSuite.AES_CM_128_HMAC_SHA1_80, random);
        org.sylkserver.media.srtp.SdesCrypto ourKey = org.sylkserver.media.srtp.SdesCrypto.generate(1,
                org.sylkserver.media.srtp.CryptoSuite.AES_CM_128_HMAC_SHA1_80, random);
        endpoint.secure(peerKey, ourKey);
        endpoint.signalled(new InetSocketAddress(InetAddress.getByName("192.0.2.10"), 4000));
        var peerSrtp = org.sylkserver.media.srtp.SrtpTransformer.forSending(peerKey);
        var forged = org.sylkserver.media.srtp.SrtpTransformer.forSending(
                org.sylkserver.media.srtp.SdesCrypto.generate(1, org.sylkserver.media.srtp.CryptoSuite.AES_CM_128_HMAC_SHA1_80, random));
        try (DatagramSocket attacker = stranger(); DatagramSocket natted = caller()) {
            send(attacker, forged.protectRtp(rtp(1), 172), endpoint.port());
            assertNothingComesBack(attacker, "a packet under other keys");
            send(natted, peerSrtp.protectRtp(rtp(2), 172), endpoint.port());
            assertTrue(receive(natted).length > 12, "the authenticated packet latched and was echoed");
            assertEquals(new InetSocketAddress(loopback, natted.getLocalPort()), endpoint.latchedSource());
        }
    }

    /**
     * Issue 11 part 3: one peer opening calls in a loop cannot take the port range: a stream more than
     * max_streams_per_address with one peer address is refused (488 with a Warning in the applications), another
     * address is still served, and a re-offer from an address the endpoint already has is not counted twice.
     */
    @Test
    void streamsWithOnePeerAddressAreCappedByMaxStreamsPerAddress() throws Exception {
        engine = new MediaEngine(loopback, 42600, 42620, Duration.ZERO, new RtpPolicy(false, 0, 3));
        InetSocketAddress peer = new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 4000);
        for (int i = 0; i < 3; i++) {
            RtpEchoEndpoint endpoint = engine.openEchoEndpoint(e -> { });
            endpoint.admit(peer);
            endpoint.signalled(peer);
            endpoint.admit(new InetSocketAddress(peer.getAddress(), 5000 + i)); // its own address counts once
        }
        RtpEchoEndpoint fourth = engine.openEchoEndpoint(e -> { });
        org.sylkserver.protocols.sdp.SdpException refused = assertThrows(org.sylkserver.protocols.sdp.SdpException.class,
                () -> fourth.admit(peer));
        assertTrue(refused.getMessage().contains("192.0.2.7"), refused.getMessage());
        fourth.admit(new InetSocketAddress(InetAddress.getByName("192.0.2.8"), 4000));
    }

    @Test
    void transcodedAudioIsDecodedAndEncodedAgainKeepingTheHeader_g711() throws Exception {
        engine = new MediaEngine(loopback, 42520, 42530, Duration.ZERO, RtpPolicy.OPEN);
        RtpEchoEndpoint endpoint = engine.openEchoEndpoint(e -> { });
        endpoint.transcode(0, org.sylkserver.media.codec.G711.PCMU, org.sylkserver.media.codec.G711.PCMU);
        try (DatagramSocket caller = caller()) {
            byte[] packet = new byte[12 + 160];
            packet[0] = (byte) 0x80;
            packet[2] = 1;
            for (int i = 12; i < packet.length; i++) {
                packet[i] = (byte) (i * 7);
            }
            packet[12] = 0x7f;
            send(caller, packet, endpoint.port());
            byte[] back = receive(caller);
            byte[] expected = packet.clone();
            // mu-law 0x7F is "negative zero": it decodes to 0, which encodes as 0xFF; every other code survives
            expected[12] = (byte) 0xff;
            assertArrayEquals(expected, back);
            byte[] alaw = packet.clone();
            alaw[1] = 8;
            send(caller, alaw, endpoint.port());
            assertArrayEquals(alaw, receive(caller), "other payload types are copied");
        }
    }

    /** RFC 3264 §6.1: while the answer says recvonly (the caller holds) no RTP is sent; RTCP still is (§5.1). */
    @Test
    void whileNotSendingRtpOnlyRtcpComesBackUntilSendingResumes_rfc3264_s6_1() throws Exception {
        engine = new MediaEngine(loopback, 42040, 42050, Duration.ZERO, RtpPolicy.OPEN);
        RtpEchoEndpoint endpoint = engine.openEchoEndpoint(e -> { });
        try (DatagramSocket muxed = caller()) {
            endpoint.sendRtp(false);
            send(muxed, rtp(1), endpoint.port());
            assertNothingComesBack(muxed, "RTP on hold");
            send(muxed, RTCP_RR, endpoint.port());
            assertArrayEquals(RTCP_RR, receive(muxed));
            endpoint.sendRtp(true);
            send(muxed, rtp(2), endpoint.port());
            assertArrayEquals(rtp(2), receive(muxed));
            await(() -> endpoint.stats().rtpPacketsOut() == 1, "RTP out");
            assertEquals(new EndpointStats(2, 2 * 172, 1, 172, 1, 1, 0, 0), endpoint.stats());
        }
    }

    @Test
    void rtcpComesBackOnItsOwnPortAndWhenMultiplexed_rfc3550_s11_rfc5761_s4() throws Exception {
        engine = new MediaEngine(loopback, 42020, 42030, Duration.ZERO, RtpPolicy.OPEN);
        RtpEchoEndpoint endpoint = engine.openEchoEndpoint(e -> { });
        try (DatagramSocket rtcp = caller(); DatagramSocket muxed = caller()) {
            send(rtcp, RTCP_RR, endpoint.port() + 1);
            assertArrayEquals(RTCP_RR, receive(rtcp));
            send(muxed, RTCP_RR, endpoint.port());
            assertArrayEquals(RTCP_RR, receive(muxed));
            send(muxed, rtp(1), endpoint.port());
            assertArrayEquals(rtp(1), receive(muxed));
            await(() -> endpoint.stats().rtpPacketsOut() == 1, "RTP out");
            assertEquals(new EndpointStats(1, 172, 1, 172, 2, 2, 0, 0), endpoint.stats());
        }
    }

    @Test
    void whatIsNotRtpVersion2OrIsTruncatedIsDroppedAndCounted_rfc3550_appendixA() throws Exception {
        engine = new MediaEngine(loopback, 42040, 42050, Duration.ZERO, RtpPolicy.OPEN);
        RtpEchoEndpoint endpoint = engine.openEchoEndpoint(e -> { });
        try (DatagramSocket caller = caller()) {
            send(caller, new byte[] {1, 2, 3}, endpoint.port());
            byte[] versionOne = rtp(1);
            versionOne[0] = 0x40;
            send(caller, versionOne, endpoint.port());
            send(caller, new byte[] {(byte) 0x80, (byte) 201, 0, 9, 0, 0, 0, 1}, endpoint.port());
            send(caller, rtp(2), endpoint.port() + 1);
            assertNothingComesBack(caller, "nothing invalid is echoed");
            assertEquals(4, endpoint.stats().invalidPackets());
            send(caller, rtp(3), endpoint.port());
            assertArrayEquals(rtp(3), receive(caller), "valid packets still are");
        }
    }

    @Test
    void anotherSourceIsIgnoredWhileTheLatchedOneSends_rfc4961() throws Exception {
        engine = new MediaEngine(loopback, 42060, 42070, Duration.ZERO, RtpPolicy.OPEN);
        RtpEchoEndpoint endpoint = engine.openEchoEndpoint(e -> { });
        try (DatagramSocket caller = caller(); DatagramSocket stranger = caller()) {
            send(caller, rtp(1), endpoint.port());
            assertArrayEquals(rtp(1), receive(caller));
            send(stranger, rtp(99), endpoint.port());
            assertNothingComesBack(stranger, "the port is latched on the caller");
            send(caller, rtp(2), endpoint.port());
            assertArrayEquals(rtp(2), receive(caller));
            assertEquals(1, endpoint.stats().foreignPackets());
            assertEquals(new InetSocketAddress(loopback, caller.getLocalPort()), endpoint.latchedSource());
        }
    }

    @Test
    void portsAreEvenPairsOfTheRangeAndComeBackOnClose_rfc3550_s11() throws Exception {
        engine = new MediaEngine(loopback, 42100, 42104, Duration.ZERO, RtpPolicy.OPEN);
        RtpEchoEndpoint first = engine.openEchoEndpoint(e -> { });
        RtpEchoEndpoint second = engine.openEchoEndpoint(e -> { });
        for (RtpEchoEndpoint endpoint : new RtpEchoEndpoint[] {first, second}) {
            assertEquals(0, endpoint.port() % 2);
            assertTrue(endpoint.port() >= 42100 && endpoint.port() < 42104);
        }
        assertNotEquals(first.port(), second.port());
        PortRangeExhaustedException full = assertThrows(PortRangeExhaustedException.class,
                () -> engine.openEchoEndpoint(e -> { }));
        assertEquals("no free RTP port pair in the configured range (2 of 2 in use, the others held by other programs)",
                full.getMessage());

        first.close();
        first.close();
        assertTrue(first.isClosed());
        await(() -> engine.portPairsInUse() == 1, "the closed endpoint's pair to be released");
        try (DatagramSocket rtp = new DatagramSocket(new InetSocketAddress(loopback, first.port()));
             DatagramSocket rtcp = new DatagramSocket(new InetSocketAddress(loopback, first.port() + 1))) {
            assertTrue(rtp.isBound() && rtcp.isBound(), "the sockets were really closed");
        }
        RtpEchoEndpoint third = engine.openEchoEndpoint(e -> { });
        assertEquals(first.port(), third.port());
        assertEquals(2, engine.openEndpoints());
    }

    @Test
    void aPortHeldByAnotherProgramIsSkippedNotLost() throws Exception {
        try (DatagramSocket squatter = new DatagramSocket(new InetSocketAddress(loopback, 42201))) {
            engine = new MediaEngine(loopback, 42200, 42204, Duration.ZERO, RtpPolicy.OPEN);
            assertEquals(42202, engine.openEchoEndpoint(e -> { }).port());
            assertThrows(PortRangeExhaustedException.class, () -> engine.openEchoEndpoint(e -> { }));
            assertEquals(1, engine.portPairsInUse());
            squatter.close();
            assertEquals(42200, engine.openEchoEndpoint(e -> { }).port());
        }
    }

    @Test
    void silenceForTheTimeoutIsReportedOnceAndRtpKeepsItAway() throws Exception {
        engine = engineOnTheTestClock(42300, 42310, Duration.ofMillis(300), RtpPolicy.OPEN);
        AtomicInteger talkerTimeouts = new AtomicInteger();
        AtomicInteger silentTimeouts = new AtomicInteger();
        RtpEchoEndpoint talker = engine.openEchoEndpoint(e -> talkerTimeouts.incrementAndGet());
        RtpEchoEndpoint silent = engine.openEchoEndpoint(e -> silentTimeouts.incrementAndGet());
        try (DatagramSocket caller = caller()) {
            for (int seq = 0; seq < 20; seq++) {
                send(caller, rtp(seq), talker.port());
                receive(caller);
                advance(50);
                engine.checkInactivity();
            }
            assertEquals(0, talkerTimeouts.get(), "RTP every 50 ms keeps a 300 ms timeout away");
            assertEquals(1, silentTimeouts.get(), "silence for a second is reported");
            advance(300);
            engine.checkInactivity();
            assertEquals(1, talkerTimeouts.get(), "the talker's silence is reported");
            advance(500);
            engine.checkInactivity();
            assertEquals(1, talkerTimeouts.get(), "reported once");
            assertEquals(1, silentTimeouts.get(), "reported once");
        }
    }

    /** RFC 3264 §8.4: a peer that holds the call may send nothing; its silence counts again once it resumes. */
    @Test
    void silenceOnHoldIsNotReportedUntilTheCallResumes() throws Exception {
        engine = engineOnTheTestClock(42320, 42330, Duration.ofMillis(300), RtpPolicy.OPEN);
        AtomicInteger timeouts = new AtomicInteger();
        RtpEchoEndpoint held = engine.openEchoEndpoint(e -> timeouts.incrementAndGet());
        held.watchInactivity("recvonly");
        advance(1000);
        engine.checkInactivity();
        assertEquals(0, timeouts.get(), "a second of silence on hold is not reported");
        held.watchInactivity("inactive");
        advance(500);
        engine.checkInactivity();
        assertEquals(0, timeouts.get(), "nor on hold with inactive");
        held.watchInactivity("sendrecv");
        advance(150);
        engine.checkInactivity();
        assertEquals(0, timeouts.get(), "resuming starts a fresh timeout");
        advance(150);
        engine.checkInactivity();
        assertEquals(1, timeouts.get(), "the silence after the resume is reported");
    }

    /**
     * Issue 11 part 3: a peer that only receives (our answer sendonly, RFC 3264 §5.1) sends no RTP but still RTCP
     * (RFC 3550 §6): its reports keep the stream alive, and their silence is an RTP timeout like any other.
     */
    @Test
    void aListeningPeerIsAliveWhileItSendsRtcpAndTimesOutWhenItStops_rfc3550_s6() throws Exception {
        engine = engineOnTheTestClock(42340, 42350, Duration.ofMillis(300), RtpPolicy.OPEN);
        AtomicInteger timeouts = new AtomicInteger();
        RtpEchoEndpoint listening = engine.openEchoEndpoint(e -> timeouts.incrementAndGet());
        listening.watchInactivity("sendonly");
        try (DatagramSocket peer = caller()) {
            for (int i = 0; i < 10; i++) {
                send(peer, RTCP_RR, listening.port() + 1);
                receive(peer);
                advance(100);
                engine.checkInactivity();
            }
            assertEquals(0, timeouts.get(), "a second of RTCP without RTP is no timeout");
            advance(300);
            engine.checkInactivity();
            assertEquals(1, timeouts.get(), "the silence after the last report is reported");
        }
    }

    @Test
    void closingTheEngineFreesEverySocket() throws Exception {
        engine = new MediaEngine(loopback, 42400, 42410, Duration.ZERO, RtpPolicy.OPEN);
        RtpEchoEndpoint endpoint = engine.openEchoEndpoint(e -> { });
        engine.close();
        assertTrue(endpoint.isClosed());
        try (DatagramSocket rtp = new DatagramSocket(new InetSocketAddress(loopback, endpoint.port()))) {
            assertTrue(rtp.isBound());
        }
        IOException closed = assertThrows(IOException.class, () -> engine.openEchoEndpoint(e -> { }));
        assertEquals("media engine is closed", closed.getMessage());
        assertFalse(closed instanceof PortRangeExhaustedException);
    }

    @Test
    void badSettingsAreRefused_spec_1_3() {
        assertThrows(IllegalArgumentException.class, () -> new MediaEngine(loopback, 50001, 50500, Duration.ZERO, RtpPolicy.OPEN));
        assertThrows(IllegalArgumentException.class, () -> new MediaEngine(loopback, 50500, 50000, Duration.ZERO, RtpPolicy.OPEN));
        assertThrows(IllegalArgumentException.class, () -> new MediaEngine(loopback, 65000, 65538, Duration.ZERO, RtpPolicy.OPEN));
        assertThrows(IllegalArgumentException.class, () -> new MediaEngine(loopback, 50000, 50500, Duration.ofSeconds(-1), RtpPolicy.OPEN));
    }

    /**
     * A bare socket (a WebRTC leg's, carrying video) gets a larger receive buffer than the kernel's default, so that
     * a descheduled I/O thread does not lose a publisher's datagrams at the socket (docs/benchmarks.md, issue 13).
     */
    @Test
    void aBareSocketHasALargerReceiveBufferThanTheDefault() throws IOException {
        engine = engineOnTheTestClock(47600, 47610, Duration.ZERO, RtpPolicy.OPEN);
        int byDefault;
        try (java.nio.channels.DatagramChannel plain = java.nio.channels.DatagramChannel.open()) {
            byDefault = plain.getOption(java.net.StandardSocketOptions.SO_RCVBUF);
        }
        try (MediaSocket socket = engine.openSocket((datagram, source) -> { }, () -> { })) {
            int buffer = socket.channel().getOption(java.net.StandardSocketOptions.SO_RCVBUF);
            assertTrue(buffer > byDefault, buffer + " bytes, the default " + byDefault);
        }
    }
}
