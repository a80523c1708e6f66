package org.sylkserver.media;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;

/**
 * The look the shared WebRTC port ({@link UdpMux}) takes into every datagram before it hands it to a leg: whether it
 * is a STUN binding request, and which leg's ufrag it names (such a check goes to that leg whatever its source).
 */
final class StunUsername {

    private static final int STUN_HEADER = 20;
    private static final int STUN_MAGIC_COOKIE = 0x2112A442;
    private static final int BINDING_REQUEST = 0x0001;
    private static final int USERNAME = 0x0006;
    /** RFC 8839 §5.4: ice-ufrag is at most 256 characters. */
    private static final int MAX_UFRAG = 256;

    private StunUsername() {
    }

    /**
     * The ufrag a STUN binding request names as the receiver's (RFC 8445 §7.3: USERNAME is
     * {@code <receiver's ufrag>:<sender's ufrag>}), or null for anything else. Reads the header and walks the
     * attributes up to USERNAME only (RFC 5389 §6, §15: type, length, value padded to 4 bytes).
     */
    static String receiverUfrag(ByteBuf datagram) {
        int start = datagram.readerIndex();
        int length = datagram.readableBytes();
        if (length < STUN_HEADER || datagram.getUnsignedShort(start) != BINDING_REQUEST
                || datagram.getInt(start + 4) != STUN_MAGIC_COOKIE) {
            return null;
        }
        int end = start + Math.min(length, STUN_HEADER + datagram.getUnsignedShort(start + 2));
        for (int at = start + STUN_HEADER; at + 4 <= end; ) {
            int type = datagram.getUnsignedShort(at);
            int size = datagram.getUnsignedShort(at + 2);
            if (at + 4 + size > end) {
                return null;
            }
            if (type == USERNAME) {
                for (int i = 0; i < size && i <= MAX_UFRAG; i++) {
                    if (datagram.getByte(at + 4 + i) == ':') {
                        return i == 0 ? null : datagram.toString(at + 4, i, StandardCharsets.UTF_8);
                    }
                }
                return null;
            }
            at += 4 + ((size + 3) & ~3);
        }
        return null;
    }
}
