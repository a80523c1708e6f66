package org.sylkserver.media.jitter;

/**
 * Counters and estimates of one {@link JitterBuffer}, as of the moment {@link JitterBuffer#stats()} was called.
 *
 * @param received          RTP packets offered, duplicates and late ones included
 * @param lost              sequence numbers that had not arrived when their turn came, so a {@link PlayoutFrame#MISSING}
 *                          was played in their place (one that turns up afterwards is also counted as late)
 * @param late              packets dropped because they arrived after their turn had passed
 * @param duplicate         packets dropped because the same sequence number was already received
 * @param discarded         packets dropped by the buffer itself: to shorten the delay, because the source changed
 *                          (SSRC change, sequence jump) or because a sequence jump was not yet confirmed
 * @param delayMillis       current playout delay (0 before playout starts)
 * @param targetDelayMillis delay the buffer steers towards, from the jitter estimate
 * @param jitterMillis      interarrival jitter estimate (RFC 3550 §6.4.1), in milliseconds
 */
record JitterStats(long received, long lost, long late, long duplicate, long discarded, double delayMillis,
                          double targetDelayMillis, double jitterMillis) {
}
