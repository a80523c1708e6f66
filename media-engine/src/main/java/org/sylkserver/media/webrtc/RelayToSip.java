package org.sylkserver.media.webrtc;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.sylkserver.media.MediaSocket;
import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Stage;

/**
 * Relays the browser's decrypted and validated RTP and RTCP to the SIP leg of its stream ({@link Routing}): RTP with its payload
 * type rewritten to the SIP side's number (SSRC, sequence number and timestamp kept), RTCP as it is. What belongs to
 * no stream, or that the SIP endpoint will not send, is dropped; what was relayed goes on to be counted.
 */
final class RelayToSip extends Stage {

    private static final Logger LOG = Logger.getLogger("sylk.media.webrtc");

    private final String bridge;
    private final Routing routing;
    private final MediaSocket socket;

    RelayToSip(String bridge, Routing routing, MediaSocket socket) {
        super("relay-to-sip");
        this.bridge = bridge;
        this.routing = routing;
        this.socket = socket;
    }

    @Override
    protected Packet handle(Packet packet) {
        try {
            return packet.isRtcp() ? rtcp(packet) : rtp(packet);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINEST, e, () -> bridge + ": dropped a packet from the browser");
            return drop();
        }
    }

    private Packet rtcp(Packet packet) throws IOException {
        RelayStream stream = routing.ofBrowserRtcp(packet.buffer());
        if (stream == null) {
            return drop();
        }
        stream.sip.forwardRtcp(packet.buffer().duplicate());
        return packet;
    }

    private Packet rtp(Packet packet) throws IOException {
        RtpHeader header = packet.header();
        RelayStream stream = routing.ofBrowserPayloadType(header.payloadType());
        int sipType = stream == null ? -1 : stream.toSip[header.payloadType()];
        if (sipType < 0) {
            return drop();
        }
        socket.mediaReceived();
        routing.browserSsrc(header.ssrc(), stream);
        int at = packet.buffer().position() + 1;
        packet.buffer().put(at, (byte) ((packet.buffer().get(at) & 0x80) | sipType));
        stream.sip.forwardRtp(packet.buffer().duplicate());
        return packet;
    }
}
