package org.sylkserver.media.mixer;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Ticks mixers every 20 ms at a fixed rate (a late tick is followed by the next one at once, so the long-run rate
 * stays exactly 50 frames a second), on as many threads as there are cores: one room is always mixed by one
 * thread at a time, different rooms in parallel.
 *
 * <p>Each thread has a lane: one periodic task that ticks, one after the other, the mixers given to it (a new mixer
 * goes to the lane with the fewest). One task per room instead cost a wake-up of a thread, two operations on the
 * scheduler's queue and often a context switch for every tick of every room, about 12 us each on a 2-core machine
 * against about 2 us for the tick of a room of three joiners: with rooms of a second, as when callers come and go
 * quickly, most of the mixer's time. A lane without mixers is not scheduled: an idle server does not wake for it.
 */
public final class MixerClock implements AutoCloseable {

    private static final Logger log = Logger.getLogger(MixerClock.class.getName());
    private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** The mixers one thread ticks in turn, every period. */
    private static final class Lane implements Runnable {
        final List<AudioMixer> mixers = new CopyOnWriteArrayList<>();
        /** The lane's periodic task while it has mixers (guarded by the clock). */
        ScheduledFuture<?> task;

        @Override
        public void run() {
            for (AudioMixer mixer : mixers) {
                try {
                    mixer.tick(System.nanoTime());
                } catch (Throwable e) {
                    // one bad frame must stop neither the room nor the other rooms of the lane (anything thrown out
                    // of a periodic task cancels it, Errors included): log and carry on
                    log.log(Level.WARNING, mixer + ": tick failed", e);
                }
            }
        }
    }

    private final ScheduledExecutorService threads;
    private final Lane[] lanes;
    private final Map<AudioMixer, Lane> running = new ConcurrentHashMap<>();

    /** A clock with one thread per available core. */
    public MixerClock() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public MixerClock(int threadCount) {
        this(threadCount, mixerThreads(threadCount));
    }

    /** A clock of {@code laneCount} lanes scheduled on {@code threads} (tests: a scheduler that counts its tasks). */
    MixerClock(int laneCount, ScheduledExecutorService threads) {
        if (laneCount < 1) {
            throw new IllegalArgumentException("a mixer clock needs at least one thread, got " + laneCount);
        }
        this.threads = threads;
        this.lanes = new Lane[laneCount];
        for (int i = 0; i < laneCount; i++) {
            lanes[i] = new Lane();
        }
    }

    private static ScheduledExecutorService mixerThreads(int threadCount) {
        AtomicInteger number = new AtomicInteger();
        ScheduledThreadPoolExecutor threads = new ScheduledThreadPoolExecutor(threadCount, task -> {
            Thread thread = new Thread(task, "sylk-mixer-" + number.incrementAndGet());
            thread.setDaemon(true);
            thread.setPriority(Thread.MAX_PRIORITY);
            return thread;
        });
        threads.setRemoveOnCancelPolicy(true);
        return threads;
    }

    /** Starts ticking {@code mixer}, from its lane's next tick. */
    public synchronized void start(AudioMixer mixer) {
        if (running.containsKey(mixer)) {
            return;
        }
        Lane lane = Arrays.stream(lanes).min(Comparator.comparingInt(l -> l.mixers.size())).orElseThrow();
        lane.mixers.add(mixer);
        running.put(mixer, lane);
        if (lane.task == null) {
            lane.task = threads.scheduleAtFixedRate(lane, 0, PERIOD_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    /** Stops ticking {@code mixer} (a tick under way finishes) and closes it. */
    public synchronized void stop(AudioMixer mixer) {
        Lane lane = running.remove(mixer);
        if (lane != null) {
            lane.mixers.remove(mixer);
            if (lane.mixers.isEmpty()) {
                lane.task.cancel(false);
                lane.task = null;
            }
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
