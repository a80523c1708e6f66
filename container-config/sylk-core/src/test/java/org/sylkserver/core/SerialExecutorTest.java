package org.sylkserver.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The serial executor: tasks in order, one at a time; with a limit, the waiting ones bounded; idle told. */
class SerialExecutorTest {

    private static final Logger LOG = Logger.getLogger("test");
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void tasksRunInOrderOneAtATime() throws Exception {
        SerialExecutor serial = new SerialExecutor(pool, LOG, "test");
        List<Integer> ran = new CopyOnWriteArrayList<>();
        AtomicInteger running = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(200);
        for (int i = 0; i < 200; i++) {
            int n = i;
            serial.execute(() -> {
                assertEquals(1, running.incrementAndGet());
                ran.add(n);
                running.decrementAndGet();
                done.countDown();
            });
        }
        assertTrue(done.await(5, TimeUnit.SECONDS));
        for (int i = 0; i < 200; i++) {
            assertEquals(i, ran.get(i));
        }
    }

    /** A running task learns whether more wait behind it; any other thread, and the last task, hear no. */
    @Test
    void aRunningTaskKnowsWhetherMoreTasksWait() throws Exception {
        SerialExecutor serial = new SerialExecutor(pool, LOG, "test");
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(3);
        List<Boolean> more = new CopyOnWriteArrayList<>();
        serial.execute(() -> {
            await(release);
            more.add(serial.moreQueued());
            done.countDown();
        });
        serial.execute(() -> {
            more.add(serial.moreQueued());
            done.countDown();
        });
        serial.execute(() -> {
            more.add(serial.moreQueued());
            done.countDown();
        });
        assertFalse(serial.moreQueued(), "asked from outside the executor while tasks wait");
        release.countDown();
        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertEquals(List.of(true, true, false), more);
    }

    /** With a limit, the task beyond {@code limit} waiting ones is refused (the running one not counted). */
    @Test
    void aBoundedExecutorRefusesBeyondItsLimit() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        SerialExecutor serial = new SerialExecutor(pool, LOG, "test", 2, () -> { });
        assertTrue(serial.offer(() -> {
            started.countDown();
            await(release);
        }));
        assertTrue(started.await(5, TimeUnit.SECONDS));
        assertTrue(serial.offer(() -> { }));
        assertTrue(serial.offer(() -> { }));
        assertFalse(serial.offer(() -> { }), "a third waiting task");
        assertThrows(RejectedExecutionException.class, () -> serial.execute(() -> { }));
        release.countDown();
    }

    /** The idle hook is told once the queue ran empty, when nothing waits or runs. */
    @Test
    void theIdleHookIsToldWhenTheQueueRunsEmpty() throws Exception {
        CountDownLatch idle = new CountDownLatch(1);
        SerialExecutor[] serial = new SerialExecutor[1];
        AtomicInteger idleWhenTold = new AtomicInteger();
        serial[0] = new SerialExecutor(pool, LOG, "test", 10, () -> {
            if (serial[0].idle()) {
                idleWhenTold.incrementAndGet();
            }
            idle.countDown();
        });
        CountDownLatch release = new CountDownLatch(1);
        serial[0].execute(() -> await(release));
        serial[0].execute(() -> { });
        assertFalse(serial[0].idle(), "busy");
        release.countDown();
        assertTrue(idle.await(5, TimeUnit.SECONDS));
        assertEquals(1, idleWhenTold.get());
        assertTrue(serial[0].idle());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
