package org.sylkserver.webrtc.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.core.config.ConfigException;

/** The store's queue (issue 14): one lane per key, lanes side by side, a bound for what is offered. */
class StoreQueueTest {

    @TempDir
    Path configDir;

    @Test
    void oneKeyWaitsForItsEarlierTaskWhileAnotherKeyGoesOn() throws Exception {
        StoreQueue queue = StoreQueue.start(2, 10);
        try {
            CountDownLatch stuck = new CountDownLatch(1);
            CountDownLatch otherDone = new CountDownLatch(1);
            List<String> done = Collections.synchronizedList(new ArrayList<>());
            assertTrue(queue.offer("a", () -> {
                await(stuck);
                done.add("a1");
            }));
            assertTrue(queue.offer("a", () -> done.add("a2")));
            assertTrue(queue.offer("b", () -> {
                done.add("b1");
                otherDone.countDown();
            }));
            assertTrue(otherDone.await(10, TimeUnit.SECONDS), "b is not held up by a");
            assertEquals(List.of("b1"), done, "a2 waits for a1");
            stuck.countDown();
            queue.close(10);
            assertEquals(List.of("b1", "a1", "a2"), done);
            assertEquals(0, queue.pending());
        } finally {
            queue.close(1);
        }
    }

    /**
     * A batch's tasks queued one behind the other run in one call, in their order, at most MOST_TOGETHER at once; a
     * task of another kind in between ends the run, and runs between the two calls.
     */
    @Test
    void aBatchsSuccessiveTasksRunTogetherInOrder() {
        List<Runnable> started = new ArrayList<>();
        StoreQueue queue = new StoreQueue(started::add, 1000);
        List<String> runs = new ArrayList<>();
        StoreQueue.Batch<Integer> batch = (tasks, done) -> runs.add("batch " + tasks.get(0) + ".."
                + tasks.get(tasks.size() - 1) + " (" + tasks.size() + ")");
        int many = StoreQueue.MOST_TOGETHER + 4;
        for (int i = 1; i <= many; i++) {
            assertTrue(queue.offer("a", batch, i));
        }
        queue.add("a", () -> runs.add("alone"));
        queue.add("a", batch, 0);
        assertEquals(many + 2, queue.pending());
        while (!started.isEmpty()) {
            started.remove(0).run();
        }
        assertEquals(List.of("batch 1.." + StoreQueue.MOST_TOGETHER + " (" + StoreQueue.MOST_TOGETHER + ")",
                "batch " + (StoreQueue.MOST_TOGETHER + 1) + ".." + many + " (4)", "alone", "batch 0..0 (1)"), runs);
        assertEquals(0, queue.pending());
    }

    /**
     * A batch's task stops counting against the bound as soon as the batch says it is done, not when the whole run
     * ends: a sender answered early in a run and sending again is not refused for a queue full of answered tasks.
     */
    @Test
    void aBatchsTaskLeavesTheBoundOnceDone() {
        List<Runnable> started = new ArrayList<>();
        StoreQueue queue = new StoreQueue(started::add, 3);
        List<Boolean> offeredWhileRunning = new ArrayList<>();
        StoreQueue.Batch<String> batch = (tasks, done) -> {
            done.run();
            done.run();
            offeredWhileRunning.add(queue.offer("a", (more, moreDone) -> { }, "later"));
            offeredWhileRunning.add(queue.offer("b", () -> { }));
            offeredWhileRunning.add(queue.offer("c", () -> { }));
        };
        assertTrue(queue.offer("a", batch, "1"));
        assertTrue(queue.offer("a", batch, "2"));
        assertTrue(queue.offer("a", batch, "3"));
        started.remove(0).run();
        assertEquals(List.of(true, true, false), offeredWhileRunning, "two answered, two places free again");
        assertEquals(2, queue.pending(), "the batch's third, never said done, is counted off at its end");
    }

    @Test
    void offerRefusesBeyondTheCapacityAddDoesNot() {
        List<Runnable> started = new ArrayList<>();
        StoreQueue queue = new StoreQueue(started::add, 2);
        assertTrue(queue.offer("a", () -> { }));
        assertTrue(queue.offer("b", () -> { }));
        assertFalse(queue.offer("c", () -> { }), "full");
        queue.add("c", () -> { });
        assertEquals(3, queue.pending());
        started.remove(0).run();
        assertFalse(queue.offer("d", () -> { }), "what add queued counts too");
        started.remove(0).run();
        assertTrue(queue.offer("d", () -> { }), "room again once tasks ended");
    }

    @Test
    void aFailingTaskDoesNotStopItsLane() {
        List<String> done = new ArrayList<>();
        StoreQueue queue = new StoreQueue(Runnable::run, 10);
        queue.offer("a", () -> {
            throw new IllegalStateException("bug");
        });
        queue.offer("a", () -> done.add("next"));
        assertEquals(List.of("next"), done);
        assertEquals(0, queue.pending());
    }

    @Test
    void aClosedQueueTakesNothing() {
        StoreQueue queue = StoreQueue.start(1, 10);
        queue.close(1);
        assertFalse(queue.offer("a", () -> { }));
        assertEquals(0, queue.pending());
    }

    @Test
    void threadsAndQueueSizeAreConfigured() throws Exception {
        Files.writeString(configDir.resolve("webrtcgateway.ini"), "[General]\n");
        MessagingConfig defaults = MessagingConfig.load(configDir, configDir);
        assertEquals(List.of(32, 1000), List.of(defaults.storeThreads(), defaults.storeQueueSize()));
        Files.writeString(configDir.resolve("webrtcgateway.ini"),
                "[General]\nmessage_store_threads = 4\nmessage_store_queue_size = 50\n");
        MessagingConfig set = MessagingConfig.load(configDir, configDir);
        assertEquals(List.of(4, 50), List.of(set.storeThreads(), set.storeQueueSize()));
        Files.writeString(configDir.resolve("webrtcgateway.ini"), "[General]\nmessage_store_queue_size = 0\n");
        assertThrows(ConfigException.class, () -> MessagingConfig.load(configDir, configDir));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
