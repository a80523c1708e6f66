package org.sylkserver.media.webrtc;

import java.net.InetSocketAddress;

import org.sylkserver.media.ice.IceLite;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Stage;

/**
 * What is left after ICE and DTLS must be RTP or RTCP (RFC 7983 §7: first byte 128-191) from a source that passed an
 * ICE check (RFC 8445 §2.5: only a checked pair carries media); the rest is dropped.
 */
final class CheckedMedia extends Stage {

    private final IceLite ice;

    CheckedMedia(IceLite ice) {
        super("checked-media");
        this.ice = ice;
    }

    @Override
    protected Packet handle(Packet packet) {
        if (!packet.buffer().hasRemaining()) {
            return drop();
        }
        int first = packet.buffer().get(packet.buffer().position()) & 0xff;
        return first >= 128 && first <= 191 && ice.isChecked((InetSocketAddress) packet.source()) ? packet : drop();
    }
}
