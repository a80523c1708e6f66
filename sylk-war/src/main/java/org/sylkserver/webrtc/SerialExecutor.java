package org.sylkserver.webrtc;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: the per-connection operation queue of
 * spec §4.3 without a thread per connection. Each task sees everything earlier tasks did (the queue's lock
 * is taken between them).
 */
final class SerialExecutor implements Executor {

    private static final Logger LOG = Logger.getLogger("webrtcgateway");

    private final Executor pool;
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private boolean draining;

    SerialExecutor(Executor pool) {
        this.pool = pool;
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
                // good, the connection wedged): the connection's later requests still need answers
                LOG.log(Level.SEVERE, "sylkRTC connection task failed", e);
            }
        }
    }
}
