package org.sylkserver.media.rtcp;

/**
 * One reception report block of an RTCP SR or RR (RFC 3550 §6.4.1).
 *
 * @param ssrc                  the source reported on
 * @param fractionLost          packets lost since the previous report, as a fraction of 256
 * @param cumulativeLost        packets lost since the start (signed 24 bits; negative with duplicates)
 * @param extendedHighestSeq    cycles (high 16 bits) and highest sequence number received (low 16 bits)
 * @param jitter                interarrival jitter, in RTP timestamp units
 * @param lastSenderReport      middle 32 bits of the NTP timestamp of the last SR received from the source, or 0
 * @param delaySinceLastReport  time since that SR, in units of 1/65536 s, or 0
 */
public record ReportBlock(long ssrc, int fractionLost, int cumulativeLost, long extendedHighestSeq, long jitter,
                          long lastSenderReport, long delaySinceLastReport) {
}
