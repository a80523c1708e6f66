package org.sylkserver.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

import org.sylkserver.media.codec.AudioCodec;
import org.sylkserver.media.pipeline.Packet;

/**
 * An RTP endpoint that returns every valid packet to the address it came from, on the socket it arrived on: the
 * echo test. Packets are copied unchanged, except the audio of a payload type given to {@link #transcode}, which is
 * decoded and encoded again. RTP is not returned while {@link #sendRtp(boolean) sending} is off; RTCP always is.
 */
public final class RtpEchoEndpoint extends RtpEndpoint {

    /** The payload type whose audio is decoded and encoded again before it is echoed (-1: none), and its codecs. */
    private volatile Transcoding transcoding;

    /** Packets of the transcoded payload type that the codecs could not handle and were copied instead. */
    private volatile long copied;

    private record Transcoding(int payloadType, AudioCodec decoder, AudioCodec encoder) {
    }

    RtpEchoEndpoint(MediaEngine engine, int port, DatagramChannel rtp, DatagramChannel rtcp, Runnable onInactivity) {
        super(engine, port, rtp, rtcp, onInactivity);
    }

    /**
     * Echoes the audio of {@code payloadType} decoded with {@code decoder} and encoded again with {@code encoder}
     * instead of copying the packet, so that the caller hears what the server's codec makes of its audio (the echo
     * test of the original does the same through its mixer). Codecs that keep state between frames need two
     * instances; a stateless one may be passed twice. RTP header fields are kept; other payload types are copied,
     * and so is a packet the codecs cannot handle (a frame size the encoder does not take). The endpoint closes
     * the codecs when it closes.
     */
    public void transcode(int payloadType, AudioCodec decoder, AudioCodec encoder) {
        Transcoding previous = transcoding;
        transcoding = new Transcoding(payloadType, decoder, encoder);
        if (previous != null) {
            engine.onIoThread(() -> closeCodecs(previous));
        }
    }

    @Override
    void closing() {
        Transcoding last = transcoding;
        if (last != null) {
            // packets are handled on the I/O thread: native codec state is freed there, after the last one
            engine.onIoThread(() -> closeCodecs(last));
        }
    }

    private static void closeCodecs(Transcoding codecs) {
        codecs.decoder().close();
        codecs.encoder().close();
    }

    @Override
    void onRtp(DatagramChannel channel, Packet received) throws IOException {
        RtpHeader header = received.header();
        ByteBuffer packet = received.buffer();
        Transcoding current = transcoding;
        ByteBuffer reply = packet;
        if (current != null && header.payloadType() == current.payloadType()) {
            try {
                reply = transcoded(current, header, packet);
            } catch (IllegalArgumentException cannot) {
                copied++;
            }
        }
        sendRtpPacket(channel, reply, received.source());
    }

    @Override
    void onRtcp(DatagramChannel channel, Packet received) throws IOException {
        sendRtcpPacket(channel, received.buffer(), received.source());
    }

    /** The packet with its payload decoded and encoded again; padding (RFC 3550 §5.1) is dropped. */
    private static ByteBuffer transcoded(Transcoding codecs, RtpHeader header, ByteBuffer packet) {
        int start = packet.position();
        byte[] payload = new byte[header.payloadLength()];
        packet.get(start + header.headerLength(), payload);
        byte[] encoded = codecs.encoder().encode(codecs.decoder().decode(payload));
        ByteBuffer out = ByteBuffer.allocate(header.headerLength() + encoded.length);
        out.put(packet.duplicate().position(start).limit(start + header.headerLength()));
        out.put(0, (byte) (out.get(0) & ~0x20));
        out.put(encoded);
        return out.flip();
    }

    @Override
    String kind() {
        return copied == 0 ? "echo endpoint" : "echo endpoint (" + copied + " packets copied untranscoded)";
    }
}
