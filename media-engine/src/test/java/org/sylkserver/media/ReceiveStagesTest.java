package org.sylkserver.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.sylkserver.media.dtmf.DtmfEvent;
import org.sylkserver.media.dtmf.DtmfReceiver;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.rtcp.RtcpPackets;
import org.sylkserver.media.rtcp.ReceptionStatistics;

/** The RTP endpoint's own receive stages, each on its own, with packets made by hand and time given, not waited. */
class ReceiveStagesTest {

    private static final InetSocketAddress PEER = new InetSocketAddress("192.0.2.10", 4000);
    private static final InetSocketAddress PEER_NEW_PORT = new InetSocketAddress("192.0.2.10", 4002);
    private static final InetSocketAddress STRANGER = new InetSocketAddress("198.51.100.7", 4000);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private static Packet rtp(InetSocketAddress from, long atNanos, int payloadType, byte... payload) {
        ByteBuffer bytes = ByteBuffer.allocate(12 + payload.length).put((byte) 0x80).put((byte) payloadType)
                .putShort((short) 1).putInt(160).putInt(0x1234).put(payload).flip();
        Packet packet = new Packet(bytes, from, atNanos, false);
        packet.header(RtpHeader.parse(bytes));
        return packet;
    }

    private static Packet rtcp(ByteBuffer bytes, long atNanos) {
        Packet packet = new Packet(bytes, PEER, atNanos, false);
        packet.rtcp(true);
        return packet;
    }

    @Test
    void rfc4961_latchingAdmitsTheSignalledPeerAndRefusesStrangers() {
        Latching latching = new Latching(false);
        latching.signalled(PEER.getAddress());
        assertNull(latching.handle(rtp(STRANGER, 0, 0)), "plain RTP from an unsignalled address never latches");
        assertNotNull(latching.handle(rtp(PEER, 0, 0)));
        assertEquals(PEER, latching.rtpSource());
        assertNull(latching.handle(rtp(PEER_NEW_PORT, SECOND, 0)), "not while the latched port keeps sending");
        assertNotNull(latching.handle(rtp(PEER_NEW_PORT, 3 * SECOND, 0)), "after 2 s of silence, a new port");
        assertEquals(PEER_NEW_PORT, latching.rtpSource());
        Packet authenticated = rtp(STRANGER, 4 * SECOND, 0);
        authenticated.authenticated(true);
        assertNull(latching.handle(authenticated), "not while the latched source keeps sending");
        authenticated = rtp(STRANGER, 6 * SECOND, 0);
        authenticated.authenticated(true);
        assertNotNull(latching.handle(authenticated), "SRTP-authenticated, after 2 s of silence");
        assertEquals(3, latching.dropped(), "the endpoint's foreign packets");
    }

    @Test
    void latchingTakesTheSignallingSourceButNotTheFirstStranger() {
        Latching latching = new Latching(false);
        assertNull(latching.handle(rtp(STRANGER, 0, 0)), "whoever sends first does not latch");
        latching.signallingSource(PEER.getAddress());
        assertNull(latching.handle(rtp(STRANGER, 0, 0)));
        assertNotNull(latching.handle(rtp(PEER, 0, 0)), "the address the peer's SIP comes from");
        assertTrue(new Latching(true).handle(rtp(STRANGER, 0, 0)) != null, "latch_any_source");
    }

    @Test
    void inactivityIsReportedOnceAfterTheTimeoutUntilWatchedAgain() {
        AtomicInteger reports = new AtomicInteger();
        InactivityWatch watch = new InactivityWatch(0, reports::incrementAndGet, false);
        watch.check(SECOND - 1, SECOND);
        assertEquals(0, reports.get());
        watch.alive(SECOND / 2);
        watch.check(SECOND, SECOND);
        assertEquals(0, reports.get(), "media half way through restarts the timeout");
        watch.check(3 * SECOND / 2, SECOND);
        watch.check(5 * SECOND, SECOND);
        assertEquals(1, reports.get(), "reported once");
        watch.alive(6 * SECOND);
        watch.check(8 * SECOND, SECOND);
        assertEquals(1, reports.get(), "an endpoint's report is not re-armed by media");
        watch.watch(false, 8 * SECOND);
        watch.watch(true, 9 * SECOND);
        watch.check(10 * SECOND, SECOND);
        assertEquals(2, reports.get(), "watching again (a re-INVITE) starts afresh");
        watch.stop();
        watch.check(20 * SECOND, SECOND);
        assertEquals(2, reports.get());
    }

    @Test
    void aSocketsWatchIsReArmedByMedia() {
        AtomicInteger reports = new AtomicInteger();
        InactivityWatch watch = new InactivityWatch(0, reports::incrementAndGet, true);
        watch.check(SECOND, SECOND);
        watch.alive(2 * SECOND);
        watch.check(3 * SECOND, SECOND);
        assertEquals(2, reports.get());
    }

    @Test
    void rfc3550_s6_livenessCountsRtcpOnlyFromAPeerThatOnlyReceives() {
        AtomicInteger reports = new AtomicInteger();
        InactivityWatch watch = new InactivityWatch(0, reports::incrementAndGet, false);
        Liveness liveness = new Liveness(watch);
        ByteBuffer report = RtcpPackets.compound(1, 0, 0, 0, 0, null, "x", false);
        liveness.handle(rtcp(report, SECOND / 2));
        watch.check(SECOND, SECOND);
        assertEquals(1, reports.get(), "RTCP is no sign of life from a peer that should send RTP");
        watch.watch(false, SECOND);
        watch.watch(true, SECOND);
        liveness.rtcpIsLife(true);
        liveness.handle(rtcp(report, 3 * SECOND / 2));
        watch.check(2 * SECOND, SECOND);
        assertEquals(1, reports.get(), "sendonly: its reports keep it alive");
    }

    @Test
    void rfc4733_telephoneEventsReachTheReceiverAndEveryPacketGoesOn() {
        TelephoneEvents stage = new TelephoneEvents();
        List<DtmfEvent> ended = new ArrayList<>();
        stage.receive(101, new DtmfReceiver(8000, ended::add));
        Packet audio = rtp(PEER, 0, 0, (byte) 0xff);
        assertSame(audio, stage.handle(audio));
        assertNotNull(stage.handle(rtp(PEER, 0, 101, (byte) 5, (byte) 0x8a, (byte) 0x03, (byte) 0xc0)));
        assertEquals('5', ended.get(0).digit().orElseThrow(), "event 5 with the E bit set");
        assertNotNull(stage.handle(rtp(PEER, 0, 101, (byte) 1)), "malformed: counted, not dropped");
        assertEquals(1, stage.malformed());
    }

    @Test
    void rfc3550_s6_4_1_rtcpTerminationFeedsTheReportsAndEndsThePeersRtcp() {
        ReceptionStatistics statistics = new ReceptionStatistics(8000);
        RtcpTermination stage = new RtcpTermination(() -> statistics);
        assertNotNull(stage.handle(rtp(PEER, 0, 0)), "RTP goes on");
        assertTrue(statistics.hasSource());
        ByteBuffer senderReport = RtcpPackets.compound(0x1234, 0x0123456789abcdefL, 0, 5, 800, null, "x", false);
        assertNull(stage.handle(rtcp(senderReport, SECOND)), "RTCP ends here");
        assertEquals(0x456789abL, statistics.reportBlock(2 * SECOND).lastSenderReport());
        assertEquals(65536, statistics.reportBlock(2 * SECOND).delaySinceLastReport(), "1 s since the SR");
        assertEquals(0, stage.dropped());
    }

    @Test
    void rfc6464_headerExtensionsReadTheAudioLevelOnceNegotiated() {
        HeaderExtensions stage = new HeaderExtensions();
        ByteBuffer bytes = ByteBuffer.allocate(20).put((byte) 0x90).put((byte) 0).putShort((short) 1).putInt(160)
                .putInt(0x1234).putShort((short) 0xBEDE).putShort((short) 1).put((byte) 0x10).put((byte) 0x9e)
                .put((byte) 0).put((byte) 0).flip();
        Packet packet = new Packet(bytes, PEER, 0, false);
        packet.header(RtpHeader.parse(bytes));
        assertEquals(-1, stage.handle(packet).audioLevel(), "no identifier negotiated");
        stage.audioLevel(1);
        assertEquals(30, stage.handle(packet).audioLevel(), "element 1, voice activity bit set, level 30");
        assertFalse(stage.dropped() > 0);
    }
}
