package org.sylkserver.media;

import java.nio.ByteBuffer;

/**
 * Reads the client-to-mixer audio level (RFC 6464) from an RTP header extension in the one-byte (profile
 * {@code 0xBEDE}) or two-byte ({@code 0x100x}) format of RFC 8285 §4.2 / §4.3: the element with the negotiated
 * identifier carries one byte, the voice-activity flag in its top bit and the level (0 loudest to 127, -dBov) in
 * the other seven (RFC 6464 §3).
 */
public final class AudioLevelExtension {

    /** The extension's URI in {@code a=extmap} (RFC 6464 §4). */
    public static final String URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

    private AudioLevelExtension() {
    }

    /**
     * The level in {@code packet} (positioned at the start of the RTP packet), or -1 when the packet has no
     * extension, no element {@code id}, or a malformed extension block.
     */
    public static int read(ByteBuffer packet, RtpHeader header, int id) {
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
                at++;
                continue;
            }
            int elementId;
            int length;
            if (oneByte) {
                elementId = first >> 4;
                length = (first & 0x0f) + 1;
                if (elementId == 15) {
                    return -1;
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
            if (elementId == id && length >= 1) {
                return packet.get(at) & 0x7f;
            }
            at += length;
        }
        return -1;
    }
}
