package org.sylkserver.webrtc.messaging;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The message store's work, off the threads that take requests (issue 14: a slow store, a loaded Cassandra node,
 * held every SIP thread, and REGISTERs then timed out). Work is queued by conversation: the tasks of one key run one
 * at a time, in the order given, so the messages of a conversation are stored in the order they arrived; tasks of
 * different keys run side by side on at most {@code threads} threads. At most {@code capacity} tasks wait or run:
 * {@link #offer} refuses beyond, at once, so that the caller can answer "try later" instead of holding the request.
 * {@link #add} always queues: it is for the follow-up of work already taken (a sent message's outcome), whose number
 * the bound on what is taken already limits.
 */
public final class StoreQueue implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger("webrtcgateway.messaging");

    private final Executor workers;
    private final ThreadPoolExecutor ownWorkers;
    private final int capacity;
    /** The lanes with work, by key; guarded by {@code this}. */
    private final Map<String, Lane> lanes = new HashMap<>();
    /** Tasks queued or running; guarded by {@code this}. */
    private int pending;

    /**
     * A queue whose lanes run on {@code workers} ({@code Runnable::run} runs each task in the caller, for tests).
     *
     * @param capacity the most tasks {@link #offer} lets wait or run at once
     */
    public StoreQueue(Executor workers, int capacity) {
        this(workers, null, capacity);
    }

    private StoreQueue(Executor workers, ThreadPoolExecutor ownWorkers, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.workers = workers;
        this.ownWorkers = ownWorkers;
        this.capacity = capacity;
    }

    /** A queue on {@code threads} threads of its own ({@code webrtcgateway-store-N}), stopped by {@link #close}. */
    public static StoreQueue start(int threads, int capacity) {
        AtomicInteger count = new AtomicInteger();
        // the pool's own queue holds at most one entry per lane with work: bounded by what the lanes hold
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, "webrtcgateway-store-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        return new StoreQueue(pool, pool, capacity);
    }

    /** Queues {@code task} behind the earlier tasks of {@code key}; false, nothing queued, when the queue is full. */
    public boolean offer(String key, Runnable task) {
        return enqueue(key, task, true);
    }

    /** Queues {@code task} behind the earlier tasks of {@code key}, full or not. */
    public void add(String key, Runnable task) {
        enqueue(key, task, false);
    }

    /** Tasks queued or running now. */
    public synchronized int pending() {
        return pending;
    }

    /** The most tasks {@link #offer} lets in. */
    public int capacity() {
        return capacity;
    }

    private boolean enqueue(String key, Runnable task, boolean bounded) {
        Lane start;
        synchronized (this) {
            if (bounded && pending >= capacity) {
                return false;
            }
            pending++;
            Lane lane = lanes.get(key);
            if (lane != null) {
                lane.tasks.add(task);
                return true;
            }
            start = new Lane(key);
            start.tasks.add(task);
            lanes.put(key, start);
        }
        try {
            workers.execute(start);
        } catch (RejectedExecutionException e) {
            // closed: nothing more is taken
            synchronized (this) {
                lanes.remove(key);
                pending--;
            }
            return false;
        }
        return true;
    }

    /**
     * Stops taking threads for new work and waits up to {@code seconds} for what is queued to finish; what is still
     * queued then is dropped (never acknowledged: the senders try again).
     */
    public void close(long seconds) {
        if (ownWorkers == null) {
            return;
        }
        ownWorkers.shutdown();
        try {
            if (!ownWorkers.awaitTermination(seconds, TimeUnit.SECONDS)) {
                LOG.warning(() -> "message store queue: " + pending() + " tasks dropped at shutdown (not acknowledged)");
                ownWorkers.shutdownNow();
            }
        } catch (InterruptedException e) {
            ownWorkers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(10);
    }

    /** The tasks of one key: one runs at a time; the lane goes back to the pool after each, so lanes take turns. */
    private final class Lane implements Runnable {
        private final String key;
        /** Guarded by the queue's lock. */
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        Lane(String key) {
            this.key = key;
        }

        @Override
        public void run() {
            while (true) {
                Runnable task;
                synchronized (StoreQueue.this) {
                    task = tasks.peek();
                }
                try {
                    task.run();
                } catch (Throwable e) {
                    // a failed task must not stop its lane: the later ones still need answering
                    LOG.log(Level.SEVERE, "message store task failed", e);
                }
                synchronized (StoreQueue.this) {
                    tasks.poll();
                    pending--;
                    if (tasks.isEmpty()) {
                        lanes.remove(key);
                        return;
                    }
                }
                try {
                    workers.execute(this);
                    return;
                } catch (RejectedExecutionException e) {
                    // closing: the lane's queued tasks finish here
                }
            }
        }
    }
}
