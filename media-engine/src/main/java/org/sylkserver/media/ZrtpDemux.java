package org.sylkserver.media;

import java.util.function.Supplier;

import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Stage;
import org.sylkserver.media.zrtp.ZrtpAgent;

/**
 * Takes ZRTP packets (RFC 6189 §5: on the RTP port, told apart by their first bytes) to the endpoint's ZRTP agent
 * while there is one; everything else goes on.
 */
final class ZrtpDemux extends Stage {

    private final Supplier<ZrtpAgent> agent;

    ZrtpDemux(Supplier<ZrtpAgent> agent) {
        super("zrtp");
        this.agent = agent;
    }

    @Override
    protected Packet handle(Packet packet) {
        ZrtpAgent current = agent.get();
        if (current != null && !packet.viaRtcpPort() && ZrtpAgent.isZrtp(packet.buffer())) {
            current.received(packet.buffer());
            return consume();
        }
        return packet;
    }
}
