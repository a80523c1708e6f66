package org.sylkserver.media;

/**
 * What the media engine allows a peer ({@code [RTP]}, ours), so that one peer cannot take a call's media or the
 * port range.
 *
 * @param latchAnySource    {@code latch_any_source}: symmetric RTP latches to the first packet from anywhere, not
 *                          only to the signalled address or an SRTP-authenticated source ({@link RtpEndpoint#signalled})
 * @param maxStreamsPerCall {@code max_streams_per_call}: the port pairs one call (one offer) may open; an offer with
 *                          more media lines is refused (0: no limit)
 */
public record RtpPolicy(boolean latchAnySource, int maxStreamsPerCall) {

    /** The defaults: latching only to trusted sources, 8 streams per call. */
    public static final RtpPolicy DEFAULTS = new RtpPolicy(false, 8);
    /** Latching to any source, no stream limit: for tests whose peers are not signalled. */
    public static final RtpPolicy OPEN = new RtpPolicy(true, 0);
}
