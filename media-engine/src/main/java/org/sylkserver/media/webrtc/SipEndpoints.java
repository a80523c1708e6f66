package org.sylkserver.media.webrtc;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.sylkserver.media.MediaEngine;
import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.RtpRelayEndpoint;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.PacketCounter;
import org.sylkserver.media.pipeline.Pipeline;
import org.sylkserver.media.pipeline.Stage;
import org.sylkserver.media.srtp.SdesCrypto;
import org.sylkserver.protocols.sdp.SdpException;

/**
 * The SIP leg of a bridge: one relay endpoint (port pair) per stream, whose packets take the stream's way to the
 * browser, a pipeline of {@link RelayToBrowser} (the stream's own), then the bridge's shared SRTP encryption, its
 * send to the browser and a {@link PacketCounter} of what was relayed.
 *
 * <p>Streams are opened by the signalling thread; their packets run on the media engine's I/O thread.
 */
final class SipEndpoints implements SdpTranslator.SipLeg {

    private final MediaEngine engine;
    private final Routing routing;
    private final Stage encryption;
    private final Stage send;
    private final Runnable onInactivity;
    private final PacketCounter relayed = new PacketCounter("relayed-to-browser", true);
    /** Each stream's first stage (the others are shared), for the counters. */
    private final Map<RelayStream, Stage> firstStages = new ConcurrentHashMap<>();
    /** The IP address the SIP peer signals from, or null while unknown (written under the bridge's lock). */
    private InetAddress signallingSource;

    /**
     * @param encryption   SRTP towards the browser (shared by the streams of the bundle)
     * @param send         the send on the browser socket
     * @param onInactivity called when a SIP endpoint reports the RTP timeout
     */
    SipEndpoints(MediaEngine engine, Routing routing, Stage encryption, Stage send, Runnable onInactivity) {
        this.engine = engine;
        this.routing = routing;
        this.encryption = encryption;
        this.send = send;
        this.onInactivity = onInactivity;
    }

    /** What was relayed to the browser. */
    PacketCounter relayed() {
        return relayed;
    }

    /**
     * The IP address the SIP peer's signalling comes from: its media may latch the streams' endpoints from there too
     * (a phone behind NAT sends its RTP from its NAT's address, not from the private one of its SDP), as echo and
     * the conference allow; applies to the open streams and those opened later. Called under the bridge's lock.
     */
    void signallingSource(InetAddress source) {
        signallingSource = source;
        for (RelayStream stream : firstStages.keySet()) {
            stream.sip.signallingSource(source);
        }
    }

    /** The packets from SIP dropped on their way to the browser. */
    long dropped() {
        long dropped = encryption.dropped() + send.dropped();
        for (Stage first : firstStages.values()) {
            dropped += first.dropped();
        }
        return dropped;
    }

    @Override
    public int open(RelayStream stream) throws IOException {
        RtpRelayEndpoint endpoint = engine.openRelayEndpoint(e -> onInactivity.run());
        // only the SIP peer latches: from the address of its SDP or the one its SIP comes from, never whoever
        // sends first (issue 11: RTP hijacking)
        endpoint.signallingSource(signallingSource);
        stream.sip = endpoint;
        RelayToBrowser first = new RelayToBrowser(stream, routing);
        firstStages.put(stream, first);
        Pipeline toBrowser = Pipeline.named("sip-to-browser " + stream).then(first).then(encryption).then(send)
                .then(relayed).build();
        endpoint.relayTo(new RtpRelayEndpoint.Relay() {
            @Override
            public void rtp(RtpHeader header, ByteBuffer packet) {
                toBrowser.accept(copy(packet, header));
            }

            @Override
            public void rtcp(ByteBuffer packet) {
                toBrowser.accept(copy(packet, null));
            }
        });
        return endpoint.port();
    }

    @Override
    public void connect(RelayStream stream, InetSocketAddress rtp, int rtcpPort, boolean rtcpMux) throws SdpException {
        stream.sip.admit(rtp);
        stream.sip.remote(rtp, rtcpPort, rtcpMux);
    }

    @Override
    public void secure(RelayStream stream, SdesCrypto remote, SdesCrypto local) {
        stream.sip.secure(remote, local);
    }

    @Override
    public void sendRtp(RelayStream stream, boolean sending) {
        stream.sip.sendRtp(sending);
    }

    /** A copy of a SIP endpoint's packet (its buffer is reused), RTP with its header or RTCP without. */
    private static Packet copy(ByteBuffer packet, RtpHeader header) {
        byte[] bytes = new byte[packet.remaining()];
        packet.get(packet.position(), bytes);
        Packet copy = new Packet(ByteBuffer.wrap(bytes), null, System.nanoTime(), false);
        copy.rtcp(header == null);
        copy.header(header);
        return copy;
    }
}
