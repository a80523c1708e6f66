package org.sylkserver.media.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ITU-T G.722 at 64 kbit/s (mode 1) as carried by RTP (RFC 3551 §4.5.2). Without the ITU's digital test
 * sequences at hand these tests check behaviour rather than bit-exactness: tones across the whole 50–7000 Hz
 * band survive, the reconstruction is close to the input once the QMF delay is taken out, and nothing overflows
 * at full scale.
 *
 * <p>The codec's delay is that of the two 24-tap QMFs (each linear-phase, 11.5 samples) less the one sample by
 * which the decoder emits a pair ahead of the encoder's decimation instant: 22 samples at 16 kHz (1.375 ms),
 * which {@link #delay_isTheQmfDelay} measures by cross-correlation.
 */
class G722Test {

    private static final int RATE = 16000;

    /** 20 ms at 16 kHz. */
    private static final int FRAME = 320;

    /** Measured by {@link #delay_isTheQmfDelay}: the two QMFs' 23 samples less the decoder's one-sample lead. */
    private static final int DELAY = 22;

    /** RFC 3551 §6 Table 4: payload type 9, 8 kHz RTP clock (§4.5.2) although G.722 samples at 16 kHz. */
    @Test
    void payloadTypeAndClock_rfc3551() {
        G722 codec = new G722();
        assertEquals("G722", codec.encodingName());
        assertEquals(9, codec.staticPayloadType());
        assertEquals(16000, codec.sampleRate());
        assertEquals(8000, codec.rtpClockRate());
    }

    /** One byte per pair of 16 kHz samples: 160 bytes per 20 ms, and 320 samples back. */
    @Test
    void payloadSize_oneBytePerTwoSamples() {
        G722 codec = new G722();
        byte[] payload = codec.encode(new short[FRAME]);
        assertEquals(160, payload.length);
        assertEquals(FRAME, new G722().decode(payload).length);
        assertEquals(0, codec.encode(new short[0]).length);
        assertEquals(2, codec.encode(new short[4]).length);
    }

    @Test
    void oddSampleCount_isRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new G722().encode(new short[319]));
        assertTrue(e.getMessage().contains("odd"), e.getMessage());
        assertTrue(e.getMessage().contains("319"), e.getMessage());
    }

    /**
     * Tones in both sub-bands keep their frequency through encode and decode; 6 kHz lies in the higher sub-band
     * and proves the codec is wideband. The first 40 ms (the ADPCM's adaptation and the QMF delay) are skipped.
     */
    @ParameterizedTest(name = "{0} Hz")
    @ValueSource(ints = {400, 1000, 3000, 6000})
    void toneKeepsItsFrequency(int frequency) {
        short[] input = SineWave.tone(frequency, RATE, 1.0, 0.5);
        short[] output = roundTrip(input);
        short[] settled = Arrays.copyOfRange(output, RATE * 40 / 1000, output.length);
        assertEquals(frequency, ToneDetector.dominantFrequency(settled, RATE), 2.0);
        double inputLevel = ToneDetector.levelDb(input, RATE, frequency);
        double outputLevel = ToneDetector.levelDb(settled, RATE, frequency);
        assertEquals(inputLevel, outputLevel, 1.0, "level of the tone after the codec");
        assertTrue(ToneDetector.sinadDb(settled, RATE, frequency) > 20, "SINAD at " + frequency + " Hz");
    }

    /**
     * The delay that best aligns output with input, found by cross-correlation of a signal with energy in both
     * sub-bands, is the QMF delay.
     */
    @Test
    void delay_isTheQmfDelay() {
        short[] input = testSignal();
        short[] output = roundTrip(input);
        assertEquals(DELAY, bestLag(input, output, 100));
    }

    /**
     * After aligning the delay the decoded signal is within 20 dB SNR of the input (measured here: see
     * {@link #snrAfterAlignment}), and its energy is within 1 dB of the input's.
     */
    @Test
    void snrAfterAlignment() {
        short[] input = testSignal();
        short[] output = roundTrip(input);
        int skip = RATE * 40 / 1000;
        short[] reference = Arrays.copyOfRange(input, skip, input.length - DELAY);
        short[] aligned = Arrays.copyOfRange(output, skip + DELAY, output.length);
        double snr = ToneDetector.snrDb(reference, aligned);
        System.out.printf("G.722 SNR after %d-sample alignment: %.1f dB%n", DELAY, snr);
        assertTrue(snr > 20, "SNR " + snr + " dB");
        double energyRatioDb = 10 * Math.log10(energy(aligned) / energy(reference));
        assertEquals(0, energyRatioDb, 1.0, "decoded energy relative to input, dB");
    }

    @Test
    void silenceStaysSilent() {
        short[] output = roundTrip(new short[RATE]);
        assertTrue(peak(output) <= 16, "peak of decoded silence " + peak(output));
        short[] quiet = new short[RATE];
        Arrays.fill(quiet, (short) -1); // −1 quantises like 0 (one's complement magnitude)
        assertTrue(peak(roundTrip(quiet)) <= 16, "peak of decoded −1 " + peak(roundTrip(quiet)));
    }

    /** A full-scale square wave and full-scale white noise go through without exceptions. */
    @Test
    void fullScaleSquareWaveAndNoise_doNotBreak() {
        short[] square = new short[RATE];
        for (int n = 0; n < square.length; n++) {
            square[n] = (n / 8) % 2 == 0 ? Short.MAX_VALUE : Short.MIN_VALUE; // 1 kHz
        }
        short[] noise = new short[RATE];
        Random random = new Random(722);
        for (int n = 0; n < noise.length; n++) {
            noise[n] = (short) random.nextInt(1 << 16);
        }
        for (short[] input : new short[][] {square, noise}) {
            short[] output = assertDoesNotThrow(() -> roundTrip(input));
            assertEquals(input.length, output.length);
        }
        // the square wave's fundamental comes through at about its level (4/π of full scale, clipped at 1)
        short[] decodedSquare = Arrays.copyOfRange(roundTrip(square), 640, RATE);
        assertEquals(1000, ToneDetector.dominantFrequency(decodedSquare, RATE), 2.0);
        assertTrue(ToneDetector.levelDb(decodedSquare, RATE, 1000) > -3);
    }

    /**
     * A full-scale 1 kHz sine decodes with peaks near full scale and the sign of the input at every input
     * peak: a value that wrapped around in 16-bit arithmetic would show up as a peak of the wrong sign.
     */
    @Test
    void fullScaleSine_noWrapAround() {
        short[] input = SineWave.tone(1000, RATE, 1.0, 1.0);
        short[] output = roundTrip(input);
        int skip = RATE * 40 / 1000;
        short[] settled = Arrays.copyOfRange(output, skip, output.length);
        assertTrue(peak(settled) > 20000, "peak " + peak(settled));
        int peaksChecked = 0;
        for (int n = skip; n + DELAY < input.length; n++) {
            if (Math.abs(input[n]) > 30000) {
                int decoded = output[n + DELAY];
                assertEquals(Integer.signum(input[n]), Integer.signum(decoded), "sample " + n + ": " + decoded);
                assertTrue(Math.abs(decoded) > 20000, "sample " + n + ": " + decoded);
                peaksChecked++;
            }
        }
        assertTrue(peaksChecked > 1000, "peaks checked " + peaksChecked);
    }

    /**
     * Each instance carries its own state: two streams coded frame by frame in alternation on two instances
     * give exactly the bytes (and samples) each gives alone.
     */
    @Test
    void instancesAreIndependent() {
        short[] a = SineWave.tone(440, RATE, 0.5, 0.4);
        short[] b = SineWave.sum(SineWave.tone(2500, RATE, 0.5, 0.3), SineWave.tone(5500, RATE, 0.5, 0.3));
        byte[] aloneA = encodeAll(new G722(), a);
        byte[] aloneB = encodeAll(new G722(), b);

        G722 encoderA = new G722();
        G722 encoderB = new G722();
        G722 decoderA = new G722();
        G722 decoderB = new G722();
        short[][] framesA = SineWave.frames(a, FRAME);
        short[][] framesB = SineWave.frames(b, FRAME);
        ByteArrayOutputStream bytesA = new ByteArrayOutputStream();
        ByteArrayOutputStream bytesB = new ByteArrayOutputStream();
        ShortCollector decodedA = new ShortCollector();
        ShortCollector decodedB = new ShortCollector();
        for (int i = 0; i < framesA.length; i++) {
            byte[] payloadA = encoderA.encode(framesA[i]);
            byte[] payloadB = encoderB.encode(framesB[i]);
            bytesA.writeBytes(payloadA);
            bytesB.writeBytes(payloadB);
            decodedA.add(decoderA.decode(payloadA));
            decodedB.add(decoderB.decode(payloadB));
        }
        assertArrayEquals(aloneA, bytesA.toByteArray());
        assertArrayEquals(aloneB, bytesB.toByteArray());
        assertArrayEquals(new G722().decode(aloneA), decodedA.toArray());
        assertArrayEquals(new G722().decode(aloneB), decodedB.toArray());
    }

    /** Frame boundaries do not matter: one call on the whole signal gives the bytes of 20 ms frames. */
    @Test
    void framingDoesNotChangeTheBitStream() {
        short[] input = testSignal();
        assertArrayEquals(encodeAll(new G722(), input), new G722().encode(input));
    }

    /** 300, 1100, 2700 Hz in the lower sub-band and 5200 Hz in the higher, each at a quarter of full scale. */
    private static short[] testSignal() {
        short[] signal = SineWave.tone(300, RATE, 1.0, 0.2);
        for (int frequency : new int[] {1100, 2700, 5200}) {
            signal = SineWave.sum(signal, SineWave.tone(frequency, RATE, 1.0, 0.2));
        }
        return signal;
    }

    /** Encodes in 20 ms frames on one instance and decodes on another, as the two ends of a stream do. */
    private static short[] roundTrip(short[] input) {
        G722 encoder = new G722();
        G722 decoder = new G722();
        ShortCollector output = new ShortCollector();
        for (short[] frame : SineWave.frames(input, FRAME)) {
            output.add(decoder.decode(encoder.encode(frame)));
        }
        return output.toArray();
    }

    private static byte[] encodeAll(G722 encoder, short[] input) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (short[] frame : SineWave.frames(input, FRAME)) {
            bytes.writeBytes(encoder.encode(frame));
        }
        return bytes.toByteArray();
    }

    /** The lag in samples, 0 to {@code maxLag}, at which the output correlates best with the input. */
    private static int bestLag(short[] input, short[] output, int maxLag) {
        int best = 0;
        double bestCorrelation = Double.NEGATIVE_INFINITY;
        for (int lag = 0; lag <= maxLag; lag++) {
            double correlation = 0;
            for (int n = 0; n + lag < output.length; n++) {
                correlation += (double) input[n] * output[n + lag];
            }
            if (correlation > bestCorrelation) {
                bestCorrelation = correlation;
                best = lag;
            }
        }
        return best;
    }

    private static double energy(short[] signal) {
        double sum = 0;
        for (short sample : signal) {
            sum += (double) sample * sample;
        }
        return sum;
    }

    private static int peak(short[] signal) {
        int peak = 0;
        for (short sample : signal) {
            peak = Math.max(peak, Math.abs(sample));
        }
        return peak;
    }

    /** Concatenates decoded frames. */
    private static final class ShortCollector {
        private short[] samples = new short[0];

        void add(short[] more) {
            int old = samples.length;
            samples = Arrays.copyOf(samples, old + more.length);
            System.arraycopy(more, 0, samples, old, more.length);
        }

        short[] toArray() {
            return samples;
        }
    }
}
