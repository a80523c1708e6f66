package org.sylkserver.media;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;

import org.sylkserver.media.dtmf.TelephoneEventPacket;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Stage;
import org.sylkserver.media.rtcp.ReceptionStatistics;
import org.sylkserver.media.rtcp.RtcpPackets;

/**
 * An RTP endpoint that is a real participant of a call: it hands the audio it receives to a {@link Receiver} and
 * sends the audio it is given as RTP packets of its own (own SSRC, sequence numbers and timestamps from random
 * starting points, RFC 3550 §5.1), and RTCP sender/receiver reports every five seconds (RFC 3550 §6.2, fixed
 * interval: one stream per endpoint) and a BYE when it closes.
 *
 * <p>Packets go to the latched source once the peer has sent one (symmetric RTP, RFC 4961), before that to the
 * address of the SDP ({@link #remote}).
 *
 * <p>Threading: received packets are handed over on the media engine's I/O thread; {@link #send} and
 * {@link #sendTelephoneEvent} are called by one thread at a time (the conference mixer's); reports are sent from
 * the engine's timer thread.
 */
public final class RtpAudioEndpoint extends RtpEndpoint {

    /** Receives the peer's RTP packets, on the media engine's I/O thread: hand them over, do not work there. */
    @FunctionalInterface
    public interface Receiver {
        /**
         * One RTP packet.
         *
         * @param header       its header
         * @param payload      a copy of its payload (without padding)
         * @param arrivalNanos when it arrived ({@link System#nanoTime()})
         * @param audioLevel   the sender's RFC 6464 level (0 loudest to 127) when the packet carries the negotiated
         *                     header extension, else -1
         */
        void packet(RtpHeader header, byte[] payload, long arrivalNanos, int audioLevel);
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final long ssrc = RANDOM.nextInt() & 0xffffffffL;
    private final String cname;
    private volatile Receiver receiver = (header, payload, arrival, level) -> { };
    private final HeaderExtensions headerExtensions = new HeaderExtensions();
    private volatile SocketAddress remoteRtp;
    private volatile SocketAddress remoteRtcp;
    private volatile boolean rtcpMux;
    private volatile ReceptionStatistics reception;

    // sending state: owned by the sending thread; volatile where the report thread reads it
    private int sequence = RANDOM.nextInt(1 << 16);
    private volatile long timestamp = RANDOM.nextInt() & 0xffffffffL;
    private volatile long lastSendNanos;
    private volatile long payloadOctetsSent;
    private volatile long packetsSent;
    /** The packet being sent, reused (a mixer sends one per member every 20 ms); grown for a larger payload. */
    private ByteBuffer outgoing = ByteBuffer.allocate(0);

    RtpAudioEndpoint(MediaEngine engine, int port, DatagramChannel rtp, DatagramChannel rtcp, Runnable onInactivity) {
        super(engine, port, rtp, rtcp, onInactivity);
        this.cname = "sylk-" + Long.toHexString(ssrc) + "@" + engine.bindAddress().getHostAddress();
    }

    @Override
    long ourSsrc() {
        return ssrc;
    }

    @Override
    SocketAddress keyAgreementTarget() {
        return latchedSource() != null ? latchedSource() : remoteRtp;
    }

    /** Our synchronization source identifier. */
    public long ssrc() {
        return ssrc;
    }

    /**
     * Reads the RFC 6464 audio level from header-extension element {@code id} (as agreed by {@code a=extmap}),
     * or stops reading it ({@code 0}).
     */
    public void audioLevelExtension(int id) {
        headerExtensions.audioLevel(id);
    }

    /** Where the received packets go from now on. */
    public void receive(Receiver newReceiver) {
        receiver = Objects.requireNonNull(newReceiver, "receiver");
    }

    /**
     * The peer's addresses and clock as negotiated in SDP (RFC 3264): used until its first packet latches the
     * endpoint, and again after a re-INVITE.
     *
     * @param rtpAddress its RTP address ({@code c=} and {@code m=} port)
     * @param rtcpMux    whether {@code rtcp-mux} was agreed (RFC 5761), else RTCP goes to the port above
     * @param clockRate  the RTP clock rate of the negotiated audio codec, for the jitter of the reports
     */
    public void remote(InetSocketAddress rtpAddress, boolean rtcpMux, int clockRate) {
        remoteRtp = rtpAddress;
        this.rtcpMux = rtcpMux;
        remoteRtcp = rtcpMux ? rtpAddress : new InetSocketAddress(rtpAddress.getAddress(), rtpAddress.getPort() + 1);
        reception = new ReceptionStatistics(clockRate);
        signalled(rtpAddress);
    }

    /**
     * Sends one frame of audio.
     *
     * @param payloadType        the negotiated payload type
     * @param payload            the encoded frame
     * @param timestampIncrement how far this frame advances the RTP clock since the previous one (e.g. 160 for
     *                           20 ms of PCMU; at 0 for the first packet the timestamp is the random start)
     * @param marker             the RTP marker bit (start of a talk spurt, RFC 3551 §4.1)
     */
    public void send(int payloadType, byte[] payload, int timestampIncrement, boolean marker) throws IOException {
        timestamp = (timestamp + timestampIncrement) & 0xffffffffL;
        sendPacket(payloadType, marker, timestamp, payload);
    }

    /**
     * Sends one packet of an RFC 4733 telephone event (from a {@link org.sylkserver.media.dtmf.DtmfSender}), whose
     * event started at RTP time {@code eventTimestamp}.
     */
    public void sendTelephoneEvent(int payloadType, long eventTimestamp, TelephoneEventPacket packet)
            throws IOException {
        sendPacket(payloadType, packet.marker(), (eventTimestamp + packet.timestampOffset()) & 0xffffffffL,
                packet.payload());
    }

    /** The RTP timestamp of the last frame sent, where a telephone event starting now would start. */
    public long currentTimestamp() {
        return timestamp;
    }

    private void sendPacket(int payloadType, boolean marker, long packetTimestamp, byte[] payload) throws IOException {
        SocketAddress target = latchedSource() != null ? latchedSource() : remoteRtp;
        if (target == null || isClosed()) {
            return;
        }
        int length = RtpHeader.FIXED_LENGTH + payload.length;
        if (outgoing.capacity() < length) {
            outgoing = ByteBuffer.allocate(length);
        }
        ByteBuffer packet = outgoing.clear();
        packet.put((byte) 0x80).put((byte) ((marker ? 0x80 : 0) | (payloadType & 0x7f)))
                .putShort((short) sequence).putInt((int) packetTimestamp).putInt((int) ssrc).put(payload);
        sequence = (sequence + 1) & 0xffff;
        packet.flip();
        if (isSendingRtp()) {
            packetsSent++;
            payloadOctetsSent += payload.length;
            lastSendNanos = engine.nanoTime();
        }
        sendRtpPacket(rtpChannel(), packet, target);
    }

    /** RTCP terminates here (our own reports answer it), and the RFC 6464 level is read from the header. */
    @Override
    List<Stage> ownStages() {
        return List.of(new RtcpTermination(() -> reception), headerExtensions);
    }

    @Override
    void onRtp(DatagramChannel channel, Packet packet) {
        RtpHeader header = packet.header();
        byte[] payload = new byte[header.payloadLength()];
        packet.buffer().get(packet.buffer().position() + header.headerLength(), payload);
        receiver.packet(header, payload, packet.arrivalNanos(), packet.audioLevel());
    }

    @Override
    void onRtcp(DatagramChannel channel, Packet packet) {
        // terminated by RtcpTermination: none comes this far
    }

    /** Sends an RTCP report now: on the engine's timer thread every few seconds, and with a BYE on close. */
    void sendReport(boolean bye) {
        SocketAddress target = rtcpTarget(remoteRtcp);
        if (target == null) {
            return;
        }
        ReceptionStatistics statistics = reception;
        long now = engine.nanoTime();
        // the RTP time of "now": the last frame's timestamp advanced by the time since it was sent
        long rtpNow = timestamp;
        if (statistics != null && lastSendNanos != 0) {
            rtpNow = (timestamp + (now - lastSendNanos) * statistics.clockRate() / 1_000_000_000L) & 0xffffffffL;
        }
        ByteBuffer report = RtcpPackets.compound(ssrc, RtcpPackets.ntpTimestamp(System.currentTimeMillis()), rtpNow,
                packetsSent, payloadOctetsSent,
                statistics != null && statistics.hasSource() ? statistics.reportBlock(now) : null, cname, bye);
        try {
            sendRtcpPacket(rtcpMux ? rtpChannel() : rtcpChannel(), report, target);
        } catch (IOException e) {
            // a report lost is not worth more than the log line of the next failure the application will see
        }
    }

    @Override
    void closing() {
        sendReport(true);
    }

    @Override
    String kind() {
        return "audio endpoint";
    }
}
