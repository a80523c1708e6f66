package org.sylkserver.media.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Remembered conversions are the same to the bit as converting again, and leave the resampler where converting
 * would have: a prompt heard by several streams, cut into frames of any size, then followed by other audio.
 */
class ResampledFramesTest {

    /** A welcome-like prompt: a tone, silence, another tone (not a whole number of frames). */
    private static short[] prompt(int rate) {
        short[] first = SineWave.tone(440, rate, 0.73, 0.3);
        short[] second = SineWave.tone(1000, rate, 0.31, 0.5);
        short[] prompt = Arrays.copyOf(first, first.length + rate / 5 + second.length);
        System.arraycopy(second, 0, prompt, first.length + rate / 5, second.length);
        return prompt;
    }

    @ParameterizedTest(name = "{0} Hz → {1} Hz in frames of {2}")
    @CsvSource({"48000, 8000, 960", "48000, 16000, 960", "8000, 48000, 160", "48000, 48000, 960",
            "48000, 8000, 96", "48000, 8000, 1000"})
    void streamsThroughTheMemoryGetWhatTheirOwnResamplerGives(int from, int to, int frame) {
        ResampledFrames memory = new ResampledFrames(4096);
        short[][] frames = SineWave.frames(prompt(from), frame);
        short[][] after = SineWave.frames(SineWave.tone(700, from, 0.2, 0.4), frame);
        for (int stream = 0; stream < 3; stream++) {
            Resampler alone = new Resampler(from, to);
            Resampler remembered = new Resampler(from, to);
            // the third stream starts with a frame of other audio: another history, nothing remembered matches
            if (stream == 2) {
                assertArrayEquals(alone.process(after[0]), memory.process(remembered, after[0]));
            }
            for (short[] f : frames) {
                assertArrayEquals(alone.process(f), memory.process(remembered, f), "stream " + stream);
            }
            // after the prompt the stream goes on without the memory, from the state the memory left
            for (short[] f : after) {
                assertArrayEquals(alone.process(f), remembered.process(f), "stream " + stream + " after");
            }
        }
        assertTrue(memory.size() <= frames.length + 1, "the prompt's frames once (and the other frame): " + memory.size());
    }

    @Test
    void startsAgainEmptyWhenFull() {
        ResampledFrames memory = new ResampledFrames(4);
        Resampler resampler = new Resampler(48_000, 8000);
        for (short[] f : SineWave.frames(prompt(48_000), 960)) {
            memory.process(resampler, f);
            assertTrue(memory.size() <= 4);
        }
        assertThrows(IllegalArgumentException.class, () -> new ResampledFrames(0));
    }

    @Test
    void aRememberedFrameIsTheCallersToChange() {
        ResampledFrames memory = new ResampledFrames(16);
        short[] frame = SineWave.tone(440, 48_000, 0.02, 0.3);
        short[] first = memory.process(new Resampler(48_000, 8000), frame);
        short[] expected = first.clone();
        first[0] ^= 1;
        assertArrayEquals(expected, memory.process(new Resampler(48_000, 8000), frame));
        assertEquals(1, memory.size());
    }
}
