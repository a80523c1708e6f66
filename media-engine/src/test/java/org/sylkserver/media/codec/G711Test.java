package org.sylkserver.media.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * ITU-T G.711 μ-law and A-law as carried by RTP (RFC 3551 §4.5.14). The 16-bit values are G.711's linear
 * scale shifted left by 2 (μ-law, 14 bits) or 3 (A-law, 13 bits).
 */
class G711Test {

    /** RFC 3551 §6 Table 4: static payload types, 8 kHz clock, encoding names as in rtpmap. */
    @Test
    void payloadTypesAndClock_rfc3551_s6() {
        assertEquals("PCMU", G711.PCMU.encodingName());
        assertEquals(0, G711.PCMU.staticPayloadType());
        assertEquals("PCMA", G711.PCMA.encodingName());
        assertEquals(8, G711.PCMA.staticPayloadType());
        for (G711 law : G711.values()) {
            assertEquals(8000, law.sampleRate());
            assertEquals(8000, law.rtpClockRate());
        }
    }

    /**
     * G.711 Table 2a (μ-law): every bit is transmitted inverted, so 0xFF is +0 and 0x7F is −0; the outermost
     * codes 0x80 / 0x00 decode to ±8031 on the 14-bit scale; segment 1 starts at output value 33.
     */
    @ParameterizedTest(name = "μ-law code {0} is {1}")
    @CsvSource({"0xFF, 0", "0x7F, 0", "0x80, 32124", "0x00, -32124", "0xEF, 132", "0x6F, -132", "0xFE, 8"})
    void ulawCodePoints_g711_table2a(String code, int linear) {
        assertEquals(linear, G711.PCMU.expand(Integer.decode(code)));
    }

    /**
     * G.711 Table 1a (A-law): even bits inverted (0x55), sign bit 1 for positive; no zero level, the smallest
     * magnitudes are ±1 on the 13-bit scale (0xD5 / 0x55); the outermost codes 0xAA / 0x2A decode to ±4032;
     * segment 1 starts at 33.
     */
    @ParameterizedTest(name = "A-law code {0} is {1}")
    @CsvSource({"0xD5, 8", "0x55, -8", "0xAA, 32256", "0x2A, -32256", "0xC5, 264", "0x45, -264"})
    void alawCodePoints_g711_table1a(String code, int linear) {
        assertEquals(linear, G711.PCMA.expand(Integer.decode(code)));
    }

    @Test
    void silenceAndFullScaleEncodeToTheOutermostCodes_g711() {
        assertEquals(0xFF, G711.PCMU.compress((short) 0));
        assertEquals(0x80, G711.PCMU.compress(Short.MAX_VALUE));
        assertEquals(0x7F, G711.PCMU.compress((short) -1));
        assertEquals(0x00, G711.PCMU.compress(Short.MIN_VALUE));
        assertEquals(0xD5, G711.PCMA.compress((short) 0));
        assertEquals(0x55, G711.PCMA.compress((short) -1));
        assertEquals(0xAA, G711.PCMA.compress(Short.MAX_VALUE));
        assertEquals(0x2A, G711.PCMA.compress(Short.MIN_VALUE));
    }

    /**
     * Both laws are symmetric: the sign is one bit of the code (G.711 Tables 1a/2a, column "character signal")
     * and negative samples are quantised by their one's complement, so −1−x gets the code of x with the sign
     * bit flipped, down to −32768 against 32767.
     */
    @ParameterizedTest
    @EnumSource(G711.class)
    void negativeSamplesMirrorPositiveOnes_g711(G711 law) {
        for (int x = 0; x <= Short.MAX_VALUE; x++) {
            assertEquals(law.compress((short) x) ^ 0x80, law.compress((short) (-1 - x)), "sample " + x);
        }
    }

    /** Each decoded level lies in its own decision interval, so re-encoding it gives the code back. */
    @ParameterizedTest
    @EnumSource(G711.class)
    void everyCodeSurvivesDecodeThenEncode_g711(G711 law) {
        for (int code = 0; code < 256; code++) {
            int expected = law == G711.PCMU && code == 0x7F ? 0xFF : code; // −0 comes back as +0
            assertEquals(expected, law.compress(law.expand(code)), "code " + Integer.toHexString(code));
        }
    }

    /**
     * Quantisation is monotonic over the whole 16-bit range and its error grows with the level (logarithmic
     * companding: about 1/32 of the magnitude, 1/16 at worst, plus the finest step near zero).
     */
    @ParameterizedTest
    @EnumSource(G711.class)
    void quantisationIsMonotonicWithErrorProportionalToLevel_g711(G711 law) {
        int previous = Integer.MIN_VALUE;
        for (int x = Short.MIN_VALUE; x <= Short.MAX_VALUE; x++) {
            int y = law.expand(law.compress((short) x));
            assertTrue(y >= previous, "not monotonic at " + x);
            assertTrue(Math.abs(x - y) <= 8 + Math.abs(x) / 16, "error too large at " + x + ": " + y);
            previous = y;
        }
    }

    /**
     * A tone survives encode→decode in 20 ms packets (RFC 3551 §4.5.14: one octet per sample) with its frequency
     * and a signal-to-quantisation-noise ratio above 30 dB, both loud and 30 dB quieter (what companding is for).
     */
    @ParameterizedTest(name = "{0} {1} Hz at {2} of full scale")
    @CsvSource({"PCMU, 1000, 0.5", "PCMU, 440, 0.5", "PCMU, 1000, 0.016", "PCMU, 440, 0.016",
            "PCMA, 1000, 0.5", "PCMA, 440, 0.5", "PCMA, 1000, 0.016", "PCMA, 440, 0.016"})
    void toneSurvivesRoundTrip_rfc3551_s4_5_14(G711 law, double frequency, double amplitude) {
        short[] tone = SineWave.tone(frequency, 8000, 1, amplitude);
        short[] decoded = new short[tone.length];
        int at = 0;
        for (short[] frame : SineWave.frames(tone, 160)) {
            byte[] payload = law.encode(frame);
            assertEquals(frame.length, payload.length);
            short[] samples = law.decode(payload);
            System.arraycopy(samples, 0, decoded, at, samples.length);
            at += samples.length;
        }
        assertEquals(frequency, ToneDetector.dominantFrequency(decoded, 8000), 1);
        double snr = ToneDetector.snrDb(tone, decoded);
        assertTrue(snr > 30, "SNR " + snr + " dB");
    }

    @Test
    void rejectsMissingInputByName() {
        assertEquals("pcm", assertThrows(NullPointerException.class, () -> G711.PCMU.encode(null)).getMessage());
        assertEquals("payload",
                assertThrows(NullPointerException.class, () -> G711.PCMA.decode(null)).getMessage());
        assertArrayEquals(new short[0], G711.PCMA.decode(new byte[0]));
    }
}
