package org.sylkserver.media.recording;

/**
 * What a recording keeps of one RTP packet (RFC 3550 §5.1): a copy taken on the forwarding thread.
 *
 * @param ssrc      synchronization source
 * @param sequence  sequence number
 * @param timestamp RTP timestamp
 * @param marker    M bit (end of a video frame)
 * @param payload   the payload, without padding
 * @param arrival   when it arrived, in milliseconds since the epoch (names the file it starts)
 */
record RtpPayload(long ssrc, int sequence, long timestamp, boolean marker, byte[] payload, long arrival) {
}
