package org.sylkserver.media.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.rtcp.ReportBlock;
import org.sylkserver.media.rtcp.RtcpPackets;

/** How the bridge sorts a bundle's packets into streams, and the per-stream first stage of SIP to browser. */
class RoutingTest {

    private final RelayStream audio = new RelayStream("audio", "0");
    private final RelayStream video = new RelayStream("video", "1");
    private final Routing routing = new Routing();

    private static ByteBuffer pli(long sender, long mediaSource) {
        return ByteBuffer.allocate(12).put((byte) 0x81).put((byte) 206).putShort((short) 2).putInt((int) sender)
                .putInt((int) mediaSource).flip();
    }

    @Test
    void rfc8843_s9_2_rtpIsRoutedByPayloadType() {
        routing.publish(Map.of(111, audio, 96, video), List.of(audio, video));
        assertSame(video, routing.ofBrowserPayloadType(96));
        assertNull(routing.ofBrowserPayloadType(97));
    }

    @Test
    void rtcpIsRoutedByTheFirstSsrcItCarriesThatIsKnown() {
        routing.publish(Map.of(), List.of(audio, video));
        routing.browserSsrc(0xb1, audio);
        routing.sipSsrc(0x51, video);
        assertSame(audio, routing.ofBrowserRtcp(RtcpPackets.compound(0xb1, 0, 0, 1, 1, null, "x", false)),
                "RFC 3550 §6.4.1: the sender's SSRC");
        assertSame(video, routing.ofBrowserRtcp(pli(0xb9, 0x51)), "RFC 4585 §6.1: the media source of a PLI");
        assertSame(video, routing.ofBrowserRtcp(RtcpPackets.compound(0xb9, 0, 0, 0, 0,
                new ReportBlock(0x51, 0, 0, 0, 0, 0, 0), "x", false)), "RFC 3550 §6.4.2: a report block's source");
        assertSame(audio, routing.ofBrowserRtcp(pli(0xb9, 0x99)), "else the first relaying stream");
        routing.publish(Map.of(), List.of());
        assertNull(routing.ofBrowserRtcp(pli(0xb9, 0x99)));
    }

    @Test
    void sipToBrowserRewritesThePayloadTypeAndLearnsTheSipSsrc() {
        audio.map(new int[] {111}, new int[] {96});
        routing.publish(Map.of(111, audio), List.of(audio));
        RelayToBrowser stage = new RelayToBrowser(audio, routing);
        ByteBuffer bytes = ByteBuffer.allocate(14).put((byte) 0x80).put((byte) (0x80 | 96)).putShort((short) 1)
                .putInt(160).putInt(0x51).put((byte) 1).put((byte) 2).flip();
        Packet packet = new Packet(bytes, new InetSocketAddress("192.0.2.20", 10000), 0, false);
        packet.header(RtpHeader.parse(bytes));
        assertSame(packet, stage.handle(packet));
        assertEquals(0x80 | 111, bytes.get(1) & 0xff, "marker bit kept, browser payload type 111");
        assertSame(audio, routing.ofBrowserRtcp(pli(0xb9, 0x51)));
        bytes.put(1, (byte) 8);
        packet.header(RtpHeader.parse(bytes));
        assertNull(stage.handle(packet), "PCMA was not agreed with the browser");
        assertEquals(1, stage.dropped());
    }
}
