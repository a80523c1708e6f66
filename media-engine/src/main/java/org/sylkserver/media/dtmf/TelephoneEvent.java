package org.sylkserver.media.dtmf;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One named telephone event as carried in an RTP "telephone-event" payload (RFC 4733 §2.3):
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     event     |E|R| volume    |          duration             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @param event    event code (§2.3.1), 0-255; the DTMF codes are those of §3.2, see {@link #digit()}
 * @param end      E bit (§2.3.2): this packet reports the end of the event
 * @param reserved R bit (§2.3.3): sent as zero, ignored on receipt, kept here so parsing is lossless
 * @param volume   power level (§2.3.4) in -dBm0, 0-63
 * @param duration duration so far (§2.3.5) in RTP timestamp units, 0-65535
 */
record TelephoneEvent(int event, boolean end, boolean reserved, int volume, int duration) {

    /** Bytes of one event in the payload (§2.3). */
    public static final int LENGTH = 4;

    /** Largest duration one packet can express (§2.3.5); longer events are split into segments (§2.5.1.3). */
    public static final int MAX_DURATION = 0xFFFF;

    /** Event code of the hook flash (RFC 4733 §3.2, Table 7). */
    public static final int FLASH = 16;

    /** §3.2 Table 7: codes 0-15 in order, then the flash, written '!' as in SIP INFO dtmf-relay bodies. */
    private static final String DTMF_CHARACTERS = "0123456789*#ABCD!";

    public TelephoneEvent {
        if (event < 0 || event > 255) {
            throw new IllegalArgumentException("telephone-event code " + event + " is outside 0-255 (RFC 4733 §2.3.1)");
        }
        if (volume < 0 || volume > 63) {
            throw new IllegalArgumentException("telephone-event volume " + volume + " is outside 0-63 (RFC 4733 §2.3.4)");
        }
        if (duration < 0 || duration > MAX_DURATION) {
            throw new IllegalArgumentException(
                    "telephone-event duration " + duration + " is outside 0-65535 (RFC 4733 §2.3.5)");
        }
    }

    /**
     * Parses a telephone-event payload between {@code payload.position()} and its limit, leaving the position
     * unchanged. A payload may pack several consecutive events (RFC 4733 §2.5.1.5), so its length must be a
     * non-zero multiple of {@value #LENGTH}.
     *
     * @return the events in payload order
     * @throws MalformedTelephoneEventException if the length is not a non-zero multiple of 4
     */
    public static List<TelephoneEvent> parse(ByteBuffer payload) {
        int start = payload.position();
        int length = payload.remaining();
        if (length == 0 || length % LENGTH != 0) {
            throw new MalformedTelephoneEventException("telephone-event payload of " + length
                    + " bytes: must be a non-zero multiple of 4 bytes (RFC 4733 §2.3)");
        }
        List<TelephoneEvent> events = new ArrayList<>(length / LENGTH);
        for (int offset = start; offset < start + length; offset += LENGTH) {
            int flags = payload.get(offset + 1) & 0xff;
            events.add(new TelephoneEvent(payload.get(offset) & 0xff, (flags & 0x80) != 0, (flags & 0x40) != 0,
                    flags & 0x3f, payload.getShort(offset + 2) & 0xffff));
        }
        return events;
    }

    /** The 4-byte payload of this event (RFC 4733 §2.3). */
    public byte[] toBytes() {
        int flags = (end ? 0x80 : 0) | (reserved ? 0x40 : 0) | volume;
        return new byte[] {(byte) event, (byte) flags, (byte) (duration >> 8), (byte) duration};
    }

    /** The DTMF character of this event's code, empty if it is not a DTMF event (RFC 4733 §3.2). */
    public Optional<Character> digit() {
        return digitOf(event);
    }

    /** The DTMF character ('0'-'9', '*', '#', 'A'-'D', '!' for flash) of an event code (RFC 4733 §3.2). */
    public static Optional<Character> digitOf(int event) {
        return event >= 0 && event < DTMF_CHARACTERS.length()
                ? Optional.of(DTMF_CHARACTERS.charAt(event)) : Optional.empty();
    }

    /**
     * The event code of a DTMF character (RFC 4733 §3.2); 'a'-'d' are accepted for 'A'-'D'.
     *
     * @throws IllegalArgumentException if the character is not a DTMF key or '!' (flash)
     */
    public static int codeOf(char digit) {
        int code = DTMF_CHARACTERS.indexOf(Character.toUpperCase(digit));
        if (code < 0) {
            throw new IllegalArgumentException("'" + digit + "' is not a DTMF key (RFC 4733 §3.2: 0-9 * # A-D, ! for flash)");
        }
        return code;
    }
}
