package org.sylkserver.media.dtmf;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Produces the telephone-event packets of one key press (RFC 4733 §2.5.1, sender procedures): the first with the
 * marker bit, an update every packetization interval carrying the duration so far, and the final packet with the E
 * bit sent three times (§2.5.1.4). Events longer than a 16-bit duration can express are split into segments
 * (§2.5.1.3).
 *
 * <p>Immutable and thread-safe.
 */
public final class DtmfSender {

    /** Update interval RFC 4733 §2.5.1.2 recommends for DTMF. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(50);

    /** Power level used when none is given: -10 dBm0, a usual level for DTMF tones (RFC 4733 §2.3.4). */
    public static final int DEFAULT_VOLUME = 10;

    /** How many times the final packet is sent (RFC 4733 §2.5.1.4). */
    static final int END_PACKETS = 3;

    private final int clockRate;
    private final long intervalSamples;

    /** A sender with the {@link #DEFAULT_INTERVAL} of 50 ms. */
    public DtmfSender(int clockRate) {
        this(clockRate, DEFAULT_INTERVAL);
    }

    /**
     * @param clockRate RTP clock rate of the telephone-event payload type (its rtpmap, usually 8000 Hz)
     * @param interval  time between update packets
     */
    public DtmfSender(int clockRate, Duration interval) {
        if (clockRate <= 0) {
            throw new IllegalArgumentException("clock rate must be positive: " + clockRate);
        }
        this.clockRate = clockRate;
        this.intervalSamples = toSamples(interval);
        if (intervalSamples <= 0 || intervalSamples > TelephoneEvent.MAX_DURATION) {
            throw new IllegalArgumentException("packetization interval " + interval + " at " + clockRate
                    + " Hz must be between one sample and 65535 samples");
        }
    }

    /** The packets of a DTMF key ('0'-'9', '*', '#', 'A'-'D', '!' for flash) pressed for {@code duration}. */
    public List<TelephoneEventPacket> packets(char digit, Duration duration) {
        return packets(TelephoneEvent.codeOf(digit), duration, DEFAULT_VOLUME);
    }

    /**
     * The packets of any telephone event, in the order to send them.
     *
     * @param event    event code, 0-255 (RFC 4733 §2.3.1)
     * @param duration how long the event lasts, at least one sample
     * @param volume   power level in -dBm0, 0-63 (RFC 4733 §2.3.4)
     */
    public List<TelephoneEventPacket> packets(int event, Duration duration, int volume) {
        long total = toSamples(duration);
        if (total <= 0) {
            throw new IllegalArgumentException("event duration " + duration + " is shorter than one sample at "
                    + clockRate + " Hz");
        }
        List<TelephoneEventPacket> packets = new ArrayList<>();
        for (long segmentStart = 0; segmentStart < total; segmentStart += TelephoneEvent.MAX_DURATION) {
            int segmentLength = (int) Math.min(TelephoneEvent.MAX_DURATION, total - segmentStart);
            for (long elapsed = intervalSamples; elapsed < segmentLength; elapsed += intervalSamples) {
                packets.add(packet(event, packets.isEmpty(), false, volume, segmentStart, (int) elapsed,
                        segmentStart + elapsed));
            }
            boolean last = segmentStart + segmentLength == total;
            if (last) {
                for (int copy = 0; copy < END_PACKETS; copy++) {
                    packets.add(packet(event, packets.isEmpty(), true, volume, segmentStart, segmentLength,
                            segmentStart + segmentLength + copy * intervalSamples));
                }
            } else {
                // The end of a segment other than the last is not retransmitted: the next segment's packets,
                // whose timestamp is this segment's start plus 65535, tell the receiver how long it was (§2.5.2.3).
                packets.add(packet(event, packets.isEmpty(), false, volume, segmentStart, segmentLength,
                        segmentStart + segmentLength));
            }
        }
        return packets;
    }

    /** One packet; {@code marker} only for the event's very first (§2.5.1.2), later segments start without it. */
    private TelephoneEventPacket packet(int event, boolean marker, boolean end, int volume, long segmentStart,
                                        int duration, long sendAt) {
        byte[] payload = new TelephoneEvent(event, end, false, volume, duration).toBytes();
        return new TelephoneEventPacket(payload, marker, segmentStart, duration, end,
                Duration.ofNanos(sendAt * 1_000_000_000L / clockRate));
    }

    private long toSamples(Duration duration) {
        try {
            return Math.multiplyExact(duration.toNanos(), clockRate) / 1_000_000_000L;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("duration " + duration + " is too long for a telephone event", e);
        }
    }
}
