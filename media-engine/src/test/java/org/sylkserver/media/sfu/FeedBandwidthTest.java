package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.sylkserver.media.rtcp.TransportFeedback;

/**
 * {@link FeedBandwidth} against a rate-limited link, on a simulated clock: a feed of a simulcast publisher (RFC 8853;
 * layers of 150, 500 and 1,500 kbit/s, as Chrome's q, h and f are near) forwards the chosen layer's video in
 * 1,200-byte packets and 50 Opus packets a second to a browser behind a shaper: a FIFO served at the link's rate that
 * drops what would wait more than 200 ms, then 20 ms to the browser. The browser reports arrivals with the feedback
 * generator of the SFU's own publishers ({@link ArrivalFeedback}: transport-wide feedback every 100 ms,
 * draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1), which takes 20 ms back. Probe packets are sent as the
 * feed sends them (retransmission-stream copies, RFC 4588 §4, of 1,202 bytes, at most four per forwarded packet).
 * The link's rate goes 2 Mbit/s → 300 kbit/s → 2 Mbit/s; each phase's layer switches are counted.
 */
class FeedBandwidthTest {

    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000 * MS;
    private static final long[] LAYERS = {150_000, 500_000, 1_500_000};
    private static final int VIDEO_BYTES = 1_200;
    private static final int AUDIO_BYTES = 130;
    private static final long QUEUE_LIMIT = 200 * MS;
    private static final long ONE_WAY = 20 * MS;

    /** The feed, the shaper, the browser and the layer history (one entry per simulated second). */
    private static final class Link {
        final FeedBandwidth bandwidth = new FeedBandwidth();
        final ArrivalFeedback browser = new ArrivalFeedback(1, 0);
        /** Arrivals at the browser (time, sequence) and feedback on its way back (time, message), in time order. */
        final ArrayDeque<long[]> arrivals = new ArrayDeque<>();
        final ArrayDeque<Object[]> feedback = new ArrayDeque<>();
        final List<Integer> layers = new ArrayList<>();
        long now = SECOND;
        long rate;
        long queueFreeAt;
        int sequence;
        int layer = -1;
        double videoDue;
        double audioDue;
        long probeBytes;

        Link(boolean probeFirst) {
            bandwidth.probeFirst(probeFirst);
        }

        void run(long seconds, long linkRate) {
            rate = linkRate;
            for (long end = now + seconds * SECOND; now < end; now += MS) {
                while (!arrivals.isEmpty() && arrivals.peek()[0] <= now) {
                    long[] arrival = arrivals.poll();
                    ByteBuffer message = browser.received((int) arrival[1], 2, arrival[0]);
                    if (message != null) {
                        feedback.add(new Object[]{arrival[0] + ONE_WAY, message});
                    }
                }
                while (!feedback.isEmpty() && (long) feedback.peek()[0] <= now) {
                    ByteBuffer message = (ByteBuffer) feedback.poll()[1];
                    for (TransportFeedback parsed : TransportFeedback.parse(message)) {
                        bandwidth.feedback(parsed, now);
                    }
                }
                audioDue += 50.0 / 1000;
                for (; audioDue >= 1; audioDue--) {
                    send(AUDIO_BYTES);
                }
                videoDue += layer < 0 ? 1 : LAYERS[layer] / 8.0 / VIDEO_BYTES / 1000;
                for (; videoDue >= 1; videoDue--) {
                    layer = bandwidth.choose(LAYERS, now); // as the feed: every video packet asks again
                    send(VIDEO_BYTES);
                }
                if (now % SECOND == 0) {
                    layers.add(layer);
                }
            }
        }

        /** One packet and the probe packets due after it, as {@code Feed.forward} sends them. */
        private void send(int size) {
            transmit(size);
            for (int i = 0; i < 4 && bandwidth.probeBytesDue(now) > 0; i++) {
                transmit(VIDEO_BYTES + RtxPackets.OSN_LENGTH);
                probeBytes += VIDEO_BYTES + RtxPackets.OSN_LENGTH;
            }
        }

        private void transmit(int size) {
            int number = sequence;
            sequence = (sequence + 1) & 0xffff;
            bandwidth.sent(number, now, size);
            if (queueFreeAt - now > QUEUE_LIMIT) {
                return; // the shaper's queue is full: dropped
            }
            queueFreeAt = Math.max(queueFreeAt, now) + size * 8 * SECOND / rate;
            arrivals.add(new long[]{queueFreeAt + ONE_WAY, number});
        }

        /** The layer switches among the last {@code seconds} seconds' layers. */
        int switches(int seconds) {
            int switches = 0;
            for (int i = layers.size() - seconds + 1; i < layers.size(); i++) {
                if (!layers.get(i).equals(layers.get(i - 1))) {
                    switches++;
                }
            }
            return switches;
        }

        /** How many seconds of the last {@code seconds} passed before the layer became {@code wanted} for good. */
        int settledAfter(int seconds, int wanted) {
            int settled = seconds;
            for (int i = layers.size() - 1; i >= layers.size() - seconds && layers.get(i) == wanted; i--) {
                settled = i - (layers.size() - seconds);
            }
            return settled;
        }
    }

    /**
     * With probes before each move up: at 2 Mbit/s the feed reaches the top layer; at 300 kbit/s it moves down to the
     * lowest at once and stays there (the probes of the 500 kbit/s layer fail: the shaper spreads them to its rate
     * and drops what overflows), with no switch but the one down; back at 2 Mbit/s it climbs to the top layer again,
     * one switch per layer.
     */
    @Test
    void aFeedSettlesOnTheLayerTheLinkCarriesWithoutOscillating() {
        Link link = new Link(true);
        link.run(40, 2_000_000);
        int first = link.settledAfter(40, 2);
        assertTrue(first <= 20, "on the top layer at 2 Mbit/s within 20 s: " + link.layers);
        assertEquals(1, link.switches(40), "one move, from the first choice (500 kbit/s on the initial estimate of 1"
                + " Mbit/s) to 1,500: " + link.layers);

        link.probeBytes = 0;
        link.run(60, 300_000);
        assertTrue(link.settledAfter(60, 0) <= 2, "on the lowest layer within 2 s of the drop: " + link.layers);
        assertEquals(1, link.switches(61), "one switch down, then none (probes failed, no move up): " + link.layers);
        assertTrue(link.probeBytes > 0, "the 500 kbit/s layer was probed at 300 kbit/s: " + link.probeBytes);

        link.run(60, 2_000_000);
        // the estimate regrows from about the 300 kbit/s the last failed probe found, and two failed probes doubled
        // the hold twice (20 s): measured 32 s
        assertTrue(link.settledAfter(60, 2) <= 45, "back on the top layer within 45 s: " + link.layers);
        int switches = link.switches(61);
        assertTrue(switches >= 1 && switches <= 2, "up from 150 kbit/s, at most one stop on the way: " + link.layers);
        for (int i = link.layers.size() - 60; i < link.layers.size(); i++) {
            assertTrue(link.layers.get(i) >= link.layers.get(i - 1), "no switch down at 2 Mbit/s: " + link.layers);
        }
    }

    /**
     * The same link without probes (a feed that moves up as soon as the estimate allows for the hold): at 300 kbit/s
     * the estimate grows while the lowest layer keeps the path clear, the feed moves up into congestion and down again,
     * over and over. This is what the probes are for.
     */
    @Test
    void withoutProbesTheSameLinkMakesTheFeedOscillate() {
        Link link = new Link(false);
        link.run(40, 2_000_000);
        link.run(60, 300_000);
        assertTrue(link.switches(61) >= 3, "up and down again at 300 kbit/s: " + link.layers);
    }
}
