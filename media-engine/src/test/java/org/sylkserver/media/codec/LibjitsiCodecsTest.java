package org.sylkserver.media.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The codecs taken from libjitsi (Opus and Speex through its bundled JNI libraries, GSM and iLBC in Java): a tone
 * survives an encode→decode round trip at its frequency, frames have the sizes their RFCs give, hostile payloads
 * are refused with {@link IllegalArgumentException} and never crash the JVM.
 */
class LibjitsiCodecsTest {

    /** Round trip of 1 s of a tone in 20 ms frames; the first 100 ms (codec delay and warm-up) are skipped. */
    private static short[] roundTrip(AudioCodec codec, double frequency) {
        int frame = codec.sampleRate() / 50;
        short[] tone = SineWave.tone(frequency, codec.sampleRate(), 1.0, 0.25);
        short[] out = new short[0];
        for (short[] pcm : SineWave.frames(tone, frame)) {
            short[] decoded = codec.decode(codec.encode(pcm));
            short[] joined = Arrays.copyOf(out, out.length + decoded.length);
            System.arraycopy(decoded, 0, joined, out.length, decoded.length);
            out = joined;
        }
        assertEquals(tone.length, out.length, codec.encodingName() + " decodes as many samples as were encoded");
        return Arrays.copyOfRange(out, codec.sampleRate() / 10, out.length);
    }

    @ParameterizedTest(name = "{0}/{1} keeps a {2} Hz tone")
    @CsvSource({"opus, 48000, 440", "opus, 48000, 1000", "opus, 48000, 6000", "opus, 48000, 12000",
            "speex, 8000, 1000", "speex, 16000, 600", "speex, 16000, 3800", "speex, 32000, 1000",
            "GSM, 8000, 440", "GSM, 8000, 1500", "iLBC, 8000, 440", "iLBC, 8000, 1000"})
    void aToneKeepsItsFrequency(String name, int clockRate, double frequency) {
        try (AudioCodec codec = AudioCodecs.create(name, clockRate).orElseThrow()) {
            short[] decoded = roundTrip(codec, frequency);
            double found = ToneDetector.dominantFrequency(decoded, codec.sampleRate());
            assertEquals(frequency, found, frequency * 0.02 + 10, name + " dominant frequency");
            assertTrue(ToneDetector.levelDb(decoded, codec.sampleRate(), frequency)
                    > ToneDetector.levelDb(SineWave.tone(frequency, codec.sampleRate(), 0.9, 0.25),
                    codec.sampleRate(), frequency) - 6, name + " keeps the tone's level within 6 dB");
        }
    }

    /** RFC 7587 §4.1 / RFC 5574 §3.2 / RFC 3551 §4.5.8 / RFC 3952 §3: clock rates and frame sizes. */
    @Test
    void framesHaveTheSizesTheirFormatsGive() {
        try (AudioCodec gsm = AudioCodecs.create("gsm", 8000).orElseThrow();
             AudioCodec ilbc = AudioCodecs.create("ilbc", 8000).orElseThrow();
             AudioCodec opus = AudioCodecs.create("OPUS", 48000).orElseThrow()) {
            assertEquals(33, gsm.encode(new short[160]).length);
            assertEquals(3, gsm.staticPayloadType());
            assertEquals(38, ilbc.encode(new short[160]).length);
            assertEquals(960, opus.decode(opus.encode(new short[960])).length);
            assertEquals(48000, opus.rtpClockRate());
        }
        assertTrue(AudioCodecs.create("opus", 8000).isEmpty(), "Opus exists only on a 48 kHz clock");
        assertTrue(AudioCodecs.create("speex", 44100).isEmpty());
        assertTrue(AudioCodecs.create("AMR", 8000).isEmpty());
    }

    @Test
    void statefulCodecsAreOneInstancePerCallG711IsShared() {
        try (AudioCodec a = AudioCodecs.create("opus", 48000).orElseThrow();
             AudioCodec b = AudioCodecs.create("opus", 48000).orElseThrow()) {
            assertNotSame(a, b);
        }
        assertSame(AudioCodecs.create("pcmu", 8000).orElseThrow(), AudioCodecs.create("PCMU", 8000).orElseThrow());
    }

    @Test
    void wrongFrameSizesAreRefused() {
        try (AudioCodec opus = AudioCodecs.create("opus", 48000).orElseThrow();
             AudioCodec speex = AudioCodecs.create("speex", 16000).orElseThrow()) {
            assertThrows(IllegalArgumentException.class, () -> opus.encode(new short[1000]));
            assertThrows(IllegalArgumentException.class, () -> speex.encode(new short[160]));
            assertThrows(IllegalArgumentException.class, () -> new GsmCodec().encode(new short[100]));
            assertThrows(IllegalArgumentException.class, () -> new IlbcCodec().decode(new byte[37]));
            assertThrows(IllegalArgumentException.class, () -> new GsmCodec().decode(new byte[32]));
        }
    }

    /** Random bytes from the network: refused or decoded to something, never a crash; the codec stays usable. */
    @Test
    void garbagePayloadsNeverCrashAndTheCodecStaysUsable() {
        Random random = new Random(7);
        for (String name : new String[] {"opus/48000", "speex/8000", "speex/16000", "GSM/8000", "iLBC/8000"}) {
            String[] parts = name.split("/");
            try (AudioCodec codec = AudioCodecs.create(parts[0], Integer.parseInt(parts[1])).orElseThrow()) {
                for (int i = 0; i < 300; i++) {
                    byte[] garbage = new byte[random.nextInt(i % 3 == 0 ? 2000 : 60)];
                    random.nextBytes(garbage);
                    try {
                        codec.decode(garbage);
                    } catch (IllegalArgumentException refused) {
                        // a clear refusal is fine
                    }
                }
                double frequency = 1000;
                assertEquals(frequency, ToneDetector.dominantFrequency(roundTrip(codec, frequency),
                        codec.sampleRate()), 30, name + " still works after garbage");
            }
        }
    }

    @Test
    void aClosedNativeCodecRefusesToWork() {
        AudioCodec opus = AudioCodecs.create("opus", 48000).orElseThrow();
        opus.close();
        opus.close();
        assertThrows(IllegalStateException.class, () -> opus.encode(new short[960]));
    }
}
