package org.sylkserver.media.jitter;

import org.sylkserver.media.RtpHeader;

/**
 * What a {@link JitterBuffer} hands its owner for one 20 ms mixer tick: either a received packet or the
 * {@link #MISSING} marker, which asks the caller to conceal (packet loss concealment, or fading out when the sender
 * went quiet without saying so).
 *
 * @param header  RTP header of the packet, {@code null} for {@link #MISSING}
 * @param payload payload of the packet as offered (not copied), {@code null} for {@link #MISSING}
 */
public record PlayoutFrame(RtpHeader header, byte[] payload) {

    /** Nothing arrived in time for this tick; the caller conceals. */
    public static final PlayoutFrame MISSING = new PlayoutFrame(null, null);

    /**
     * A {@link #MISSING} frame known to be lost (later packets are here), as against a stream that paused: the caller
     * conceals it (packet loss concealment) rather than playing silence. Tell it apart by identity ({@code ==}).
     */
    public static final PlayoutFrame LOST = new PlayoutFrame(null, null);

    /** Whether this is the {@link #MISSING} marker rather than a packet. */
    public boolean isMissing() {
        return header == null;
    }
}
