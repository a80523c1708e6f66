package org.sylkserver.media.codec;

import java.util.Arrays;

/**
 * Packet loss concealment on decoded audio, for codecs that have none of their own (G.711, G.722): what ITU-T G.711
 * Appendix I describes, without its 3.75 ms delay. The decoded signal's last 48.75 ms are kept; when audio is lost,
 * its pitch period is found (the lag of 5-15 ms with the highest normalized correlation over the last 20 ms) and the
 * last period is repeated, each repetition ending in a cross-fade of a quarter period into the samples that lead to
 * its start, so the joins do not click. After 10 ms of loss the last two periods are cycled, after 20 ms the last
 * three (one period repeated for long buzzes), and the level falls by a fifth per 10 ms from 10 ms on: silence after
 * 60 ms. The first good frame after a loss starts with a cross-fade from the concealment's continuation (a quarter
 * period, 4 ms longer for each 10 ms lost beyond the first, at most 10 ms).
 *
 * <p>No library on Maven Central offers this for the JVM (searched: the G.711 artifacts there are encoders and
 * decoders only), so it is written here from the description above; the rates are those of the decoded signal,
 * which makes it work at 8 and 16 kHz alike. One instance per direction of one stream, used by one thread at a time.
 */
public final class LossConcealment {

    private final int tenMs;
    private final int minPitch;
    private final int maxPitch;
    /** The correlation window of the pitch search: the last 20 ms. */
    private final int window;
    /** The last decoded (or concealed) samples, oldest first: three longest periods and a quarter of one. */
    private final float[] history;

    /** During a loss: its pitch period, its last periods and what leads to them, and how far it has gone. */
    private boolean concealing;
    private int pitch;
    private int overlap;
    private float[] source;
    private int periods;
    private int position;
    private int erased;

    /** @param sampleRate the rate of the decoded signal in Hz (at least 800) */
    public LossConcealment(int sampleRate) {
        if (sampleRate < 800) {
            throw new IllegalArgumentException("sample rate " + sampleRate + " too low");
        }
        tenMs = sampleRate / 100;
        minPitch = sampleRate / 200;
        maxPitch = sampleRate * 15 / 1000;
        window = sampleRate / 50;
        history = new float[3 * maxPitch + maxPitch / 4];
    }

    /**
     * A frame that was decoded: kept as history; after a loss, its start is cross-faded from the concealment's
     * continuation (in place).
     */
    public void decoded(short[] pcm) {
        if (concealing) {
            int tensLost = (erased + tenMs - 1) / tenMs;
            int length = Math.min(pcm.length, Math.min(tenMs, overlap + Math.max(0, tensLost - 1) * tenMs * 2 / 5));
            for (int i = 0; i < length; i++) {
                float w = (i + 1f) / (length + 1f);
                pcm[i] = clip(w * pcm[i] + (1 - w) * next());
            }
            concealing = false;
        }
        remember(pcm);
    }

    /** Where the stream went silent on purpose (silence suppression, a new source): no loss to fade out of. */
    public void reset() {
        concealing = false;
        Arrays.fill(history, 0);
    }

    /** {@code samples} samples standing for lost audio, continuing any loss under way. */
    public short[] conceal(int samples) {
        if (!concealing) {
            start();
        }
        short[] out = new short[samples];
        for (int i = 0; i < samples; i++) {
            out[i] = clip(next());
        }
        remember(out);
        return out;
    }

    private void start() {
        pitch = pitch();
        overlap = Math.max(1, pitch / 4);
        int length = 3 * pitch + overlap;
        source = new float[length];
        System.arraycopy(history, history.length - length, source, 0, length);
        periods = 1;
        position = 0;
        erased = 0;
        concealing = true;
    }

    /** The lag of 5-15 ms whose past best matches the last 20 ms (normalized cross-correlation). */
    private int pitch() {
        int end = history.length;
        int best = minPitch;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int lag = minPitch; lag <= maxPitch; lag++) {
            double correlation = 0;
            double energy = 1e-9;
            for (int n = end - window; n < end; n++) {
                float past = history[n - lag];
                correlation += history[n] * past;
                energy += past * past;
            }
            double score = correlation / Math.sqrt(energy);
            if (score > bestScore) {
                bestScore = score;
                best = lag;
            }
        }
        return best;
    }

    /**
     * The next concealed sample: the cycle of the last {@code periods} periods, whose last quarter period fades into
     * the samples before the cycle's start (so its wrap is smooth), attenuated after 10 ms.
     */
    private float next() {
        int cycle = periods * pitch;
        int start = source.length - cycle;
        float sample = source[start + position];
        int fade = position - (cycle - overlap);
        if (fade >= 0) {
            float w = (fade + 1f) / (overlap + 1f);
            sample = (1 - w) * sample + w * source[start - overlap + fade];
        }
        float gain = erased < tenMs ? 1f : Math.max(0f, 1f - 0.2f * (erased - tenMs) / tenMs);
        erased++;
        if (++position == cycle) {
            // a wrap: from here on, cycle more periods if the loss has gone on long enough, starting on the same
            // sample the shorter cycle would have wrapped to (the start of its first period)
            int wanted = Math.min(3, 1 + erased / tenMs);
            position = (wanted - periods) * pitch;
            periods = wanted;
        }
        return sample * gain;
    }

    private void remember(short[] pcm) {
        int n = Math.min(pcm.length, history.length);
        System.arraycopy(history, n, history, 0, history.length - n);
        for (int i = 0; i < n; i++) {
            history[history.length - n + i] = pcm[pcm.length - n + i];
        }
    }

    private static short clip(float sample) {
        return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(sample)));
    }
}
