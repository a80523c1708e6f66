package org.sylkserver.xmpp;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.logging.Logger;

import org.sylkserver.core.SerialExecutor;

/**
 * The handling of received stanzas, one serial queue per (local user, remote JID) pair: a pair's stanzas are handled
 * in the order they arrived, different pairs at once on the shared pool, so a slow SIP step for one pair (an INVITE,
 * a SUBSCRIBE whose destination takes time to resolve) no longer holds up the other users of the S2S link it came
 * on. Bounded, as a remote server decides how much arrives: {@code perPair} stanzas may wait per pair and
 * {@code total} in all; beyond, {@link #submit} says false. A pair whose queue runs empty is let go.
 *
 * <p>Threads: the map is guarded by this object's monitor (taken briefly by the S2S reader threads that submit and
 * by the pool threads that let an idle queue go); each queue's tasks run on the pool.
 */
final class PairQueues {

    private static final Logger LOG = Logger.getLogger("sylk.xmpp");

    private final Executor pool;
    private final int perPair;
    private final int total;
    private final Map<String, SerialExecutor> pairs = new HashMap<>();
    /** Stanzas waiting or being handled, in all queues. */
    private int queued;

    /**
     * @param perPair how many stanzas of one pair may wait
     * @param total   how many may wait in all
     */
    PairQueues(Executor pool, int perPair, int total) {
        this.pool = pool;
        this.perPair = perPair;
        this.total = total;
    }

    /** Queues {@code task} behind the earlier ones of {@code pair}; false (it never runs) when a limit is reached. */
    synchronized boolean submit(String pair, Runnable task) {
        if (queued >= total) {
            return false;
        }
        SerialExecutor queue = pairs.get(pair);
        if (queue == null) {
            queue = new SerialExecutor(pool, LOG, "XMPP stanzas of " + pair, perPair, () -> release(pair));
            pairs.put(pair, queue);
        }
        queued++;
        if (!queue.offer(() -> {
            try {
                task.run();
            } finally {
                done();
            }
        })) {
            queued--;
            return false;
        }
        return true;
    }

    private synchronized void done() {
        queued--;
    }

    /** The queue of {@code pair} ran empty: let go of it unless a stanza came meanwhile. */
    private synchronized void release(String pair) {
        SerialExecutor queue = pairs.get(pair);
        if (queue != null && queue.idle()) {
            pairs.remove(pair);
        }
    }

    /** Pairs with a queue now (for the tests). */
    synchronized int pairs() {
        return pairs.size();
    }
}
