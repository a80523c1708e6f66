package org.sylkserver.media.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Sample-rate conversion between the codec rates (8 kHz G.711, 16 kHz G.722 — RFC 3551 §4.5.2, §4.5.14) and
 * the mixer's 48 kHz: frame sizes, tones kept, aliases and images removed.
 */
class ResamplerTest {

    /** Drops the first {@code seconds} of a signal, where the filter is still filling with the stream. */
    private static short[] settled(short[] signal, int rate, double seconds) {
        return Arrays.copyOfRange(signal, (int) (rate * seconds), signal.length);
    }

    /** Feeds a signal through in 20 ms frames, as the mixer will, and joins the output. */
    private static short[] inFrames(Resampler resampler, short[] signal) {
        short[] out = new short[0];
        for (short[] frame : SineWave.frames(signal, resampler.inputRate() / 50)) {
            short[] converted = resampler.process(frame);
            assertEquals(frame.length * resampler.outputRate() / resampler.inputRate(), converted.length);
            int at = out.length;
            out = Arrays.copyOf(out, at + converted.length);
            System.arraycopy(converted, 0, out, at, converted.length);
        }
        return out;
    }

    @ParameterizedTest(name = "{0} Hz → {1} Hz")
    @CsvSource({"8000, 48000", "48000, 8000", "16000, 48000", "48000, 16000", "8000, 16000", "16000, 8000"})
    void a20msFrameBecomesA20msFrame(int from, int to) {
        Resampler resampler = new Resampler(from, to);
        for (int i = 0; i < 3; i++) {
            assertEquals(to / 50, resampler.process(new short[from / 50]).length);
        }
    }

    /** A 1 kHz tone through 8→48→8 kHz keeps its frequency and level, with no audible distortion added. */
    @Test
    void toneSurvivesUpThenDownSampling() {
        short[] tone = SineWave.tone(1000, 8000, 1, 0.5);
        short[] back = settled(inFrames(new Resampler(48000, 8000), inFrames(new Resampler(8000, 48000), tone)),
                8000, 0.02);
        assertEquals(1000, ToneDetector.dominantFrequency(back, 8000), 1);
        assertEquals(ToneDetector.levelDb(tone, 8000, 1000), ToneDetector.levelDb(back, 8000, 1000), 0.1);
        double sinad = ToneDetector.sinadDb(back, 8000, 1000);
        assertTrue(sinad > 60, "SINAD " + sinad + " dB");
    }

    /**
     * Downsampling 48→8 kHz: a 6 kHz tone lies above the new Nyquist frequency (4 kHz) and would fold to 2 kHz;
     * the low-pass must take it out while a 1 kHz and a 3 kHz tone (telephone band) pass unchanged.
     */
    @Test
    void downsamplingRemovesWhatWouldAlias() {
        short[] input = SineWave.sum(SineWave.sum(SineWave.tone(1000, 48000, 1, 0.3), SineWave.tone(3000, 48000, 1, 0.3)),
                SineWave.tone(6000, 48000, 1, 0.3));
        short[] output = settled(inFrames(new Resampler(48000, 8000), input), 8000, 0.02);
        double oneKilohertz = ToneDetector.levelDb(output, 8000, 1000);
        assertEquals(ToneDetector.levelDb(input, 48000, 1000), oneKilohertz, 0.1);
        assertEquals(ToneDetector.levelDb(input, 48000, 3000), ToneDetector.levelDb(output, 8000, 3000), 0.5);
        double alias = ToneDetector.levelDb(output, 8000, 2000);
        assertTrue(oneKilohertz - alias > 60, "6 kHz folded to 2 kHz only " + (oneKilohertz - alias) + " dB down");
    }

    /** Upsampling 8→48 kHz: the images of a 1 kHz tone around multiples of 8 kHz (7, 9, 15, 17 kHz) are removed. */
    @Test
    void upsamplingRemovesImages() {
        short[] output = settled(inFrames(new Resampler(8000, 48000), SineWave.tone(1000, 8000, 1, 0.5)), 48000, 0.02);
        double tone = ToneDetector.levelDb(output, 48000, 1000);
        assertEquals(ToneDetector.levelDb(SineWave.tone(1000, 8000, 1, 0.5), 8000, 1000), tone, 0.1);
        for (int image : new int[] {7000, 9000, 15000, 17000}) {
            double level = ToneDetector.levelDb(output, 48000, image);
            assertTrue(tone - level > 60, "image at " + image + " Hz only " + (tone - level) + " dB down");
        }
    }

    /** Downsampling 48→16 kHz for G.722: a 5 kHz tone (wideband) passes, a 10 kHz tone that would fold to 6 kHz is taken out. */
    @Test
    void wideband48To16KeepsTheWidebandToneAndRemovesWhatWouldAlias() {
        short[] input = SineWave.sum(SineWave.tone(5000, 48000, 1, 0.4), SineWave.tone(10000, 48000, 1, 0.4));
        short[] output = settled(inFrames(new Resampler(48000, 16000), input), 16000, 0.02);
        double kept = ToneDetector.levelDb(output, 16000, 5000);
        assertEquals(ToneDetector.levelDb(input, 48000, 5000), kept, 0.1);
        double alias = ToneDetector.levelDb(output, 16000, 6000);
        assertTrue(kept - alias > 60, "10 kHz folded to 6 kHz only " + (kept - alias) + " dB down");
    }

    /** The filter history crosses call boundaries: any way of cutting the stream gives the same output. */
    @Test
    void outputDoesNotDependOnHowTheStreamIsCut() {
        short[] tone = SineWave.sum(SineWave.tone(440, 16000, 0.5, 0.3), SineWave.tone(3100, 16000, 0.5, 0.3));
        short[] whole = new Resampler(16000, 48000).process(tone);
        Resampler pieces = new Resampler(16000, 48000);
        short[] joined = new short[0];
        int at = 0;
        for (int length : new int[] {1, 7, 320, 333, 2000, 5339}) {
            short[] out = pieces.process(Arrays.copyOfRange(tone, at, at + length));
            at += length;
            int end = joined.length;
            joined = Arrays.copyOf(joined, end + out.length);
            System.arraycopy(out, 0, joined, end, out.length);
        }
        assertEquals(tone.length, at);
        assertArrayEquals(whole, joined);
    }

    /**
     * The same when downsampling (the mixer's 48 kHz to a listener's 8 kHz): pieces whose outputs are fewer than,
     * as many as and more than the four computed together must join into exactly the output of the whole.
     */
    @Test
    void downsampledOutputDoesNotDependOnHowTheStreamIsCut() {
        short[] tone = SineWave.sum(SineWave.tone(440, 48000, 0.5, 0.3), SineWave.tone(3100, 48000, 0.5, 0.3));
        short[] whole = new Resampler(48000, 8000).process(tone);
        Resampler pieces = new Resampler(48000, 8000);
        short[] joined = new short[0];
        int at = 0;
        for (int length : new int[] {1, 5, 6, 24, 29, 960, 961, 4003, 18011}) {
            short[] out = pieces.process(Arrays.copyOfRange(tone, at, at + length));
            at += length;
            int end = joined.length;
            joined = Arrays.copyOf(joined, end + out.length);
            System.arraycopy(out, 0, joined, end, out.length);
        }
        assertEquals(tone.length, at);
        assertArrayEquals(whole, joined);
    }

    /**
     * A resampler put in another's state (the mixer's prompt renditions) converts what follows exactly as that one
     * does; a new one is at rest, one that converted a tone is not until its history is silence again.
     */
    @ParameterizedTest(name = "{0} Hz → {1} Hz")
    @CsvSource({"48000, 8000", "48000, 16000", "8000, 48000"})
    void aRestoredStateConvertsWhatFollowsLikeTheOriginal(int from, int to) {
        short[][] frames = SineWave.frames(SineWave.tone(1000, from, 0.2, 0.5), from / 50);
        Resampler original = new Resampler(from, to);
        assertTrue(original.atRest());
        original.process(frames[0]);
        original.process(frames[1]);
        assertFalse(original.atRest());
        Resampler.State state = original.state();
        Resampler restored = new Resampler(from, to);
        restored.restore(state);
        assertArrayEquals(state.history(), restored.state().history());
        for (int i = 2; i < frames.length; i++) {
            assertArrayEquals(original.process(frames[i]), restored.process(frames[i]), "frame " + i);
        }
        short[] silence = new short[from / 50];
        original.process(silence);
        assertTrue(original.atRest(), "a 20 ms frame of silence fills the whole history");
        assertThrows(IllegalArgumentException.class, () -> new Resampler(from, to == 8000 ? 16000 : 8000).restore(state));
    }

    @Test
    void sameRateIsACopy() {
        short[] tone = SineWave.tone(1000, 16000, 0.02, 0.5);
        assertArrayEquals(tone, new Resampler(16000, 16000).process(tone));
    }

    @Test
    void rejectsRatesItCannotServeWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Resampler(0, 8000)).getMessage()
                .contains("between 8000 and 192000 Hz"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Resampler(44100, 47999)).getMessage()
                .contains("needs a filter of"));
        assertThrows(NullPointerException.class, () -> new Resampler(8000, 16000).process(null));
    }
}
