package org.sylkserver.media.webrtc;

import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Stage;

/**
 * The first stage of a stream's way from SIP to the browser: RTP gets the browser's payload type number for the
 * SIP one (SSRC, sequence number and timestamp kept), and its SSRC is noted so that the browser's RTCP about it
 * finds the stream ({@link Routing}); a payload type the browser did not agree to is dropped. RTCP goes on as it is.
 */
final class RelayToBrowser extends Stage {

    private final RelayStream stream;
    private final Routing routing;

    RelayToBrowser(RelayStream stream, Routing routing) {
        super("relay-to-browser " + stream);
        this.stream = stream;
        this.routing = routing;
    }

    @Override
    protected Packet handle(Packet packet) {
        if (packet.isRtcp()) {
            return packet;
        }
        RtpHeader header = packet.header();
        int browserType = stream.toBrowser[header.payloadType()];
        if (browserType < 0) {
            return drop();
        }
        routing.sipSsrc(header.ssrc(), stream);
        int at = packet.buffer().position() + 1;
        packet.buffer().put(at, (byte) ((packet.buffer().get(at) & 0x80) | browserType));
        return packet;
    }
}
