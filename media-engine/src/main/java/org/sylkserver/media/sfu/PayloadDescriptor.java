package org.sylkserver.media.sfu;

import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * What simulcast switching reads and rewrites of a video payload descriptor, per codec: where key frames start (a
 * feed switches layers there) and the picture ids and TL0PICIDX that must go on across a switch. VP8 (RFC 7741 §4.2,
 * {@link Vp8Descriptor}) and VP9 (RFC 9628 §4.2, {@link Vp9Descriptor}); H.264 has no such descriptor, and its rooms
 * get no simulcast.
 */
enum PayloadDescriptor {

    VP8 {
        @Override
        boolean startsKeyframe(ByteBuffer packet, int at, int length) {
            return Vp8Descriptor.startsKeyframe(packet, at, length);
        }

        @Override
        int pictureId(ByteBuffer packet, int at, int length) {
            return Vp8Descriptor.pictureId(packet, at, length);
        }

        @Override
        boolean longPictureId(ByteBuffer packet, int at, int length) {
            return Vp8Descriptor.longPictureId(packet, at, length);
        }

        @Override
        void pictureId(ByteBuffer packet, int at, int length, int pictureId) {
            Vp8Descriptor.pictureId(packet, at, length, pictureId);
        }

        @Override
        int tl0PicIdx(ByteBuffer packet, int at, int length) {
            return Vp8Descriptor.tl0PicIdx(packet, at, length);
        }

        @Override
        void tl0PicIdx(ByteBuffer packet, int at, int length, int index) {
            Vp8Descriptor.tl0PicIdx(packet, at, length, index);
        }
    },

    VP9 {
        @Override
        boolean startsKeyframe(ByteBuffer packet, int at, int length) {
            return Vp9Descriptor.startsKeyframe(packet, at, length);
        }

        @Override
        int pictureId(ByteBuffer packet, int at, int length) {
            return Vp9Descriptor.pictureId(packet, at, length);
        }

        @Override
        boolean longPictureId(ByteBuffer packet, int at, int length) {
            return Vp9Descriptor.longPictureId(packet, at, length);
        }

        @Override
        void pictureId(ByteBuffer packet, int at, int length, int pictureId) {
            Vp9Descriptor.pictureId(packet, at, length, pictureId);
        }

        @Override
        int tl0PicIdx(ByteBuffer packet, int at, int length) {
            return Vp9Descriptor.tl0PicIdx(packet, at, length);
        }

        @Override
        void tl0PicIdx(ByteBuffer packet, int at, int length, int index) {
            Vp9Descriptor.tl0PicIdx(packet, at, length, index);
        }
    };

    /** The descriptor of an RTP encoding name ({@code VP8}, {@code VP9}, any case), or null for other codecs. */
    static PayloadDescriptor of(String encoding) {
        return switch (encoding.toLowerCase(Locale.ROOT)) {
            case "vp8" -> VP8;
            case "vp9" -> VP9;
            default -> null;
        };
    }

    /** Whether the payload ({@code length} bytes at {@code at}) starts a key frame a decoder can begin with. */
    abstract boolean startsKeyframe(ByteBuffer packet, int at, int length);

    /** The picture id (7 or 15 bits), or {@link Vp8Descriptor#NONE}. */
    abstract int pictureId(ByteBuffer packet, int at, int length);

    /** Whether the picture id has 15 bits; only meaningful when there is one. */
    abstract boolean longPictureId(ByteBuffer packet, int at, int length);

    /** Writes {@code pictureId} (modulo the field's size) over the picture id there is. */
    abstract void pictureId(ByteBuffer packet, int at, int length, int pictureId);

    /** The TL0PICIDX, or {@link Vp8Descriptor#NONE}. */
    abstract int tl0PicIdx(ByteBuffer packet, int at, int length);

    /** Writes {@code index} (modulo 256) over the TL0PICIDX there is. */
    abstract void tl0PicIdx(ByteBuffer packet, int at, int length, int index);
}
