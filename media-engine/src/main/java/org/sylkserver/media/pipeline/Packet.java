package org.sylkserver.media.pipeline;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

import org.sylkserver.media.RtpHeader;

/**
 * One datagram on its way through a {@link Pipeline}, with what the stages learnt of it so far: whether it is RTCP,
 * its RTP header once validated, whether it passed SRTP authentication, its audio level once read. Stages may
 * replace the bytes (a decrypted copy) and fill in what they find.
 *
 * <p>A packet belongs to the thread that runs its pipeline, and its buffer is reused after the pipeline returns:
 * copy what must be kept.
 */
public final class Packet {

    private ByteBuffer buffer;
    private final int datagramLength;
    private final SocketAddress source;
    private final long arrivalNanos;
    private final boolean viaRtcpPort;
    private boolean rtcp;
    private RtpHeader header;
    private boolean authenticated;
    private int audioLevel = -1;

    /**
     * @param buffer       the datagram, from its position to its limit
     * @param source       where it came from
     * @param arrivalNanos when it arrived (the engine's clock, {@link System#nanoTime()} scale)
     * @param viaRtcpPort  whether it arrived on a port that carries RTCP only (RFC 3550 §11: RTP port + 1)
     */
    public Packet(ByteBuffer buffer, SocketAddress source, long arrivalNanos, boolean viaRtcpPort) {
        this.buffer = buffer;
        this.datagramLength = buffer.remaining();
        this.source = source;
        this.arrivalNanos = arrivalNanos;
        this.viaRtcpPort = viaRtcpPort;
    }

    /** The packet's bytes, from the buffer's position to its limit. */
    public ByteBuffer buffer() {
        return buffer;
    }

    /** Replaces the bytes (e.g. by their decrypted copy). */
    public void buffer(ByteBuffer bytes) {
        buffer = bytes;
    }

    /** The size of the datagram as it arrived (before decryption). */
    public int datagramLength() {
        return datagramLength;
    }

    /** The bytes as a fresh array. */
    public byte[] copy() {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(buffer.position(), bytes);
        return bytes;
    }

    public SocketAddress source() {
        return source;
    }

    public long arrivalNanos() {
        return arrivalNanos;
    }

    public boolean viaRtcpPort() {
        return viaRtcpPort;
    }

    /** Whether the packet is RTCP (once classified; RTP before). */
    public boolean isRtcp() {
        return rtcp;
    }

    public void rtcp(boolean isRtcp) {
        rtcp = isRtcp;
    }

    /** The RTP header once parsed; null for RTCP or before validation. */
    public RtpHeader header() {
        return header;
    }

    public void header(RtpHeader parsed) {
        header = parsed;
    }

    /** Whether the packet passed SRTP authentication, which only the holder of the keys could make it pass. */
    public boolean isAuthenticated() {
        return authenticated;
    }

    public void authenticated(boolean passed) {
        authenticated = passed;
    }

    /** The sender's RFC 6464 audio level (0 loudest to 127) from the header extension, or -1. */
    public int audioLevel() {
        return audioLevel;
    }

    public void audioLevel(int level) {
        audioLevel = level;
    }
}
