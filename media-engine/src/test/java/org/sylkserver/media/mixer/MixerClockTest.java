package org.sylkserver.media.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.sylkserver.media.codec.G711;

/**
 * The mixer clock ticks every room every 20 ms with one periodic task per thread, whatever the number of rooms
 * (a task per room cost a thread wake-up per room and tick); a room that fails its tick stops neither itself nor the
 * rooms ticked after it.
 */
class MixerClockTest {

    /** A scheduler that counts the periodic tasks given to it. */
    private static final class CountingScheduler extends ScheduledThreadPoolExecutor {
        final AtomicInteger periodic = new AtomicInteger();

        CountingScheduler(int threads) {
            super(threads);
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
            periodic.incrementAndGet();
            return super.scheduleAtFixedRate(command, initialDelay, period, unit);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 5 s: " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void manyRoomsAreTickedByOnePeriodicTaskPerThread() throws InterruptedException {
        CountingScheduler scheduler = new CountingScheduler(2);
        try (MixerClock clock = new MixerClock(2, scheduler)) {
            List<AudioMixer> rooms = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                AudioMixer room = new AudioMixer("room" + i);
                rooms.add(room);
                clock.start(room);
            }
            await(() -> rooms.stream().allMatch(room -> room.ticks() >= 3), "every room ticked three times");
            assertEquals(2, scheduler.periodic.get(), "periodic tasks for 100 rooms on 2 threads");
            assertEquals(100, clock.mixers());
        }
    }

    @Test
    void aStoppedRoomIsNoLongerTickedAndIsClosed() throws InterruptedException {
        try (MixerClock clock = new MixerClock(1)) {
            AudioMixer stopped = new AudioMixer("stopped");
            AudioMixer other = new AudioMixer("other");
            clock.start(stopped);
            clock.start(other);
            await(() -> stopped.ticks() >= 2, "ticked");
            clock.stop(stopped);
            await(() -> {
                try {
                    stopped.join("late", 0, () -> G711.PCMU, (payload, ts, marker) -> { });
                    return false;
                } catch (IllegalStateException closed) {
                    return true;
                }
            }, "closed");
            long ticks = stopped.ticks();
            long otherTicks = other.ticks();
            await(() -> other.ticks() >= otherTicks + 3, "the other room still ticked");
            assertEquals(ticks, stopped.ticks(), "ticks of the stopped room");
            assertEquals(1, clock.mixers());
        }
    }

    @Test
    void aRoomWhoseTickFailsStopsNeitherItselfNorTheOthersOfItsThread() throws InterruptedException {
        try (MixerClock clock = new MixerClock(1)) {
            AudioMixer failing = new AudioMixer("failing");
            AtomicInteger codecs = new AtomicInteger();
            // the decoder is made at the join, the encoder at the first frame: that one fails, at every tick
            failing.join("broken", 0, () -> {
                if (codecs.incrementAndGet() > 1) {
                    throw new IllegalStateException("no encoder");
                }
                return G711.PCMU;
            }, (payload, ts, marker) -> { });
            AudioMixer after = new AudioMixer("after");
            clock.start(failing);
            clock.start(after);
            await(() -> failing.ticks() >= 3 && after.ticks() >= 3, "both rooms ticked three times");
            assertTrue(codecs.get() >= 3, "the failing room's frame was tried at every tick");
        }
    }

    @Test
    void anIdleClockSchedulesNothing() throws InterruptedException {
        CountingScheduler scheduler = new CountingScheduler(2);
        scheduler.setRemoveOnCancelPolicy(true);
        try (MixerClock clock = new MixerClock(2, scheduler)) {
            assertEquals(0, scheduler.periodic.get(), "periodic tasks before any room");
            AudioMixer room = new AudioMixer("room");
            clock.start(room);
            await(() -> room.ticks() >= 2, "ticked");
            clock.stop(room);
            await(() -> scheduler.getQueue().isEmpty(), "no task left once the last room stopped");
            assertEquals(1, scheduler.periodic.get(), "periodic tasks for one room");
        }
    }

    @Test
    void aClockNeedsAThread() {
        assertThrows(IllegalArgumentException.class, () -> new MixerClock(0));
    }
}
