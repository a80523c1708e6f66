package org.sylkserver.xmpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The received stanzas' queues per (local user, remote JID) pair: bounded in all, let go when idle. */
class PairQueuesTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** A pair whose stanzas were all handled holds no queue: a remote server's many JIDs are not remembered. */
    @Test
    void anIdlePairIsLetGo() throws Exception {
        PairQueues queues = new PairQueues(pool, 10, 100);
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

    /** Besides each pair's limit, all pairs together hold at most {@code total} stanzas. */
    @Test
    void allPairsTogetherAreBounded() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        PairQueues queues = new PairQueues(pool, 10, 3);
        Runnable held = () -> {
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        assertTrue(queues.submit("a x", held));
        assertTrue(queues.submit("b x", held));
        assertTrue(queues.submit("c x", held));
        assertFalse(queues.submit("d x", held), "a fourth stanza, of a new pair");
        release.countDown();
        CountDownLatch later = new CountDownLatch(1);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        boolean taken = false;
        while (!taken && System.nanoTime() < until) {
            taken = queues.submit("d x", later::countDown);
        }
        assertTrue(taken && later.await(5, TimeUnit.SECONDS), "taken again once the others were handled");
    }
}
