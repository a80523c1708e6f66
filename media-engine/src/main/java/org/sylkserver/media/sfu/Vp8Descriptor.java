package org.sylkserver.media.sfu;

import java.nio.ByteBuffer;

/**
 * Reads and rewrites the VP8 payload descriptor (RFC 7741 §4.2) in place, at the start of an RTP payload:
 *
 * <pre>
 *  X|R|N|S|R|PID     required
 *  I|L|T|K|RSV       when X
 *  M|PictureID       when I (7 bits, or 15 when M)
 *  TL0PICIDX         when L
 *  TID|Y|KEYIDX      when T or K
 * </pre>
 *
 * followed by the VP8 payload header (§4.3) on the first packet of a partition. No allocation: offsets are computed
 * on each call (the descriptor is a few bytes).
 */
final class Vp8Descriptor implements PayloadDescriptor {

    /**
     * Whether the payload (of {@code length} bytes at {@code at} in {@code packet}) starts a key frame: the start of
     * partition 0 (S set, PID 0, §4.2) whose payload header has P, the inverse key frame flag, clear (§4.3).
     */
    @Override
    public boolean startsKeyframe(ByteBuffer packet, int at, int length) {
        if (length < 1) {
            return false;
        }
        int first = packet.get(at) & 0xff;
        if ((first & 0x10) == 0 || (first & 0x07) != 0) {
            return false;
        }
        int header = headerOffset(packet, at, length);
        return header >= 0 && header < at + length && (packet.get(header) & 0x01) == 0;
    }

    /** The picture id (§4.2, 7 or 15 bits), or {@link #NONE}. */
    @Override
    public int pictureId(ByteBuffer packet, int at, int length) {
        int offset = pictureIdOffset(packet, at, length);
        if (offset < 0) {
            return NONE;
        }
        int first = packet.get(offset) & 0xff;
        return (first & 0x80) == 0 ? first : ((first & 0x7f) << 8) | (packet.get(offset + 1) & 0xff);
    }

    /** Whether the picture id has 15 bits (M set); only meaningful when there is one. */
    @Override
    public boolean longPictureId(ByteBuffer packet, int at, int length) {
        int offset = pictureIdOffset(packet, at, length);
        return offset >= 0 && (packet.get(offset) & 0x80) != 0;
    }

    /** Writes {@code pictureId} (taken modulo the field's size) over the picture id there is. */
    @Override
    public void pictureId(ByteBuffer packet, int at, int length, int pictureId) {
        int offset = pictureIdOffset(packet, at, length);
        if (offset < 0) {
            return;
        }
        if ((packet.get(offset) & 0x80) == 0) {
            packet.put(offset, (byte) (pictureId & 0x7f));
        } else {
            packet.put(offset, (byte) (0x80 | ((pictureId >> 8) & 0x7f)));
            packet.put(offset + 1, (byte) pictureId);
        }
    }

    /** The TL0PICIDX (§4.2), or {@link #NONE}. */
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

    private static int pictureIdOffset(ByteBuffer packet, int at, int length) {
        if (length < 3 || (packet.get(at) & 0x80) == 0 || (packet.get(at + 1) & 0x80) == 0) {
            return -1;
        }
        int needed = (packet.get(at + 2) & 0x80) == 0 ? 3 : 4;
        return length >= needed ? at + 2 : -1;
    }

    private static int tl0PicIdxOffset(ByteBuffer packet, int at, int length) {
        if (length < 2 || (packet.get(at) & 0x80) == 0 || (packet.get(at + 1) & 0x40) == 0) {
            return -1;
        }
        int offset = at + 2 + pictureIdLength(packet, at, length);
        return offset < at + length ? offset : -1;
    }

    private static int pictureIdLength(ByteBuffer packet, int at, int length) {
        if ((packet.get(at + 1) & 0x80) == 0) {
            return 0;
        }
        return length > 2 && (packet.get(at + 2) & 0x80) != 0 ? 2 : 1;
    }

    /** Where the VP8 payload header begins after the descriptor, or -1 when the descriptor does not fit. */
    private static int headerOffset(ByteBuffer packet, int at, int length) {
        if ((packet.get(at) & 0x80) == 0) {
            return at + 1;
        }
        if (length < 2) {
            return -1;
        }
        int extension = packet.get(at + 1) & 0xff;
        int offset = at + 2 + pictureIdLength(packet, at, length);
        if ((extension & 0x40) != 0) {
            offset++;
        }
        if ((extension & 0x30) != 0) {
            offset++;
        }
        return offset <= at + length ? offset : -1;
    }
}
