/**
 * What one subscriber received of one RTP stream (one SSRC), from the cleartext SRTP header: packets, the extended
 * highest sequence number and so the packets lost, as RFC 3550 §6.4.1 and Appendix A.3 count them (expected =
 * extended highest - first + 1; lost = expected - received; a late packet still counts as received, a duplicate
 * makes the loss smaller, as in a receiver report). Written by the peer's reader thread only; read by the main
 * thread for the step's snapshots (volatile: a snapshot may be one packet behind, never torn).
 */
final class StreamCounter {

    final long ssrc;
    private volatile long received;
    private volatile long extendedHighest;
    private long first;

    StreamCounter(long ssrc, int sequence) {
        this.ssrc = ssrc;
        first = sequence;
        extendedHighest = sequence;
        received = 1;
    }

    /** One more packet with this 16-bit sequence number. */
    void received(int sequence) {
        long highest = extendedHighest;
        int delta = (short) (sequence - (int) (highest & 0xffff));   // RFC 3550 A.1: signed distance modulo 2^16
        if (delta > 0) {
            extendedHighest = highest + delta;
        }
        received = received + 1;
    }

    long received() {
        return received;
    }

    long expected() {
        return extendedHighest - first + 1;
    }

    long lost() {
        return expected() - received;
    }

    /** The loss of {@code lost} packets out of {@code expected} in percent (0 when nothing was expected). */
    static double percent(long lost, long expected) {
        return expected <= 0 ? 0 : 100.0 * lost / expected;
    }

    /** Checks the accounting (bench/sfu.sh runs this before every benchmark); throws on the first wrong figure. */
    static void selfCheck() {
        StreamCounter inOrder = new StreamCounter(1, 100);
        for (int s = 101; s < 200; s++) {
            inOrder.received(s);
        }
        check(inOrder, 100, 100, 0, "in order");

        StreamCounter gap = new StreamCounter(2, 10);
        gap.received(11);
        gap.received(15);   // 12, 13, 14 lost
        gap.received(16);
        check(gap, 4, 7, 3, "a gap of three");

        StreamCounter wrap = new StreamCounter(3, 65534);
        wrap.received(65535);
        wrap.received(0);
        wrap.received(2);   // 1 lost, across the wrap of the 16-bit sequence number
        check(wrap, 4, 5, 1, "across the wrap");

        StreamCounter reordered = new StreamCounter(4, 1);
        reordered.received(3);
        reordered.received(2);   // late, not lost
        reordered.received(4);
        check(reordered, 4, 4, 0, "reordered");

        StreamCounter early = new StreamCounter(5, 1000);
        early.received(900);   // sent before the first one received: late, never moves the highest back
        check(early, 2, 1, -1, "before the first");

        if (percent(1, 1000) != 0.1 || percent(0, 0) != 0 || percent(5, 10) != 50) {
            throw new AssertionError("percent");
        }
        System.out.println("self-check: stream accounting ok (in order, gap, wrap, reordered, before the first, percent)");
    }

    private static void check(StreamCounter c, long received, long expected, long lost, String what) {
        if (c.received() != received || c.expected() != expected || c.lost() != lost) {
            throw new AssertionError(what + ": received " + c.received() + " expected " + c.expected() + " lost "
                    + c.lost() + ", wanted " + received + "/" + expected + "/" + lost);
        }
    }
}
