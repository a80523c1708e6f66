package org.sylkserver.media.srtp;

import org.jitsi.srtp.SrtpErrorStatus;

/**
 * The packet index bookkeeping of one SRTP stream (RFC 3711 §3.2.1, §3.3.1, §3.3.2): the rollover counter, the highest
 * sequence number {@code s_l} seen, and the replay list as a sliding bit mask of the last {@value #SIZE} indices (bit
 * {@code k} set: index {@code highest - k} was accepted). §3.3.2 asks for a window of at least 64.
 *
 * <p>A receiver {@link #estimate estimates} the index of an arriving packet, {@link #check checks} it against the
 * list, authenticates the packet, and only then {@link #accept accepts} it: a forged packet changes nothing (§3.3.1:
 * ROC and {@code s_l} are updated after authentication). A sender does the same for what it protects, so that it
 * never encrypts two packets under one index (§9.1). Not thread-safe: the owning context synchronises.
 */
final class ReplayWindow {

    /** Indices the replay list covers, counting the highest. */
    static final int SIZE = 64;

    private int roc;
    private int highestSequence;
    private boolean started;
    private long seen;

    /**
     * The 48-bit index of a packet with sequence number {@code sequence} (RFC 3711 §3.3.1): its ROC guessed as
     * {@code ROC - 1}, {@code ROC} or {@code ROC + 1} from how far {@code sequence} is from {@code s_l}; negative for
     * a packet from before the first rollover counter of 0 (too old to take).
     */
    long estimate(int sequence) {
        if (!started) {
            return ((long) roc << 16) | sequence;
        }
        // The RFC's choice as arithmetic, without a branch: the index whose distance from s_l's is the sequence
        // numbers' difference taken into -2^15 .. 2^15 - 1 (from s_l below 2^15: -2^15 + 1 .. 2^15). A rollover
        // comes once in 65,536 packets; as a branch, C2 compiled it as a trap that threw the whole compiled receive
        // or send path away at the first rollover of a stream, and compiled it again on the forwarding thread's
        // core (docs/benchmarks.md, issue 13, session 22).
        int bound = 32767 + (highestSequence >>> 15);
        int distance = ((sequence - highestSequence + bound) & 0xffff) - bound;
        long index = highest() + distance;
        return index | (index >> 63);   // before ROC 0: -1
    }

    /**
     * Whether a packet of index {@code index} may be taken (RFC 3711 §3.3.2): OK for one newer than all so far or
     * inside the window and not yet seen, REPLAY_FAIL for one already accepted, REPLAY_OLD for one behind the
     * window.
     */
    SrtpErrorStatus check(long index) {
        if (index < 0) {
            return SrtpErrorStatus.REPLAY_OLD;
        }
        if (!started) {
            return SrtpErrorStatus.OK;
        }
        long delta = index - highest();
        if (delta > 0) {
            return SrtpErrorStatus.OK;
        }
        if (-delta >= SIZE) {
            return SrtpErrorStatus.REPLAY_OLD;
        }
        return (seen & (1L << -delta)) != 0 ? SrtpErrorStatus.REPLAY_FAIL : SrtpErrorStatus.OK;
    }

    /** Records {@code index} (which {@link #check} passed) as taken, sliding the window and updating ROC and s_l. */
    void accept(long index) {
        if (!started) {
            started = true;
            roc = (int) (index >>> 16);
            highestSequence = (int) (index & 0xffff);
            seen = 1;
            return;
        }
        long delta = index - highest();
        if (delta > 0) {
            seen = delta >= SIZE ? 1 : (seen << delta) | 1;
            roc = (int) (index >>> 16);
            highestSequence = (int) (index & 0xffff);
        } else {
            seen |= 1L << -delta;
        }
    }

    /** The rollover counter of {@code index} (its upper 32 bits), what the authentication tag covers (§4.2). */
    static int rocOf(long index) {
        return (int) (index >>> 16);
    }

    /** The highest index accepted so far. */
    long highest() {
        return ((long) roc << 16) | highestSequence;
    }

    /** The rollover counter now (for tests). */
    int roc() {
        return roc;
    }
}
