package org.sylkserver.media.sfu;

import java.nio.ByteBuffer;

/**
 * Keeps the picture ids and TL0PICIDX of a feed's VP8 or VP9 continuous when the layer it forwards changes (RFC 7741
 * §4.2, RFC 9628 §4.2: a receiver takes a jump in picture id for lost pictures, and one in TL0PICIDX for lost
 * base-layer pictures): each
 * source gets offsets so that its first picture follows the last one sent, as {@link StreamRewriter} does for
 * sequence numbers and timestamps. Not thread-safe: the I/O thread owns it.
 */
final class PictureRewriter {

    private final PayloadDescriptor descriptor;

    private long source = -1;
    private int pictureIdOffset;
    private int tl0Offset;
    /** The newest picture id and TL0PICIDX sent (after rewriting), -1 before any. */
    private int lastPictureId = -1;
    private int lastTl0 = -1;

    PictureRewriter(PayloadDescriptor descriptor) {
        this.descriptor = descriptor;
    }

    /**
     * Rewrites the descriptor of the payload ({@code length} bytes at {@code at}) of a packet of {@code ssrc} in
     * place.
     */
    void rewrite(long ssrc, ByteBuffer packet, int at, int length) {
        int pictureId = descriptor.pictureId(packet, at, length);
        int tl0 = descriptor.tl0PicIdx(packet, at, length);
        int pictureMask = descriptor.longPictureId(packet, at, length) ? 0x7fff : 0x7f;
        if (ssrc != source) {
            source = ssrc;
            pictureIdOffset = lastPictureId < 0 || pictureId < 0 ? 0 : lastPictureId + 1 - pictureId;
            tl0Offset = lastTl0 < 0 || tl0 < 0 ? 0 : lastTl0 + 1 - tl0;
        }
        if (pictureId >= 0) {
            int rewritten = (pictureId + pictureIdOffset) & pictureMask;
            descriptor.pictureId(packet, at, length, rewritten);
            if (lastPictureId < 0 || ((rewritten - lastPictureId) & pictureMask) < (pictureMask + 1) / 2) {
                lastPictureId = rewritten;
            }
        }
        if (tl0 >= 0) {
            int rewritten = (tl0 + tl0Offset) & 0xff;
            descriptor.tl0PicIdx(packet, at, length, rewritten);
            if (lastTl0 < 0 || ((rewritten - lastTl0) & 0xff) < 0x80) {
                lastTl0 = rewritten;
            }
        }
    }
}
