package org.sylkserver.media.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The measuring tools the codec tests rely on, checked against signals whose content is known. */
class ToneDetectorTest {

    @Test
    void findsTheFrequencyAndAmplitudeOfATone() {
        short[] tone = SineWave.tone(1234, 8000, 1, 0.5);
        assertEquals(1234, ToneDetector.dominantFrequency(tone, 8000), 1);
        assertEquals(0.5 * Short.MAX_VALUE, ToneDetector.amplitude(tone, 8000, 1234), 0.5 * Short.MAX_VALUE * 0.01);
    }

    @Test
    void separatesTwoTones() {
        short[] mix = SineWave.sum(SineWave.tone(1000, 8000, 1, 0.4), SineWave.tone(2000, 8000, 1, 0.004));
        assertEquals(1000, ToneDetector.dominantFrequency(mix, 8000), 1);
        assertEquals(-40, ToneDetector.levelDb(mix, 8000, 2000) - ToneDetector.levelDb(mix, 8000, 1000), 0.5);
    }

    @Test
    void sinadOfACleanToneIsHighAndOfANoisyToneLow() {
        short[] clean = SineWave.tone(440, 8000, 1, 0.5);
        assertTrue(ToneDetector.sinadDb(clean, 8000, 440) > 80);
        short[] noisy = SineWave.sum(clean, SineWave.tone(1500, 8000, 1, 0.05));
        assertEquals(20, ToneDetector.sinadDb(noisy, 8000, 440), 0.5);
    }
}
