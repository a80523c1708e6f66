package org.sylkserver.media;

import java.io.IOException;
import java.net.BindException;
import java.util.BitSet;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * Hands out RTP ports from {@code [RTP] port_range}: an even port for RTP and the odd one above it reserved for
 * RTCP (RFC 3550 §11), round robin so that a just-released port is not reused at once (late packets of the old
 * call would otherwise reach the new one). Thread-safe.
 */
final class PortAllocator {

    private static final Logger LOG = Logger.getLogger("sylk.media");

    private final int start;
    private final int pairs;
    private final BitSet used;
    private int next;

    /**
     * @param start first port (even)
     * @param end   end of the range, exclusive (even, at most 65536)
     */
    PortAllocator(int start, int end) {
        if (start % 2 != 0 || end % 2 != 0 || start <= 0 || start >= end || end > 65536) {
            throw new IllegalArgumentException("RTP port range must be even numbers 0 < START < END <= 65536, got "
                    + start + ":" + end);
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
        if (port < start || port >= start + 2 * pairs || port % 2 != 0) {
            throw new IllegalArgumentException("port " + port + " was not handed out by this allocator");
        }
        used.clear((port - start) / 2);
    }

    synchronized int inUse() {
        return used.cardinality();
    }

    int capacity() {
        return pairs;
    }

    /** Binds what uses a port pair of the range (its even port and, if it needs it, the next one). */
    @FunctionalInterface
    interface PortUser<T> {
        T bind(int port) throws IOException;
    }

    /**
     * Gives {@code user} free port pairs of the range until one binds: a pair held by another program
     * ({@link BindException}) is skipped, round robin coming back to it last.
     *
     * @param open whether the media engine is still open (asked before each pair)
     * @throws IOException                 when the engine is closed, or what {@code user} threw but a bind exception
     * @throws PortRangeExhaustedException when no free pair binds
     */
    <T> T onFreePorts(BooleanSupplier open, PortUser<T> user) throws IOException {
        for (int attempt = 0; attempt < capacity(); attempt++) {
            if (!open.getAsBoolean()) {
                throw new IOException("media engine is closed");
            }
            int port = allocate();
            if (port < 0) {
                break;
            }
            try {
                return user.bind(port);
            } catch (BindException inUse) {
                LOG.fine(() -> "media port " + port + " or " + (port + 1) + " is in use elsewhere: "
                        + inUse.getMessage());
                release(port);
            } catch (IOException | RuntimeException e) {
                release(port);
                throw e;
            }
        }
        throw new PortRangeExhaustedException("no free RTP port pair in the configured range ("
                + inUse() + " of " + capacity() + " in use, the others held by other programs)");
    }
}
