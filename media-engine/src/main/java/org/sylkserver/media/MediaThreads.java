package org.sylkserver.media;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The media engine's threads: daemons (an engine left open does not keep the JVM running), with the engine's class
 * loader as their context class loader.
 */
final class MediaThreads {

    private MediaThreads() {
    }

    /** A factory of threads named {@code prefix} and a number: 1 for the first, 2 for the next, ... */
    static ThreadFactory numbered(String prefix) {
        AtomicInteger names = new AtomicInteger();
        return task -> named(task, prefix + names.incrementAndGet());
    }

    /** A thread named {@code name} that runs {@code task}. */
    static Thread named(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.setContextClassLoader(MediaThreads.class.getClassLoader());
        return thread;
    }
}
