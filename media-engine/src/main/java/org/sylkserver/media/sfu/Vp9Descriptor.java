package org.sylkserver.media.sfu;

import java.nio.ByteBuffer;

/**
 * Reads and rewrites the VP9 payload descriptor (RFC 9628 §4.2) in place, at the start of an RTP payload:
 *
 * <pre>
 *  I|P|L|F|B|E|V|Z   required
 *  M|PICTURE ID      when I (7 bits, or 15 when M)
 *  TID|U|SID|D       when L
 *  TL0PICIDX         when L and not F (non-flexible mode)
 *  ...               reference indices (F and P), scalability structure (V)
 * </pre>
 *
 * What simulcast switching needs of it, as {@link Vp8Descriptor} for VP8: key frame starts, picture ids and
 * TL0PICIDX. No allocation.
 */
final class Vp9Descriptor implements PayloadDescriptor {

    /**
     * Whether the payload (of {@code length} bytes at {@code at} in {@code packet}) starts a key frame: the first
     * packet of a picture (B set) that is not inter-picture predicted (P clear), of the base spatial layer (SID 0
     * when the layer indices are present), §4.2.
     */
    @Override
    public boolean startsKeyframe(ByteBuffer packet, int at, int length) {
        if (length < 1) {
            return false;
        }
        int first = packet.get(at) & 0xff;
        if ((first & 0x08) == 0 || (first & 0x40) != 0) {
            return false;
        }
        int pictureIdLength = pictureIdLength(packet, at, length);
        if ((first & 0x80) != 0 && pictureIdLength == 0) {
            return false; // I set, and the picture id cut short
        }
        if ((first & 0x20) == 0) {
            return true;
        }
        int layers = at + 1 + pictureIdLength;
        return layers < at + length && ((packet.get(layers) >> 1) & 0x07) == 0;
    }

    /** The picture id (§4.2, 7 or 15 bits), or {@link #NONE}. */
    @Override
    public int pictureId(ByteBuffer packet, int at, int length) {
        if (pictureIdLength(packet, at, length) == 0) {
            return NONE;
        }
        int first = packet.get(at + 1) & 0xff;
        return (first & 0x80) == 0 ? first : ((first & 0x7f) << 8) | (packet.get(at + 2) & 0xff);
    }

    /** Whether the picture id has 15 bits (M set); only meaningful when there is one. */
    @Override
    public boolean longPictureId(ByteBuffer packet, int at, int length) {
        return pictureIdLength(packet, at, length) == 2;
    }

    /** Writes {@code pictureId} (taken modulo the field's size) over the picture id there is. */
    @Override
    public void pictureId(ByteBuffer packet, int at, int length, int pictureId) {
        int size = pictureIdLength(packet, at, length);
        if (size == 1) {
            packet.put(at + 1, (byte) (pictureId & 0x7f));
        } else if (size == 2) {
            packet.put(at + 1, (byte) (0x80 | ((pictureId >> 8) & 0x7f)));
            packet.put(at + 2, (byte) pictureId);
        }
    }

    /** The TL0PICIDX (§4.2: layer indices present, non-flexible mode), or {@link #NONE}. */
    @Override
    public int tl0PicIdx(ByteBuffer packet, int at, int length) {
        int offset = tl0PicIdxOffset(packet, at, length);
        return offset < 0 ? NONE : packet.get(offset) & 0xff;
    }

    /** Writes {@code index} (modulo 256) over the TL0PICIDX there is. */
    @Override
    public void tl0PicIdx(ByteBuffer packet, int at, int length, int index) {
        int offset = tl0PicIdxOffset(packet, at, length);
        if (offset >= 0) {
            packet.put(offset, (byte) index);
        }
    }

    /** The picture id's size: 0 without one (I clear, or a descriptor too short for it), 1 or 2 bytes. */
    private static int pictureIdLength(ByteBuffer packet, int at, int length) {
        if (length < 2 || (packet.get(at) & 0x80) == 0) {
            return 0;
        }
        if ((packet.get(at + 1) & 0x80) == 0) {
            return 1;
        }
        return length >= 3 ? 2 : 0;
    }

    private static int tl0PicIdxOffset(ByteBuffer packet, int at, int length) {
        if (length < 1 || (packet.get(at) & 0x30) != 0x20) {
            return -1; // L clear, or flexible mode (F), which has no TL0PICIDX
        }
        if ((packet.get(at) & 0x80) != 0 && pictureIdLength(packet, at, length) == 0) {
            return -1;
        }
        int offset = at + 1 + pictureIdLength(packet, at, length) + 1;
        return offset < at + length ? offset : -1;
    }
}
