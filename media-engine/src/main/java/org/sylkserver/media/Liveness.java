package org.sylkserver.media;

import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Stage;

/**
 * Tells the endpoint's {@link InactivityWatch} that the peer is alive: each RTP packet does, and so does RTCP while
 * the peer only receives (it sends no RTP then, but must still send reports, RFC 3550 §6).
 */
final class Liveness extends Stage {

    private final InactivityWatch watch;
    private volatile boolean rtcpIsLife;

    Liveness(InactivityWatch watch) {
        super("liveness");
        this.watch = watch;
    }

    /** Whether RTCP proves the peer alive (it only receives, RFC 3264 §5.1 sendonly on our side). */
    void rtcpIsLife(boolean life) {
        rtcpIsLife = life;
    }

    @Override
    protected Packet handle(Packet packet) {
        if (!packet.isRtcp() || rtcpIsLife) {
            watch.alive(packet.arrivalNanos());
        }
        return packet;
    }
}
