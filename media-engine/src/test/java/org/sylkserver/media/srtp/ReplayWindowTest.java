package org.sylkserver.media.srtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jitsi.srtp.SrtpErrorStatus;
import org.junit.jupiter.api.Test;

/** {@link ReplayWindow}: SRTP packet index estimation (RFC 3711 §3.3.1) and the replay list (§3.3.2). */
class ReplayWindowTest {

    private static ReplayWindow after(long... indices) {
        ReplayWindow window = new ReplayWindow();
        for (long index : indices) {
            assertEquals(SrtpErrorStatus.OK, window.check(index), "index " + index);
            window.accept(index);
        }
        return window;
    }

    private static long index(long roc, int sequence) {
        return (roc << 16) | sequence;
    }

    /** §3.3.1: v = ROC unless SEQ is more than 2^15 away from s_l, then ROC - 1 or ROC + 1. */
    @Test
    void indexEstimation_rfc3711_s3_3_1() {
        ReplayWindow low = after(index(3, 100));                  // s_l < 2^15
        assertEquals(index(3, 101), low.estimate(101));
        assertEquals(index(3, 32868), low.estimate(32868), "SEQ - s_l = 2^15: still ROC");
        assertEquals(index(2, 32869), low.estimate(32869), "SEQ - s_l > 2^15: before the last rollover");
        assertEquals(index(2, 65535), low.estimate(65535));

        ReplayWindow high = after(index(3, 60000));               // s_l >= 2^15
        assertEquals(index(3, 60001), high.estimate(60001));
        assertEquals(index(3, 27232), high.estimate(27232), "s_l - 2^15 = SEQ: still ROC");
        assertEquals(index(4, 27231), high.estimate(27231), "s_l - 2^15 > SEQ: after a rollover");
        assertEquals(index(4, 0), high.estimate(0));
    }

    /**
     * §3.3.1's pseudo-code, as written there, against the window's estimate for every SEQ after every 97th s_l (and
     * the edges), at ROC 0 (where ROC - 1 is no index) and ROC 7.
     */
    @Test
    void indexEstimationIsTheRfcsForEverySequence_rfc3711_s3_3_1() {
        for (long roc : new long[]{0, 7}) {
            int[] edges = {32767, 32768, 65535};
            for (int highest : java.util.stream.IntStream.concat(java.util.stream.IntStream.iterate(0,
                    h -> h < 65536, h -> h + 97), java.util.Arrays.stream(edges)).toArray()) {
                ReplayWindow window = after(index(roc, highest));
                for (int sequence = 0; sequence < 65536; sequence++) {
                    long v;
                    if (highest < 32768) {
                        v = sequence - highest > 32768 ? roc - 1 : roc;
                    } else {
                        v = highest - 32768 > sequence ? roc + 1 : roc;
                    }
                    long expected = v < 0 ? -1 : index(v, sequence);
                    if (window.estimate(sequence) != expected) {
                        assertEquals(expected, window.estimate(sequence), "s_l " + highest + ", SEQ " + sequence);
                    }
                }
            }
        }
    }

    @Test
    void rollover_rfc3711_s3_3_1() {
        ReplayWindow window = after(index(0, 65534), index(0, 65535));
        long next = window.estimate(0);
        assertEquals(index(1, 0), next);
        window.accept(next);
        assertEquals(1, window.roc(), "ROC incremented once the packet after the wrap is accepted");
        assertEquals(index(0, 65533), window.estimate(65533), "a late packet of the previous ROC");
        assertEquals(SrtpErrorStatus.OK, window.check(index(0, 65533)), "inside the window, never seen");
        assertEquals(SrtpErrorStatus.REPLAY_FAIL, window.check(index(0, 65535)));
    }

    /** ROC - 1 from ROC 0 is no index at all: nothing precedes the first rollover counter (RFC 4568 §6.4). */
    @Test
    void nothingBeforeRocZero_rfc3711_s3_3_1() {
        ReplayWindow window = after(index(0, 10));
        assertEquals(-1, window.estimate(40000));
        assertEquals(SrtpErrorStatus.REPLAY_OLD, window.check(window.estimate(40000)));
    }

    /** §3.3.2: new, in the window and unseen: taken; seen: a replay; behind the window: too old. */
    @Test
    void replayList_rfc3711_s3_3_2() {
        ReplayWindow window = after(1000, 1002, 1001, 1005);
        assertEquals(SrtpErrorStatus.REPLAY_FAIL, window.check(1001), "reordered, then replayed");
        assertEquals(SrtpErrorStatus.REPLAY_FAIL, window.check(1005), "the highest, replayed");
        assertEquals(SrtpErrorStatus.OK, window.check(1003), "late but unseen");
        assertEquals(SrtpErrorStatus.OK, window.check(1006));
        assertEquals(SrtpErrorStatus.OK, window.check(1005 - ReplayWindow.SIZE + 1), "the window's oldest slot");
        assertEquals(SrtpErrorStatus.REPLAY_OLD, window.check(1005 - ReplayWindow.SIZE), "behind the window");
        window.accept(1003);
        assertEquals(SrtpErrorStatus.REPLAY_FAIL, window.check(1003));
        assertEquals(1005, window.highest(), "a late packet does not move the window");
    }

    @Test
    void theWindowSlidesWithTheHighestIndex_rfc3711_s3_3_2() {
        ReplayWindow window = after(500, 502);
        window.accept(502 + 63);
        assertEquals(SrtpErrorStatus.REPLAY_FAIL, window.check(502), "63 behind: still remembered");
        assertEquals(SrtpErrorStatus.REPLAY_OLD, window.check(500), "64 behind: out of the window");
        assertEquals(SrtpErrorStatus.OK, window.check(503), "unseen inside the window");
        window.accept(502 + 63 + 1000);
        assertEquals(SrtpErrorStatus.OK, window.check(502 + 63 + 999), "a jump beyond the window forgets the rest");
        assertEquals(SrtpErrorStatus.REPLAY_FAIL, window.check(502 + 63 + 1000));
        assertEquals(SrtpErrorStatus.REPLAY_OLD, window.check(502 + 63));
    }
}
