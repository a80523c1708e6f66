package org.sylkserver.media.dtmf;

import java.time.Duration;

/**
 * One RTP packet of a telephone event to send, without its RTP header: the caller writes that header with the
 * stream's next sequence number, the telephone-event payload type, this marker bit and the timestamp
 * {@code eventTimestamp + timestampOffset}.
 *
 * @param payload         the RFC 4733 §2.3 payload (4 bytes; arrays compare by identity in {@code equals})
 * @param marker          RTP marker bit: set on the first packet of the event only (RFC 4733 §2.5.1.2)
 * @param timestampOffset RTP timestamp relative to the event's start: 0, or the start of a later segment of a
 *                        long event (RFC 4733 §2.5.1.3)
 * @param duration        the payload's duration field, in RTP timestamp units
 * @param end             the payload's E bit
 * @param sendOffset      when to send the packet, relative to the event's start
 */
public record TelephoneEventPacket(byte[] payload, boolean marker, long timestampOffset, int duration, boolean end,
                                   Duration sendOffset) {
}
