package org.sylkserver.media.webrtc;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.sylkserver.media.rtcp.RtcpCompound;

/**
 * Which {@link RelayStream} a packet of the bundle belongs to: RTP by its payload type (RFC 8843 §9.2 makes them
 * unique across a bundle), RTCP by the SSRCs it carries. Routes are published whole by the signalling thread
 * after each answer; the SSRCs are learnt on the I/O thread from the RTP each side sends.
 */
final class Routing {

    private volatile Map<Integer, RelayStream> byBrowserPayloadType = Map.of();
    private volatile List<RelayStream> relaying = List.of();
    private final Map<Long, RelayStream> browserSsrcs = new ConcurrentHashMap<>();
    private final Map<Long, RelayStream> sipSsrcs = new ConcurrentHashMap<>();

    /** Publishes the routes of a new answer. */
    void publish(Map<Integer, RelayStream> routes, List<RelayStream> relayingNow) {
        byBrowserPayloadType = routes;
        relaying = relayingNow;
    }

    /** The stream of a browser RTP payload type, or null. */
    RelayStream ofBrowserPayloadType(int payloadType) {
        return byBrowserPayloadType.get(payloadType);
    }

    void browserSsrc(long ssrc, RelayStream stream) {
        browserSsrcs.putIfAbsent(ssrc, stream);
    }

    void sipSsrc(long ssrc, RelayStream stream) {
        sipSsrcs.putIfAbsent(ssrc, stream);
    }

    /**
     * The stream an RTCP compound packet from the browser belongs to: the first SSRC in it that we know, either a
     * browser sender's (SR, SDES, BYE sender SSRC) or a SIP sender's it reports on or asks for (RFC 3550 §6.4 report
     * blocks, the RFC 4585 §6.1 media source of NACK and PLI, RFC 5104 FIR); else the first relaying stream.
     */
    RelayStream ofBrowserRtcp(ByteBuffer rtcp) {
        for (RtcpCompound.Packet packet : RtcpCompound.parse(rtcp)) {
            RelayStream stream = browserSsrcs.get(packet.senderSsrc());
            if (stream == null && packet.mediaSource() >= 0) {
                stream = sipSsrcs.get(packet.mediaSource());
            }
            for (int i = 0; stream == null && i < packet.reports().size(); i++) {
                stream = sipSsrcs.get(packet.reports().get(i).ssrc());
            }
            if (stream != null) {
                return stream;
            }
        }
        List<RelayStream> candidates = relaying;
        return candidates.isEmpty() ? null : candidates.get(0);
    }
}
