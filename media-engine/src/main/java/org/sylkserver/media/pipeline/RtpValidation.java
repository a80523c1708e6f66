package org.sylkserver.media.pipeline;

import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.rtcp.RtcpCompound;

/**
 * Tells RTP from RTCP and drops what is neither: RTCP is what arrives on an RTCP-only port or carries an RTCP packet
 * type (RFC 5761 §4), and must start like a valid compound packet (RFC 3550 Appendix A.2, {@link RtcpCompound});
 * RTP must have a valid header (Appendix A.1, {@link RtpHeader#parse}), which the packet then carries.
 */
public final class RtpValidation extends Stage {

    public RtpValidation() {
        super("validation");
    }

    @Override
    protected Packet handle(Packet packet) {
        boolean rtcp = packet.viaRtcpPort() || RtcpCompound.isRtcpType(packet.buffer());
        packet.rtcp(rtcp);
        if (rtcp) {
            return RtcpCompound.isValid(packet.buffer()) ? packet : drop();
        }
        RtpHeader header = RtpHeader.parse(packet.buffer());
        if (header == null) {
            return drop();
        }
        packet.header(header);
        return packet;
    }
}
