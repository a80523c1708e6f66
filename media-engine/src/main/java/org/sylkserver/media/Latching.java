package org.sylkserver.media;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Stage;

/**
 * Symmetric RTP (RFC 4961) for one endpoint: one {@link SymmetricLatch} for RTP and one for the RTCP port, and the
 * rule of who may latch them: the peer's address signalled in SDP, the address its SIP came from, any source that
 * passed SRTP authentication, a new port of the latched address (a NAT binding that changed), or anyone with
 * {@code [RTP] latch_any_source}. Packets from other sources are dropped (the endpoint's foreign packets).
 */
final class Latching extends Stage {

    private static final long RTP_RELATCH_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** RTCP comes every few seconds (RFC 3550 §6.2): allow a few intervals before another source may latch. */
    private static final long RTCP_RELATCH_NANOS = TimeUnit.SECONDS.toNanos(15);

    private final boolean anySource;
    private final SymmetricLatch rtpLatch = new SymmetricLatch(RTP_RELATCH_NANOS);
    private final SymmetricLatch rtcpLatch = new SymmetricLatch(RTCP_RELATCH_NANOS);
    /** The peer's IP address as signalled in SDP (packets from it may latch), null until known. */
    private volatile InetAddress signalledAddress;
    /** The IP address the peer's SIP came from (packets from it may latch too), null when not given. */
    private volatile InetAddress signallingSource;

    /** @param anySource whether any source may latch ({@code [RTP] latch_any_source}) */
    Latching(boolean anySource) {
        super("latch");
        this.anySource = anySource;
    }

    void signalled(InetAddress address) {
        signalledAddress = address;
    }

    InetAddress signalledAddress() {
        return signalledAddress;
    }

    void signallingSource(InetAddress source) {
        signallingSource = source;
    }

    /** The latched RTP source, or null. */
    SocketAddress rtpSource() {
        return rtpLatch.source();
    }

    /** The latched source of the RTCP port, or null. */
    SocketAddress rtcpSource() {
        return rtcpLatch.source();
    }

    @Override
    protected Packet handle(Packet packet) {
        SymmetricLatch latch = packet.viaRtcpPort() ? rtcpLatch : rtpLatch;
        SocketAddress source = packet.source();
        return latch.admit(source, mayLatch(source, packet.isAuthenticated(), latch), packet.arrivalNanos())
                ? packet : drop();
    }

    private boolean mayLatch(SocketAddress source, boolean authenticated, SymmetricLatch latch) {
        if (authenticated || anySource) {
            return true;
        }
        if (!(source instanceof InetSocketAddress from)) {
            return false;
        }
        InetAddress address = from.getAddress();
        if (address.equals(signalledAddress) || address.equals(signallingSource)) {
            return true;
        }
        return latch.source() instanceof InetSocketAddress current && current.getAddress().equals(address);
    }
}
