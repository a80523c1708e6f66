package org.sylkserver.media;

/**
 * What the media engine allows a peer ({@code [RTP]}, ours), so that one peer cannot take a call's media or the
 * port range.
 *
 * @param latchAnySource    {@code latch_any_source}: symmetric RTP latches to the first packet from anywhere, not
 *                          only to the signalled address or an SRTP-authenticated source ({@link RtpEndpoint#signalled})
 * @param maxStreamsPerCall {@code max_streams_per_call}: the port pairs one call (one offer) may open; an offer with
 *                          more media lines is refused (0: no limit)
 * @param maxStreamsPerAddress {@code max_streams_per_address}: streams open at once whose peer's media address (from
 *                          its SDP) is one IP address; one more is refused, so that one peer calling in a loop
 *                          cannot take the port range (0: no limit; behind a media relay every peer has its address)
 */
public record RtpPolicy(boolean latchAnySource, int maxStreamsPerCall, int maxStreamsPerAddress) {

    /** The defaults: latching only to trusted sources, 8 streams per call, 100 per peer address. */
    public static final RtpPolicy DEFAULTS = new RtpPolicy(false, 8, 100);
    /** Latching to any source, no stream limits: for tests whose peers are not signalled. */
    public static final RtpPolicy OPEN = new RtpPolicy(true, 0, 0);
}
