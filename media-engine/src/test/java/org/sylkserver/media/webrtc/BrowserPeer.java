package org.sylkserver.media.webrtc;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.IceProcessingState;
import org.ice4j.ice.KeepAliveStrategy;
import org.ice4j.ice.RemoteCandidate;
import org.sylkserver.media.dtls.DtlsTestClient;
import org.sylkserver.media.dtls.Fingerprint;
import org.sylkserver.media.srtp.SrtpTransformer;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * A stand-in for a browser's RTCPeerConnection in tests: a full, controlling ice4j agent on 127.0.0.1, a
 * BouncyCastle DTLS client that checks the bridge's certificate against the fingerprint of its SDP, and SRTP with
 * the exported keys (RFC 5764 §4.2). Its offer is shaped like Chrome's: BUNDLE, rtcp-mux, extmap, ssrc lines, rtx,
 * red and transport-cc.
 */
public final class BrowserPeer implements AutoCloseable {

    public static final int OPUS = 111;
    public static final int VP8 = 96;
    public static final long AUDIO_SSRC = 0x1111_1111L;
    public static final long VIDEO_SSRC = 0x2222_2222L;

    private final DtlsTestClient dtls = new DtlsTestClient();
    /** What the SDP claims as our fingerprint: our own, or another one to test the bridge's check. */
    private final Fingerprint advertised;
    private final Agent agent = new Agent();
    private final IceMediaStream stream;
    private final Component component;
    private final BlockingQueue<byte[]> rtp = new LinkedBlockingQueue<>();
    private final BlockingQueue<byte[]> rtcp = new LinkedBlockingQueue<>();
    private volatile DatagramSocket socket;
    /** The peer's port without ice4j after {@link #detach()}: sends go straight to the kernel. */
    private volatile DatagramChannel channel;
    private volatile InetSocketAddress remote;
    private volatile SrtpTransformer sending;
    private volatile SrtpTransformer receiving;
    private volatile boolean closed;
    private volatile PacketSink sink;
    private Thread reader;

    /**
     * Takes the SRTP packets this peer receives as they arrived, instead of the peer decrypting and queueing
     * them (bench/sfu counts hundreds of thousands a second: it checks the cleartext header of each and authenticates
     * a sample with {@link #unprotectRtp}). Called on the peer's reader thread; the buffer is reused after the call.
     */
    @FunctionalInterface
    public interface PacketSink {
        void received(byte[] buffer, int length);
    }

    public BrowserPeer(boolean wrongFingerprint) throws IOException {
        advertised = wrongFingerprint ? DtlsTestClient.someOtherFingerprint() : dtls.fingerprint();
        agent.setControlling(true);
        stream = agent.createMediaStream("bundle");
        component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, true);
    }

    /** A Chrome-like offer with audio (and video when asked). */
    public String offer(boolean video) {
        return offer(video, "actpass");
    }

    /**
     * The same offer with another DTLS setup: "active" makes the answerer the DTLS server (RFC 5763 §5), which this
     * peer needs with a bridge that answers actpass with active (Janus), since it is always the DTLS client.
     */
    public String offer(boolean video, String setup) {
        StringBuilder sdp = new StringBuilder("v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n")
                .append("a=group:BUNDLE 0").append(video ? " 1" : "").append("\r\n")
                .append("a=extmap-allow-mixed\r\na=msid-semantic: WMS stream\r\n")
                .append("m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\n")
                .append("c=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n").append(transport(setup, "0"))
                .append("a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n")
                .append("a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n")
                .append("a=sendrecv\r\na=msid:stream track-a\r\na=rtcp-mux\r\na=rtcp-rsize\r\n")
                .append("a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\n")
                .append("a=fmtp:111 minptime=10;useinbandfec=1\r\n")
                .append("a=rtpmap:63 red/48000/2\r\na=fmtp:63 111/111\r\n")
                .append("a=rtpmap:9 G722/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n")
                .append("a=rtpmap:13 CN/8000\r\na=rtpmap:110 telephone-event/48000\r\n")
                .append("a=rtpmap:126 telephone-event/8000\r\n")
                .append("a=ssrc:").append(AUDIO_SSRC).append(" cname:peer\r\n");
        if (video) {
            sdp.append("m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103\r\n")
                    .append("c=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n").append(transport(setup, "1"))
                    .append("a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n")
                    .append("a=sendrecv\r\na=msid:stream track-v\r\na=rtcp-mux\r\na=rtcp-rsize\r\n")
                    .append("a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 goog-remb\r\na=rtcp-fb:96 transport-cc\r\n")
                    .append("a=rtcp-fb:96 ccm fir\r\na=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\n")
                    .append("a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n")
                    .append("a=rtpmap:102 H264/90000\r\n")
                    .append("a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f\r\n")
                    .append("a=rtcp-fb:102 nack pli\r\n")
                    .append("a=rtpmap:103 rtx/90000\r\na=fmtp:103 apt=102\r\n")
                    .append("a=ssrc-group:FID ").append(VIDEO_SSRC).append(" 33333333\r\n")
                    .append("a=ssrc:").append(VIDEO_SSRC).append(" cname:peer\r\n");
        }
        return sdp.toString();
    }

    /**
     * The answer to an offer of the bridge: each offered m-line accepted with all its formats (and their format
     * parameters), setup active.
     */
    public String answer(String offerSdp) throws Exception {
        SessionDescription offer = SessionDescription.parse(offerSdp);
        StringBuilder sdp = new StringBuilder("v=0\r\no=- 99 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
        String group = offer.attribute("group");
        if (group != null) {
            sdp.append("a=group:").append(group).append("\r\n");
        }
        for (MediaDescription m : offer.media()) {
            sdp.append("m=").append(m.media()).append(' ').append(m.port() == 0 ? 0 : 9).append(' ')
                    .append(m.proto()).append(' ').append(String.join(" ", m.formats())).append("\r\n")
                    .append("c=IN IP4 0.0.0.0\r\n");
            if (m.port() == 0) {
                continue;
            }
            sdp.append(transport("active", m.attributes("mid").get(0))).append("a=sendrecv\r\na=rtcp-mux\r\n");
            for (String value : m.attributes("rtpmap")) {
                sdp.append("a=rtpmap:").append(value).append("\r\n");
            }
            for (String value : m.attributes("fmtp")) {
                sdp.append("a=fmtp:").append(value).append("\r\n");
            }
        }
        return sdp.toString();
    }

    private String transport(String setup, String mid) {
        return "a=ice-ufrag:" + agent.getLocalUfrag() + "\r\na=ice-pwd:" + agent.getLocalPassword()
                + "\r\na=ice-options:trickle\r\na=fingerprint:" + advertised + "\r\na=setup:" + setup
                + "\r\na=mid:" + mid + "\r\n";
    }

    /**
     * Runs ICE towards the bridge's candidates (RFC 8445 §7.2: we check and nominate), then the DTLS handshake as
     * client (the bridge is passive), checking the bridge's certificate against {@code bridgeSdp}'s fingerprint.
     */
    public void connect(String bridgeSdp, Duration timeout) throws Exception {
        connect(bridgeSdp, timeout, true);
    }

    /**
     * {@link #connect(String, Duration)}, without the peer's reader thread when {@code reader} is false: for a caller
     * that {@link #detach()}es the peer's port and reads it itself.
     */
    public void connect(String bridgeSdp, Duration timeout, boolean reader) throws Exception {
        SessionDescription sdp = SessionDescription.parse(bridgeSdp);
        MediaDescription first = sdp.media().stream().filter(m -> m.port() != 0).findFirst().orElseThrow();
        stream.setRemoteUfrag(attribute(sdp, first, "ice-ufrag"));
        stream.setRemotePassword(attribute(sdp, first, "ice-pwd"));
        for (String candidate : first.attributes("candidate")) {
            String[] f = candidate.split(" ");
            if (f.length < 8 || !f[2].equalsIgnoreCase("udp") || f[4].contains(":")) {
                continue;   // IPv4 UDP only, as our own socket is (Janus offers its IPv6 and TCP candidates too)
            }
            component.addRemoteCandidate(new RemoteCandidate(new TransportAddress(f[4], Integer.parseInt(f[5]),
                    Transport.UDP), component, CandidateType.HOST_CANDIDATE, f[0],
                    Long.parseLong(f[3]), null));
        }
        Fingerprint bridgeFingerprint = Fingerprint.parse(attribute(sdp, first, "fingerprint"));
        agent.startConnectivityEstablishment();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (agent.getState() != IceProcessingState.COMPLETED && agent.getState() != IceProcessingState.TERMINATED) {
            if (agent.getState() == IceProcessingState.FAILED || System.nanoTime() > deadline) {
                throw new IOException("ICE " + agent.getState());
            }
            Thread.sleep(10);
        }
        TransportAddress selected = component.getSelectedPair().getRemoteCandidate().getTransportAddress();
        remote = new InetSocketAddress(selected.getAddress(), selected.getPort());
        socket = component.getSocket();
        DtlsTestClient.Srtp srtp = dtls.handshake(socket, remote, bridgeFingerprint);
        sending = srtp.sending();
        receiving = srtp.receiving();
        if (reader) {
            this.reader = new Thread(this::read, "browser-peer");
            this.reader.setDaemon(true);
            this.reader.start();
        }
    }

    /**
     * What a detached peer keeps of ICE: its port without ice4j, the selected remote address and the credentials its
     * consent checks need (RFC 7675 §5.1: binding requests on the selected pair, USERNAME remote:local, keyed with the
     * remote password).
     */
    public record Detached(DatagramChannel channel, InetSocketAddress remote, String localUfrag, String remoteUfrag,
                           String remotePassword) {
    }

    /**
     * After {@link #connect(String, Duration, boolean)} without a reader: frees the ice4j agent (its threads, its
     * Java-side receive queues and its keep-alives) and binds a channel to the same local port, so that the caller
     * reads the kernel's socket directly and sends the ICE consent checks itself. Sends of this peer then go out on
     * the channel. Datagrams that arrive between the agent's close and the bind are lost (microseconds; the caller
     * does this before media flows).
     */
    public Detached detach() throws IOException {
        if (reader != null) {
            throw new IllegalStateException("the peer has a reader thread");
        }
        TransportAddress local = component.getSelectedPair().getLocalCandidate().getTransportAddress();
        String localUfrag = agent.getLocalUfrag();
        String remoteUfrag = stream.getRemoteUfrag();
        String remotePassword = stream.getRemotePassword();
        agent.free();
        DatagramChannel bound = DatagramChannel.open();
        bound.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
        bound.bind(new InetSocketAddress(local.getAddress(), local.getPort()));
        channel = bound;
        return new Detached(bound, remote, localUfrag, remoteUfrag, remotePassword);
    }

    /** A media-level attribute, else the session-level one (RFC 8839 §5.4, RFC 8122 §5: either may carry it). */
    private static String attribute(SessionDescription sdp, MediaDescription media, String name) {
        List<String> values = media.attributes(name);
        return values.isEmpty() ? sdp.attribute(name) : values.get(0);
    }

    String selectedPair() {
        return String.valueOf(component.getSelectedPair());
    }

    /** Sends one SRTP packet. */
    public void sendRtp(int payloadType, int sequence, long ssrc, byte[] payload) throws Exception {
        byte[] packet = Packets.rtp(payloadType, sequence, ssrc, payload);
        transmit(sending.protectRtp(packet, packet.length));
    }

    /** Sends one SRTCP packet. */
    public void sendRtcp(byte[] packet) throws Exception {
        transmit(sending.protectRtcp(packet, packet.length));
    }

    /** Sends the bytes of an RTP packet as SRTP (the caller's array is left as it is). */
    public void sendRtp(byte[] packet, int length) throws Exception {
        transmit(sending.protectRtp(packet, length));
    }

    /** Sends a datagram to the selected remote address: on ice4j's socket, or on the channel once detached. */
    private void transmit(byte[] datagram) throws IOException {
        DatagramChannel detached = channel;
        if (detached != null) {
            if (detached.send(ByteBuffer.wrap(datagram), remote) == 0) {
                throw new IOException("the socket's send buffer is full");   // a non-blocking channel
            }
            return;
        }
        socket.send(new DatagramPacket(datagram, datagram.length, remote));
    }

    /** Checks and decrypts a packet that was given to the {@link PacketSink}; throws if it does not authenticate. */
    public byte[] unprotectRtp(byte[] packet, int length) throws Exception {
        return receiving.unprotectRtp(Arrays.copyOf(packet, length), length);
    }

    /** Takes the received packets raw from now on (see {@link PacketSink}). */
    public void sink(PacketSink sink) {
        this.sink = sink;
    }

    /** Sends bytes as they are (garbage). */
    void sendRaw(byte[] bytes) throws IOException {
        transmit(bytes);
    }

    public byte[] nextRtp(Duration timeout) throws InterruptedException {
        return rtp.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public byte[] nextRtcp(Duration timeout) throws InterruptedException {
        return rtcp.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void read() {
        byte[] buffer = new byte[2048];
        while (!closed) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                int first = buffer[0] & 0xff;
                if (first < 128 || first > 191) {
                    continue;
                }
                PacketSink raw = sink;
                if (raw != null) {
                    raw.received(buffer, packet.getLength());
                    continue;
                }
                int type = buffer[1] & 0xff;
                if (type >= 192 && type <= 223) {
                    rtcp.add(receiving.unprotectRtcp(Arrays.copyOf(buffer, packet.getLength()), packet.getLength()));
                } else {
                    rtp.add(receiving.unprotectRtp(Arrays.copyOf(buffer, packet.getLength()), packet.getLength()));
                }
            } catch (Exception e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        agent.free();
        DatagramChannel detached = channel;
        if (detached != null) {
            try {
                detached.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
