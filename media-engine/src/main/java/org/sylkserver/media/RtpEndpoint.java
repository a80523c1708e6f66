package org.sylkserver.media;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.sylkserver.media.dtmf.DtmfListener;
import org.sylkserver.media.dtmf.DtmfReceiver;
import org.sylkserver.media.dtls.DtlsRecords;
import org.sylkserver.media.dtls.DtlsRole;
import org.sylkserver.media.dtls.DtlsSession;
import org.sylkserver.media.dtls.Fingerprint;
import org.sylkserver.media.ice.IceChecks;
import org.sylkserver.media.ice.IceLite;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.PacketCounter;
import org.sylkserver.media.pipeline.Pipeline;
import org.sylkserver.media.pipeline.RtpValidation;
import org.sylkserver.media.pipeline.SrtpDecryption;
import org.sylkserver.media.pipeline.Stage;
import org.sylkserver.media.srtp.SdesCrypto;
import org.sylkserver.media.zrtp.ZrtpAgent;
import org.sylkserver.protocols.sdp.SdpException;

/**
 * One RTP stream's pair of sockets in the media engine: RTP on an even port, RTCP on the port above it or
 * multiplexed on the RTP port (RFC 5761 §4). Both ports are bound whether or not {@code rtcp-mux} was negotiated,
 * so that a re-INVITE may switch it without new ports.
 *
 * <p>What the peer sends goes through the endpoint's receive {@link Pipeline}, top to bottom:
 * <ol>
 * <li>{@link IceChecks}: once ICE is on ({@link #startIce}), STUN connectivity checks answered by a lite agent;</li>
 * <li>{@link DtlsRecords}: once DTLS-SRTP is on ({@link #dtls}), DTLS records to the association;</li>
 * <li>{@link ZrtpDemux}: ZRTP packets to the ZRTP agent, if there is one;</li>
 * <li>{@link RtpValidation}: RTP from RTCP, and what is neither valid RTP nor valid RTCP dropped (RFC 3550
 * Appendix A.1/A.2);</li>
 * <li>{@link SrtpDecryption}: with SDES, ZRTP or DTLS-SRTP keys, SRTP authenticated and decrypted, failures
 * dropped (and everything dropped while a DTLS handshake is under way);</li>
 * <li>{@link Latching}: symmetric RTP (RFC 4961): packets from another source than the latched one dropped;</li>
 * <li>{@link PacketCounter} {@code received}: what the peer sent us;</li>
 * <li>{@link Liveness}: the peer is alive, for the {@link InactivityWatch} ({@code [RTP] timeout});</li>
 * <li>{@link TelephoneEvents}: RFC 4733 key presses to a {@link DtmfReceiver}, when one is set;</li>
 * <li>the subclass's own stages ({@link #ownStages()}), then its handling ({@link #onRtp}, {@link #onRtcp}).</li>
 * </ol>
 * The counters of {@link #stats()} are those of the stages. What the endpoint sends goes through its
 * {@link Transmission}, honouring the negotiated direction ({@link #sendRtp(boolean)}).
 *
 * <p>Threading: packets are handled on the media engine's I/O thread, which alone writes the receive counters; the
 * inactivity callback runs on the engine's timer thread; {@link #stats()} and {@link #close()} may be called
 * from any thread.
 */
public abstract sealed class RtpEndpoint implements AutoCloseable permits RtpEchoEndpoint, RtpAudioEndpoint, RtpRelayEndpoint {

    /** Datagrams handled per readiness event, so that one busy endpoint cannot starve the others. */
    static final int BATCH = 64;

    final MediaEngine engine;
    private final int port;
    private final DatagramChannel rtp;
    private final DatagramChannel rtcp;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final InactivityWatch watch;
    private volatile IceLite ice;
    /** Whether RTP is sent; RTCP always is (RFC 3264 §5.1). */
    private volatile boolean sendingRtp = true;

    // the receive stages the endpoint itself reads (for its counters and its signalling)
    private final Transmission transmission = new Transmission();
    /** SDES, ZRTP or DTLS-SRTP keys, the agent and the association. */
    private final EndpointKeys keys;
    private final IceChecks iceChecks;
    private final ZrtpDemux zrtpDemux;
    private final RtpValidation validation = new RtpValidation();
    private final DtlsRecords dtlsRecords;
    private final SrtpDecryption decryption;
    private final Latching latching;
    private final PacketCounter received = new PacketCounter("received", true);
    private final Liveness liveness;
    private final TelephoneEvents telephoneEvents = new TelephoneEvents();
    /** Built on the I/O thread at the first datagram, once the subclass's own stages exist; that thread's only. */
    private Pipeline receive;

    RtpEndpoint(MediaEngine engine, int port, DatagramChannel rtp, DatagramChannel rtcp, Runnable onInactivity) {
        this.engine = engine;
        this.port = port;
        this.rtp = rtp;
        this.rtcp = rtcp;
        this.keys = new EndpointKeys("RTP port " + port, transmission);
        this.zrtpDemux = new ZrtpDemux(keys::zrtp);
        this.dtlsRecords = new DtlsRecords(this::dtlsFrom, keys::dtls);
        this.decryption = new SrtpDecryption(keys::inbound, () -> keys.dtls() != null);
        this.latching = new Latching(engine.latchesAnySource());
        this.watch = new InactivityWatch(engine.nanoTime(), onInactivity, false);
        this.liveness = new Liveness(watch);
        this.iceChecks = new IceChecks("RTP port " + port, () -> ice, new IceChecks.Peer() {
            @Override
            public void send(ByteBuffer stun, InetSocketAddress target, boolean viaRtcpPort) throws IOException {
                (viaRtcpPort ? rtcp : rtp).send(stun, target);
            }

            @Override
            public void checked(InetSocketAddress source, boolean viaRtcpPort, boolean nominated) {
                iceChecked(source, viaRtcpPort, nominated);
            }
        }, new InetSocketAddress(engine.bindAddress(), port));
    }

    /** The local RTP port (even); RTCP without rtcp-mux is on {@code port() + 1}. */
    public final int port() {
        return port;
    }

    /** The address RTP comes from and is sent to (the latched source), or {@code null} before the first packet. */
    public final SocketAddress latchedSource() {
        return latching.rtpSource();
    }

    /**
     * The peer's RTP address as signalled in SDP: packets from its IP address may latch (any port: a NAT or a phone
     * that sends from another port than it listens on), as may packets from its {@link #signallingSource}; packets
     * from elsewhere only once they pass SRTP authentication ({@link SymmetricLatch}), unless the engine latches any
     * source ({@code [RTP] latch_any_source}).
     */
    public final void signalled(InetSocketAddress rtpAddress) {
        latching.signalled(rtpAddress == null || rtpAddress.getAddress().isAnyLocalAddress() ? null
                : rtpAddress.getAddress());
    }

    /**
     * The IP address the peer's SIP request or response came from: packets from it may latch too. A phone behind
     * NAT shows its private address in SDP but sends media, like its SIP, from its NAT's public address.
     */
    public final void signallingSource(InetAddress source) {
        latching.signallingSource(source);
    }

    /** The peer's IP address as signalled, or null. */
    final InetAddress signalledAddress() {
        return latching.signalledAddress();
    }

    /**
     * Checks, before the peer at {@code rtpAddress} is {@link #signalled}, that one more stream with that IP address
     * stays within {@code [RTP] max_streams_per_address}; this endpoint's own address counts once.
     *
     * @throws SdpException (for a 488 with a Warning) when the peer's address has its streams already
     */
    public final void admit(InetSocketAddress rtpAddress) throws SdpException {
        InetAddress address = rtpAddress == null ? null : rtpAddress.getAddress();
        if (address != null && !address.isAnyLocalAddress() && !address.equals(signalledAddress())
                && !engine.admitsStreamFrom(address)) {
            throw new SdpException("Too many media streams with " + address.getHostAddress()
                    + " (max_streams_per_address)");
        }
    }

    /** The counters now, read from the stages that keep them. */
    final EndpointStats stats() {
        return new EndpointStats(received.rtpPackets(), received.rtpBytes(), transmission.rtpPackets(),
                transmission.rtpBytes(), received.rtcpPackets(), transmission.rtcpPackets(),
                validation.dropped() + decryption.dropped() + telephoneEvents.malformed(), latching.dropped());
    }

    /**
     * Reports the RFC 4733 key presses the peer sends with payload type {@code payloadType} at {@code clockRate},
     * each once, to {@code listener} (on the media engine's I/O thread; keep it short). Called again after a
     * re-negotiation, it replaces the previous receiver.
     */
    public final void receiveDtmf(int payloadType, int clockRate, DtmfListener listener) {
        telephoneEvents.receive(payloadType, new DtmfReceiver(clockRate, listener));
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
        liveness.rtcpIsLife("sendonly".equals(answeredDirection));
        watch.watch(!"recvonly".equals(answeredDirection) && !"inactive".equals(answeredDirection),
                engine.nanoTime());
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

    final InactivityWatch inactivityWatch() {
        return watch;
    }

    /**
     * Switches the endpoint to SRTP with SDES keys (RFC 4568): packets from the peer are authenticated and
     * decrypted with {@code remote} (those that fail are dropped and counted as invalid), packets we send are
     * protected with {@code local}. Call before media flows, from any thread.
     */
    public final void secure(SdesCrypto remote, SdesCrypto local) {
        keys.secure(remote, local);
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
        keys.zrtp(zidCache, zid, ourSsrc(), engine.timer(), rtp, this::keyAgreementTarget, () -> !isClosed(), onSas);
    }

    /** The ZRTP short authentication string once agreed, else null (no ZRTP, or not yet). */
    public final String zrtpSas() {
        ZrtpAgent agent = keys.zrtp();
        return agent == null ? null : agent.sas();
    }

    /** Marks the agreed SAS as verified by the peer (spec §3.8); nothing before the SAS exists. */
    public final void zrtpSasVerified() {
        ZrtpAgent agent = keys.zrtp();
        if (agent != null) {
            agent.sasVerified();
        }
    }

    /**
     * The fingerprint of our DTLS certificate (RFC 8122 §5), for an offer or answer that proposes DTLS-SRTP; the
     * certificate is made at the first call, a fresh key pair per endpoint.
     */
    public final Fingerprint dtlsFingerprint() {
        return keys.dtlsFingerprint();
    }

    /**
     * Keys SRTP with DTLS-SRTP (RFC 5764) in the media path, as {@code role}: DTLS records from the peer (from a pair
     * that passed an ICE check when ICE is on, else from its signalled address) go to the association, which sends
     * to the peer's address of the moment; until the handshake is done nothing is sent and nothing received is
     * passed on; then the endpoint protects and checks packets with the exported keys (RFC 5764 §4.2). Once.
     *
     * @param peerFingerprint what the peer's certificate must match (RFC 5763 §5)
     * @param listener        learns the outcome (on the DTLS thread); a failure leaves the endpoint mute
     * @throws IllegalStateException when DTLS was started already, or the endpoint is closed
     */
    public final void dtls(DtlsRole role, Fingerprint peerFingerprint, Duration handshakeTimeout,
                           DtlsSession.Listener listener) {
        keys.dtls(role, peerFingerprint, handshakeTimeout, listener, rtp, this::dtlsTarget, this::isClosed);
    }

    /** The association's state, or null without DTLS. */
    public final DtlsSession.State dtlsState() {
        DtlsSession session = keys.dtls();
        return session == null ? null : session.state();
    }

    /** Where DTLS goes: the ICE pair (nominated, else the first checked), else the latched or signalled address. */
    private SocketAddress dtlsTarget() {
        IceLite agent = ice;
        return agent != null ? agent.target() : keyAgreementTarget();
    }

    /**
     * Whether a DTLS record may come from where it came: the RTP port (the one association keys RTP and, multiplexed,
     * RTCP: RFC 5764 §4.1 would want a second one for RTCP on its own port, which we do not run), from a pair that
     * passed an ICE check, else from the signalled address.
     */
    private boolean dtlsFrom(Packet packet) {
        InetSocketAddress source = (InetSocketAddress) packet.source();
        IceLite agent = ice;
        return !packet.viaRtcpPort()
                && (agent != null ? agent.isChecked(source) : source.getAddress().equals(signalledAddress()));
    }

    /** Our SSRC for ZRTP packets (the audio endpoint's; 0 where the endpoint has none of its own). */
    long ourSsrc() {
        return 0;
    }

    /** Where ZRTP packets (and DTLS without ICE) go: the latched source, else the signalled address. */
    SocketAddress keyAgreementTarget() {
        return latchedSource();
    }

    /**
     * Turns ICE on for both ports as a lite agent (RFC 8445 §2.5, {@link IceLite}): STUN binding requests keyed with
     * its credentials are answered, and each check that passes is reported to {@link #iceChecked}. Once on, it stays
     * on; the same agent is returned each time.
     */
    final synchronized IceLite startIce() {
        if (ice == null) {
            ice = new IceLite();
        }
        return ice;
    }

    /**
     * A connectivity check from {@code source} passed (on the I/O thread); {@code nominated}: the peer selected the
     * pair (USE-CANDIDATE). Nothing by default.
     */
    void iceChecked(InetSocketAddress source, boolean viaRtcpPort, boolean nominated) {
    }

    /** Whether the endpoint uses SRTP. */
    public final boolean isSecure() {
        return transmission.isSecure();
    }

    /**
     * The stages a subclass adds between the common ones and its {@link #onRtp}/{@link #onRtcp} (RTCP termination,
     * header extensions...); called once, on the I/O thread.
     */
    List<Stage> ownStages() {
        return List.of();
    }

    /** The receive pipeline, built at the first datagram (on the I/O thread). */
    final Pipeline receivePipeline() {
        if (receive == null) {
            Pipeline.Builder builder = Pipeline.named(kind()).then(iceChecks).then(dtlsRecords).then(zrtpDemux)
                    .then(validation).then(decryption)
                    .then(latching).then(received).then(liveness).then(telephoneEvents);
            ownStages().forEach(builder::then);
            receive = builder.then(new Delivery()).build();
        }
        return receive;
    }

    /** Called on the I/O thread when {@code channel} has datagrams; {@code buffer} holds the largest datagram. */
    final void readable(DatagramChannel channel, ByteBuffer buffer) throws IOException {
        boolean rtcpPort = channel == rtcp;
        Pipeline pipeline = receivePipeline();
        for (int i = 0; i < BATCH; i++) {
            buffer.clear();
            SocketAddress source = channel.receive(buffer);
            if (source == null) {
                return;
            }
            buffer.flip();
            try {
                pipeline.accept(new Packet(buffer, source, engine.nanoTime(), rtcpPort));
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
    }

    /** The last stage: the subclass's handling of a packet that went through every other. */
    private final class Delivery extends Stage {
        Delivery() {
            super("delivery");
        }

        @Override
        protected Packet handle(Packet packet) {
            DatagramChannel channel = packet.viaRtcpPort() ? rtcp : rtp;
            try {
                if (packet.isRtcp()) {
                    onRtcp(channel, packet);
                } else {
                    onRtp(channel, packet);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return consume();
        }
    }

    /**
     * One valid RTP packet from the latched source, on the I/O thread, received on {@code channel}. Its buffer is
     * reused for the next datagram after this returns: copy what must be kept.
     */
    abstract void onRtp(DatagramChannel channel, Packet packet) throws IOException;

    /** One valid RTCP compound packet from the latched source, on the I/O thread; same reuse rule. */
    abstract void onRtcp(DatagramChannel channel, Packet packet) throws IOException;

    /**
     * Sends an RTP packet unless sending is off; a full socket buffer drops it (0 bytes sent), as the network
     * would.
     */
    final void sendRtpPacket(DatagramChannel channel, ByteBuffer packet, SocketAddress target) throws IOException {
        if (sendingRtp) {
            transmission.sendRtp(channel, packet, target);
        }
    }

    /** Sends an RTCP packet; a full socket buffer drops it. */
    final void sendRtcpPacket(DatagramChannel channel, ByteBuffer packet, SocketAddress target) throws IOException {
        transmission.sendRtcp(channel, packet, target);
    }

    /** The address RTCP goes to: the latched RTCP source, else {@code fallback}. */
    final SocketAddress rtcpTarget(SocketAddress fallback) {
        SocketAddress latched = latching.rtcpSource();
        return latched != null ? latched : fallback;
    }

    /** Stops the endpoint and gives the ports back to the engine; safe to call more than once, from any thread. */
    @Override
    public final void close() {
        if (closed.compareAndSet(false, true)) {
            watch.stop();
            DtmfReceiver receiver = telephoneEvents.receiver();
            if (receiver != null) {
                // a key still held when the call ends is reported now (its end packets will not come)
                engine.onIoThread(receiver::flush);
            }
            closing();
            keys.close();
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
