package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;
import org.sylkserver.media.rtcp.TransportFeedback;

/**
 * {@link ArrivalFeedback}: the transport-wide feedback a publisher's browser gets about its packets
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).
 */
class ArrivalFeedbackTest {

    private static final long MS = 1_000_000L;
    private static final long NOT = TransportFeedback.NOT_RECEIVED;
    private static final long EPOCH = 5_000 * MS;

    private static TransportFeedback parsed(ByteBuffer message) {
        assertNotNull(message, "a feedback is due");
        return TransportFeedback.parse(message).get(0);
    }

    /**
     * Every 100 ms a message from the packet after the last one reported to the newest (§3.1), a gap reported as not
     * received (§3.1.1), arrivals in µs since the first; the next message goes on where this one ended, the feedback
     * count one more.
     */
    @Test
    void reportsEveryPacketOnceWithItsArrival_3_1() {
        ArrivalFeedback feedback = new ArrivalFeedback(42, EPOCH);
        assertNull(feedback.received(65534, 7, EPOCH));
        assertNull(feedback.received(65535, 7, EPOCH + 20 * MS));
        assertNull(feedback.received(1, 7, EPOCH + 40 * MS), "0 lost, across the wrap");
        TransportFeedback first = parsed(feedback.received(2, 7, EPOCH + 100 * MS));
        assertEquals(42, first.senderSsrc());
        assertEquals(7, first.mediaSsrc());
        assertEquals(65534, first.baseSequence());
        assertArrayEquals(new long[]{0, 20_000, NOT, 40_000, 100_000}, first.arrivalMicros());
        assertEquals(0, first.feedbackCount());

        assertNull(feedback.received(3, 7, EPOCH + 150 * MS));
        assertNull(feedback.received(0, 7, EPOCH + 160 * MS), "late, after its report: not again");
        TransportFeedback second = parsed(feedback.received(5, 7, EPOCH + 200 * MS));
        assertEquals(3, second.baseSequence());
        assertArrayEquals(new long[]{150_000, NOT, 200_000}, second.arrivalMicros());
        assertEquals(1, second.feedbackCount());
    }

    /** Bounded: a jump of more than {@link ArrivalFeedback#MAX_SPAN} numbers reports what is pending and restarts. */
    @Test
    void aJumpAheadStartsAfresh() {
        ArrivalFeedback feedback = new ArrivalFeedback(42, EPOCH);
        feedback.received(100, 7, EPOCH);
        TransportFeedback pending = parsed(feedback.received(100 + ArrivalFeedback.MAX_SPAN + 5, 7, EPOCH + MS));
        assertEquals(100, pending.baseSequence());
        assertEquals(1, pending.statusCount());
        TransportFeedback next = parsed(feedback.received(100 + ArrivalFeedback.MAX_SPAN + 6, 7, EPOCH + 200 * MS));
        assertEquals(100 + ArrivalFeedback.MAX_SPAN + 5, next.baseSequence());
        assertEquals(2, next.statusCount());
    }

    /**
     * A stream paused for longer than a receive delta reaches (§3.1.5: ±8191.75 ms): what was pending goes out before
     * the new packet is added, so no message holds two arrivals that far apart.
     */
    @Test
    void aPauseSendsWhatIsPendingFirst_3_1_5() {
        ArrivalFeedback feedback = new ArrivalFeedback(42, EPOCH);
        parsed(feedback.received(1, 7, EPOCH + 200 * MS));
        assertNull(feedback.received(2, 7, EPOCH + 210 * MS));
        TransportFeedback pending = parsed(feedback.received(3, 7, EPOCH + 20_000 * MS));
        assertArrayEquals(new long[]{210_000}, pending.arrivalMicros());
        TransportFeedback next = parsed(feedback.received(4, 7, EPOCH + 20_100 * MS));
        assertArrayEquals(new long[]{20_000_000, 20_100_000}, next.arrivalMicros());
    }
}
