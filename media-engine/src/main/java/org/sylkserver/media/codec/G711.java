package org.sylkserver.media.codec;

import java.util.Objects;
import java.util.function.IntUnaryOperator;

/**
 * ITU-T G.711 logarithmic companding: μ-law ({@code PCMU}) and A-law ({@code PCMA}), 8 kHz, one byte per
 * sample (RFC 3551 §4.5.14).
 *
 * <p>Written here from the definition in G.711 (segments of doubling step size, mantissa of four bits) because
 * we found no maintained pure-Java G.711 artifact on Maven Central; the algorithm is a few lines. The 16-bit
 * input is the standard's linear scale shifted left: 14-bit for μ-law, 13-bit for A-law. Decoding goes through
 * a 256-entry table built once from the same definition; encoding finds the segment from the position of the
 * highest set bit. Stateless: both constants are safe to share between threads.
 */
public enum G711 implements AudioCodec {

    /** μ-law, static payload type 0. */
    PCMU(0, G711::ulawCompress, G711::ulawExpand),

    /** A-law, static payload type 8. */
    PCMA(8, G711::alawCompress, G711::alawExpand);

    /** μ-law adds this bias before finding the segment so that every segment is twice as wide as the last. */
    private static final int ULAW_BIAS = 0x84;

    /** Largest μ-law magnitude whose biased value still fits the top segment. */
    private static final int ULAW_CLIP = 32635;

    /** A-law inverts the even bits of every code (G.711 §2, "alternate digit inversion"). */
    private static final int ALAW_INVERSION = 0x55;

    private final int payloadType;
    private final IntUnaryOperator compress;
    private final short[] expanded = new short[256];

    G711(int payloadType, IntUnaryOperator compress, IntUnaryOperator expand) {
        this.payloadType = payloadType;
        this.compress = compress;
        for (int code = 0; code < 256; code++) {
            expanded[code] = (short) expand.applyAsInt(code);
        }
    }

    @Override
    public String encodingName() {
        return name();
    }

    @Override
    public int sampleRate() {
        return 8000;
    }

    @Override
    public int staticPayloadType() {
        return payloadType;
    }

    /** Each sample is companded on its own (G.711 §2). */
    @Override
    public boolean stateless() {
        return true;
    }

    /** Encodes any number of samples, one byte each (RFC 3551 §4.5.14 allows any packet duration). */
    @Override
    public byte[] encode(short[] pcm) {
        Objects.requireNonNull(pcm, "pcm");
        byte[] payload = new byte[pcm.length];
        for (int i = 0; i < pcm.length; i++) {
            payload[i] = (byte) compress.applyAsInt(pcm[i]);
        }
        return payload;
    }

    /** Decodes every byte of the payload; every byte value is a valid code. */
    @Override
    public short[] decode(byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        short[] pcm = new short[payload.length];
        for (int i = 0; i < payload.length; i++) {
            pcm[i] = expanded[payload[i] & 0xff];
        }
        return pcm;
    }

    /** The linear value of one code, as {@link #decode} gives it. */
    public short expand(int code) {
        return expanded[code & 0xff];
    }

    /** The code of one linear sample, as {@link #encode} gives it. */
    public int compress(short sample) {
        return compress.applyAsInt(sample);
    }

    private static int ulawCompress(int sample) {
        int sign = sample < 0 ? 0x80 : 0;
        int biased = Math.min(magnitude(sample), ULAW_CLIP) + ULAW_BIAS;
        // biased lies in [0x84, 0x7fff]: its highest set bit (7..14) gives segment 0..7
        int segment = 31 - Integer.numberOfLeadingZeros(biased) - 7;
        int mantissa = (biased >> (segment + 3)) & 0x0f;
        // μ-law transmits every bit inverted, so silence is 0xff
        return ~(sign | segment << 4 | mantissa) & 0xff;
    }

    private static int ulawExpand(int code) {
        int bits = ~code & 0xff;
        int segment = (bits >> 4) & 0x07;
        // the middle of the quantisation interval, with the encoder's bias taken back out
        int magnitude = ((((bits & 0x0f) << 3) + ULAW_BIAS) << segment) - ULAW_BIAS;
        return (bits & 0x80) != 0 ? -magnitude : magnitude;
    }

    private static int alawCompress(int sample) {
        int sign = sample >= 0 ? 0x80 : 0;
        int magnitude = magnitude(sample) >> 3;
        int segment;
        int mantissa;
        if (magnitude < 32) {
            segment = 0;
            mantissa = magnitude >> 1;
        } else {
            // magnitude lies in [32, 4095]: its highest set bit (5..11) gives segment 1..7
            segment = 31 - Integer.numberOfLeadingZeros(magnitude) - 4;
            mantissa = (magnitude >> segment) & 0x0f;
        }
        return (sign | segment << 4 | mantissa) ^ ALAW_INVERSION;
    }

    /**
     * The magnitude the quantiser sees: negative samples by their one's complement, as in the ITU-T G.191
     * reference implementation, which makes both laws symmetric about −½ (−1 quantises like 0, −32768 like
     * 32767) and needs no special case for −32768.
     */
    private static int magnitude(int sample) {
        return sample >= 0 ? sample : ~sample;
    }

    private static int alawExpand(int code) {
        int bits = (code & 0xff) ^ ALAW_INVERSION;
        int segment = (bits >> 4) & 0x07;
        int mantissa = (bits & 0x0f) << 4;
        // the middle of the quantisation interval; segments 0 and 1 share the smallest step
        int magnitude = segment == 0 ? mantissa + 8 : (mantissa + 0x108) << (segment - 1);
        return (bits & 0x80) != 0 ? magnitude : -magnitude;
    }
}
