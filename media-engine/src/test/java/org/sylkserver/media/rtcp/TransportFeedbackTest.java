package org.sylkserver.media.rtcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * {@link TransportFeedback}: the transport-wide congestion control feedback message of
 * draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1, byte for byte.
 */
class TransportFeedbackTest {

    private static final long NOT = TransportFeedback.NOT_RECEIVED;

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    /**
     * §3.1: the header (RTPFB, FMT 15), base sequence number, status count, a 24-bit reference time in 64 ms units
     * and the feedback count; §3.1.3: a run of twenty "received, small delta" in one run-length chunk (T=0, S=01,
     * run 20); §3.1.5: the first delta from the reference time, the next ones from the previous arrival, in 250 µs.
     */
    @Test
    void aRunOfSmallDeltasIsOneRunLengthChunk_3_1_3() {
        long[] arrivals = new long[20];
        for (int i = 0; i < arrivals.length; i++) {
            arrivals[i] = 1_000_000 + 1_000L * i; // 1 s, then every ms
        }
        byte[] message = bytes(TransportFeedback.encode(0x11223344L, 0x55667788L, 300, 7, arrivals));
        ByteBuffer in = ByteBuffer.wrap(message);
        assertEquals(0x80 | 15, message[0] & 0xff, "V=2, P=0, FMT=15");
        assertEquals(205, message[1] & 0xff, "RTPFB");
        assertEquals(message.length / 4 - 1, in.getShort(2), "length in words minus one");
        assertEquals(0x11223344, in.getInt(4));
        assertEquals(0x55667788, in.getInt(8));
        assertEquals(300, in.getShort(12));
        assertEquals(20, in.getShort(14));
        assertEquals(15, in.getInt(16) >>> 8, "reference time: 1 s is 15 units of 64 ms and 40 ms");
        assertEquals(7, message[19]);
        assertEquals(0x2014, in.getShort(20) & 0xffff, "run-length chunk: T=0, S=01 (small delta), run 20");
        assertEquals(160, message[22] & 0xff, "first delta: 40 ms after the reference time, in 250 µs");
        for (int i = 1; i < 20; i++) {
            assertEquals(4, message[22 + i], "1 ms in 250 µs");
        }
        assertEquals(44, message.length, "20 + one chunk + 20 deltas, padded to 32 bits");
        assertEquals(0, message[42]);
        assertEquals(0, message[43]);

        TransportFeedback parsed = TransportFeedback.parse(in).get(0);
        assertEquals(300, parsed.baseSequence());
        assertEquals(15, parsed.referenceTime());
        assertEquals(7, parsed.feedbackCount());
        assertArrayEquals(arrivals, parsed.arrivalMicros());
    }

    /**
     * §3.1.4: a status vector chunk of fourteen 1-bit symbols (S=0) where packets are lost among small deltas; its
     * symbols past the packet status count are zero and ignored.
     */
    @Test
    void lossesAmongSmallDeltasAreAOneBitVector_3_1_4() {
        long[] arrivals = {64_000, NOT, 66_000, NOT, NOT, 70_000};
        byte[] message = bytes(TransportFeedback.encode(1, 2, 10, 0, arrivals));
        ByteBuffer in = ByteBuffer.wrap(message);
        assertEquals(1, in.getInt(16) >>> 8);
        // T=1, S=0, symbols 1 0 1 0 0 1 then zeros: 1 0 101001 00000000
        assertEquals(0b1010_1001_0000_0000, in.getShort(20) & 0xffff);
        assertEquals(0, message[22], "first: at the reference time");
        assertEquals(8, message[23], "2 ms");
        assertEquals(16, message[24], "4 ms");
        assertArrayEquals(arrivals, TransportFeedback.parse(in).get(0).arrivalMicros());
    }

    /**
     * §3.1.4 and §3.1.5: a large delta (over 63.75 ms) or a negative one (a packet that arrived before the one sent
     * before it) is a 2-byte signed delta, symbol 10, in a vector of seven 2-bit symbols (S=1).
     */
    @Test
    void largeAndNegativeDeltasAreTwoBitSymbols_3_1_5() {
        long[] arrivals = {128_000, 228_000, 227_000, NOT, 228_250};
        byte[] message = bytes(TransportFeedback.encode(1, 2, 0, 0, arrivals));
        ByteBuffer in = ByteBuffer.wrap(message);
        // T=1, S=1, symbols 01 10 10 00 01 00 00
        assertEquals(0b11_01_10_10_00_01_00_00, in.getShort(20) & 0xffff);
        assertEquals(0, message[22]);
        assertEquals(400, in.getShort(23), "100 ms, two bytes");
        assertEquals(-4, in.getShort(25), "1 ms earlier, negative");
        assertEquals(5, message[27], "1.25 ms after the previous received one");
        assertArrayEquals(arrivals, TransportFeedback.parse(in).get(0).arrivalMicros());
    }

    /** §3.1: the base sequence number wraps (16 bits); the reference time is 24 bits (it wraps too). */
    @Test
    void sequenceNumbersAndReferenceTimeWrap_3_1() {
        long reference = (1L << 24) - 1; // the last value before the wrap
        long[] arrivals = {reference * 64_000, reference * 64_000 + 500, reference * 64_000 + 1000};
        byte[] message = bytes(TransportFeedback.encode(1, 2, 65535, 255, arrivals));
        TransportFeedback parsed = TransportFeedback.parse(ByteBuffer.wrap(message)).get(0);
        assertEquals(65535, parsed.baseSequence());
        assertEquals(0xffffff, parsed.referenceTime());
        assertEquals(255, parsed.feedbackCount());
        assertArrayEquals(arrivals, parsed.arrivalMicros());

        long[] wrapped = {(1L << 24) * 64_000 + 2_000};
        ByteBuffer next = TransportFeedback.encode(1, 2, 2, 0, wrapped);
        assertEquals(0, next.getInt(16) >>> 8, "the reference time is taken modulo 2^24");
        assertEquals(2_000, TransportFeedback.parse(next).get(0).arrivalMicros()[0]);
    }

    /** A message as a receiver sends it: a run of lost packets (S=00), then a 2-bit vector, in a compound with an RR. */
    @Test
    void readsAMessageInACompound() {
        byte[] message = HexFormat.of().parseHex(
                "8fcd0006" + "00000001" + "00000002"   // RTPFB FMT 15, 7 words
                        + "fffe0012" + "00004203"       // base 65534, 18 packets; reference 66, count 3
                        + "0010" + "e400"               // run of 16 not received; vector 2-bit: 10 01 00 ...
                        + "ff9c" + "08" + "00");        // -100 (-25 ms), +8 (2 ms), padding
        ByteBuffer compound = RtcpPackets.concat(ByteBuffer.wrap(HexFormat.of().parseHex("80c90001" + "00000001")), ByteBuffer.wrap(message));
        List<TransportFeedback> parsed = TransportFeedback.parse(compound);
        assertEquals(1, parsed.size());
        TransportFeedback feedback = parsed.get(0);
        assertEquals(65534, feedback.baseSequence());
        assertEquals(18, feedback.statusCount());
        assertEquals(3, feedback.feedbackCount());
        long[] expected = new long[18];
        Arrays.fill(expected, NOT);
        expected[16] = 66 * 64_000 - 25_000;
        expected[17] = 66 * 64_000 - 25_000 + 2_000;
        assertArrayEquals(expected, feedback.arrivalMicros());
    }

    /** Bad input is skipped, never thrown: a truncated message, the reserved symbol 11 (§3.1.1), no status. */
    @Test
    void malformedMessagesAreLeftOut() {
        byte[] good = bytes(TransportFeedback.encode(1, 2, 0, 0, new long[]{64_000, 65_000}));
        byte[] truncated = Arrays.copyOf(good, 20);
        truncated[3] = 4;
        assertTrue(TransportFeedback.parse(ByteBuffer.wrap(truncated)).isEmpty(), "chunks past the length");
        byte[] reserved = good.clone();
        reserved[20] = (byte) 0xf0; // 2-bit vector starting with 11
        assertTrue(TransportFeedback.parse(ByteBuffer.wrap(reserved)).isEmpty(), "reserved symbol");
        byte[] noStatus = good.clone();
        noStatus[14] = 0;
        noStatus[15] = 0;
        assertTrue(TransportFeedback.parse(ByteBuffer.wrap(noStatus)).isEmpty());
        byte[] longer = good.clone();
        longer[3] = 100; // the length field says more than the datagram has
        assertTrue(TransportFeedback.parse(ByteBuffer.wrap(longer)).isEmpty());
        assertThrows(IllegalArgumentException.class,
                () -> TransportFeedback.encode(1, 2, 0, 0, new long[]{NOT, NOT}), "nothing received");
        assertThrows(IllegalArgumentException.class,
                () -> TransportFeedback.encode(1, 2, 0, 0, new long[]{0, 9_000_000}), "a 9 s delta");
    }
}
