package org.sylkserver.media;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.sylkserver.media.dtmf.DtmfListener;
import org.sylkserver.media.dtmf.DtmfReceiver;
import org.sylkserver.media.dtmf.MalformedTelephoneEventException;
import org.sylkserver.media.srtp.SdesCrypto;
import org.sylkserver.media.srtp.SrtpException;
import org.sylkserver.media.srtp.SrtpTransformer;
import org.sylkserver.media.zrtp.ZrtpAgent;
import org.sylkserver.protocols.sdp.SdpException;

/**
 * One RTP stream's pair of sockets in the media engine: RTP on an even port, RTCP on the port above it or
 * multiplexed on the RTP port (RFC 5761 §4). Both ports are bound whether or not {@code rtcp-mux} was negotiated,
 * so that a re-INVITE may switch it without new ports.
 *
 * <p>This class is the receive pipeline's first stages, in order: validation (RFC 3550 Appendix A.1/A.2: what
 * is neither valid RTP nor valid RTCP is dropped and counted), symmetric latching (RFC 4961, see
 * {@link SymmetricLatch}: packets from another source than the latched one are dropped and counted), RFC 4733
 * telephone events to a {@link DtmfReceiver} when one is set, then the subclass's handling ({@link #onRtp},
 * {@link #onRtcp}). It also watches for RTP inactivity ({@code [RTP] timeout}) and honours the negotiated
 * direction for what it sends ({@link #sendRtp(boolean)}).
 *
 * <p>Threading: packets are handled on the media engine's I/O thread, which alone writes the receive counters; the
 * inactivity callback runs on the engine's timer thread; {@link #stats()} and {@link #close()} may be called
 * from any thread.
 */
public abstract sealed class RtpEndpoint implements AutoCloseable permits RtpEchoEndpoint, RtpAudioEndpoint, RtpRelayEndpoint {

    /** Datagrams handled per readiness event, so that one busy endpoint cannot starve the others. */
    static final int BATCH = 64;
    private static final long RTP_RELATCH_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** RTCP comes every few seconds (RFC 3550 §6.2): allow a few intervals before another source may latch. */
    private static final long RTCP_RELATCH_NANOS = TimeUnit.SECONDS.toNanos(15);

    final MediaEngine engine;
    private final int port;
    private final DatagramChannel rtp;
    private final DatagramChannel rtcp;
    private final Runnable onInactivity;
    private final SymmetricLatch rtpLatch = new SymmetricLatch(RTP_RELATCH_NANOS);
    private final SymmetricLatch rtcpLatch = new SymmetricLatch(RTCP_RELATCH_NANOS);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean inactive = new AtomicBoolean();
    /** When the peer last showed it is alive: its last RTP, or also its last RTCP while it only receives. */
    private volatile long lastRtpNanos = System.nanoTime();
    private volatile boolean watchingInactivity = true;
    /** Whether the peer's RTCP proves it alive (it only receives, so it sends no RTP). */
    private volatile boolean rtcpIsLife;
    /** RFC 4733 events: their payload type (-1 until negotiated) and the receiver fed on the I/O thread. */
    private volatile int telephoneEventType = -1;
    /** The peer's IP address as signalled in SDP (packets from it may latch), null until known. */
    private volatile InetAddress signalledAddress;
    /** The IP address the peer's SIP came from (packets from it may latch too), null when not given. */
    private volatile InetAddress signallingSource;
    /** Whether the first source may latch wherever it is (see {@link #trustFirstSource}). */
    private volatile boolean trustFirstSource;
    private volatile DtmfReceiver dtmf;
    /** Whether RTP is sent; RTCP always is (RFC 3264 §5.1). */
    private volatile boolean sendingRtp = true;

    // receive counters: written by the I/O thread only; volatile so that stats() sees current values
    private volatile long rtpPacketsIn;
    private volatile long rtpBytesIn;
    private volatile long rtcpPacketsIn;
    private volatile long invalidPackets;
    private volatile long foreignPackets;
    private volatile long srtpFailures;
    private volatile SrtpTransformer inbound;
    private volatile SrtpTransformer outbound;
    private volatile ZrtpAgent zrtp;
    // send counters: written by whichever single thread sends (the I/O thread for echo, the mixer for audio)
    private volatile long rtpPacketsOut;
    private volatile long rtpBytesOut;
    private volatile long rtcpPacketsOut;

    RtpEndpoint(MediaEngine engine, int port, DatagramChannel rtp, DatagramChannel rtcp, Runnable onInactivity) {
        this.engine = engine;
        this.port = port;
        this.rtp = rtp;
        this.rtcp = rtcp;
        this.onInactivity = onInactivity;
    }

    /** The local RTP port (even); RTCP without rtcp-mux is on {@code port() + 1}. */
    public final int port() {
        return port;
    }

    /** The address RTP comes from and is sent to (the latched source), or {@code null} before the first packet. */
    public final SocketAddress latchedSource() {
        return rtpLatch.source();
    }

    /**
     * The peer's RTP address as signalled in SDP: packets from its IP address may latch (any port: a NAT or a phone
     * that sends from another port than it listens on), as may packets from its {@link #signallingSource}; packets
     * from elsewhere only once they pass SRTP authentication ({@link SymmetricLatch}), unless the engine latches any
     * source ({@code [RTP] latch_any_source}).
     */
    public final void signalled(InetSocketAddress rtpAddress) {
        signalledAddress = rtpAddress == null || rtpAddress.getAddress().isAnyLocalAddress() ? null
                : rtpAddress.getAddress();
    }

    /**
     * The IP address the peer's SIP request or response came from: packets from it may latch too. A phone behind
     * NAT shows its private address in SDP but sends media, like its SIP, from its NAT's public address.
     */
    public final void signallingSource(InetAddress source) {
        signallingSource = source;
    }

    /**
     * Lets the first packet's source latch wherever it comes from, for an owner that cannot tell where the peer's
     * SIP came from; once latched, only the trusted sources of {@link #signalled} or the latched IP address may take
     * over, so a stranger still cannot redirect a running stream.
     */
    public final void trustFirstSource() {
        trustFirstSource = true;
    }

    /** The peer's IP address as signalled, or null. */
    final InetAddress signalledAddress() {
        return signalledAddress;
    }

    /**
     * Checks, before the peer at {@code rtpAddress} is {@link #signalled}, that one more stream with that IP address
     * stays within {@code [RTP] max_streams_per_address}; this endpoint's own address counts once.
     *
     * @throws SdpException (for a 488 with a Warning) when the peer's address has its streams already
     */
    public final void admit(InetSocketAddress rtpAddress) throws SdpException {
        InetAddress address = rtpAddress == null ? null : rtpAddress.getAddress();
        if (address != null && !address.isAnyLocalAddress() && !address.equals(signalledAddress)
                && !engine.admitsStreamFrom(address)) {
            throw new SdpException("Too many media streams with " + address.getHostAddress()
                    + " (max_streams_per_address)");
        }
    }

    /**
     * Whether a packet from {@code source} may latch {@code latch}: see {@link #signalled}; a new port of the latched IP
     * address may too (a NAT binding that changed).
     */
    private boolean mayLatch(SocketAddress source, boolean authenticated, SymmetricLatch latch) {
        if (authenticated || engine.latchesAnySource()) {
            return true;
        }
        if (!(source instanceof InetSocketAddress from)) {
            return false;
        }
        InetAddress address = from.getAddress();
        if (address.equals(signalledAddress) || address.equals(signallingSource)) {
            return true;
        }
        SocketAddress latched = latch.source();
        return latched == null ? trustFirstSource
                : latched instanceof InetSocketAddress current && current.getAddress().equals(address);
    }

    /** The counters now. */
    public final EndpointStats stats() {
        return new EndpointStats(rtpPacketsIn, rtpBytesIn, rtpPacketsOut, rtpBytesOut, rtcpPacketsIn, rtcpPacketsOut,
                invalidPackets, foreignPackets);
    }

    /**
     * Reports the RFC 4733 key presses the peer sends with payload type {@code payloadType} at {@code clockRate},
     * each once, to {@code listener} (on the media engine's I/O thread; keep it short). Called again after a
     * re-negotiation, it replaces the previous receiver.
     */
    public final void receiveDtmf(int payloadType, int clockRate, DtmfListener listener) {
        dtmf = new DtmfReceiver(clockRate, listener);
        telephoneEventType = payloadType;
    }

    /**
     * Whether RTP is sent: not while the answered direction is {@code recvonly} or {@code inactive} (RFC 3264 §6.1,
     * a peer on hold must not be sent media). RTCP goes on either way.
     */
    public final void sendRtp(boolean sending) {
        sendingRtp = sending;
    }

    /**
     * Sets how the peer's silence counts towards the RTP timeout from the direction of our answer (RFC 3264 §6.1):
     * {@code sendrecv}, the peer must send RTP; {@code sendonly} (the peer only receives, RFC 3264 §5.1), the peer
     * must still send RTCP (RFC 3550 §6), so its RTCP reports keep the stream alive and their silence is a timeout
     * too; {@code recvonly} or {@code inactive} (the peer holds the call, RFC 3264 §8.4), it may send nothing for as
     * long as it likes. Watching again starts a fresh timeout.
     */
    public final void watchInactivity(String answeredDirection) {
        boolean watching = !"recvonly".equals(answeredDirection) && !"inactive".equals(answeredDirection);
        rtcpIsLife = "sendonly".equals(answeredDirection);
        if (watching && !watchingInactivity) {
            lastRtpNanos = System.nanoTime();
            inactive.set(false);
        }
        watchingInactivity = watching;
    }

    /** Whether RTP may be sent now (see {@link #sendRtp(boolean)}). */
    public final boolean isSendingRtp() {
        return sendingRtp;
    }

    /** Whether {@link #close()} was called. */
    public final boolean isClosed() {
        return closed.get();
    }

    final DatagramChannel rtpChannel() {
        return rtp;
    }

    final DatagramChannel rtcpChannel() {
        return rtcp;
    }

    /**
     * Switches the endpoint to SRTP with SDES keys (RFC 4568): packets from the peer are authenticated and
     * decrypted with {@code remote} (those that fail are dropped and counted as invalid), packets we send are
     * protected with {@code local}. Call before media flows, from any thread.
     */
    public final void secure(SdesCrypto remote, SdesCrypto local) {
        inbound = SrtpTransformer.forReceiving(remote);
        outbound = SrtpTransformer.forSending(local);
    }

    /**
     * Negotiates SRTP keys with ZRTP (RFC 6189) in the media path, once the peer's address is known: ZRTP packets
     * are handled before RTP, and once the agents agree the endpoint protects and checks packets with the derived
     * keys. {@code onSas} receives the short authentication string (on the I/O or timer thread).
     *
     * @param zidCache this server's ZRTP cache file (its ZID and the peers' retained secrets)
     */
    public final void zrtp(java.nio.file.Path zidCache, java.util.function.Consumer<String> onSas) {
        zrtp(zidCache, null, onSas);
    }

    /** As {@link #zrtp(java.nio.file.Path, java.util.function.Consumer)} with our ZID given (null: the cache's). */
    public final void zrtp(java.nio.file.Path zidCache, byte[] zid, java.util.function.Consumer<String> onSas) {
        ZrtpAgent agent = new ZrtpAgent(zidCache, zid, ourSsrc(), engine.timer(), packet -> {
            SocketAddress target = zrtpTarget();
            if (target != null && !isClosed()) {
                try {
                    rtp.send(ByteBuffer.wrap(packet), target);
                } catch (IOException e) {
                    // a lost ZRTP packet is retransmitted by the agent's timers
                }
            }
        }, new ZrtpAgent.Listener() {
            @Override
            public void secure(SdesCrypto send, SdesCrypto receive) {
                inbound = SrtpTransformer.forReceiving(receive);
                outbound = SrtpTransformer.forSending(send);
            }

            @Override
            public void sas(String sas, boolean verified) {
                onSas.accept(sas);
            }
        });
        zrtp = agent;
        agent.start();
    }

    /** The ZRTP short authentication string once agreed, else null (no ZRTP, or not yet). */
    public final String zrtpSas() {
        ZrtpAgent agent = zrtp;
        return agent == null ? null : agent.sas();
    }

    /** Marks the agreed SAS as verified by the peer (spec §3.8); nothing before the SAS exists. */
    public final void zrtpSasVerified() {
        ZrtpAgent agent = zrtp;
        if (agent != null) {
            agent.sasVerified();
        }
    }

    /** Our SSRC for ZRTP packets (the audio endpoint's; 0 where the endpoint has none of its own). */
    long ourSsrc() {
        return 0;
    }

    /** Where ZRTP packets go: the latched source, else the signalled address. */
    SocketAddress zrtpTarget() {
        return latchedSource();
    }

    /** Whether the endpoint uses SRTP. */
    public final boolean isSecure() {
        return outbound != null;
    }

    /** The packet in {@code buffer} unprotected into a fresh buffer, or null if it fails authentication. */
    private ByteBuffer unprotect(SrtpTransformer srtp, ByteBuffer buffer, boolean isRtcp) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(buffer.position(), bytes);
        try {
            return ByteBuffer.wrap(isRtcp ? srtp.unprotectRtcp(bytes, bytes.length)
                    : srtp.unprotectRtp(bytes, bytes.length));
        } catch (SrtpException | RuntimeException e) {
            srtpFailures++;
            return null;
        }
    }

    private ByteBuffer protect(ByteBuffer packet, boolean isRtcp) throws IOException {
        SrtpTransformer srtp = outbound;
        if (srtp == null) {
            return packet;
        }
        byte[] bytes = new byte[packet.remaining()];
        packet.get(packet.position(), bytes);
        try {
            return ByteBuffer.wrap(isRtcp ? srtp.protectRtcp(bytes, bytes.length) : srtp.protectRtp(bytes, bytes.length));
        } catch (SrtpException e) {
            throw new IOException("cannot protect " + (isRtcp ? "RTCP" : "RTP") + ": " + e.getMessage(), e);
        }
    }

    /** Called on the I/O thread when {@code channel} has datagrams; {@code buffer} holds the largest datagram. */
    final void readable(DatagramChannel channel, ByteBuffer buffer) throws IOException {
        boolean rtcpPort = channel == rtcp;
        for (int i = 0; i < BATCH; i++) {
            buffer.clear();
            SocketAddress source = channel.receive(buffer);
            if (source == null) {
                return;
            }
            buffer.flip();
            long now = System.nanoTime();
            int length = buffer.remaining();
            ZrtpAgent agent = zrtp;
            if (agent != null && !rtcpPort && ZrtpAgent.isZrtp(buffer)) {
                agent.received(buffer);
                continue;
            }
            boolean isRtcp = rtcpPort || RtpHeader.isRtcp(buffer);
            RtpHeader header = isRtcp ? null : RtpHeader.parse(buffer);
            if (isRtcp ? !RtpHeader.isValidRtcp(buffer) : header == null) {
                invalidPackets++;
                continue;
            }
            ByteBuffer packet = buffer;
            SrtpTransformer srtp = inbound;
            if (srtp != null) {
                packet = unprotect(srtp, buffer, isRtcp);
                if (packet == null) {
                    invalidPackets++;
                    continue;
                }
                header = isRtcp ? null : RtpHeader.parse(packet);
                if (!isRtcp && header == null) {
                    invalidPackets++;
                    continue;
                }
            }
            SymmetricLatch latch = rtcpPort ? rtcpLatch : rtpLatch;
            if (!latch.admit(source, mayLatch(source, srtp != null, latch), now)) {
                foreignPackets++;
                continue;
            }
            if (isRtcp) {
                rtcpPacketsIn++;
                if (rtcpIsLife) {
                    lastRtpNanos = now;
                }
                onRtcp(channel, packet, source);
            } else {
                rtpPacketsIn++;
                rtpBytesIn += length;
                lastRtpNanos = now;
                if (header.payloadType() == telephoneEventType) {
                    receiveTelephoneEvent(header, packet);
                }
                onRtp(channel, header, packet, source, now);
            }
        }
    }

    /**
     * One valid RTP packet from the latched source, on the I/O thread. {@code packet} is reused for the next
     * datagram after this returns: copy what must be kept.
     */
    abstract void onRtp(DatagramChannel channel, RtpHeader header, ByteBuffer packet, SocketAddress source,
                        long arrivalNanos) throws IOException;

    /** One valid RTCP compound packet from the latched source, on the I/O thread; same reuse rule. */
    abstract void onRtcp(DatagramChannel channel, ByteBuffer packet, SocketAddress source) throws IOException;

    /**
     * Sends an RTP packet unless sending is off; a full socket buffer drops it (0 bytes sent), as the network
     * would.
     */
    final void sendRtpPacket(DatagramChannel channel, ByteBuffer packet, SocketAddress target) throws IOException {
        if (!sendingRtp) {
            return;
        }
        int length = packet.remaining();
        if (channel.send(protect(packet, false), target) > 0) {
            rtpPacketsOut++;
            rtpBytesOut += length;
        }
    }

    /** Sends an RTCP packet; a full socket buffer drops it. */
    final void sendRtcpPacket(DatagramChannel channel, ByteBuffer packet, SocketAddress target) throws IOException {
        if (channel.send(protect(packet, true), target) > 0) {
            rtcpPacketsOut++;
        }
    }

    /** The address RTCP goes to: the latched RTCP source, else {@code fallback}. */
    final SocketAddress rtcpTarget(SocketAddress fallback) {
        SocketAddress latched = rtcpLatch.source();
        return latched != null ? latched : fallback;
    }

    private void receiveTelephoneEvent(RtpHeader header, ByteBuffer packet) {
        try {
            dtmf.receive(header, packet);
        } catch (MalformedTelephoneEventException e) {
            // counted as invalid; the packet is still handled like any other RTP
            invalidPackets++;
        }
    }

    /** Called on the timer thread: reports inactivity once when no RTP arrived for {@code timeoutNanos}. */
    final void checkInactivity(long nowNanos, long timeoutNanos) {
        if (!closed.get() && watchingInactivity && nowNanos - lastRtpNanos >= timeoutNanos
                && inactive.compareAndSet(false, true)) {
            onInactivity.run();
        }
    }

    /** Stops the endpoint and gives the ports back to the engine; safe to call more than once, from any thread. */
    @Override
    public final void close() {
        if (closed.compareAndSet(false, true)) {
            DtmfReceiver receiver = dtmf;
            if (receiver != null) {
                // a key still held when the call ends is reported now (its end packets will not come)
                engine.onIoThread(receiver::flush);
            }
            closing();
            ZrtpAgent agent = zrtp;
            if (agent != null) {
                agent.close();
            }
            engine.release(this);
        }
    }

    /** What a subclass stops when the endpoint closes (before the sockets are released). */
    void closing() {
    }

    /** A short description for logs, e.g. {@code echo endpoint /127.0.0.1:50000}, with the counters. */
    abstract String kind();

    @Override
    public final String toString() {
        return kind() + " " + new InetSocketAddress(engine.bindAddress(), port) + " " + stats();
    }
}
