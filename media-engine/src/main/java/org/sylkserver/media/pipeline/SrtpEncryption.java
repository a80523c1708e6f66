package org.sylkserver.media.pipeline;

import java.nio.ByteBuffer;
import java.util.function.Supplier;

import org.sylkserver.media.srtp.SrtpException;
import org.sylkserver.media.srtp.SrtpTransformer;

/**
 * Protects outgoing RTP or RTCP (RFC 3711 §3.3, §3.4) with the sending keys of the moment; drops the packet while
 * there are none, or when protection fails (a packet too large for the transformer).
 */
public final class SrtpEncryption extends Stage {

    private final Supplier<SrtpTransformer> keys;

    /** @param keys the sending transformer now, or null while there is none */
    public SrtpEncryption(Supplier<SrtpTransformer> keys) {
        super("srtp");
        this.keys = keys;
    }

    @Override
    protected Packet handle(Packet packet) {
        SrtpTransformer srtp = keys.get();
        if (srtp == null) {
            return drop();
        }
        byte[] bytes = packet.copy();
        try {
            packet.buffer(ByteBuffer.wrap(packet.isRtcp() ? srtp.protectRtcp(bytes, bytes.length)
                    : srtp.protectRtp(bytes, bytes.length)));
            return packet;
        } catch (SrtpException | RuntimeException e) {
            return drop();
        }
    }
}
