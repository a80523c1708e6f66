package org.sylkserver.media;

import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.netty.channel.EventLoop;

/**
 * Tasks for the Netty loops that own WebRTC legs ({@link UdpMux}, {@link UringLegs}): each runs on its loop, a failure
 * is logged without stopping the loop, and what the task wrote is flushed after it, so a task's sends leave together.
 */
final class FlushingLoops {

    private static final Logger LOG = Logger.getLogger("sylk.media");

    private FlushingLoops() {
    }

    /**
     * Runs {@code task} on {@code loop}, then {@code flush}; dropped once the loop is shut down (the engine is closing:
     * nothing is sent any more).
     *
     * @param owner names the loop's owner in the log
     */
    static void execute(EventLoop loop, Runnable task, Runnable flush, String owner) {
        try {
            loop.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, owner + ": task " + task + " failed", e);
                } finally {
                    flush.run();
                }
            });
        } catch (RejectedExecutionException closed) {
            // the engine is closing
        }
    }
}
