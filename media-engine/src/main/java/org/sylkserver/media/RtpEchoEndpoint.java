package org.sylkserver.media;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.sylkserver.media.codec.AudioCodec;
import org.sylkserver.media.dtmf.DtmfListener;
import org.sylkserver.media.dtmf.DtmfReceiver;
import org.sylkserver.media.dtmf.MalformedTelephoneEventException;

/**
 * An RTP endpoint that returns every valid packet to the address it came from: the echo test. Packets are
 * copied unchanged, except the audio of a payload type given to {@link #transcode}, which is decoded and
 * encoded again.
 * RTP arrives on the even port, RTCP on the port above it or multiplexed on the RTP port (RFC 5761 §4); each is
 * sent back on the socket it arrived on, to the latched source (symmetric RTP, RFC 4961, see
 * {@link SymmetricLatch}). Datagrams that are neither valid RTP nor valid RTCP are dropped and counted.
 *
 * <p>Both ports are bound whether or not {@code rtcp-mux} was negotiated, so that a re-INVITE may switch it
 * without new ports.
 *
 * <p>Threading: packets are handled on the media engine's I/O thread, which alone writes the counters; the
 * inactivity callback runs on the engine's timer thread; {@link #stats()} and {@link #close()} may be called
 * from any thread.
 */
public final class RtpEchoEndpoint implements AutoCloseable {

    /** Datagrams handled per readiness event, so that one busy endpoint cannot starve the others. */
    private static final int BATCH = 64;
    private static final long RTP_RELATCH_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** RTCP comes every few seconds (RFC 3550 §6.2): allow a few intervals before another source may latch. */
    private static final long RTCP_RELATCH_NANOS = TimeUnit.SECONDS.toNanos(15);

    private final MediaEngine engine;
    private final int port;
    private final DatagramChannel rtp;
    private final DatagramChannel rtcp;
    private final Consumer<RtpEchoEndpoint> onInactivity;
    private final SymmetricLatch rtpLatch = new SymmetricLatch(RTP_RELATCH_NANOS);
    private final SymmetricLatch rtcpLatch = new SymmetricLatch(RTCP_RELATCH_NANOS);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean inactive = new AtomicBoolean();
    private volatile long lastRtpNanos = System.nanoTime();
    /** RFC 4733 events: their payload type (-1 until negotiated) and the receiver fed on the I/O thread. */
    private volatile int telephoneEventType = -1;
    private volatile DtmfReceiver dtmf;
    /** The payload type whose audio is decoded and encoded again before it is echoed (-1: none), and its codec. */
    private volatile int transcodedType = -1;
    private volatile AudioCodec transcodedCodec;
    /** Whether RTP is echoed; RTCP always is (RFC 3264 §5.1). */
    private volatile boolean sendingRtp = true;

    // written by the I/O thread only; volatile so that stats() sees current values
    private volatile long rtpPacketsIn;
    private volatile long rtpBytesIn;
    private volatile long rtpPacketsOut;
    private volatile long rtpBytesOut;
    private volatile long rtcpPacketsIn;
    private volatile long rtcpPacketsOut;
    private volatile long invalidPackets;
    private volatile long foreignPackets;

    RtpEchoEndpoint(MediaEngine engine, int port, DatagramChannel rtp, DatagramChannel rtcp,
                    Consumer<RtpEchoEndpoint> onInactivity) {
        this.engine = engine;
        this.port = port;
        this.rtp = rtp;
        this.rtcp = rtcp;
        this.onInactivity = onInactivity;
    }

    /** The local RTP port (even); RTCP without rtcp-mux is on {@code port() + 1}. */
    public int port() {
        return port;
    }

    /** The address RTP is echoed to (the latched source), or {@code null} before the first packet. */
    public SocketAddress latchedSource() {
        return rtpLatch.source();
    }

    /** The counters now. */
    public EndpointStats stats() {
        return new EndpointStats(rtpPacketsIn, rtpBytesIn, rtpPacketsOut, rtpBytesOut, rtcpPacketsIn, rtcpPacketsOut,
                invalidPackets, foreignPackets);
    }

    /**
     * Reports the RFC 4733 key presses the caller sends with payload type {@code payloadType} at
     * {@code clockRate}, each once, to {@code listener} (on the media engine's I/O thread; keep it short).
     * The packets are still echoed. Called again after a re-negotiation, it replaces the previous receiver.
     */
    public void receiveDtmf(int payloadType, int clockRate, DtmfListener listener) {
        dtmf = new DtmfReceiver(clockRate, listener);
        telephoneEventType = payloadType;
    }

    /**
     * Echoes the audio of {@code payloadType} decoded and encoded again with {@code codec} instead of copying
     * the packet, so that the caller hears what the server's codec makes of its audio (the echo test of the
     * original does the same through its mixer). RTP header fields are kept; other payload types are copied.
     */
    public void transcode(int payloadType, AudioCodec codec) {
        transcodedCodec = codec;
        transcodedType = payloadType;
    }

    /**
     * Whether RTP is sent back: not while the answered direction is {@code recvonly} or {@code inactive}
     * (RFC 3264 §6.1, a caller on hold must not be sent media). RTCP goes on either way.
     */
    public void sendRtp(boolean sending) {
        sendingRtp = sending;
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed.get();
    }

    DatagramChannel rtpChannel() {
        return rtp;
    }

    DatagramChannel rtcpChannel() {
        return rtcp;
    }

    /** Called on the I/O thread when {@code channel} has datagrams; {@code buffer} holds the largest datagram. */
    void readable(DatagramChannel channel, ByteBuffer buffer) throws IOException {
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
            boolean isRtcp = rtcpPort || RtpHeader.isRtcp(buffer);
            RtpHeader header = isRtcp ? null : RtpHeader.parse(buffer);
            if (isRtcp ? !RtpHeader.isValidRtcp(buffer) : header == null) {
                invalidPackets++;
                continue;
            }
            if (!(rtcpPort ? rtcpLatch : rtpLatch).admit(source, now)) {
                foreignPackets++;
                continue;
            }
            if (isRtcp) {
                rtcpPacketsIn++;
            } else {
                rtpPacketsIn++;
                rtpBytesIn += length;
                lastRtpNanos = now;
                if (header.payloadType() == telephoneEventType) {
                    receiveTelephoneEvent(header, buffer);
                }
            }
            if (!isRtcp && !sendingRtp) {
                continue;
            }
            ByteBuffer reply = !isRtcp && header.payloadType() == transcodedType ? transcoded(header, buffer) : buffer;
            int replyLength = reply.remaining();
            // a full socket buffer drops the packet (0 bytes sent), as the network would
            if (channel.send(reply, source) > 0) {
                if (isRtcp) {
                    rtcpPacketsOut++;
                } else {
                    rtpPacketsOut++;
                    rtpBytesOut += replyLength;
                }
            }
        }
    }

    /** The packet with its payload decoded and encoded again; padding (RFC 3550 §5.1) is dropped. */
    private ByteBuffer transcoded(RtpHeader header, ByteBuffer packet) {
        int start = packet.position();
        byte[] payload = new byte[header.payloadLength()];
        packet.get(start + header.headerLength(), payload);
        byte[] encoded = transcodedCodec.encode(transcodedCodec.decode(payload));
        ByteBuffer out = ByteBuffer.allocate(header.headerLength() + encoded.length);
        out.put(packet.duplicate().position(start).limit(start + header.headerLength()));
        out.put(0, (byte) (out.get(0) & ~0x20));
        out.put(encoded);
        return out.flip();
    }

    private void receiveTelephoneEvent(RtpHeader header, ByteBuffer packet) {
        try {
            dtmf.receive(header, packet);
        } catch (MalformedTelephoneEventException e) {
            // counted as invalid; the packet is still echoed like any other RTP
            invalidPackets++;
        }
    }

    /** Called on the timer thread: reports inactivity once when no RTP arrived for {@code timeoutNanos}. */
    void checkInactivity(long nowNanos, long timeoutNanos) {
        if (!closed.get() && nowNanos - lastRtpNanos >= timeoutNanos && inactive.compareAndSet(false, true)) {
            onInactivity.accept(this);
        }
    }

    /** Stops echoing and gives the ports back to the engine; safe to call more than once, from any thread. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            DtmfReceiver receiver = dtmf;
            if (receiver != null) {
                // a key still held when the call ends is reported now (its end packets will not come)
                engine.onIoThread(receiver::flush);
            }
            engine.release(this);
        }
    }

    @Override
    public String toString() {
        return "echo endpoint " + new InetSocketAddress(engine.bindAddress(), port) + " " + stats();
    }
}
