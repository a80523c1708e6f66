package org.sylkserver.webrtc.messaging;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
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
 * {@link #add} always queues: it is for the follow-up of work already taken (a sent message's outcome), or for work
 * whose number is bounded elsewhere (a connection's sent messages in flight, by {@code max_pending_requests}).
 *
 * <p>Tasks of a {@link Batch} run together: a lane hands the tasks of one batch queued one behind the other at its
 * head to one call, in their order (at most {@link #MOST_TOGETHER}), so that a conversation's messages that wait while
 * the store commits are stored in the next transaction all at once, in order, rather than one transaction each.
 */
public final class StoreQueue implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger("webrtcgateway.messaging");
    /** The most tasks of a batch run in one call: bounds the wait of the first for the last. */
    static final int MOST_TOGETHER = 256;

    /** Work whose tasks run better together than one by one; {@link #run} gets them in their lane's order. */
    @FunctionalInterface
    public interface Batch<T> {
        /**
         * Runs {@code tasks}, which must each be answered whatever happens to the others; {@code done} is called as each
         * one is, so that the queue's bound counts it no longer (else a run's answered tasks took room until its end,
         * and senders got 503 for a queue that was not full).
         */
        void run(List<T> tasks, Runnable done);
    }

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
        return enqueue(key, new Task(null, task), true);
    }

    /** Queues {@code task} behind the earlier tasks of {@code key}, full or not. */
    public void add(String key, Runnable task) {
        enqueue(key, new Task(null, task), false);
    }

    /**
     * Queues {@code task} of {@code batch} behind the earlier tasks of {@code key}, to run together with the tasks of
     * the same batch right before or behind it; false, nothing queued, when the queue is full.
     */
    public <T> boolean offer(String key, Batch<T> batch, T task) {
        return enqueue(key, new Task(batch, task), true);
    }

    /**
     * Queues {@code task} of {@code batch} as {@link #offer(String, Batch, Object)} does, full or not; false, nothing
     * queued, only when the queue is closing.
     */
    public <T> boolean add(String key, Batch<T> batch, T task) {
        return enqueue(key, new Task(batch, task), false);
    }

    /**
     * Runs {@code task} on one of the queue's threads outside every lane, for work that needs no order and must not
     * hold up a lane (the answers of a batch already stored); in the caller when the queue is closing.
     */
    public void elsewhere(Runnable task) {
        try {
            workers.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /** Tasks queued or running now. */
    public synchronized int pending() {
        return pending;
    }

    /** The most tasks {@link #offer} lets in. */
    public int capacity() {
        return capacity;
    }

    private boolean enqueue(String key, Task task, boolean bounded) {
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

    /** A task of a lane: a {@link Runnable} alone ({@code batch} null), or an item of {@code batch}. */
    private record Task(Batch<?> batch, Object item) {
    }

    /**
     * The tasks of one key: one runs at a time (or one batch's run of them); the lane goes back to the pool after
     * each, so lanes take turns.
     */
    private final class Lane implements Runnable {
        private final String key;
        /** Guarded by the queue's lock. */
        private final ArrayDeque<Task> tasks = new ArrayDeque<>();

        Lane(String key) {
            this.key = key;
        }

        @Override
        public void run() {
            while (true) {
                List<Task> next = new ArrayList<>();
                synchronized (StoreQueue.this) {
                    Iterator<Task> queued = tasks.iterator();
                    Task head = queued.next();
                    next.add(head);
                    while (head.batch() != null && next.size() < MOST_TOGETHER && queued.hasNext()) {
                        Task task = queued.next();
                        if (task.batch() != head.batch()) {
                            break;
                        }
                        next.add(task);
                    }
                }
                int[] done = new int[1];
                try {
                    run(next, () -> {
                        synchronized (StoreQueue.this) {
                            if (done[0] < next.size()) {
                                done[0]++;
                                pending--;
                            }
                        }
                    });
                } catch (Throwable e) {
                    // a failed task must not stop its lane: the later ones still need answering
                    LOG.log(Level.SEVERE, "message store task failed", e);
                }
                synchronized (StoreQueue.this) {
                    for (int i = 0; i < next.size(); i++) {
                        tasks.poll();
                    }
                    pending -= next.size() - done[0];
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

        @SuppressWarnings("unchecked")
        private void run(List<Task> next, Runnable done) {
            Task head = next.get(0);
            if (head.batch() == null) {
                ((Runnable) head.item()).run();
                return;
            }
            List<Object> items = new ArrayList<>(next.size());
            next.forEach(task -> items.add(task.item()));
            ((Batch<Object>) head.batch()).run(items, done);
        }
    }
}
