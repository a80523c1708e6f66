package org.sylkserver.media.mixer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Ticks mixers every 20 ms at a fixed rate (a late tick is followed by the next one at once, so the long-run rate
 * stays exactly 50 frames a second), on as many threads as there are cores: one room is always mixed by one
 * thread at a time, different rooms in parallel.
 */
public final class MixerClock implements AutoCloseable {

    private static final Logger log = Logger.getLogger(MixerClock.class.getName());
    private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final ScheduledExecutorService threads;
    private final Map<AudioMixer, ScheduledFuture<?>> running = new ConcurrentHashMap<>();

    /** A clock with one thread per available core. */
    public MixerClock() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public MixerClock(int threadCount) {
        AtomicInteger number = new AtomicInteger();
        threads = Executors.newScheduledThreadPool(threadCount, task -> {
            Thread thread = new Thread(task, "sylk-mixer-" + number.incrementAndGet());
            thread.setDaemon(true);
            thread.setPriority(Thread.MAX_PRIORITY);
            return thread;
        });
    }

    /** Starts ticking {@code mixer}. */
    public void start(AudioMixer mixer) {
        running.computeIfAbsent(mixer, m -> threads.scheduleAtFixedRate(() -> {
            try {
                m.tick(System.nanoTime());
            } catch (Throwable e) {
                // one bad frame must not stop the room (anything thrown out of a periodic task cancels it, Errors
                // included): log and carry on with the next tick
                log.log(Level.WARNING, m + ": tick failed", e);
            }
        }, 0, PERIOD_NANOS, TimeUnit.NANOSECONDS));
    }

    /** Stops ticking {@code mixer} (a tick under way finishes) and closes it. */
    public void stop(AudioMixer mixer) {
        ScheduledFuture<?> future = running.remove(mixer);
        if (future != null) {
            future.cancel(false);
        }
        threads.execute(mixer::close);
    }

    /** Mixers being ticked. */
    public int mixers() {
        return running.size();
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
