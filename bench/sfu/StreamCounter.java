/**
 * What one subscriber received of one RTP stream (one SSRC), from the cleartext SRTP header: packets, the extended
 * highest sequence number and so the packets lost, as RFC 3550 §6.4.1 and Appendix A.3 count them (expected =
 * extended highest - first + 1; lost = expected - received; a late packet still counts as received, a duplicate
 * makes the loss smaller, as in a receiver report). Written by the peer's reader thread only; read by the main
 * thread for the step's snapshots (volatile: a snapshot may be one packet behind, never torn).
 */
final class StreamCounter {

    /** Packets a stream can count by sequence number: 2^18, over 20 minutes of 200 packets/s. */
    static final int CAPACITY = 1 << 18;
    /** {@link #origin} before any packet of the stream was opened. */
    static final long UNKNOWN = Long.MIN_VALUE;

    final long ssrc;
    private volatile long received;
    private volatile long extendedHighest;
    private long first;
    /**
     * Which packets arrived, by index (extended sequence number - the first one's): one bit each, so that a window
     * of the sender's sequence numbers is counted exactly, whatever was in flight at its edges (session 26).
     */
    private final long[] seen = new long[CAPACITY / 64];
    /**
     * The sender's own sequence number of index 0 (the SFU may rewrite the numbers by an offset; the sender writes
     * its number into the payload, read from packets this peer decrypts), or {@link #UNKNOWN}; and which of the
     * publisher's streams this is (1 video, 0 audio), from the same payload.
     */
    volatile long origin = UNKNOWN;
    volatile int kind = -1;

    StreamCounter(long ssrc, int sequence) {
        this.ssrc = ssrc;
        first = sequence;
        extendedHighest = sequence;
        seen[0] = 1;
        received = 1;
    }

    /** One more packet with this 16-bit sequence number; returns its index (its extended number - the first's). */
    long received(int sequence) {
        long highest = extendedHighest;
        int delta = (short) (sequence - (int) (highest & 0xffff));   // RFC 3550 A.1: signed distance modulo 2^16
        if (delta > 0) {
            extendedHighest = highest + delta;
        }
        long index = highest + delta - first;
        if (index >= 0 && index < CAPACITY) {
            seen[(int) (index >>> 6)] |= 1L << index;
        }
        received = received + 1;   // after the bit: a reader that reads this first sees the bit
        return index;
    }

    /**
     * The distinct packets received whose sender's sequence number is in [{@code from}, {@code to}); 0 while the
     * origin is unknown.
     */
    long receivedBetween(long from, long to) {
        long ignored = received;   // the volatile read that makes the bits written before it visible
        long o = origin;
        if (o == UNKNOWN) {
            return 0;
        }
        long a = Math.max(0, from - o);
        long b = Math.min(CAPACITY, to - o);
        long count = 0;
        for (long i = a; i < b; ) {
            int word = (int) (i >>> 6);
            long mask = -1L << (i & 63);
            long end = Math.min(b, ((long) word + 1) << 6);
            if (end < ((long) word + 1) << 6) {
                mask &= -1L >>> (64 - (end & 63));
            }
            count += Long.bitCount(seen[word] & mask);
            i = end;
        }
        return count;
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

        // counting a window of the sender's numbers: an offset of 1000 (the SFU's rewriting), a wrap, a duplicate,
        // a late packet and a gap
        StreamCounter window = new StreamCounter(6, 65_000);
        window.origin = 1_000 - 0;   // the sender's number of the first packet
        for (int s = 65_001; s < 65_000 + 1_000; s++) {
            if (s != 65_500 && s != 65_600) {   // 65,600 is late, 65,500 lost
                window.received(s & 0xffff);
            }
        }
        window.received(65_600 & 0xffff);
        window.received(65_700 & 0xffff);   // a duplicate
        // sender numbers 1,400-1,799 are indices 400-799: received 400 - 1 lost; 1,999 was the last sent
        if (window.receivedBetween(1_400, 1_800) != 399 || window.receivedBetween(0, 2_000) != 999
                || window.receivedBetween(1_999, 2_100) != 1 || window.receivedBetween(2_000, 2_100) != 0
                || new StreamCounter(7, 1).receivedBetween(0, 10) != 0) {
            throw new AssertionError("window: " + window.receivedBetween(1_400, 1_800) + " "
                    + window.receivedBetween(0, 2_000) + " " + window.receivedBetween(1_999, 2_100));
        }
        if (percent(1, 1000) != 0.1 || percent(0, 0) != 0 || percent(5, 10) != 50) {
            throw new AssertionError("percent");
        }
        System.out.println("self-check: stream accounting ok (in order, gap, wrap, reordered, before the first, a window by the sender's numbers, percent)");
    }

    private static void check(StreamCounter c, long received, long expected, long lost, String what) {
        if (c.received() != received || c.expected() != expected || c.lost() != lost) {
            throw new AssertionError(what + ": received " + c.received() + " expected " + c.expected() + " lost "
                    + c.lost() + ", wanted " + received + "/" + expected + "/" + lost);
        }
    }
}
