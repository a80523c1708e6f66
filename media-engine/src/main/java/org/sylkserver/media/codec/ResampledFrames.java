package org.sylkserver.media.codec;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers what {@link Resampler}s made of frames, so that the same frame in the same state is converted once,
 * however many streams convert it: e.g. every joiner of every room hears the same welcome prompt, and bringing a
 * 20 ms frame from 48 kHz down to 8 kHz costs 46,000 multiply-adds, where finding it here costs a hash and two
 * comparisons. A remembered output is used only when the resampler's state (rates, position, the history its filter
 * reaches back into) and the input are equal to those it was computed from, so the result is the same to the bit
 * as converting again.
 *
 * <p>Meant for audio that recurs (the server's own prompts), not live audio, which would only churn it: at
 * {@code capacity} frames it starts again empty. One entry per hash (a collision replaces). Any thread.
 */
public final class ResampledFrames {

    private record Entry(Resampler.State state, short[] input, short[] output) {
    }

    private final int capacity;
    private final Map<Integer, Entry> entries = new ConcurrentHashMap<>();

    /** @param capacity frames kept at most (each about 3 KiB from 48 to 8 kHz) */
    public ResampledFrames(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** What {@code resampler.process(input)} returns, and leaves {@code resampler} as that call would. */
    public short[] process(Resampler resampler, short[] input) {
        int hash = resampler.stateHash(input);
        Entry known = entries.get(hash);
        if (known != null && resampler.in(known.state()) && Arrays.equals(known.input(), input)) {
            resampler.skip(input);
            return known.output().clone();
        }
        Resampler.State before = resampler.state();
        short[] output = resampler.process(input);
        if (entries.size() >= capacity) {
            entries.clear();
        }
        entries.put(hash, new Entry(before, input.clone(), output.clone()));
        return output;
    }

    /** Frames remembered now. */
    public int size() {
        return entries.size();
    }
}
