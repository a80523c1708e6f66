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
        long element = HeaderExtension.find(packet, header, id);
        return element < 0 || HeaderExtension.length(element) < 1 ? -1
                : packet.get(HeaderExtension.offset(element)) & 0x7f;
    }
}
