package org.sylkserver.media.webrtc;

import java.net.InetSocketAddress;
import java.util.function.Supplier;

import org.sylkserver.media.ice.IceLite;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Stage;

/**
 * DTLS records (RFC 7983 §7: first byte 20-63) from a source that passed an ICE check go to the bridge's DTLS
 * session; those from elsewhere, before the session exists, or that it refuses are dropped. Everything else goes on.
 */
final class DtlsRecords extends Stage {

    private final IceLite ice;
    private final Supplier<DtlsSession> session;

    DtlsRecords(IceLite ice, Supplier<DtlsSession> session) {
        super("dtls");
        this.ice = ice;
        this.session = session;
    }

    @Override
    protected Packet handle(Packet packet) {
        if (!packet.buffer().hasRemaining()) {
            return packet;
        }
        int first = packet.buffer().get(packet.buffer().position()) & 0xff;
        if (first < 20 || first > 63) {
            return packet;
        }
        DtlsSession current = session.get();
        boolean taken = ice.isChecked((InetSocketAddress) packet.source()) && current != null
                && current.received(packet.copy());
        return taken ? consume() : drop();
    }
}
