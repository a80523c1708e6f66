package org.sylkserver.media;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Objects;

import org.sylkserver.media.ice.IceLite;
import org.sylkserver.media.pipeline.Packet;

/**
 * An RTP endpoint that relays without decoding: the packets the peer sends (after validation, latching and SDES
 * decryption by {@link RtpEndpoint}) go to a {@link Relay}, and packets from elsewhere are sent to the peer as they
 * are given (SDES-protected when {@link #secure} was called). It keeps no RTP state of its own: SSRCs, sequence
 * numbers and timestamps are those of the far end, so RTCP from either side stays meaningful.
 *
 * <p>Packets go to the latched source once the peer has sent one (symmetric RTP, RFC 4961), before that to the
 * address of the SDP ({@link #remote}); RTCP goes to the RTCP port or, with {@code rtcp-mux} (RFC 5761), to the RTP
 * address. With ICE ({@link #remoteByIce}) the peer's address is the one its connectivity checks come from: the pair
 * it nominates, or before that the first that passed a check (RFC 8445 §7.3: a lite agent sends media where the
 * peer's checks succeeded); nothing is sent to the peer before a check passed.
 *
 * <p>Threading: received packets are handed over on the media engine's I/O thread; {@link #forwardRtp} and
 * {@link #forwardRtcp} are meant to be called from that thread too (the relay of the other leg runs there), which
 * keeps one writer per socket.
 */
public final class RtpRelayEndpoint extends RtpEndpoint {

    /** Receives the peer's packets on the media engine's I/O thread; the buffer is reused once this returns. */
    public interface Relay {
        /** One valid RTP packet (decrypted), {@code packet} from its position to its limit. */
        void rtp(RtpHeader header, ByteBuffer packet);

        /** One valid RTCP compound packet (decrypted). */
        void rtcp(ByteBuffer packet);
    }

    private volatile Relay relay = new Relay() {
        @Override
        public void rtp(RtpHeader header, ByteBuffer packet) {
        }

        @Override
        public void rtcp(ByteBuffer packet) {
        }
    };
    private volatile SocketAddress remoteRtp;
    private volatile SocketAddress remoteRtcp;
    private volatile boolean rtcpMux;

    RtpRelayEndpoint(MediaEngine engine, int port, DatagramChannel rtp, DatagramChannel rtcp, Runnable onInactivity) {
        super(engine, port, rtp, rtcp, onInactivity);
    }

    /** Where the peer's packets go from now on. */
    public void relayTo(Relay newRelay) {
        relay = Objects.requireNonNull(newRelay, "relay");
    }

    /**
     * The peer's address as negotiated in SDP (RFC 3264), used until its first packet latches the endpoint.
     *
     * @param rtpAddress its RTP address ({@code c=} and {@code m=} port)
     * @param rtcpPort   its RTCP port ({@code a=rtcp}, RFC 3605, else the RTP port + 1)
     * @param rtcpMux    whether {@code rtcp-mux} was agreed (RFC 5761): RTCP then goes to the RTP address
     */
    public void remote(InetSocketAddress rtpAddress, int rtcpPort, boolean rtcpMux) {
        remoteRtp = rtpAddress;
        this.rtcpMux = rtcpMux;
        remoteRtcp = rtcpMux ? rtpAddress : new InetSocketAddress(rtpAddress.getAddress(), rtcpPort);
        signalled(rtpAddress);
    }

    /**
     * The peer's address comes from ICE (XEP-0176, RFC 8445) instead of SDP: our lite agent answers its checks on both
     * ports, and the address a check passed from becomes the peer's RTP (or, checked on the RTCP port, RTCP) address,
     * the nominated one replacing any other.
     *
     * @param rtcpMux whether {@code rtcp-mux} was agreed (RFC 5761): RTCP then goes to the RTP address
     * @return the agent, whose credentials go to the peer
     */
    public IceLite remoteByIce(boolean rtcpMux) {
        this.rtcpMux = rtcpMux;
        return startIce();
    }

    @Override
    void iceChecked(InetSocketAddress source, boolean viaRtcpPort, boolean nominated) {
        if (viaRtcpPort) {
            if (nominated || remoteRtcp == null) {
                remoteRtcp = source;
            }
            return;
        }
        if (nominated || remoteRtp == null) {
            remoteRtp = source;
            if (rtcpMux) {
                remoteRtcp = source;
            }
            signalled(source); // its media may latch
        }
    }

    @Override
    SocketAddress keyAgreementTarget() {
        return latchedSource() != null ? latchedSource() : remoteRtp;
    }

    /** Sends an RTP packet (position to limit) to the peer; dropped before the peer's address is known. */
    public void forwardRtp(ByteBuffer packet) throws IOException {
        SocketAddress target = latchedSource() != null ? latchedSource() : remoteRtp;
        if (target != null && !isClosed()) {
            sendRtpPacket(rtpChannel(), packet, target);
        }
    }

    /** Sends an RTCP compound packet to the peer's RTCP address (or its RTP address with rtcp-mux). */
    public void forwardRtcp(ByteBuffer packet) throws IOException {
        SocketAddress target = rtcpMux ? (latchedSource() != null ? latchedSource() : remoteRtp)
                : rtcpTarget(remoteRtcp);
        if (target != null && !isClosed()) {
            sendRtcpPacket(rtcpMux ? rtpChannel() : rtcpChannel(), packet, target);
        }
    }

    @Override
    void onRtp(DatagramChannel channel, Packet packet) {
        relay.rtp(packet.header(), packet.buffer());
    }

    @Override
    void onRtcp(DatagramChannel channel, Packet packet) {
        relay.rtcp(packet.buffer());
    }

    @Override
    String kind() {
        return "relay endpoint";
    }
}
