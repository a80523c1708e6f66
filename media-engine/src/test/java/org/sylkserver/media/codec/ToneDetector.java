package org.sylkserver.media.codec;

/**
 * Measures tones in a signal: the amplitude at one frequency (Goertzel over a Hann window, so a strong tone
 * elsewhere does not leak into the measurement), the dominant frequency, and how clean a tone is.
 */
public final class ToneDetector {

    private ToneDetector() {
    }

    /** Peak amplitude of the component at {@code frequency}, in the signal's own units. */
    public static double amplitude(short[] signal, int rate, double frequency) {
        double coefficient = 2 * Math.cos(2 * Math.PI * frequency / rate);
        double previous = 0;
        double beforePrevious = 0;
        double windowSum = 0;
        for (int n = 0; n < signal.length; n++) {
            double hann = 0.5 - 0.5 * Math.cos(2 * Math.PI * n / (signal.length - 1));
            windowSum += hann;
            double current = hann * signal[n] + coefficient * previous - beforePrevious;
            beforePrevious = previous;
            previous = current;
        }
        double power = previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
        return 2 * Math.sqrt(Math.max(0, power)) / windowSum;
    }

    /** Level of the component at {@code frequency} relative to 16-bit full scale, in dB. */
    public static double levelDb(short[] signal, int rate, double frequency) {
        return 20 * Math.log10(amplitude(signal, rate, frequency) / Short.MAX_VALUE);
    }

    /** The frequency with the largest amplitude, found to within 1 Hz between 20 Hz and the Nyquist frequency. */
    public static double dominantFrequency(short[] signal, int rate) {
        double best = strongest(signal, rate, 20, rate / 2.0 - 20, 10);
        return strongest(signal, rate, best - 10, best + 10, 1);
    }

    private static double strongest(short[] signal, int rate, double from, double to, double step) {
        double best = from;
        double bestAmplitude = -1;
        for (double frequency = from; frequency <= to; frequency += step) {
            double amplitude = amplitude(signal, rate, frequency);
            if (amplitude > bestAmplitude) {
                bestAmplitude = amplitude;
                best = frequency;
            }
        }
        return best;
    }

    /**
     * Signal-to-noise-and-distortion ratio of a tone of known frequency, in dB: the sinusoid at
     * {@code frequency} that best fits the signal (least squares, any phase) against whatever remains.
     * Needs no reference signal, so it works whatever delay a filter added.
     */
    static double sinadDb(short[] signal, int rate, double frequency) {
        double ss = 0;
        double cc = 0;
        double sc = 0;
        double xs = 0;
        double xc = 0;
        for (int n = 0; n < signal.length; n++) {
            double s = Math.sin(2 * Math.PI * frequency * n / rate);
            double c = Math.cos(2 * Math.PI * frequency * n / rate);
            ss += s * s;
            cc += c * c;
            sc += s * c;
            xs += signal[n] * s;
            xc += signal[n] * c;
        }
        double determinant = ss * cc - sc * sc;
        double a = (xs * cc - xc * sc) / determinant;
        double b = (xc * ss - xs * sc) / determinant;
        double tone = 0;
        double rest = 0;
        for (int n = 0; n < signal.length; n++) {
            double fit = a * Math.sin(2 * Math.PI * frequency * n / rate) + b * Math.cos(2 * Math.PI * frequency * n / rate);
            tone += fit * fit;
            rest += (signal[n] - fit) * (signal[n] - fit);
        }
        return 10 * Math.log10(tone / rest);
    }

    /**
     * Signal-to-noise-and-distortion ratio of a mix of tones, in dB: what the tones at {@code frequencies} explain of
     * the signal against whatever remains. The tones must each make whole cycles in the signal (so that their sines
     * and cosines are orthogonal and each projection is its own fit).
     */
    public static double tonesSinadDb(short[] signal, int rate, double... frequencies) {
        double[] residual = new double[signal.length];
        for (int n = 0; n < signal.length; n++) {
            residual[n] = signal[n];
        }
        double tones = 0;
        for (double frequency : frequencies) {
            double a = 0;
            double b = 0;
            for (int n = 0; n < signal.length; n++) {
                a += signal[n] * Math.sin(2 * Math.PI * frequency * n / rate);
                b += signal[n] * Math.cos(2 * Math.PI * frequency * n / rate);
            }
            a *= 2.0 / signal.length;
            b *= 2.0 / signal.length;
            for (int n = 0; n < signal.length; n++) {
                double phase = 2 * Math.PI * frequency * n / rate;
                double fit = a * Math.sin(phase) + b * Math.cos(phase);
                residual[n] -= fit;
                tones += fit * fit;
            }
        }
        double rest = 0;
        for (double r : residual) {
            rest += r * r;
        }
        return 10 * Math.log10(tones / rest);
    }

    /** Ratio of a signal to its difference from a reference of the same length, in dB. */
    static double snrDb(short[] reference, short[] signal) {
        double power = 0;
        double noise = 0;
        for (int n = 0; n < reference.length; n++) {
            power += (double) reference[n] * reference[n];
            double error = (double) signal[n] - reference[n];
            noise += error * error;
        }
        return 10 * Math.log10(power / noise);
    }
}
