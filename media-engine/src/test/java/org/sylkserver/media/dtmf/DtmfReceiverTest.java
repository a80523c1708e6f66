package org.sylkserver.media.dtmf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.sylkserver.media.RtpHeader;

/** Receiving telephone events (RFC 4733 §2.5.2) at 8 kHz, every event reported exactly once. */
class DtmfReceiverTest {

    private final List<DtmfEvent> reported = new ArrayList<>();
    private final DtmfReceiver receiver = new DtmfReceiver(8000, reported::add);

    private void packet(int sequence, long timestamp, boolean marker, int event, boolean end, int duration) {
        receiver.receive(sequence, timestamp, marker,
                ByteBuffer.wrap(new TelephoneEvent(event, end, false, 10, duration).toBytes()));
    }

    /** Digit '1' pressed for 200 ms at timestamp 1000, sent every 50 ms (our equivalent of RFC 4733 §5). */
    private static final int[][] DIGIT_ONE = {
        // sequence, marker, end, duration
        {100, 1, 0, 400},
        {101, 0, 0, 800},
        {102, 0, 0, 1200},
        {103, 0, 1, 1600},
        {104, 0, 1, 1600},
        {105, 0, 1, 1600},
    };

    private void digitOne(int... skippedSequences) {
        for (int[] p : DIGIT_ONE) {
            if (Arrays.stream(skippedSequences).noneMatch(s -> s == p[0])) {
                packet(p[0], 1000, p[1] == 1, 1, p[2] == 1, p[3]);
            }
        }
    }

    @Test
    void rfc4733Section5_startUpdatesAndThreeEndPacketsReportOneKeyPress() {
        digitOne();
        assertEquals(List.of(new DtmfEvent(1, 1000, 1600, 8000, true)), reported);
        assertEquals(Optional.of('1'), reported.get(0).digit());
        assertEquals(200, reported.get(0).durationMillis());
        assertEquals(DtmfReceiver.State.ENDED, receiver.state());
    }

    @Test
    void rfc4733Section2_5_1_4_reportedOnFirstEndPacketNotOnRetransmissions() {
        for (int i = 0; i < 4; i++) {
            packet(DIGIT_ONE[i][0], 1000, DIGIT_ONE[i][1] == 1, 1, DIGIT_ONE[i][2] == 1, DIGIT_ONE[i][3]);
        }
        assertEquals(1, reported.size());
        packet(104, 1000, false, 1, true, 1600);
        packet(105, 1000, false, 1, true, 1600);
        assertEquals(1, reported.size());
    }

    @Test
    void rfc4733Section2_5_2_lostStartPacketStillStartsTheEvent() {
        digitOne(100);
        assertEquals(List.of(new DtmfEvent(1, 1000, 1600, 8000, true)), reported);
    }

    @Test
    void rfc4733Section2_5_1_4_allEndPacketsLostThenNextDigitEndsThePreviousOne() {
        digitOne(103, 104, 105);
        assertTrue(reported.isEmpty());
        packet(110, 5000, true, 2, false, 400);
        assertEquals(List.of(new DtmfEvent(1, 1000, 1200, 8000, false)), reported);
        packet(111, 5000, false, 2, true, 800);
        packet(112, 5000, false, 2, true, 800);
        packet(113, 5000, false, 2, true, 800);
        assertEquals(List.of(new DtmfEvent(1, 1000, 1200, 8000, false), new DtmfEvent(2, 5000, 800, 8000, true)),
                reported);
    }

    @Test
    void sameDigitTwiceWithTheFirstEndLostIsTwoKeyPresses() {
        digitOne(103, 104, 105);
        packet(106, 9000, true, 1, false, 400);
        packet(107, 9000, false, 1, true, 400);
        assertEquals(List.of(new DtmfEvent(1, 1000, 1200, 8000, false), new DtmfEvent(1, 9000, 400, 8000, true)),
                reported);
    }

    @Test
    void flushReportsAnEventWhoseEndNeverCameOnce() {
        digitOne(103, 104, 105);
        receiver.flush();
        receiver.flush();
        assertEquals(List.of(new DtmfEvent(1, 1000, 1200, 8000, false)), reported);
        packet(103, 1000, false, 1, true, 1600); // a very late end is a retransmission of a reported event
        assertEquals(1, reported.size());
    }

    @Test
    void duplicatedPacketsReportOnce() {
        for (int[] p : DIGIT_ONE) {
            packet(p[0], 1000, p[1] == 1, 1, p[2] == 1, p[3]);
            packet(p[0], 1000, p[1] == 1, 1, p[2] == 1, p[3]);
        }
        assertEquals(List.of(new DtmfEvent(1, 1000, 1600, 8000, true)), reported);
    }

    @Test
    void reorderedUpdatesKeepTheNewestDuration() {
        packet(100, 1000, true, 1, false, 400);
        packet(102, 1000, false, 1, false, 1200);
        packet(101, 1000, false, 1, false, 800); // older, must not shorten the event
        receiver.flush();
        assertEquals(List.of(new DtmfEvent(1, 1000, 1200, 8000, false)), reported);
    }

    @Test
    void lateUpdateOfALongEventIsNotMistakenForADurationWrap() {
        packet(1, 0, true, 5, false, 400);
        packet(3, 0, false, 5, false, 40000);
        packet(2, 0, false, 5, false, 800); // much shorter, but older by sequence number: not a wrap
        packet(4, 0, false, 5, true, 40400);
        assertEquals(List.of(new DtmfEvent(5, 0, 40400, 8000, true)), reported);
    }

    @Test
    void endArrivingBeforeTheLastUpdateReportsTheFullDuration() {
        packet(100, 1000, true, 1, false, 400);
        packet(103, 1000, false, 1, true, 1600);
        packet(102, 1000, false, 1, false, 1200);
        packet(101, 1000, false, 1, false, 800);
        assertEquals(List.of(new DtmfEvent(1, 1000, 1600, 8000, true)), reported);
    }

    @Test
    void lateEndOfThePreviousEventAfterTheNextBeganIsIgnored() {
        digitOne(104, 105);
        packet(110, 5000, true, 2, false, 400);
        packet(105, 1000, false, 1, true, 1600);
        packet(111, 5000, false, 2, true, 800);
        assertEquals(List.of(new DtmfEvent(1, 1000, 1600, 8000, true), new DtmfEvent(2, 5000, 800, 8000, true)),
                reported);
    }

    @Test
    void newEventAcrossTheTimestampWrap() {
        packet(100, 0xffffff00L, true, 4, true, 160);
        packet(101, 0x100, true, 5, true, 160);
        assertEquals(List.of(new DtmfEvent(4, 0xffffff00L, 160, 8000, true), new DtmfEvent(5, 0x100, 160, 8000,
                true)), reported);
    }

    @Test
    void sequenceNumbersWrapWithinAnEvent() {
        packet(65535, 1000, true, 3, false, 400);
        packet(0, 1000, false, 3, false, 800);
        packet(1, 1000, false, 3, true, 1200);
        assertEquals(List.of(new DtmfEvent(3, 1000, 1200, 8000, true)), reported);
    }

    @Test
    void rfc4733Section2_5_2_3_longEventInSegmentsReportedOnceWithTotalDuration() {
        packet(1, 0, true, 5, false, 32000);
        packet(2, 0, false, 5, false, 65535); // segment 1 ends without the E bit
        packet(3, 65535, false, 5, false, 400);
        packet(4, 65535, false, 5, true, 4465);
        packet(5, 65535, false, 5, true, 4465);
        assertEquals(List.of(new DtmfEvent(5, 0, 70000, 8000, true)), reported);
    }

    @Test
    void rfc4733Section2_5_2_3_segmentStillRecognisedWhenItsLastPacketsWereLost() {
        packet(1, 0, true, 5, false, 60000);
        packet(3, 65535, false, 5, true, 800);
        assertEquals(List.of(new DtmfEvent(5, 0, 66335, 8000, true)), reported);
    }

    @Test
    void durationFieldWrappingWithinOneTimestampIsNotANewEvent() {
        packet(1, 0, true, 5, false, 65000);
        packet(2, 0, false, 5, false, 65535);
        packet(3, 0, false, 5, false, 400); // a sender that let the 16-bit duration wrap (§2.5.1.3 asks otherwise)
        packet(4, 0, false, 5, true, 800);
        assertEquals(List.of(new DtmfEvent(5, 0, 65536 + 800, 8000, true)), reported);
    }

    @Test
    void rfc4733Section2_5_2_4_packedEventsEachReported() {
        byte[] payload = new byte[8];
        System.arraycopy(new TelephoneEvent(1, true, false, 10, 800).toBytes(), 0, payload, 0, 4);
        System.arraycopy(new TelephoneEvent(2, false, false, 10, 400).toBytes(), 0, payload, 4, 4);
        receiver.receive(7, 2000, true, ByteBuffer.wrap(payload));
        packet(8, 2800, false, 2, true, 800);
        assertEquals(List.of(new DtmfEvent(1, 2000, 800, 8000, true), new DtmfEvent(2, 2800, 800, 8000, true)),
                reported);
    }

    @Test
    void rfc4733Section3_2_unknownCodesAreReportedAsEventsButNotDigits() {
        packet(1, 400, true, 70, false, 400);
        packet(2, 400, false, 70, true, 800);
        assertEquals(List.of(new DtmfEvent(70, 400, 800, 8000, true)), reported);
        assertEquals(Optional.empty(), reported.get(0).digit());
    }

    @Test
    void rfc4733Section2_3_malformedPayloadRejectedAndStateUnchanged() {
        packet(100, 1000, true, 1, false, 400);
        assertThrows(MalformedTelephoneEventException.class,
                () -> receiver.receive(101, 1000, false, ByteBuffer.wrap(new byte[] {1, 0x0a, 3})));
        assertThrows(MalformedTelephoneEventException.class,
                () -> receiver.receive(101, 1000, false, ByteBuffer.wrap(new byte[] {1, (byte) 0x8a, 3, 0x20, 0})));
        assertEquals(DtmfReceiver.State.ACTIVE, receiver.state());
        packet(101, 1000, false, 1, true, 800);
        assertEquals(List.of(new DtmfEvent(1, 1000, 800, 8000, true)), reported);
    }

    @Test
    void rfc3550Section5_1_wholeRtpPacketThroughItsParsedHeader() {
        // The datagram sits at offset 4 of a larger buffer, followed by bytes that are not part of it.
        ByteBuffer packet = ByteBuffer.allocate(24);
        packet.position(4);
        packet.put((byte) 0x80).put((byte) (0x80 | 101)).putShort((short) 42).putInt(160_000).putInt(0x1234)
                .put(new TelephoneEvent(11, true, false, 10, 1280).toBytes()).put(new byte[] {1, 2, 3, 4});
        packet.position(4).limit(20);
        RtpHeader header = RtpHeader.parse(packet);
        receiver.receive(header, packet);
        assertEquals(List.of(new DtmfEvent(11, 160_000, 1280, 8000, true)), reported);
        assertEquals(Optional.of('#'), reported.get(0).digit());
        assertEquals(4, packet.position());
    }

    /**
     * RFC 4733 §2.3.5: the duration is in units of the payload type's own clock, which need not be the audio's
     * (§2.1): events at 8000 Hz on an Opus (48 kHz) stream last 200 ms, not a sixth of that.
     */
    @Test
    void durationsAreInTheEventsOwnClockRate_rfc4733_s2_3_5() {
        List<DtmfEvent> onOpus = new ArrayList<>();
        DtmfReceiver eightKilohertz = new DtmfReceiver(8000, onOpus::add);
        for (int[] p : DIGIT_ONE) {
            eightKilohertz.receive(p[0], 1000, p[1] == 1,
                    ByteBuffer.wrap(new TelephoneEvent(1, p[2] == 1, false, 10, p[3]).toBytes()));
        }
        assertEquals(200, onOpus.get(0).durationMillis());
        List<DtmfEvent> wideband = new ArrayList<>();
        new DtmfReceiver(48000, wideband::add).receive(1, 0, true,
                ByteBuffer.wrap(new TelephoneEvent(1, true, false, 10, 9600).toBytes()));
        assertEquals(200, wideband.get(0).durationMillis());
    }
}
