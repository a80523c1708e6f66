package org.sylkserver.core;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: the one owner of a connection's or a room's
 * state (the per-connection operation queue of spec §4.3, a conference room's events) without a thread each. Each
 * task sees everything earlier tasks did (the queue's lock is taken between them).
 *
 * <p>Bounded, when made with a limit: a task beyond {@code limit} waiting ones is refused ({@link #offer} says false,
 * {@link #execute} throws {@link RejectedExecutionException}), for owners whose tasks a stranger can queue (an XMPP
 * server's stanzas). Whoever keeps such executors by key can let go of an idle one: {@code whenIdle} is told each
 * time the queue runs empty, and {@link #idle} says, under the queue's lock, whether it still is.
 */
public final class SerialExecutor implements Executor {

    private final Executor pool;
    private final Logger log;
    private final String owner;
    private final int limit;
    private final Runnable whenIdle;
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private boolean draining;
    /** The thread running this executor's tasks now, or null. */
    private volatile Thread runner;

    /**
     * @param log   where a failed task is reported
     * @param owner what the tasks belong to, for that report ("sylkRTC connection", "room x@y")
     */
    public SerialExecutor(Executor pool, Logger log, String owner) {
        this(pool, log, owner, Integer.MAX_VALUE, () -> { });
    }

    /**
     * @param limit    how many tasks may wait (the one running not counted)
     * @param whenIdle told, on the pool's thread, after the last waiting task ran
     */
    public SerialExecutor(Executor pool, Logger log, String owner, int limit, Runnable whenIdle) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit " + limit + " < 1");
        }
        this.pool = pool;
        this.log = log;
        this.owner = owner;
        this.limit = limit;
        this.whenIdle = whenIdle;
    }

    /** Queues the task; {@link RejectedExecutionException} when {@code limit} tasks wait already. */
    @Override
    public void execute(Runnable task) {
        if (!offer(task)) {
            throw new RejectedExecutionException(owner + ": " + limit + " tasks waiting");
        }
    }

    /** Queues the task; false (and it never runs) when {@code limit} tasks wait already. */
    public boolean offer(Runnable task) {
        synchronized (tasks) {
            if (tasks.size() >= limit) {
                return false;
            }
            tasks.add(task);
            if (draining) {
                return true;
            }
            draining = true;
        }
        pool.execute(this::drain);
        return true;
    }

    /** Whether no task waits or runs. */
    public boolean idle() {
        synchronized (tasks) {
            return !draining;
        }
    }

    /**
     * Whether the calling thread is running one of this executor's tasks and more tasks wait behind it: the task may
     * leave work to them (a connection holding its output for the next frames, written at the latest when the queue
     * runs empty and {@code whenIdle} is told). False on any other thread.
     */
    public boolean moreQueued() {
        if (runner != Thread.currentThread()) {
            return false;
        }
        synchronized (tasks) {
            return !tasks.isEmpty();
        }
    }

    private void drain() {
        runner = Thread.currentThread();
        while (true) {
            Runnable task;
            synchronized (tasks) {
                task = tasks.poll();
                if (task == null) {
                    runner = null;
                    draining = false;
                    break;
                }
            }
            try {
                task.run();
            } catch (Throwable e) {
                // a failed task must not stop the queue, whatever it threw (an Error used to leave it 'draining' for
                // good, the owner wedged): its later events still need handling
                log.log(Level.SEVERE, owner + " task failed", e);
            }
        }
        try {
            whenIdle.run();
        } catch (RuntimeException e) {
            log.log(Level.SEVERE, owner + ": idle hook failed", e);
        }
    }
}
