package org.sylkserver.media.dtmf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Sending telephone events (RFC 4733 §2.5.1), checked against the receiver of RFC 4733 §2.5.2. */
class DtmfSenderTest {

    private static List<TelephoneEvent> payloads(List<TelephoneEventPacket> packets) {
        List<TelephoneEvent> events = new ArrayList<>();
        for (TelephoneEventPacket p : packets) {
            List<TelephoneEvent> parsed = TelephoneEvent.parse(ByteBuffer.wrap(p.payload()));
            assertEquals(1, parsed.size());
            assertEquals(p.duration(), parsed.get(0).duration());
            assertEquals(p.end(), parsed.get(0).end());
            events.add(parsed.get(0));
        }
        return events;
    }

    @Test
    void rfc4733Section2_5_1_markerFirstUpdatesEvery50msThreeEndPackets() {
        List<TelephoneEventPacket> packets = new DtmfSender(8000).packets('1', Duration.ofMillis(200));
        assertEquals(List.of(new TelephoneEvent(1, false, false, 10, 400), new TelephoneEvent(1, false, false, 10, 800),
                new TelephoneEvent(1, false, false, 10, 1200), new TelephoneEvent(1, true, false, 10, 1600),
                new TelephoneEvent(1, true, false, 10, 1600), new TelephoneEvent(1, true, false, 10, 1600)),
                payloads(packets));
        assertTrue(packets.get(0).marker());
        assertTrue(packets.stream().skip(1).noneMatch(TelephoneEventPacket::marker));
        assertTrue(packets.stream().allMatch(p -> p.timestampOffset() == 0));
        assertEquals(List.of(50L, 100L, 150L, 200L, 250L, 300L),
                packets.stream().map(p -> p.sendOffset().toMillis()).toList());
    }

    @Test
    void eventShorterThanOneIntervalIsJustItsEndPackets() {
        List<TelephoneEventPacket> packets = new DtmfSender(8000, Duration.ofMillis(20)).packets('#',
                Duration.ofMillis(10));
        assertEquals(3, packets.size());
        assertTrue(packets.get(0).marker());
        assertTrue(packets.stream().allMatch(p -> p.end() && p.duration() == 80));
    }

    @Test
    void roundTripEveryDigitThroughTheReceiver() {
        DtmfSender sender = new DtmfSender(8000);
        List<DtmfEvent> reported = new ArrayList<>();
        DtmfReceiver receiver = new DtmfReceiver(8000, reported::add);
        int sequence = 65000; // crosses the 16-bit wrap on the way
        long timestamp = 0xfffff000L; // and the 32-bit one
        String keys = "0123456789*#ABCD!";
        for (char key : keys.toCharArray()) {
            for (TelephoneEventPacket p : sender.packets(key, Duration.ofMillis(120))) {
                receiver.receive(sequence++ & 0xffff, (timestamp + p.timestampOffset()) & 0xffffffffL, p.marker(),
                        ByteBuffer.wrap(p.payload()));
            }
            timestamp += 8000;
        }
        assertEquals(keys.length(), reported.size());
        for (int i = 0; i < keys.length(); i++) {
            assertEquals(Optional.of(keys.charAt(i)), reported.get(i).digit());
            assertEquals(120, reported.get(i).durationMillis());
            assertTrue(reported.get(i).endReceived());
        }
    }

    @Test
    void rfc4733Section2_5_1_3_longEventSplitIntoSegmentsAndReassembled() {
        List<TelephoneEventPacket> packets = new DtmfSender(48000).packets('5', Duration.ofSeconds(3));
        // 144000 samples: segments of 65535, 65535 and 12930
        assertEquals(List.of(0L, 65535L, 131070L),
                packets.stream().map(TelephoneEventPacket::timestampOffset).distinct().toList());
        assertTrue(packets.stream().filter(TelephoneEventPacket::end).allMatch(p -> p.timestampOffset() == 131070));
        assertEquals(3, packets.stream().filter(TelephoneEventPacket::end).count());
        assertEquals(1, packets.stream().filter(TelephoneEventPacket::marker).count());
        assertFalse(packets.stream().anyMatch(p -> p.duration() > TelephoneEvent.MAX_DURATION));

        List<DtmfEvent> reported = new ArrayList<>();
        DtmfReceiver receiver = new DtmfReceiver(48000, reported::add);
        int sequence = 0;
        for (TelephoneEventPacket p : packets) {
            receiver.receive(sequence++, 5000 + p.timestampOffset(), p.marker(), ByteBuffer.wrap(p.payload()));
        }
        assertEquals(List.of(new DtmfEvent(5, 5000, 144000, 48000, true)), reported);
        assertEquals(Duration.ofSeconds(3), reported.get(0).duration());
    }

    @Test
    void badArgumentsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new DtmfSender(0));
        assertThrows(IllegalArgumentException.class, () -> new DtmfSender(8000, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new DtmfSender(8000, Duration.ofSeconds(10)));
        DtmfSender sender = new DtmfSender(8000);
        assertThrows(IllegalArgumentException.class, () -> sender.packets('x', Duration.ofMillis(100)));
        assertThrows(IllegalArgumentException.class, () -> sender.packets('1', Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> sender.packets(256, Duration.ofMillis(100), 10));
        assertThrows(IllegalArgumentException.class, () -> sender.packets(1, Duration.ofMillis(100), 64));
    }
}
