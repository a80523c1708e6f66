package org.sylkserver.media;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * An RTP endpoint that returns every valid RTP packet, unchanged, to the address it came from: symmetric RTP
 * (RFC 4961), so callers behind NAT hear themselves too. Packets that are not RTP version 2 are dropped and
 * counted. RTCP arriving on the RTCP port (or multiplexed, RFC 5761) is counted, not echoed.
 *
 * <p>Counters are safe to read from any thread; packets are handled on the media engine's I/O thread.
 */
public final class RtpEchoEndpoint implements AutoCloseable {

    private final MediaEngine engine;
    private final int port;
    private final DatagramChannel rtp;
    private final DatagramChannel rtcp;
    private final Consumer<RtpEchoEndpoint> onInactivity;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean inactive = new AtomicBoolean();
    private volatile long lastPacketNanos = System.nanoTime();
    private volatile SocketAddress latched;
    private final AtomicLong packetsIn = new AtomicLong();
    private final AtomicLong packetsOut = new AtomicLong();
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong rtcpIn = new AtomicLong();
    private final AtomicLong invalid = new AtomicLong();

    RtpEchoEndpoint(MediaEngine engine, int port, DatagramChannel rtp, DatagramChannel rtcp,
                    Consumer<RtpEchoEndpoint> onInactivity) {
        this.engine = engine;
        this.port = port;
        this.rtp = rtp;
        this.rtcp = rtcp;
        this.onInactivity = onInactivity;
    }

    /** The local RTP port (RTCP is the next one). */
    public int port() {
        return port;
    }

    /** The address RTP was last received from, or {@code null} before the first packet. */
    public SocketAddress latchedSource() {
        return latched;
    }

    public long packetsIn() {
        return packetsIn.get();
    }

    public long packetsOut() {
        return packetsOut.get();
    }

    public long bytesIn() {
        return bytesIn.get();
    }

    public long rtcpPacketsIn() {
        return rtcpIn.get();
    }

    /** Datagrams dropped because they were not RTP version 2 or were truncated. */
    public long invalidPackets() {
        return invalid.get();
    }

    DatagramChannel rtpChannel() {
        return rtp;
    }

    DatagramChannel rtcpChannel() {
        return rtcp;
    }

    /** Called on the I/O thread when {@code channel} has datagrams. */
    void readable(DatagramChannel channel, ByteBuffer buffer) throws IOException {
        while (true) {
            buffer.clear();
            SocketAddress source = channel.receive(buffer);
            if (source == null) {
                return;
            }
            buffer.flip();
            if (channel == rtcp || RtpHeader.isRtcp(buffer)) {
                rtcpIn.incrementAndGet();
                continue;
            }
            if (RtpHeader.parse(buffer) == null) {
                invalid.incrementAndGet();
                continue;
            }
            lastPacketNanos = System.nanoTime();
            packetsIn.incrementAndGet();
            bytesIn.addAndGet(buffer.remaining());
            latched = source;
            if (rtp.send(buffer, source) > 0) {
                packetsOut.incrementAndGet();
            }
        }
    }

    void checkInactivity(long limitNanos) {
        if (!closed.get() && lastPacketNanos - limitNanos < 0 && inactive.compareAndSet(false, true)) {
            onInactivity.accept(this);
        }
    }

    /** Stops echoing and releases the ports; safe to call more than once. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            engine.release(this);
        }
    }

    @Override
    public String toString() {
        InetSocketAddress local = new InetSocketAddress(engine.bindAddress(), port);
        return "echo endpoint " + local + " (in " + packetsIn + ", out " + packetsOut + ", invalid " + invalid + ")";
    }
}
