package org.sylkserver.media.jitter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.sylkserver.media.RtpHeader;

/** Adaptive playout of one participant's audio (RFC 3550 §5.1, §6.4.1, Appendix A.1 and A.8). */
class JitterBufferTest {

    private static final long MS = 1_000_000L;
    /** Arbitrary origin for the nanoTime clock, far from zero as in practice. */
    private static final long T0 = 123_456_789_000L;
    private static final int RATE = 8000;
    private static final int FRAME_SAMPLES = 160;
    private static final long SSRC = 0x1234_5678L;

    /** Packets waiting to arrive, and what each tick played. */
    private static final class Simulation {
        final JitterBuffer buffer;
        final List<long[]> pending = new ArrayList<>(); // {arrivalMs, seq, ts, ssrc, marker}
        long tickMs = 10;

        Simulation(JitterBuffer buffer) {
            this.buffer = buffer;
        }

        Simulation send(int seq, long ts, long arrivalMs) {
            return send(seq, ts, arrivalMs, SSRC, false);
        }

        Simulation send(int seq, long ts, long arrivalMs, long ssrc, boolean marker) {
            pending.add(new long[] {arrivalMs, seq, ts, ssrc, marker ? 1 : 0});
            return this;
        }

        /** Runs one 20 ms tick: delivers what has arrived by then, polls. */
        Optional<PlayoutFrame> tick() {
            pending.sort(Comparator.comparingLong(p -> p[0]));
            while (!pending.isEmpty() && pending.get(0)[0] <= tickMs) {
                long[] p = pending.remove(0);
                buffer.offer(header((int) p[1], p[2], p[3], p[4] == 1), new byte[FRAME_SAMPLES], T0 + p[0] * MS);
            }
            Optional<PlayoutFrame> out = buffer.poll(T0 + tickMs * MS);
            tickMs += 20;
            return out;
        }

        /**
         * Runs ticks and describes each: sequence number, "L" for lost (to conceal), "M" for missing otherwise (the
         * stream paused or the delay grows), "-" for nothing.
         */
        List<String> run(int ticks) {
            List<String> played = new ArrayList<>();
            for (int i = 0; i < ticks; i++) {
                played.add(tick().map(f -> f == PlayoutFrame.LOST ? "L" : f.isMissing() ? "M"
                        : String.valueOf(f.header().sequence())).orElse("-"));
            }
            return played;
        }
    }

    private static RtpHeader header(int seq, long ts, long ssrc, boolean marker) {
        return new RtpHeader(false, false, 0, marker, 0, seq, ts, ssrc, 12, FRAME_SAMPLES);
    }

    /** Packets 0..n-1 sent every 20 ms from seq/timestamp bases, arriving without jitter. */
    private static Simulation steady(int n, int firstSeq) {
        Simulation sim = new Simulation(new JitterBuffer(RATE));
        for (int k = 0; k < n; k++) {
            sim.send((firstSeq + k) & 0xffff, 1000L + (long) k * FRAME_SAMPLES, 20L * k);
        }
        return sim;
    }

    private static List<String> seqs(int from, int count) {
        List<String> out = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            out.add(String.valueOf((from + k) & 0xffff));
        }
        return out;
    }

    @Test
    void inOrderPacketsPlayOnePerTickAfterTheInitialDelay() {
        Simulation sim = steady(10, 100);
        List<String> played = sim.run(11);
        // Tick at 10 ms: the first packet (arrived at 0) has waited less than the 20 ms minimum delay.
        assertEquals("-", played.get(0));
        assertEquals(seqs(100, 10), played.subList(1, 11));
        JitterStats stats = sim.buffer.stats();
        assertEquals(10, stats.received());
        assertEquals(0, stats.lost());
        assertEquals(30.0, stats.delayMillis(), 1e-9);
        assertEquals(0.0, stats.jitterMillis(), 1e-9);
    }

    @Test
    void reorderedPacketsArePutBackInSequenceOrder_rfc3550_s5_1() {
        Simulation sim = new Simulation(new JitterBuffer(RATE));
        sim.send(0, 0, 0).send(2, 320, 20).send(1, 160, 21).send(3, 480, 60).send(4, 640, 80);
        assertEquals(List.of("-", "0", "1", "2", "3", "4"), sim.run(6));
        assertEquals(0, sim.buffer.stats().lost());
    }

    /** A packet missing while later ones are here is lost: one LOST marker (concealed by the mixer), no more. */
    @Test
    void aLostPacketYieldsExactlyOneLostMarker() {
        Simulation sim = new Simulation(new JitterBuffer(RATE));
        for (int k = 0; k < 10; k++) {
            if (k != 5) {
                sim.send(k, (long) k * FRAME_SAMPLES, 20L * k);
            }
        }
        assertEquals(List.of("-", "0", "1", "2", "3", "4", "L", "6", "7", "8", "9"), sim.run(11));
        assertEquals(1, sim.buffer.stats().lost());
        assertEquals(0, sim.buffer.stats().late());
    }

    @Test
    void duplicatesAreDroppedAndCounted() {
        Simulation sim = steady(6, 0);
        sim.send(3, 1000 + 3 * FRAME_SAMPLES, 65);
        sim.send(1, 1000 + FRAME_SAMPLES, 90); // after it was played
        assertEquals(List.of("-", "0", "1", "2", "3", "4", "5"), sim.run(7));
        JitterStats stats = sim.buffer.stats();
        assertEquals(2, stats.duplicate());
        assertEquals(0, stats.late());
        assertEquals(8, stats.received());
    }

    @Test
    void packetsArrivingAfterTheirTurnAreDroppedAsLate() {
        Simulation sim = new Simulation(new JitterBuffer(RATE));
        for (int k = 0; k < 8; k++) {
            sim.send(k, (long) k * FRAME_SAMPLES, k == 3 ? 200 : 20L * k);
        }
        // Packet 3 was due at the tick of 90 ms; 4 was already there, so 3 was given up (lost, to conceal) and is
        // dropped at 200 ms. After 7 the stream has ended: underrun, missing (not lost) at every tick.
        assertEquals(List.of("-", "0", "1", "2", "L", "4", "5", "6", "7", "M", "M"), sim.run(11));
        JitterStats stats = sim.buffer.stats();
        assertEquals(1, stats.late());
        assertEquals(1, stats.lost());
    }

    @Test
    void sequenceNumbersWrapFrom65535To0_rfc3550_appendixA1() {
        Simulation sim = new Simulation(new JitterBuffer(RATE));
        for (int k = 0; k < 10; k++) {
            int seq = (65530 + k) & 0xffff;
            // 0 overtakes 65535 on the way.
            long arrival = seq == 65535 ? 20L * k + 15 : seq == 0 ? 20L * k - 10 : 20L * k;
            sim.send(seq, 0xffff_ff00L + (long) k * FRAME_SAMPLES & 0xffff_ffffL, arrival);
        }
        List<String> played = sim.run(11);
        assertEquals("-", played.get(0));
        assertEquals(seqs(65530, 10), played.subList(1, 11));
        assertEquals(0, sim.buffer.stats().lost());
        assertEquals(0, sim.buffer.stats().late());
    }

    @Test
    void jitterFollowsTheEstimatorOfRfc3550_s6_4_1_appendixA8() {
        JitterBuffer buffer = new JitterBuffer(RATE);
        long[] arrivalMs = {0, 23, 41, 66, 80, 104, 119, 147, 160, 185, 201, 222};
        double expected = 0;
        long previousTransit = 0;
        for (int k = 0; k < arrivalMs.length; k++) {
            long ts = 5000L + (long) k * FRAME_SAMPLES;
            buffer.offer(header(k, ts, SSRC, false), new byte[FRAME_SAMPLES], T0 + arrivalMs[k] * MS);
            // A.8: transit = arrival in timestamp units - timestamp; J += (|D| - J) / 16.
            long transit = arrivalMs[k] * RATE / 1000 - ts;
            if (k > 0) {
                expected += (Math.abs(transit - previousTransit) - expected) / 16.0;
            }
            previousTransit = transit;
        }
        assertTrue(expected > 0);
        assertEquals(expected * 1000 / RATE, buffer.stats().jitterMillis(), 1e-9);
    }

    @Test
    void delayGrowsQuicklyUnderJitterAndShrinksBackSlowly() {
        Simulation sim = new Simulation(new JitterBuffer(RATE));
        Random random = new Random(3550);
        int jittery = 250;
        int total = 1000;
        for (int k = 0; k < total; k++) {
            long extra = k < jittery ? random.nextInt(81) : 0;
            sim.send(k, (long) k * FRAME_SAMPLES, 20L * k + extra);
        }
        sim.run(jittery);
        JitterStats underJitter = sim.buffer.stats();
        assertTrue(underJitter.targetDelayMillis() > 80, "target " + underJitter.targetDelayMillis());
        assertTrue(underJitter.delayMillis() >= underJitter.targetDelayMillis() - 20,
                "delay " + underJitter.delayMillis() + " reached target " + underJitter.targetDelayMillis());
        // Once it has grown, late arrivals are rare: 0 to 80 ms of jitter fits in the delay.
        assertTrue(underJitter.late() <= 3, "late " + underJitter.late());

        double previous = underJitter.delayMillis();
        int lastDecrease = -1000;
        for (int tick = 0; tick < total - jittery - 20; tick++) {
            sim.tick();
            double delay = sim.buffer.stats().delayMillis();
            if (delay < previous) {
                assertEquals(20.0, previous - delay, 1e-9, "one frame at a time");
                assertTrue(tick - lastDecrease >= 50, "at most one frame per second");
                lastDecrease = tick;
            }
            previous = delay;
        }
        JitterStats calm = sim.buffer.stats();
        assertTrue(calm.delayMillis() <= 40, "delay back near the minimum: " + calm.delayMillis());
        assertEquals(20.0, calm.targetDelayMillis(), 1e-9);
    }

    @Test
    void aNewSourceReusingTheOldOnesNumbersIsNotTakenForDuplicates_rfc3550_s8() {
        JitterBuffer buffer = new JitterBuffer(RATE);
        for (int source = 0; source < 3; source++) {
            // each restart of the client's stream (new SSRC, RFC 3550 §8) sends the same numbers 100-104 again
            for (int k = 0; k < 5; k++) {
                buffer.offer(header(100 + k, (long) k * FRAME_SAMPLES, 0x1000L + source, false),
                        new byte[FRAME_SAMPLES], T0 + (60L * source + k) * MS);
            }
            // a repeat within one source is still one
            buffer.offer(header(102, 2L * FRAME_SAMPLES, 0x1000L + source, false), new byte[FRAME_SAMPLES],
                    T0 + (60L * source + 5) * MS);
        }
        JitterStats stats = buffer.stats();
        assertEquals(3, stats.duplicate(), "one repeat per source, none of the numbers the next source sent again");
        assertEquals(18, stats.received());
        assertEquals(10, stats.discarded(), "the unplayed packets of the first two sources");
    }

    @Test
    void aNewSsrcResynchronises_rfc3550_s8() {
        Simulation sim = new Simulation(new JitterBuffer(RATE));
        for (int k = 0; k < 5; k++) {
            sim.send(k, (long) k * FRAME_SAMPLES, 20L * k);
        }
        // The participant's client restarts its stream: new SSRC, unrelated sequence number and timestamp.
        for (int k = 0; k < 5; k++) {
            sim.send(40000 + k, 9_000_000L + (long) k * FRAME_SAMPLES, 85 + 20L * k, 0xabcdefL, k == 0);
        }
        List<String> played = sim.run(12);
        // Old packets 0-3 play (ticks 30-90 ms); at 85 ms the new source empties the buffer and is held one frame.
        assertEquals(List.of("-", "0", "1", "2", "-", "40000", "40001", "40002", "40003", "40004", "M", "M"), played);
        JitterStats stats = sim.buffer.stats();
        assertEquals(2, stats.discarded(), "packets 3 and 4 of the old source");
        assertEquals(0, stats.lost());
        assertEquals(0, stats.late());
    }

    @Test
    void aTalkSpurtAfterSilenceIsHeldForTheDelay_rfc3551_s4_1() {
        talkSpurtAfterSilence(true);
    }

    @Test
    void aTimestampJumpWithoutMarkerBitAlsoStartsATalkSpurt_rfc3550_s5_1() {
        // The marker bit may be lost with the spurt's first packet; the timestamp gap still shows the silence.
        talkSpurtAfterSilence(false);
    }

    private static void talkSpurtAfterSilence(boolean marker) {
        Simulation sim = new Simulation(new JitterBuffer(RATE));
        for (int k = 0; k < 3; k++) {
            sim.send(k, (long) k * FRAME_SAMPLES, 20L * k);
        }
        // Silence for a second (timestamps jump, sequence numbers don't), then a spurt starting with the marker bit.
        for (int k = 3; k < 6; k++) {
            sim.send(k, 8000L + (long) k * FRAME_SAMPLES, 1005 + 20L * (k - 3), SSRC, marker && k == 3);
        }
        List<String> played = sim.run(56);
        assertEquals(List.of("-", "0", "1", "2"), played.subList(0, 4));
        // Tick 50 (1010 ms): the buffer had underrun through the silence; the spurt arrived at 1005 ms and waits
        // until 1025 ms, then plays one packet per tick.
        assertTrue(played.subList(4, 50).stream().allMatch("M"::equals), played.toString());
        assertEquals(List.of("-", "3", "4", "5", "M"), played.subList(50, 55));
        assertEquals(0, sim.buffer.stats().lost());
    }

    @Test
    void aConfirmedSequenceJumpResynchronises_rfc3550_appendixA1() {
        Simulation sim = steady(3, 0);
        sim.send(30000, 50_000, 70).send(30001, 50_160, 90).send(30002, 50_320, 110);
        // 30000 alone could be a stray packet and is set aside; 30001 confirms the jump and restarts playout.
        assertEquals(List.of("-", "0", "1", "2", "-", "30001", "30002"), sim.run(7));
        assertEquals(1, sim.buffer.stats().discarded());
    }

    @Test
    void badConstructionArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new JitterBuffer(0));
        assertThrows(IllegalArgumentException.class, () -> new JitterBuffer(8001));
        assertThrows(IllegalArgumentException.class,
                () -> new JitterBuffer(RATE, Duration.ofMillis(100), Duration.ofMillis(50)));
        assertThrows(NullPointerException.class, () -> new JitterBuffer(RATE).offer(null, new byte[0], 0));
    }

    /**
     * RFC 4733 §2.1, RFC 3550 §5.1: telephone events share the audio's SSRC and sequence numbers; phones send them
     * next to the audio. Passed to {@link JitterBuffer#skip}, their numbers are no loss: every tick still plays a
     * frame, during and after a second of digits. (Counted as loss, they left the buffer a second behind, then
     * alternating between dropping and inserting frames for good: every other frame silent, the talker 6 dB quieter.)
     */
    @Test
    void sequenceNumbersOfAnotherPayloadTypeArePassedOver_rfc3550_s5_1() {
        JitterBuffer buffer = new JitterBuffer(RATE);
        int seq = 0;
        int missing = 0;
        for (int t = 0; t < 300; t++) {
            long now = T0 + t * 20 * MS;
            buffer.offer(header(seq++, t * (long) FRAME_SAMPLES, SSRC, t == 0), new byte[FRAME_SAMPLES], now);
            if (t >= 50 && t < 100) {
                buffer.skip(new RtpHeader(false, false, 0, t == 50, 101, seq++, 50L * FRAME_SAMPLES, SSRC, 12, 4));
            }
            Optional<PlayoutFrame> out = buffer.poll(now + 5 * MS);
            if (t > 0 && (out.isEmpty() || out.get().payload() == null)) {
                missing++;
            }
        }
        assertEquals(0, missing, buffer.stats().toString());
        assertEquals(0, buffer.stats().lost());
    }

    /**
     * Twelve packets arriving at once (a sender, or the thread reading them, that stalled for 240 ms) and a steady
     * stream after them: the queue is over the maximum delay while the delay counted since playout began is not, and
     * the buffer catches up by dropping frames (at most one a tick while over the maximum, then one a second) instead
     * of alternating forever between a concealed frame (to grow) and a dropped one (to shrink), which silenced every
     * other frame of a phone's voice in a video room (issue 13).
     */
    @Test
    void aBurstOfArrivalsIsCaughtUpWithoutConcealingEveryOtherFrame() {
        Simulation sim = new Simulation(new JitterBuffer(RATE));
        for (int k = 0; k < 500; k++) {
            sim.send(k, (long) k * FRAME_SAMPLES, k < 12 ? 0 : 20L * (k - 11));
        }
        List<String> played = sim.run(480);
        long missing = played.stream().filter("M"::equals).count();
        assertEquals(0, missing, played.toString());
        JitterStats stats = sim.buffer.stats();
        assertTrue(stats.discarded() >= 10, "caught up by dropping: " + stats);
        assertTrue(stats.delayMillis() <= 40, "delay back near the minimum: " + stats);
        int last = Integer.parseInt(played.get(played.size() - 1));
        assertTrue(last >= 480 + 11 - 3, "playing near the newest packet: " + last);
    }

    /**
     * RFC 3550 Appendix A.1: a packet more than MAX_DROPOUT ahead or MAX_MISORDER behind is believed only when the
     * next one follows it; alone, it is a stray, dropped and counted, and the stream goes on unharmed.
     */
    @Test
    void loneStrayPacketsAheadOrBehindAreDiscarded_rfc3550_appendixA1() {
        Simulation sim = steady(6, 10);
        sim.send(30000, 50_000, 45).send((10 - 200) & 0xffff, 500, 46);
        assertEquals(List.of("-", "10", "11", "12", "13", "14", "15"), sim.run(7));
        JitterStats stats = sim.buffer.stats();
        assertEquals(2, stats.discarded());
        assertEquals(0, stats.lost());
        assertEquals(0, stats.late());
    }

    /** RFC 3550 §5.1: a packet that overtakes the first one received, before playout starts, still plays first. */
    @Test
    void aPacketOvertakingTheFirstBeforePlayoutStartsPlaysFirst_rfc3550_s5_1() {
        Simulation sim = new Simulation(new JitterBuffer(RATE));
        sim.send(6, 960, 0).send(5, 800, 5).send(7, 1120, 20).send(8, 1280, 40);
        assertEquals(List.of("-", "5", "6", "7", "8", "M"), sim.run(6));
        assertEquals(0, sim.buffer.stats().lost());
    }

    /** RFC 3550 Appendix A.1: the packet lost is 65535, the last before the wrap; 0 and on play after its marker. */
    @Test
    void aLossAtTheSequenceWrapIsOneLostMarker_rfc3550_appendixA1() {
        Simulation sim = new Simulation(new JitterBuffer(RATE));
        for (int k = 0; k < 10; k++) {
            int seq = (65530 + k) & 0xffff;
            if (seq != 65535) {
                sim.send(seq, 7000L + (long) k * FRAME_SAMPLES, 20L * k);
            }
        }
        List<String> expected = new ArrayList<>(seqs(65530, 5));
        expected.add(0, "-");
        expected.add("L");
        expected.addAll(seqs(0, 4));
        assertEquals(expected, sim.run(11));
        assertEquals(1, sim.buffer.stats().lost());
    }

    /**
     * A burst of 150 lost packets in a steady stream (RFC 3550 Appendix A.1: within MAX_DROPOUT, the same sequence):
     * the buffer underruns until the next packet arrives, then gives one lost marker per missing number, dropping
     * frames as its queue exceeds the maximum delay.
     */
    @Test
    void aLongBurstOfLossIsConcealedNumberByNumber_rfc3550_appendixA1() {
        Simulation sim = new Simulation(new JitterBuffer(RATE));
        for (int k = 0; k < 400; k++) {
            if (k < 50 || k >= 200) {
                sim.send(k, (long) k * FRAME_SAMPLES, 20L * k);
            }
        }
        List<String> expected = new ArrayList<>(List.of("-"));
        expected.addAll(seqs(0, 50));
        // underrun until packet 200 arrives at 4000 ms: nothing tells the buffer yet that the stream goes on
        expected.addAll(Collections.nCopies(149, "M"));
        expected.addAll(Collections.nCopies(150, "L"));
        // 200 to 339 queued meanwhile, far over the maximum delay: every other frame dropped while it is
        for (int k = 201; k < 340; k += 2) {
            expected.add(String.valueOf(k));
        }
        assertEquals(expected, sim.run(420));
        JitterStats stats = sim.buffer.stats();
        assertEquals(150, stats.lost());
        assertEquals(70, stats.discarded());
        assertEquals(0, stats.late());
    }

    /**
     * With a 200 ms minimum delay, 300 packets arrive pairwise swapped (RFC 3550 §5.1) before playout begins: far
     * more than the maximum delay of audio, so playout goes in sequence order and drops every other frame until the
     * queue is back under the maximum. Packets 0 and 1 swap places in arrival, so 1 is the first received.
     */
    @Test
    void aReorderedQueueOverTheMaximumDelayIsDrainedInSequenceOrder_rfc3550_s5_1() {
        Simulation sim = new Simulation(new JitterBuffer(RATE, Duration.ofMillis(200), Duration.ofMillis(200)));
        for (int k = 0; k < 300; k++) {
            sim.send(k ^ 1, (long) (k ^ 1) * FRAME_SAMPLES, k / 2);
        }
        List<String> expected = new ArrayList<>(Collections.nCopies(10, "-"));
        for (int k = 1; k < 290; k += 2) {
            expected.add(String.valueOf(k));
        }
        expected.addAll(seqs(290, 10));
        expected.addAll(Collections.nCopies(5, "M"));
        assertEquals(expected, sim.run(170));
        JitterStats stats = sim.buffer.stats();
        assertEquals(145, stats.discarded());
        assertEquals(0, stats.lost());
    }

    /**
     * RFC 4733 §2.1 and RFC 3550 §5.1: a sequence number passed over ({@link JitterBuffer#skip}) counts as received
     * (the audio packet of the same number is a duplicate); one skipped ahead of the audio waits its turn; and a new
     * source discards what was buffered, skipped numbers included.
     */
    @Test
    void skippedNumbersCountAsReceivedAndGoWithTheSource_rfc4733_s2_1() {
        JitterBuffer buffer = new JitterBuffer(RATE);
        byte[] audio = new byte[FRAME_SAMPLES];
        buffer.offer(header(0, 0, SSRC, true), audio, T0);
        buffer.skip(new RtpHeader(false, false, 0, false, 101, 1, 0, SSRC, 12, 4));
        buffer.offer(header(1, FRAME_SAMPLES, SSRC, false), audio, T0 + MS);
        buffer.skip(new RtpHeader(false, false, 0, false, 101, 3, 0, SSRC, 12, 4));
        buffer.offer(header(2, 2L * FRAME_SAMPLES, SSRC, false), audio, T0 + 2 * MS);
        buffer.offer(header(4, 3L * FRAME_SAMPLES, SSRC, false), audio, T0 + 3 * MS);
        assertEquals(1, buffer.stats().duplicate());
        List<String> played = new ArrayList<>();
        for (int t = 1; t <= 4; t++) {
            played.add(buffer.poll(T0 + t * 20 * MS)
                    .map(f -> f.isMissing() ? "M" : String.valueOf(f.header().sequence())).orElse("-"));
        }
        assertEquals(List.of("0", "2", "4", "M"), played);
        assertEquals(0, buffer.stats().lost());
        buffer.skip(new RtpHeader(false, false, 0, false, 101, 6, 0, SSRC, 12, 4));
        buffer.offer(header(5, 4L * FRAME_SAMPLES, SSRC, false), audio, T0 + 4 * MS);
        buffer.offer(header(9000, 0, 0xabcdefL, true), audio, T0 + 5 * MS);
        assertEquals(2, buffer.stats().discarded(), "audio 5 and the skipped 6 of the old source");
    }

    /**
     * RFC 3550 Appendix A.1 lets each packet run up to MAX_DROPOUT (3000) numbers ahead, so a sender that keeps
     * jumping could make the buffered numbers span without bound; the buffer keeps at most a whole cycle of
     * sequence numbers (65536, 21 minutes of audio) apart and discards a packet beyond it.
     */
    @Test
    void bufferedNumbersSpanAtMostOneSequenceCycle_rfc3550_appendixA1() {
        Simulation sim = new Simulation(new JitterBuffer(RATE, Duration.ofMillis(200), Duration.ofMillis(200)));
        for (int k = 0; k <= 22; k++) {
            sim.send(k * 2999 & 0xffff, (long) k * FRAME_SAMPLES, k);
        }
        List<String> played = sim.run(12);
        assertEquals(Collections.nCopies(10, "-"), played.subList(0, 10));
        assertEquals(List.of("0", "L"), played.subList(10, 12));
        JitterStats stats = sim.buffer.stats();
        assertEquals(23, stats.received());
        assertEquals(1, stats.discarded(), "22 * 2999 = 65978 numbers after the first");
    }
}
