package org.sylkserver.xmpp;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import org.sylkserver.core.SerialExecutor;

/**
 * The handling of received stanzas, one serial queue per (local user, remote JID) pair: a pair's stanzas are handled
 * in the order they arrived, different pairs at once on the shared pool, so a slow SIP step for one pair (an INVITE,
 * a SUBSCRIBE whose destination takes time to resolve) no longer holds up the other users of the S2S link it came
 * on. Bounded, as a remote server decides how much arrives: {@code perPair} stanzas may wait per pair and
 * {@code total} in all. A full queue first pushes back: {@link #submit} waits for room, so the S2S reader stops
 * reading and TCP slows the remote server down, and a flood that is handled, however slowly, loses nothing. Only
 * a full queue that has not moved for {@code wait} (no stanza of the pair started; for all queues, none started or
 * ended: the handling is stuck) makes {@link #submit} say false: once it has waited out the rest of that time, and
 * then at once, without holding up the link again, until the queue moves. A pair whose queue runs empty is let go.
 *
 * <p>Threads: the map and the counts are guarded by this object's monitor (taken briefly by the S2S reader threads
 * that submit, which wait on it for room, and by the pool threads starting and finishing stanzas); each queue's
 * tasks run on the pool.
 */
final class PairQueues {

    private static final Logger LOG = Logger.getLogger("sylk.xmpp");

    /** One pair's queue. */
    private static final class Pair {
        final SerialExecutor queue;
        /** Stanzas queued and not started. */
        int waiting;
        /** When the queue last moved (a stanza of it started, or the queue was made), {@link System#nanoTime}. */
        long moved;

        Pair(SerialExecutor queue, long now) {
            this.queue = queue;
            this.moved = now;
        }
    }

    private final Executor pool;
    private final int perPair;
    private final int total;
    private final long waitNanos;
    private final Map<String, Pair> pairs = new HashMap<>();
    /** Stanzas waiting or being handled, in all queues. */
    private int queued;
    /** When any queue last moved (a stanza started or ended, or this was made), {@link System#nanoTime}. */
    private long allMoved = System.nanoTime();
    /** Threads in {@link #submit} waiting for room. */
    private int waiters;

    /**
     * @param perPair how many stanzas of one pair may wait
     * @param total   how many may wait or be handled in all
     * @param wait    how long {@link #submit} waits for room in a full queue that does not move (zero: not at all)
     */
    PairQueues(Executor pool, int perPair, int total, java.time.Duration wait) {
        this.pool = pool;
        this.perPair = perPair;
        this.total = total;
        this.waitNanos = wait.toNanos();
    }

    /**
     * Queues {@code task} behind the earlier ones of {@code pair}, waiting while its queue or all are full and move;
     * false (it never runs) when the full queue has not moved for the wait, or when the waiting thread is
     * interrupted.
     */
    synchronized boolean submit(String pair, Runnable task) {
        while (true) {
            Pair existing = pairs.get(pair);
            boolean pairFull = existing != null && existing.waiting >= perPair;
            boolean allFull = queued >= total;
            if (!pairFull && !allFull) {
                break;
            }
            long now = System.nanoTime();
            long left = Math.min(pairFull ? existing.moved + waitNanos - now : Long.MAX_VALUE,
                    allFull ? allMoved + waitNanos - now : Long.MAX_VALUE);
            if (left <= 0) {
                return false;
            }
            waiters++;
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                waiters--;
            }
        }
        Pair queue = pairs.computeIfAbsent(pair, key -> new Pair(
                new SerialExecutor(pool, LOG, "XMPP stanzas of " + key, Integer.MAX_VALUE, () -> release(key)),
                System.nanoTime()));
        queue.waiting++;
        queued++;
        queue.queue.execute(() -> {
            started(queue);
            try {
                task.run();
            } finally {
                done();
            }
        });
        return true;
    }

    private synchronized void started(Pair pair) {
        pair.waiting--;
        pair.moved = System.nanoTime();
        allMoved = pair.moved;
        if (waiters > 0) {
            notifyAll();
        }
    }

    private synchronized void done() {
        queued--;
        allMoved = System.nanoTime();
        if (waiters > 0) {
            notifyAll();
        }
    }

    /** The queue of {@code pair} ran empty: let go of it unless a stanza came meanwhile. */
    private synchronized void release(String pair) {
        Pair queue = pairs.get(pair);
        if (queue != null && queue.queue.idle()) {
            pairs.remove(pair);
        }
    }

    /** Pairs with a queue now (for the tests). */
    synchronized int pairs() {
        return pairs.size();
    }
}
