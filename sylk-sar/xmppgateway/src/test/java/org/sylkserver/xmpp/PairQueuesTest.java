package org.sylkserver.xmpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The received stanzas' queues per (local user, remote JID) pair: bounded per pair and in all, pushing back on the
 * reader while they move, refusing when they are stuck, let go when idle.
 */
class PairQueuesTest {

    private static final Duration WAIT = Duration.ofMillis(300);

    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** A pair whose stanzas were all handled holds no queue: a remote server's many JIDs are not remembered. */
    @Test
    void anIdlePairIsLetGo() throws Exception {
        PairQueues queues = new PairQueues(pool, 10, 100, WAIT);
        CountDownLatch done = new CountDownLatch(50);
        for (int i = 0; i < 50; i++) {
            assertTrue(queues.submit("alice@sip.example juliet" + i + "@xmpp.example", done::countDown));
        }
        assertTrue(done.await(5, TimeUnit.SECONDS));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (queues.pairs() > 0 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertEquals(0, queues.pairs());
    }

    /**
     * A pair's queue that is full but moves makes the submitter wait for room, not refuse: 100 stanzas through a
     * queue of 2 whose handling takes 2 ms each are all taken and run in their order.
     */
    @Test
    void aFullQueueThatMovesIsWaitedForAndLosesNothing() throws Exception {
        PairQueues queues = new PairQueues(pool, 2, 100, WAIT);
        List<Integer> handled = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 100; i++) {
            int seq = i;
            assertTrue(queues.submit("a x", () -> {
                sleep(2);
                handled.add(seq);
            }), "stanza " + i + " taken");
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (handled.size() < 100 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertEquals(java.util.stream.IntStream.range(0, 100).boxed().toList(), handled);
    }

    /**
     * A pair's queue that is full and does not move is refused after the wait, and then at once until it moves
     * again; another pair is taken meanwhile.
     */
    @Test
    void aStuckQueueIsRefusedAfterTheWaitThenAtOnceUntilItMoves() throws Exception {
        Held held = new Held();
        PairQueues queues = new PairQueues(pool, 1, 100, WAIT);
        // the queue last moved when the first stanza started, after this (its run() notes its own start a moment
        // after the queue did, so that instant is no lower bound for the wait)
        long beforeFirst = System.nanoTime();
        assertTrue(queues.submit("a x", held), "runs, held up");
        assertTrue(queues.submit("a x", held), "waits");
        assertFalse(queues.submit("a x", held), "a third, the queue stuck");
        assertTrue(System.nanoTime() - beforeFirst >= WAIT.toNanos(), "refused once not moved for the wait");
        long before = System.nanoTime();
        assertFalse(queues.submit("a x", held));
        assertTrue(System.nanoTime() - before < WAIT.toNanos(), "refused at once while still stuck");
        CountDownLatch other = new CountDownLatch(1);
        assertTrue(queues.submit("b x", other::countDown), "another pair is taken");
        assertTrue(other.await(5, TimeUnit.SECONDS));
        held.release.countDown();
        assertTrue(taken(queues, "a x"), "taken again once it moves");
    }

    /** Besides each pair's limit, all pairs together hold at most {@code total} stanzas. */
    @Test
    void allPairsTogetherAreBounded() throws Exception {
        Held held = new Held();
        PairQueues queues = new PairQueues(pool, 10, 3, WAIT);
        assertTrue(queues.submit("a x", held));
        assertTrue(queues.submit("b x", held));
        // the queues last moved when the last of the three started, after this (see the test above)
        long beforeLast = System.nanoTime();
        assertTrue(queues.submit("c x", held));
        assertFalse(queues.submit("d x", held), "a fourth stanza, of a new pair");
        assertTrue(System.nanoTime() - beforeLast >= WAIT.toNanos(), "refused once none had moved for the wait");
        assertEquals(3, queues.pairs(), "the refused pair holds no queue");
        held.release.countDown();
        assertTrue(taken(queues, "d x"), "taken once the others were handled");
    }

    /** With no wait, a full queue is refused at once (the behaviour before the wait). */
    @Test
    void withoutAWaitAFullQueueIsRefusedAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        PairQueues queues = new PairQueues(pool, 1, 100, Duration.ZERO);
        try {
            assertTrue(queues.submit("a x", () -> {
                started.countDown();
                await(release);
            }));
            assertTrue(started.await(5, TimeUnit.SECONDS));
            assertTrue(queues.submit("a x", () -> { }));
            assertFalse(queues.submit("a x", () -> { }));
        } finally {
            release.countDown();
        }
    }

    /** A stanza's handling held up until released; it notes when the last one started. */
    private static final class Held implements Runnable {
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void run() {
            await(release);
        }
    }

    /**
     * Whether a stanza of {@code pair} is taken and runs within 5 s (one offered the moment a stuck queue is let go
     * may still be refused: the queue has not moved yet).
     */
    private static boolean taken(PairQueues queues, String pair) throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < until) {
            if (queues.submit(pair, ran::countDown)) {
                return ran.await(5, TimeUnit.SECONDS);
            }
            Thread.sleep(10);
        }
        return false;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
