package org.sylkserver.media.sfu;

import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * What simulcast switching reads and rewrites of a video payload, per codec: where key frames start (a feed switches
 * layers there, RFC 7667 §3.7) and, of codecs that number their pictures, the picture ids and TL0PICIDX that must go
 * on across a switch ({@link PictureRewriter}). VP8 (RFC 7741 §4.2, {@link Vp8Descriptor}), VP9 (RFC 9628 §4.2,
 * {@link Vp9Descriptor}) and H.264 (RFC 6184, {@link H264Descriptor}: its NAL unit headers, and no picture numbering,
 * so the defaults find none and write nothing). Each reads in place, with no state and no allocation: one instance per
 * codec.
 *
 * <p>Every method takes the RTP payload as {@code length} bytes at {@code at} in {@code packet}.
 */
interface PayloadDescriptor {

    /** What {@link #pictureId} and {@link #tl0PicIdx} answer for a payload without one. */
    int NONE = -1;

    PayloadDescriptor VP8 = new Vp8Descriptor();
    PayloadDescriptor VP9 = new Vp9Descriptor();
    PayloadDescriptor H264 = new H264Descriptor();

    /** The descriptor of an RTP encoding name ({@code VP8}, {@code VP9}, {@code H264}, any case), or null. */
    static PayloadDescriptor of(String encoding) {
        return switch (encoding.toLowerCase(Locale.ROOT)) {
            case "vp8" -> VP8;
            case "vp9" -> VP9;
            case "h264" -> H264;
            default -> null;
        };
    }

    /** Whether the payload starts a key frame a decoder can begin with. */
    boolean startsKeyframe(ByteBuffer packet, int at, int length);

    /** The picture id (7 or 15 bits), or {@link #NONE}. */
    default int pictureId(ByteBuffer packet, int at, int length) {
        return NONE;
    }

    /** Whether the picture id has 15 bits; only meaningful when there is one. */
    default boolean longPictureId(ByteBuffer packet, int at, int length) {
        return false;
    }

    /** Writes {@code pictureId} (modulo the field's size) over the picture id there is. */
    default void pictureId(ByteBuffer packet, int at, int length, int pictureId) {
    }

    /** The TL0PICIDX, or {@link #NONE}. */
    default int tl0PicIdx(ByteBuffer packet, int at, int length) {
        return NONE;
    }

    /** Writes {@code index} (modulo 256) over the TL0PICIDX there is. */
    default void tl0PicIdx(ByteBuffer packet, int at, int length, int index) {
    }
}
