package org.sylkserver.media;

/**
 * Counters of one media endpoint, as a snapshot.
 *
 * @param rtpPacketsIn   valid RTP packets received from the latched source
 * @param rtpBytesIn     their size in bytes (whole datagrams)
 * @param rtpPacketsOut  RTP packets sent
 * @param rtpBytesOut    their size in bytes
 * @param rtcpPacketsIn  valid RTCP packets received from the latched source (own port or multiplexed)
 * @param rtcpPacketsOut RTCP packets sent
 * @param invalidPackets datagrams dropped as neither valid RTP nor valid RTCP (wrong version, truncated)
 * @param foreignPackets valid packets dropped because they came from another source than the latched one
 */
record EndpointStats(long rtpPacketsIn, long rtpBytesIn, long rtpPacketsOut, long rtpBytesOut,
                            long rtcpPacketsIn, long rtcpPacketsOut, long invalidPackets, long foreignPackets) {
}
