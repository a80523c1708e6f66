package org.sylkserver.media;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The packets of one {@link RtpTranscoder} direction waiting for the codec thread: handed to its work one at a time
 * and in order on a shared executor, at most one task of this queue at a time. The queue is bounded: when the work
 * falls further behind, the oldest item is dropped and counted, and {@link #offer} says when the drops are due for a
 * log line again (at most once per interval). After {@link #close} nothing more is run, and {@code onClosed} runs
 * once: at once when no item is under way, else on the executor after the item under way.
 *
 * <p>Threading: {@link #offer} from one thread at a time (the I/O thread), {@link #close} from any; all state under
 * the queue's lock.
 */
final class CodecQueue<T> {

    private final int limit;
    private final long logIntervalNanos;
    private final Executor executor;
    private final Consumer<T> work;
    private final Runnable onClosed;
    /** Items waiting, oldest first; whether a drain is scheduled; all under the queue's lock. */
    private final ArrayDeque<T> queue = new ArrayDeque<>();
    private boolean draining;
    private boolean closed;
    private long dropped;
    private long droppedSinceLog;
    private long lastDropLog;

    CodecQueue(int limit, int logIntervalSeconds, Executor executor, Consumer<T> work, Runnable onClosed) {
        this.limit = limit;
        this.logIntervalNanos = TimeUnit.SECONDS.toNanos(logIntervalSeconds);
        this.executor = Objects.requireNonNull(executor, "executor");
        this.work = Objects.requireNonNull(work, "work");
        this.onClosed = Objects.requireNonNull(onClosed, "onClosed");
        lastDropLog = System.nanoTime() - logIntervalNanos;
    }

    /** Items dropped because the work fell {@code limit} items behind. */
    long dropped() {
        synchronized (queue) {
            return dropped;
        }
    }

    /**
     * Queues an item (dropped when closed) and schedules the drain if none is.
     *
     * @return the items dropped since the last time this returned more than 0, when a log line is due for them; else 0
     */
    long offer(T item) {
        boolean start;
        long logDropped = 0;
        synchronized (queue) {
            if (closed) {
                return 0;
            }
            if (queue.size() >= limit) {
                queue.poll();
                dropped++;
                droppedSinceLog++;
                long now = System.nanoTime();
                if (now - lastDropLog >= logIntervalNanos) {
                    lastDropLog = now;
                    logDropped = droppedSinceLog;
                    droppedSinceLog = 0;
                }
            }
            queue.add(item);
            start = !draining;
            draining = true;
        }
        if (start) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException shutDown) {
                synchronized (queue) {
                    queue.clear();
                    draining = false;
                }
            }
        }
        return logDropped;
    }

    /** On the executor: runs the waiting items in order; runs {@code onClosed} if closed meanwhile. */
    private void drain() {
        while (true) {
            T item;
            synchronized (queue) {
                item = closed ? null : queue.poll();
                if (item == null) {
                    draining = false;
                    if (closed) {
                        break;
                    }
                    return;
                }
            }
            work.accept(item);
        }
        onClosed.run();
    }

    /** Drops the waiting items; {@code onClosed} now or after the item under way (not waiting for it). Idempotent. */
    void close() {
        boolean idle;
        synchronized (queue) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            idle = !draining;
        }
        if (idle) {
            onClosed.run();
        }
    }
}
