package org.sylkserver.media.dtmf;

import java.time.Duration;
import java.util.Optional;

/**
 * A telephone event that has ended, as reported once by {@link DtmfReceiver}.
 *
 * @param event            event code (RFC 4733 §2.3.1)
 * @param timestamp        RTP timestamp of the event's start (of its first segment, RFC 4733 §2.5.1.3)
 * @param durationSamples  total duration in RTP timestamp units, all segments together
 * @param clockRate        RTP clock rate of the telephone-event payload type, in Hz
 * @param endReceived      whether a packet with the E bit was seen; false when the end was inferred (all end
 *                         packets lost and a new event began, or {@link DtmfReceiver#flush()})
 */
public record DtmfEvent(int event, long timestamp, long durationSamples, int clockRate, boolean endReceived) {

    /** The DTMF key ('0'-'9', '*', '#', 'A'-'D', '!' for flash), empty for other events (RFC 4733 §3.2). */
    public Optional<Character> digit() {
        return TelephoneEvent.digitOf(event);
    }

    /** How long the event lasted. */
    public Duration duration() {
        return Duration.ofNanos(durationSamples * 1_000_000_000L / clockRate);
    }

    /** How long the event lasted, in whole milliseconds. */
    public long durationMillis() {
        return durationSamples * 1000 / clockRate;
    }
}
