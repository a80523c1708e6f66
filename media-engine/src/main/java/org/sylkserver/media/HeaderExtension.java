package org.sylkserver.media;

import java.nio.ByteBuffer;

/**
 * Finds an element of an RTP header extension in the one-byte (profile {@code 0xBEDE}) or two-byte ({@code 0x100x})
 * format of RFC 8285 §4.2 / §4.3, in place: the one reader of header-extension elements (audio levels, RFC 6464;
 * simulcast stream ids, RFC 8852). No allocation: an element is answered as its offset and length packed in a long.
 */
public final class HeaderExtension {

    private HeaderExtension() {
    }

    /**
     * The element {@code id} of {@code packet} (positioned at the start of the RTP packet), packed ({@link #offset},
     * {@link #length}), or -1 when the packet has no extension, no such element, or a malformed extension block.
     */
    public static long find(ByteBuffer packet, RtpHeader header, int id) {
        if (id <= 0 || !header.extension()) {
            return -1;
        }
        int start = packet.position() + RtpHeader.FIXED_LENGTH + 4 * header.csrcCount();
        int limit = packet.position() + header.headerLength();
        if (start + 4 > limit) {
            return -1;
        }
        int profile = packet.getShort(start) & 0xffff;
        int at = start + 4;
        int end = Math.min(limit, at + 4 * (packet.getShort(start + 2) & 0xffff));
        boolean oneByte = profile == 0xBEDE;
        if (!oneByte && (profile & 0xfff0) != 0x1000) {
            return -1;
        }
        while (at < end) {
            int first = packet.get(at) & 0xff;
            if (first == 0) {
                at++; // padding between elements
                continue;
            }
            int elementId;
            int length;
            if (oneByte) {
                elementId = first >> 4;
                length = (first & 0x0f) + 1;
                if (elementId == 15) {
                    return -1; // RFC 8285 §4.2: ends the processing
                }
                at++;
            } else {
                if (at + 1 >= end) {
                    return -1;
                }
                elementId = first;
                length = packet.get(at + 1) & 0xff;
                at += 2;
            }
            if (at + length > end) {
                return -1;
            }
            if (elementId == id) {
                return ((long) at << 16) | length;
            }
            at += length;
        }
        return -1;
    }

    /** Where a found element's data begins in the packet's buffer. */
    public static int offset(long element) {
        return (int) (element >>> 16);
    }

    /** How many bytes of data a found element has. */
    public static int length(long element) {
        return (int) (element & 0xffff);
    }
}
