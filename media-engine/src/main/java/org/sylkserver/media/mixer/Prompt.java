package org.sylkserver.media.mixer;

import java.util.Objects;

/**
 * Audio to play into a room or to one participant: mono 16-bit samples at the mixer's 48 kHz, played once or
 * looped until {@link #stop() stopped}, with a callback when it has been played out (on the mixer thread).
 */
public final class Prompt {

    private final short[] samples;
    private final boolean loop;
    private final Runnable onFinished;
    private int position;
    private volatile boolean stopped;

    private Prompt(short[] samples, boolean loop, Runnable onFinished) {
        this.samples = Objects.requireNonNull(samples, "samples");
        this.loop = loop;
        this.onFinished = Objects.requireNonNull(onFinished, "onFinished");
    }

    /** Plays {@code samples48k} once, then runs {@code onFinished} on the mixer thread. */
    public static Prompt once(short[] samples48k, Runnable onFinished) {
        return new Prompt(samples48k, false, onFinished);
    }

    /** Plays {@code samples48k} over and over (music on hold) until {@link #stop()}. */
    public static Prompt looping(short[] samples48k) {
        return new Prompt(samples48k, true, () -> { });
    }

    /** Stops playing at the next frame; {@code onFinished} still runs. */
    public void stop() {
        stopped = true;
    }

    /** Whether it has finished playing (or was stopped). */
    public boolean finished() {
        return stopped || (!loop && position >= samples.length);
    }

    /**
     * Adds the next {@code frame.length} samples into {@code frame}; returns false once finished (the callback has
     * then run). Mixer thread only.
     */
    boolean addTo(int[] frame) {
        if (finished() || samples.length == 0) {
            onFinished.run();
            return false;
        }
        for (int i = 0; i < frame.length; i++) {
            if (position >= samples.length) {
                if (!loop) {
                    break;
                }
                position = 0;
            }
            frame[i] += samples[position++];
        }
        return true;
    }
}
