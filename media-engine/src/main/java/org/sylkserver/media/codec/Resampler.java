package org.sylkserver.media.codec;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Converts a continuous stream of mono 16-bit PCM from one sample rate to another, e.g. between a participant's
 * codec rate (8 or 16 kHz) and the mixer's 48 kHz.
 *
 * <p>The ratio is reduced to L/M and the stream is conceptually upsampled by L, low-pass filtered and kept every
 * M-th sample; the filter runs in polyphase form so no zero or discarded sample is ever computed. The filter is
 * a Kaiser-windowed sinc with {@value #TAPS_AT_LOWER_RATE} taps measured at the lower of the two rates and
 * {@value #STOPBAND_DB} dB stopband attenuation, its transition band placed just below the lower rate's Nyquist
 * frequency: nothing above that frequency aliases (downsampling) or images (upsampling) by more than
 * -{@value #STOPBAND_DB} dB, and the passband is flat to about 82 % of it (3.3 kHz at 8 kHz, 6.5 kHz at
 * 16 kHz).
 *
 * <p>Quality against cost: each output sample costs {@value #TAPS_AT_LOWER_RATE} multiply-adds when
 * upsampling and {@value #TAPS_AT_LOWER_RATE}·M when downsampling, about 2.3 million per second in each
 * direction between 8 and 48 kHz, and the filter delays the signal by half its length (3 ms). Fewer taps would
 * widen the transition band into the telephone band (300–3400 Hz); a linear interpolator would cost almost
 * nothing but alias audibly.
 *
 * <p>The filter history is carried from one call to the next, so a stream cut into 20 ms frames is converted
 * exactly as if it were one block; a frame whose length is a multiple of M yields exactly {@code length·L/M}
 * samples. Holds state: one instance per stream, used by one thread at a time.
 */
public final class Resampler {

    /** Length of the filter in samples of the lower rate: sets the width of the transition band. */
    static final int TAPS_AT_LOWER_RATE = 48;

    /** Attenuation of everything the filter must remove (aliases and images). */
    static final int STOPBAND_DB = 70;

    /** Lowest and highest rate accepted: below 8 kHz is not audio we carry, above 192 kHz is not audio at all. */
    private static final int MIN_RATE = 8000;
    private static final int MAX_RATE = 192_000;

    /** Bound on the filter's size, which grows with L·M (44.1↔48 kHz needs 7680 coefficients). */
    private static final int MAX_COEFFICIENTS = 1 << 16;

    /**
     * Designed filters by {@code up << 32 | down}, shared read-only by every instance: a filter depends on the
     * ratio only, and designing one (a Bessel series per coefficient) cost more than converting a second of a
     * call's audio, paid twice for every conference member.
     */
    private static final Map<Long, float[][]> DESIGNS = new ConcurrentHashMap<>();

    private final int inputRate;
    private final int outputRate;
    private final int up;
    private final int down;
    /** Taps per polyphase branch, i.e. input samples needed for one output sample. */
    private final int taps;
    /** Coefficients by branch: {@code branches[p][i]} is prototype coefficient {@code p + up·i}. */
    private final float[][] branches;
    /** The previous call's input (zeros at first); its last {@code taps - 1} samples start the next call's. */
    private float[] window;
    /** Position of the next output sample in upsampled samples, counted from the start of {@link #window}. */
    private long position;

    /**
     * Prepares the conversion of one stream, with silence as the history before its first sample.
     *
     * @throws IllegalArgumentException if a rate lies outside 8–192 kHz or their ratio needs an unreasonably
     *                                  large filter
     */
    public Resampler(int inputRate, int outputRate) {
        if (inputRate < MIN_RATE || inputRate > MAX_RATE || outputRate < MIN_RATE || outputRate > MAX_RATE) {
            throw new IllegalArgumentException("cannot resample " + inputRate + " Hz to " + outputRate
                    + " Hz: rates must lie between " + MIN_RATE + " and " + MAX_RATE + " Hz");
        }
        this.inputRate = inputRate;
        this.outputRate = outputRate;
        int divisor = gcd(inputRate, outputRate);
        this.up = outputRate / divisor;
        this.down = inputRate / divisor;
        long length = (long) TAPS_AT_LOWER_RATE * Math.max(up, down);
        if (length > MAX_COEFFICIENTS) {
            throw new IllegalArgumentException("cannot resample " + inputRate + " Hz to " + outputRate
                    + " Hz: the ratio " + up + "/" + down + " needs a filter of " + length + " coefficients");
        }
        this.taps = (int) ((length + up - 1) / up);
        this.branches = up == down ? new float[0][]
                : DESIGNS.computeIfAbsent((long) up << 32 | down, ratio -> design(up, down, taps));
        this.window = new float[taps - 1];
        this.position = (long) (taps - 1) * up;
    }

    /** Hz of the samples {@link #process} takes. */
    public int inputRate() {
        return inputRate;
    }

    /** Hz of the samples {@link #process} returns. */
    public int outputRate() {
        return outputRate;
    }

    /**
     * Converts the next piece of the stream.
     *
     * @param input samples at {@link #inputRate()}, following those of the previous call
     * @return samples at {@link #outputRate()}, clipped to 16 bits
     */
    public short[] process(short[] input) {
        Objects.requireNonNull(input, "input");
        if (up == down) {
            return input.clone();
        }
        int kept = taps - 1;
        float[] samples = new float[kept + input.length];
        System.arraycopy(window, window.length - kept, samples, 0, kept);
        for (int i = 0; i < input.length; i++) {
            samples[kept + i] = input[i];
        }
        long end = (long) samples.length * up;
        short[] output = new short[(int) ((end - position + down - 1) / down)];
        int n = 0;
        if (up == 1) {
            // Decimation (the mixer's 48 kHz to a listener's rate) four output samples at a time: each sum is
            // still accumulated tap by tap in the same order, so the result is the same to the bit, but four
            // independent sums let the processor overlap their additions instead of waiting for each in turn (the
            // one-at-a-time loop is bound by that latency). One branch and one base index keep the loop in
            // registers.
            float[] branch = branches[0];
            for (; n + 4 <= output.length; n += 4, position += 4L * down) {
                int newest = (int) position;
                int second = newest + down;
                int third = second + down;
                int fourth = third + down;
                float sum0 = 0;
                float sum1 = 0;
                float sum2 = 0;
                float sum3 = 0;
                for (int i = 0; i < taps; i++) {
                    float coefficient = branch[i];
                    sum0 += coefficient * samples[newest - i];
                    sum1 += coefficient * samples[second - i];
                    sum2 += coefficient * samples[third - i];
                    sum3 += coefficient * samples[fourth - i];
                }
                output[n] = clip(sum0);
                output[n + 1] = clip(sum1);
                output[n + 2] = clip(sum2);
                output[n + 3] = clip(sum3);
            }
        }
        for (; position < end; position += down) {
            int newest = (int) (position / up);
            float[] branch = branches[(int) (position % up)];
            float sum = 0;
            for (int i = 0; i < taps; i++) {
                sum += branch[i] * samples[newest - i];
            }
            output[n++] = clip(sum);
        }
        position -= (long) (samples.length - kept) * up;
        window = samples;
        return output;
    }

    /**
     * What the output of {@link #process} depends on besides its input: the rates, where the next output sample
     * falls and the input history the filter reaches back into. Immutable; lets a caller that remembers what a
     * stream became (the mixer's prompt renditions) put another resampler where this one was.
     */
    public record State(int inputRate, int outputRate, long position, float[] history) {
    }

    /** A copy of this resampler's state. */
    public State state() {
        return new State(inputRate, outputRate, position,
                Arrays.copyOfRange(window, window.length - (taps - 1), window.length));
    }

    /** Puts this resampler in {@code state}, as if it had converted what the state's resampler had. */
    public void restore(State state) {
        if (state.inputRate() != inputRate || state.outputRate() != outputRate
                || state.history().length != taps - 1) {
            throw new IllegalArgumentException("a state of " + state.inputRate() + " to " + state.outputRate()
                    + " Hz cannot be restored into a resampler of " + inputRate + " to " + outputRate + " Hz");
        }
        window = state.history().clone();
        position = state.position();
    }

    /**
     * Whether this resampler is where a new one starts: its history all silence and the next output sample where a
     * new one's falls. Its output is then that of a new resampler for any input.
     */
    public boolean atRest() {
        if (position != (long) (taps - 1) * up) {
            return false;
        }
        for (int i = window.length - (taps - 1); i < window.length; i++) {
            if (window[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static short clip(float sum) {
        return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(sum)));
    }

    /**
     * Designs the prototype low-pass at the upsampled rate and splits it into {@code up} branches. The transition
     * band, from the Kaiser estimate of the width {@code taps} coefficients can achieve at this attenuation, ends
     * at the lower rate's Nyquist frequency.
     */
    private static float[][] design(int up, int down, int taps) {
        int length = up * taps;
        // frequencies in cycles per upsampled sample; the lower rate is 1/max(up, down) of the upsampled one
        double lowerRate = 1.0 / Math.max(up, down);
        double transition = (STOPBAND_DB - 7.95) / (2.285 * 2 * Math.PI * (length - 1));
        double cutoff = lowerRate / 2 - transition / 2;
        double beta = 0.1102 * (STOPBAND_DB - 8.7);
        double centre = (length - 1) / 2.0;
        double[] prototype = new double[length];
        double sum = 0;
        for (int n = 0; n < length; n++) {
            double t = n - centre;
            double sinc = t == 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
            double ratio = t / centre;
            prototype[n] = sinc * besselI0(beta * Math.sqrt(Math.max(0, 1 - ratio * ratio))) / besselI0(beta);
            sum += prototype[n];
        }
        // each branch sees one real sample in `up`, so the prototype's gain is `up` for unity overall
        float[][] branches = new float[up][taps];
        for (int n = 0; n < length; n++) {
            branches[n % up][n / up] = (float) (prototype[n] * up / sum);
        }
        return branches;
    }

    /** Modified Bessel function of the first kind, order 0, by its power series (converges fast for β ≤ 10). */
    private static double besselI0(double x) {
        double term = 1;
        double sum = 1;
        for (int k = 1; term > 1e-12 * sum; k++) {
            double half = x / (2 * k);
            term *= half * half;
            sum += term;
        }
        return sum;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
