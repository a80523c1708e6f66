package org.sylkserver.media;

import java.util.BitSet;

/**
 * Hands out RTP ports from {@code [RTP] port_range}: even ports for RTP, the odd one above for RTCP
 * (RFC 3550 §11), round robin so a just-released port is not reused at once.
 */
final class PortAllocator {

    private final int start;
    private final int pairs;
    private final BitSet used;
    private int next;

    /** @param start first port (even), @param end last port (exclusive, even) */
    PortAllocator(int start, int end) {
        if (start % 2 != 0 || end % 2 != 0 || start >= end) {
            throw new IllegalArgumentException("port range must be even numbers START < END, got " + start + ":" + end);
        }
        this.start = start;
        this.pairs = (end - start) / 2;
        this.used = new BitSet(pairs);
    }

    /** An even port whose pair is free, or -1 when every pair is taken. */
    synchronized int allocate() {
        for (int i = 0; i < pairs; i++) {
            int candidate = (next + i) % pairs;
            if (!used.get(candidate)) {
                used.set(candidate);
                next = (candidate + 1) % pairs;
                return start + 2 * candidate;
            }
        }
        return -1;
    }

    synchronized void release(int port) {
        used.clear((port - start) / 2);
    }

    synchronized int inUse() {
        return used.cardinality();
    }

    int capacity() {
        return pairs;
    }
}
