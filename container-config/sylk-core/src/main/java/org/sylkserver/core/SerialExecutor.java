package org.sylkserver.core;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: the one owner of a connection's or a room's
 * state (the per-connection operation queue of spec §4.3, a conference room's events) without a thread each. Each
 * task sees everything earlier tasks did (the queue's lock is taken between them).
 */
public final class SerialExecutor implements Executor {

    private final Executor pool;
    private final Logger log;
    private final String owner;
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private boolean draining;

    /**
     * @param log   where a failed task is reported
     * @param owner what the tasks belong to, for that report ("sylkRTC connection", "room x@y")
     */
    public SerialExecutor(Executor pool, Logger log, String owner) {
        this.pool = pool;
        this.log = log;
        this.owner = owner;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (tasks) {
            tasks.add(task);
            if (draining) {
                return;
            }
            draining = true;
        }
        pool.execute(this::drain);
    }

    private void drain() {
        while (true) {
            Runnable task;
            synchronized (tasks) {
                task = tasks.poll();
                if (task == null) {
                    draining = false;
                    return;
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
    }
}
