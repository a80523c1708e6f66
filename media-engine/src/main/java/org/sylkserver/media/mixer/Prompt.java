package org.sylkserver.media.mixer;

import java.util.List;
import java.util.Objects;

/**
 * Audio to play into a room or to one participant: mono 16-bit samples at the mixer's 48 kHz, played once or
 * looped until {@link #stop() stopped}, with a callback when it has been played out (on the mixer thread).
 *
 * <p>A prompt can be a sequence of pieces (welcome, pause, count, tone) played one after the other without
 * being copied into one array: the pieces are shared, read-only sound files, so a join costs a few references,
 * not seconds of audio.
 */
public final class Prompt {

    private final short[][] pieces;
    /** {@code pieces.length}, read with the other fields: {@link #finished} is asked at every tick. */
    private final int pieceCount;
    private final List<short[]> content;
    private final boolean empty;
    private final boolean loop;
    private final Runnable onFinished;
    private int piece;
    private int position;
    private volatile boolean stopped;

    private Prompt(List<short[]> pieces, boolean loop, Runnable onFinished) {
        this.pieces = pieces.toArray(new short[0][]);
        this.pieceCount = this.pieces.length;
        this.content = List.copyOf(pieces);
        this.empty = pieces.stream().allMatch(p -> p.length == 0);
        this.loop = loop;
        this.onFinished = Objects.requireNonNull(onFinished, "onFinished");
    }

    /** Plays {@code samples48k} once, then runs {@code onFinished} on the mixer thread. */
    public static Prompt once(short[] samples48k, Runnable onFinished) {
        return new Prompt(List.of(samples48k), false, onFinished);
    }

    /** Plays {@code pieces48k} one after the other once, then runs {@code onFinished} on the mixer thread. */
    public static Prompt once(List<short[]> pieces48k, Runnable onFinished) {
        return new Prompt(pieces48k, false, onFinished);
    }

    /** Plays {@code samples48k} over and over (music on hold) until {@link #stop()}. */
    public static Prompt looping(short[] samples48k) {
        return new Prompt(List.of(samples48k), true, () -> { });
    }

    /** Plays {@code pieces48k} in turn over and over until {@link #stop()}. */
    public static Prompt looping(List<short[]> pieces48k) {
        return new Prompt(pieces48k, true, () -> { });
    }

    /** Stops playing at the next frame; {@code onFinished} still runs. */
    public void stop() {
        stopped = true;
    }

    /** Whether it has finished playing (or was stopped). */
    public boolean finished() {
        return stopped || (!loop && piece >= pieceCount);
    }

    /**
     * Adds the next {@code frame.length} samples into {@code frame}; returns false once finished (the callback has
     * then run). Mixer thread only.
     */
    boolean addTo(int[] frame) {
        return play(frame, frame.length);
    }

    /**
     * Moves on by {@code samples} exactly as {@link #addTo} of a frame that long would, without adding them
     * anywhere: for a listener that has what they sound like already (a {@link Renditions rendition}).
     */
    boolean skip(int samples) {
        return play(null, samples);
    }

    /**
     * How many more calls of {@link #skip skip(samples)} move it on (return true) before the one that finds it finished
     * and runs the callback: {@link Integer#MAX_VALUE} for a loop (until stopped), 0 once finished. A member on a
     * {@link Renditions rendition} counts its frames against it instead of moving the prompt on at every tick.
     */
    int skipsBeforeEnd(int samples) {
        if (finished() || empty) {
            return 0;
        }
        if (loop) {
            return Integer.MAX_VALUE;
        }
        long left = -position;
        for (int p = piece; p < pieces.length; p++) {
            left += pieces[p].length;
        }
        // every call takes up to samples; the one that reaches the end steps past the last piece and still says true
        return (int) Math.min(Integer.MAX_VALUE, left / samples + 1);
    }

    /** Whether nothing of it has been played yet (and it was not stopped). */
    boolean unplayed() {
        return piece == 0 && position == 0 && !finished();
    }

    /**
     * What it plays: equal lists for prompts of the same pieces in the same order (the same shared arrays, compared
     * by identity), which sound the same.
     */
    List<short[]> content() {
        return content;
    }

    /** Whether it starts again at its end. */
    boolean loops() {
        return loop;
    }

    private boolean play(int[] frame, int samples) {
        if (finished() || empty) {
            onFinished.run();
            return false;
        }
        int i = 0;
        while (i < samples) {
            if (piece >= pieces.length) {
                if (!loop) {
                    break;
                }
                piece = 0;
                position = 0;
            }
            short[] current = pieces[piece];
            int run = Math.min(samples - i, current.length - position);
            if (run <= 0) {
                piece++;
                position = 0;
                continue;
            }
            if (frame != null) {
                for (int j = 0; j < run; j++) {
                    frame[i + j] += current[position + j];
                }
            }
            i += run;
            position += run;
        }
        return true;
    }
}
