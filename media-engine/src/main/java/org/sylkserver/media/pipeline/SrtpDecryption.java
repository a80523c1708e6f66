package org.sylkserver.media.pipeline;

import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.rtcp.RtcpCompound;
import org.sylkserver.media.srtp.SrtpException;
import org.sylkserver.media.srtp.SrtpTransformer;

/**
 * Authenticates and decrypts SRTP and SRTCP (RFC 3711 §3.3, §3.4) with the receiving keys of the moment, and drops
 * what fails; a packet that passes is marked authenticated and, if RTP, carries its header parsed again from the
 * plain text. Without keys it either lets packets through as they are (plain RTP was negotiated, or keys are not
 * agreed yet) or drops them (a transport that is SRTP or nothing, like DTLS-SRTP before its handshake ends).
 */
public final class SrtpDecryption extends Stage {

    private final Supplier<SrtpTransformer> keys;
    private final BooleanSupplier required;

    /**
     * @param keys     the receiving transformer now, or null while there is none (read per packet: keys arrive
     *                 from signalling or a key agreement on another thread)
     * @param required whether a packet is dropped while there are no keys
     */
    public SrtpDecryption(Supplier<SrtpTransformer> keys, boolean required) {
        this(keys, () -> required);
    }

    /** As above, whether keys are required read per packet (an endpoint that turns to DTLS-SRTP during a call). */
    public SrtpDecryption(Supplier<SrtpTransformer> keys, BooleanSupplier required) {
        super("srtp");
        this.keys = keys;
        this.required = required;
    }

    @Override
    protected Packet handle(Packet packet) {
        SrtpTransformer srtp = keys.get();
        if (srtp == null) {
            return required.getAsBoolean() ? drop() : packet;
        }
        boolean rtcp = packet.isRtcp() || RtcpCompound.isRtcpType(packet.buffer());
        // one copy (the datagram's buffer is the engine's, reused), decrypted in place
        byte[] bytes = packet.copy();
        ByteBuffer plain;
        try {
            if (rtcp) {
                plain = ByteBuffer.wrap(srtp.unprotectRtcp(bytes, bytes.length));
            } else {
                plain = ByteBuffer.wrap(bytes);
                srtp.unprotectRtp(plain);
            }
        } catch (SrtpException | RuntimeException e) {
            return drop();
        }
        packet.buffer(plain);
        packet.rtcp(rtcp);
        packet.authenticated(true);
        if (!rtcp) {
            RtpHeader header = RtpHeader.parse(plain);
            if (header == null) {
                return drop();
            }
            packet.header(header);
        }
        return packet;
    }
}
