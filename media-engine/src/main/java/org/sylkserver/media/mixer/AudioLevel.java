package org.sylkserver.media.mixer;

/**
 * Audio level of a frame in the unit of RFC 6464 §3: the negated level in dBov, 0 (full scale) to 127 (silence or
 * below -127 dBov), computed as the root mean square of the samples relative to a full-scale square wave
 * (RFC 6464 §4 defers to ITU-T G.169's "overload point": a full-scale signal is 0 dBov).
 */
final class AudioLevel {

    /** The level RFC 6464 gives digital silence. */
    public static final int SILENCE = 127;

    private AudioLevel() {
    }

    /** The level of {@code length} samples from {@code offset}. */
    public static int of(short[] samples, int offset, int length) {
        if (length <= 0) {
            return SILENCE;
        }
        double sum = 0;
        for (int i = offset; i < offset + length; i++) {
            double s = samples[i];
            sum += s * s;
        }
        double rms = Math.sqrt(sum / length);
        if (rms < 1e-9) {
            return SILENCE;
        }
        double dbov = 20 * Math.log10(rms / Short.MAX_VALUE);
        return (int) Math.max(0, Math.min(SILENCE, Math.round(-dbov)));
    }

    /** The level of a whole frame. */
    public static int of(short[] samples) {
        return of(samples, 0, samples.length);
    }
}
