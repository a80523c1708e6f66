package org.sylkserver.media.codec;

import java.util.Arrays;

/** Test signals: sampled sine tones, alone or summed (public: the JMH benchmarks in bench/jmh use them too). */
public final class SineWave {

    private SineWave() {
    }

    /**
     * @param frequency Hz
     * @param rate      samples per second
     * @param seconds   duration
     * @param amplitude peak, as a fraction of 16-bit full scale
     */
    public static short[] tone(double frequency, int rate, double seconds, double amplitude) {
        short[] samples = new short[(int) Math.round(rate * seconds)];
        for (int n = 0; n < samples.length; n++) {
            samples[n] = (short) Math.round(amplitude * Short.MAX_VALUE * Math.sin(2 * Math.PI * frequency * n / rate));
        }
        return samples;
    }

    /** The sample-by-sample sum of equally long signals, which must not clip. */
    public static short[] sum(short[] a, short[] b) {
        short[] sum = new short[a.length];
        for (int n = 0; n < a.length; n++) {
            sum[n] = (short) Math.addExact(a[n], b[n]);
        }
        return sum;
    }

    /** Splits a signal into consecutive frames of {@code frame} samples (the last may be shorter). */
    public static short[][] frames(short[] signal, int frame) {
        short[][] frames = new short[(signal.length + frame - 1) / frame][];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = Arrays.copyOfRange(signal, i * frame, Math.min(signal.length, (i + 1) * frame));
        }
        return frames;
    }
}
