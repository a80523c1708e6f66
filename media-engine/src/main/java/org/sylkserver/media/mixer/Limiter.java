package org.sylkserver.media.mixer;

/**
 * Keeps a mix of several loud talkers from clipping while a single talker passes untouched: a feed-forward peak
 * limiter applied to the 32-bit sum, before it is narrowed to 16 bits.
 *
 * <p><b>Design.</b> The structure is the textbook one of Giannoulis, Massberg and Reiss, "Digital Dynamic Range
 * Compressor Design — A Tutorial and Analysis" (J. Audio Eng. Soc. 60(6), 2012): a peak level detector with
 * instant attack and a smoothed release, and a static gain curve with a soft knee. Limiting the sum rather than
 * scaling each talker down is what WebRTC's audio mixer does too (its frame combiner runs a limiter on the mixed
 * frame), so a lone talker keeps its level.
 * <ul>
 *   <li><b>Detector.</b> The envelope jumps to any sample above it (instant attack: nothing can get past it, so no
 *       look-ahead and no added delay is needed), is held for {@link #HOLD_SAMPLES} (longer than a pitch period of
 *       the lowest voices, about 14 ms, and than half a period of any audible tone, so the gain does not ripple
 *       within a vowel or a tone, which would distort it), then decays with a {@value #RELEASE_MILLIS} ms time
 *       constant: slow enough not to pump between syllables, quick enough to give the level back after a
 *       shout.</li>
 *   <li><b>Gain curve.</b> Below the knee ({@link #KNEE}, −6 dBFS) the gain is exactly 1: one talker at the
 *       usual −8 dBFS, or two quiet ones, come out bit for bit as summed. Above it the output peak follows
 *       {@code knee + range·d/(1 + d)}, {@code d = (envelope − knee)/range}, {@code range = ceiling − knee}: slope
 *       1 at the knee (no corner to hear), approaching the {@link #CEILING} (−2 dBFS) however many talk. Since every
 *       sample is at most the envelope, every output sample stays below the ceiling; the 2 dB left under full scale
 *       absorb the overshoot of lossy codecs (Opus, G.722) re-encoding the limited mix.</li>
 * </ul>
 *
 * <p><b>Cost.</b> Per sample a few comparisons, and a multiplication while the gain is below 1; the gain is
 * recomputed (two divisions) only when the envelope moves above the knee: at a new peak and during a release, not
 * while it is held.
 *
 * <p>Not thread-safe: one per mix, on the mixing thread.
 */
final class Limiter {

    /** Where limiting starts: −6 dBFS. */
    static final int KNEE = 16_384;

    /** What no output sample reaches: −2 dBFS. */
    static final int CEILING = 26_029;

    /** Release time constant. */
    static final int RELEASE_MILLIS = 100;

    /** How long the envelope stays at a peak before it decays: 20 ms. */
    static final int HOLD_SAMPLES = AudioMixer.RATE / 50;

    private static final double RANGE = CEILING - KNEE;
    private static final double RELEASE = Math.exp(-1000.0 / (RELEASE_MILLIS * (double) AudioMixer.RATE));

    private double envelope;
    private int held;
    /** The gain for the current envelope, recomputed only when the envelope moves above the knee. */
    private double gain = 1;

    /** Limits {@code sums} (48 kHz samples) into {@code out}. */
    void process(int[] sums, short[] out) {
        for (int i = 0; i < sums.length; i++) {
            int sample = sums[i];
            int magnitude = Math.abs(sample);
            if (magnitude > envelope) {
                envelope = magnitude;
                held = HOLD_SAMPLES;
                gain = gain(envelope);
            } else if (held > 0) {
                held--;
            } else if (envelope > KNEE) {
                envelope *= RELEASE;
                gain = gain(envelope);
            }
            // truncation towards zero never raises a magnitude, so the ceiling holds
            out[i] = gain == 1 ? (short) sample : (short) (sample * gain);
        }
    }

    /**
     * What {@link #process} of {@code samples} zeros does to the state, for a limiter {@link #atUnity at unity}
     * (whose output for them is zeros): only the hold counts down.
     */
    void passSilence(int samples) {
        if (!atUnity()) {
            throw new IllegalStateException("silence through a limiter above the knee releases it: process it");
        }
        held = Math.max(0, held - samples);
    }

    /** The gain curve: 1 up to the knee, then what brings a peak of {@code level} onto the soft curve. */
    private static double gain(double level) {
        if (level <= KNEE) {
            return 1;
        }
        double over = (level - KNEE) / RANGE;
        return (KNEE + RANGE * over / (1 + over)) / level;
    }

    /** Continues from {@code other}'s state: a listener that starts hearing a mix of its own after the room's. */
    void follow(Limiter other) {
        restore(other.state());
    }

    /** The detector's state: what the output depends on besides the input. */
    record State(double envelope, int held, double gain) {
    }

    State state() {
        return new State(envelope, held, gain);
    }

    void restore(State state) {
        envelope = state.envelope();
        held = state.held();
        gain = state.gain();
    }

    /**
     * Whether the envelope is at or below the knee: the gain is then 1 and stays 1 until a sample above the knee,
     * which sets the envelope to its own magnitude whatever it was (the hold and the release act only above the
     * knee). Any two limiters at unity therefore give the same output for any input, a new one's.
     */
    boolean atUnity() {
        return envelope <= KNEE;
    }
}
