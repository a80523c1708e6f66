package org.sylkserver.media.codec;

import org.rubycoder.gsm.GSMDecoder;
import org.rubycoder.gsm.GSMEncoder;
import org.rubycoder.gsm.InvalidGSMFrameException;

/**
 * GSM 06.10 full rate (RFC 3551 §4.5.8: static payload type 3, 8 kHz, 160 samples in 33 bytes per 20 ms), in
 * Java: the rubycoder implementation that libjitsi uses, shipped in its FMJ dependency. We call the encoder and
 * decoder directly, one of each per instance: libjitsi's own wrapper shares one static encoder between all
 * streams, which would mix their state.
 */
final class GsmCodec implements AudioCodec {

    private final GSMEncoder encoder = new GSMEncoder();
    private final GSMDecoder decoder = new GSMDecoder();
    private final int[] samples = new int[FRAME_SAMPLES];

    private static final int FRAME_SAMPLES = 160;
    private static final int FRAME_BYTES = 33;

    @Override
    public String encodingName() {
        return "GSM";
    }

    @Override
    public int sampleRate() {
        return 8000;
    }

    @Override
    public int staticPayloadType() {
        return 3;
    }

    @Override
    public byte[] encode(short[] pcm) {
        if (pcm.length == 0 || pcm.length % FRAME_SAMPLES != 0) {
            throw new IllegalArgumentException("GSM encodes frames of 160 samples, not " + pcm.length);
        }
        byte[] payload = new byte[pcm.length / FRAME_SAMPLES * FRAME_BYTES];
        byte[] frame = new byte[FRAME_BYTES];
        for (int f = 0; f < pcm.length / FRAME_SAMPLES; f++) {
            for (int i = 0; i < FRAME_SAMPLES; i++) {
                samples[i] = pcm[f * FRAME_SAMPLES + i];
            }
            encoder.encode(frame, samples);
            System.arraycopy(frame, 0, payload, f * FRAME_BYTES, FRAME_BYTES);
        }
        return payload;
    }

    @Override
    public short[] decode(byte[] payload) {
        if (payload.length == 0 || payload.length % FRAME_BYTES != 0) {
            throw new IllegalArgumentException("a GSM payload is a multiple of 33 bytes, not " + payload.length);
        }
        short[] out = new short[payload.length / FRAME_BYTES * FRAME_SAMPLES];
        byte[] frame = new byte[FRAME_BYTES];
        for (int f = 0; f < payload.length / FRAME_BYTES; f++) {
            System.arraycopy(payload, f * FRAME_BYTES, frame, 0, FRAME_BYTES);
            try {
                decoder.decode(frame, samples);
            } catch (InvalidGSMFrameException e) {
                throw new IllegalArgumentException("invalid GSM frame " + f + " (no 0xD signature nibble)", e);
            }
            for (int i = 0; i < FRAME_SAMPLES; i++) {
                out[f * FRAME_SAMPLES + i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, samples[i]));
            }
        }
        return out;
    }
}
