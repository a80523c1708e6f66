package org.sylkserver.media.pipeline;

import java.nio.ByteBuffer;
import java.util.function.Supplier;

import org.sylkserver.media.srtp.SrtpException;
import org.sylkserver.media.srtp.SrtpTransformer;

/**
 * Protects outgoing RTP or RTCP (RFC 3711 §3.3, §3.4) with the sending keys of the moment; drops the packet while
 * there are none, or when protection fails (a packet too large for the transformer, a sequence number protected
 * before).
 *
 * <p>By default the packet's bytes are left alone and it goes on with a protected copy. A pipeline whose packets own
 * their buffers (made for this pipeline, seen by nobody else, like a feed's copy of a forwarded packet) asks for
 * {@code inPlace}: RTP is then protected in the buffer itself when it is a heap buffer with room for the tag after
 * its limit, which saves the copy on the forwarding path.
 */
public final class SrtpEncryption extends Stage {

    private final Supplier<SrtpTransformer> keys;
    private final boolean inPlace;

    /** @param keys the sending transformer now, or null while there is none */
    public SrtpEncryption(Supplier<SrtpTransformer> keys) {
        this(keys, false);
    }

    /**
     * @param keys    the sending transformer now, or null while there is none
     * @param inPlace whether the packets' buffers are the pipeline's own, to be protected in place when they can be
     */
    public SrtpEncryption(Supplier<SrtpTransformer> keys, boolean inPlace) {
        super("srtp");
        this.keys = keys;
        this.inPlace = inPlace;
    }

    @Override
    protected Packet handle(Packet packet) {
        SrtpTransformer srtp = keys.get();
        if (srtp == null) {
            return drop();
        }
        try {
            if (packet.isRtcp()) {
                byte[] bytes = packet.copy();
                packet.buffer(ByteBuffer.wrap(srtp.protectRtcp(bytes, bytes.length)));
                return packet;
            }
            ByteBuffer buffer = packet.buffer();
            int tag = srtp.suite().srtpAuthTagLength();
            if (!inPlace || !buffer.hasArray() || buffer.capacity() - buffer.limit() < tag) {
                ByteBuffer copy = ByteBuffer.allocate(buffer.remaining() + tag);
                buffer = copy.put(buffer.duplicate()).flip();
            }
            srtp.protectRtp(buffer);
            packet.buffer(buffer);
            return packet;
        } catch (SrtpException | RuntimeException e) {
            return drop();
        }
    }
}
