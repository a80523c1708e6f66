package org.sylkserver.media;

import java.util.function.Supplier;

import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Stage;
import org.sylkserver.media.rtcp.RtcpCompound;
import org.sylkserver.media.rtcp.ReceptionStatistics;

/**
 * Where the peer's RTCP ends for an endpoint that is a participant of its own (it sends its own reports, RFC 3550
 * §6): RTP packets update the reception statistics our report blocks are made of (§6.4.1, Appendix A.1, A.8) and go
 * on; RTCP is consumed, after its leading sender report is noted for the LSR and DLSR of our next report.
 */
final class RtcpTermination extends Stage {

    private final Supplier<ReceptionStatistics> statistics;

    /** @param statistics the statistics of the negotiated source now, or null before negotiation */
    RtcpTermination(Supplier<ReceptionStatistics> statistics) {
        super("rtcp-termination");
        this.statistics = statistics;
    }

    @Override
    protected Packet handle(Packet packet) {
        ReceptionStatistics current = statistics.get();
        if (!packet.isRtcp()) {
            if (current != null) {
                current.received(packet.header().ssrc(), packet.header().sequence(), packet.header().timestamp(),
                        packet.arrivalNanos());
            }
            return packet;
        }
        RtcpCompound.Packet report = RtcpCompound.leadingSenderReport(packet.buffer());
        if (current != null && report != null) {
            current.senderReport(report.ntpMiddle32(), packet.arrivalNanos());
        }
        return consume();
    }
}
