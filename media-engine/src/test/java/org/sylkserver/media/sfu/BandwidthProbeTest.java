package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.sylkserver.media.rtcp.TransportFeedback;

/**
 * {@link BandwidthProbe}: a burst at a higher layer's rate, judged by the browser's transport-wide feedback
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1, arrival times per transport-wide number, §2), on a
 * simulated clock.
 */
class BandwidthProbeTest {

    private static final long MS = 1_000_000L;
    private static final int SIZE = 1_200;

    /**
     * Probes {@code rate} bit/s for the probe's half second over a path of {@code capacity} bit/s (a queue of at most
     * {@code queueMs} before it drops, 20 ms one way), media of 200 kbit/s underneath; every {@code lossEvery}-th
     * packet lost besides (0: none); feedback as the browser sends it, every 100 ms, unless {@code feedback} is off.
     */
    private static BandwidthProbe.Result probe(long rate, long capacity, long queueMs, int lossEvery, boolean feedback) {
        BandwidthProbe probe = new BandwidthProbe();
        long now = 5_000 * MS;
        probe.start(rate, now);
        int sequence = 65_500; // across the 16-bit wrap
        int first = sequence;
        List<Long> arrivals = new ArrayList<>();
        long queueFreeAt = 0;
        double media = 0;
        BandwidthProbe.Result result = null;
        int reported = 0;
        for (long end = now + 2_000 * MS; now < end && result == null; now += MS) {
            media += 200_000.0 / 8 / 1000; // bytes of media per ms
            int packets = (int) (media / SIZE);
            media -= packets * SIZE;
            while (packets-- > 0 || probe.bytesDue(now) > 0) {
                probe.sent(sequence, now, SIZE);
                sequence = (sequence + 1) & 0xffff;
                long service = SIZE * 8L * 1_000_000_000L / capacity;
                boolean dropped = Math.max(queueFreeAt - now, 0) > queueMs * MS
                        || lossEvery > 0 && arrivals.size() % lossEvery == lossEvery - 1;
                if (!dropped) {
                    queueFreeAt = Math.max(queueFreeAt, now) + service;
                }
                arrivals.add(dropped ? TransportFeedback.NOT_RECEIVED : (queueFreeAt + 20 * MS) / 1000);
            }
            if (feedback && now % (100 * MS) == 0 && arrivals.size() > reported) {
                long[] report = new long[arrivals.size() - reported];
                for (int i = 0; i < report.length; i++) {
                    long arrival = arrivals.get(reported + i);
                    // what has not arrived yet is for a later message
                    report[i] = arrival != TransportFeedback.NOT_RECEIVED && arrival > now / 1000
                            ? Long.MAX_VALUE : arrival;
                }
                int count = 0;
                while (count < report.length && report[count] != Long.MAX_VALUE) {
                    count++;
                }
                if (count > 0 && hasArrival(report, count)) {
                    long[] message = java.util.Arrays.copyOf(report, count);
                    probe.feedback(TransportFeedback.parse(TransportFeedback.encode(1, 2, (first + reported) & 0xffff,
                            0, message)).get(0));
                    reported += count;
                }
            }
            result = probe.result(now);
        }
        assertFalse(probe.running(), "a probe that gave its result is over");
        return result;
    }

    private static boolean hasArrival(long[] report, int count) {
        for (int i = 0; i < count; i++) {
            if (report[i] != TransportFeedback.NOT_RECEIVED) {
                return true;
            }
        }
        return false;
    }

    /** A path wider than the probe delivers it: its packets arrive at the rate they were sent. */
    @Test
    void aWidePathDeliversTheProbe() {
        BandwidthProbe.Result result = probe(1_725_000, 5_000_000, 200, 0, true);
        assertTrue(result.delivered(), "delivered: " + result);
        assertTrue(result.receivedRate() > 1_600_000 && result.receivedRate() < 1_900_000, result.toString());
    }

    /**
     * A 300 kbit/s path under a 575 kbit/s probe: the queue spreads the arrivals out to the path's rate (and drops
     * what it cannot hold), so the probe fails, and the rate that arrived is the path's.
     */
    @Test
    void aNarrowPathFailsTheProbeAndSaysWhatItCarries() {
        BandwidthProbe.Result result = probe(575_000, 300_000, 200, 0, true);
        assertFalse(result.delivered(), result.toString());
        assertTrue(result.receivedRate() > 250_000 && result.receivedRate() < 350_000, result.toString());
        // a deep queue drops nothing but spreads the arrivals all the same
        BandwidthProbe.Result deep = probe(575_000, 300_000, 5_000, 0, true);
        assertFalse(deep.delivered(), deep.toString());
        assertTrue(deep.receivedRate() < 350_000, deep.toString());
    }

    /** One packet in ten lost on an otherwise wide path: more than the 5 % a probe may lose. */
    @Test
    void aLossyPathFailsTheProbe() {
        BandwidthProbe.Result result = probe(1_725_000, 5_000_000, 200, 10, true);
        assertFalse(result.delivered(), result.toString());
    }

    /** No feedback at all: judged after the wait, on nothing, as not delivered (and no rate to go by). */
    @Test
    void aProbeWithoutFeedbackIsNotDelivered() {
        BandwidthProbe.Result result = probe(1_725_000, 5_000_000, 200, 0, false);
        assertFalse(result.delivered());
        assertEquals(0, result.receivedRate());
    }

    /** The probe tops the media up to its rate: what is due is the rate's bytes so far less what was sent. */
    @Test
    void probeBytesTopTheMediaUpToTheRate() {
        BandwidthProbe probe = new BandwidthProbe();
        assertEquals(0, probe.bytesDue(0), "no probe, nothing due");
        probe.start(800_000, 0); // 100,000 bytes a second
        assertEquals(10_000, probe.bytesDue(100 * MS));
        probe.sent(1, 100 * MS, 4_000);
        assertEquals(6_000, probe.bytesDue(100 * MS));
        assertEquals(46_000, probe.bytesDue(900 * MS), "no more than the probe's half second");
        assertNull(probe.result(100 * MS), "still sending");
    }
}
