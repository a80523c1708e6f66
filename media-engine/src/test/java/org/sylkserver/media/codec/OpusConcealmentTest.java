package org.sylkserver.media.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.jitsi.impl.neomedia.codec.audio.opus.Opus;
import org.junit.jupiter.api.Test;

/**
 * Opus packet loss concealment through {@link OpusCodec#decodeLost}: libopus's own extrapolation (RFC 6716 §4.4), and
 * in-band FEC (RFC 7587 §3.3) recovering a lost frame from the low-bitrate copy the next packet carries when the
 * sender encoded one (a libopus encoder told to expect loss, as WebRTC clients are).
 */
class OpusConcealmentTest {

    /** 20 ms packets of a 440 Hz tone from an encoder with in-band FEC, expecting {@code lossPercent} loss. */
    private static byte[][] tone(int lossPercent) {
        long encoder = Opus.encoder_create(48000, 1);
        try {
            Opus.encoder_set_complexity(encoder, 5);
            Opus.encoder_set_inband_fec(encoder, 1);
            Opus.encoder_set_packet_loss_perc(encoder, lossPercent);
            short[][] frames = SineWave.frames(SineWave.tone(440, 48000, 1.0, 0.3), 960);
            byte[][] packets = new byte[frames.length][];
            byte[] out = new byte[4000];
            for (int i = 0; i < frames.length; i++) {
                int length = Opus.encode(encoder, Pcm.toBytes(frames[i]), 0, 960, out, 0, out.length);
                packets[i] = Arrays.copyOf(out, length);
            }
            return packets;
        } finally {
            Opus.encoder_destroy(encoder);
        }
    }

    /** Decodes packets 0-24, then conceals packet 25 (lost) with or without packet 26 as the next one. */
    private static short[] concealed25(byte[][] packets, boolean withNext) {
        try (OpusCodec codec = new OpusCodec()) {
            for (int i = 0; i < 25; i++) {
                codec.decode(packets[i]);
            }
            return codec.decodeLost(960, withNext ? packets[26] : null);
        }
    }

    @Test
    void inBandFecRecoversTheLostFrameAtItsLevel() {
        byte[][] packets = tone(10);
        double reference = ToneDetector.levelDb(SineWave.tone(440, 48000, 0.02, 0.3), 48000, 440);
        short[] recovered = concealed25(packets, true);
        assertEquals(960, recovered.length);
        assertEquals(reference, ToneDetector.levelDb(recovered, 48000, 440), 1.5, "FEC: the frame's own level");
        assertTrue(ToneDetector.tonesSinadDb(recovered, 48000, 440) > 20);
        short[] extrapolated = concealed25(packets, false);
        assertEquals(960, extrapolated.length);
        double level = ToneDetector.levelDb(extrapolated, 48000, 440);
        assertTrue(level > reference - 9, "concealment without FEC still carries the tone: " + level + " dB");
    }

    /**
     * RFC 6716 §2.1.7, RFC 7587 §3.3: the packets our own encoder sends carry in-band FEC (libopus adds it only when
     * told to expect loss): a receiver that lost one recovers it from the next at the frame's level, where without
     * FEC data it could only extrapolate (the decoder then gives exactly its concealment, as the next test shows). A
     * receiver that reports no loss does not take the floor away.
     */
    @Test
    void ourEncoderSendsInBandFecThatRecoversALostFrame_rfc6716_2_1_7() {
        short[][] frames = SineWave.frames(SineWave.tone(440, 48000, 1.0, 0.3), 960);
        byte[][] packets = new byte[frames.length][];
        try (OpusCodec encoder = new OpusCodec()) {
            encoder.expectLoss(0);
            for (int i = 0; i < frames.length; i++) {
                packets[i] = encoder.encode(frames[i]);
            }
        }
        short[] recovered = concealed25(packets, true);
        assertFalse(Arrays.equals(concealed25(packets, false), recovered), "the next packet carries FEC data");
        double reference = ToneDetector.levelDb(SineWave.tone(440, 48000, 0.02, 0.3), 48000, 440);
        assertEquals(reference, ToneDetector.levelDb(recovered, 48000, 440), 1.5, "FEC: the frame's own level");
        assertTrue(ToneDetector.tonesSinadDb(recovered, 48000, 440) > 20);
    }

    /** A next packet without FEC data is concealed as without one; less than 2.5 ms cannot be concealed. */
    @Test
    void withoutFecTheDecoderExtrapolates() {
        byte[][] packets = tone(0);
        assertEquals(Arrays.toString(concealed25(packets, false)), Arrays.toString(concealed25(packets, true)));
        try (OpusCodec codec = new OpusCodec()) {
            assertNull(codec.decodeLost(100, null));
            assertNotNull(codec.decodeLost(240, null));
        }
    }
}
