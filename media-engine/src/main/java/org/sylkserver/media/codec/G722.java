package org.sylkserver.media.codec;

import java.util.Objects;

/**
 * ITU-T G.722 wideband audio at 64 kbit/s (mode 1): 16 kHz samples, one byte per pair of samples, RTP static
 * payload type 9 on an 8 kHz RTP clock (RFC 3551 §4.5.2, which keeps the clock at 8 kHz by an error in the
 * original RFC 1890 that every implementation now relies on).
 *
 * <p>Written here from the recommendation because no pure-Java G.722 exists on Maven Central (libjitsi's is JNI
 * and ships no Linux x86-64 library). The structure follows the recommendation's functional description (§3
 * encoder, §4 decoder) and its block-by-block fixed-point description (blocks 1L–6L, 1H–6H, 4); the tables are
 * named here by the recommendation's variable names (Q6, ILN, QQ6, WL, ILB, ...):
 * <ul>
 * <li>a 24-tap quadrature mirror filter pair (coefficients h0..h23, transmit and receive) splits
 * the 0–8 kHz band into a lower (0–4 kHz) and a higher (4–8 kHz) sub-band, each sampled at 8 kHz;</li>
 * <li>the lower sub-band is coded by 6-bit ADPCM (blocks 1L–6L), the higher by 2-bit
 * ADPCM (blocks 1H–6H);</li>
 * <li>each sub-band predicts its next sample with two poles and six zeros adapted by sign-sign algorithms
 * (block 4).</li>
 * </ul>
 * The lower band's predictor and scale factor are driven by the 4 most significant of its 6 bits only, so that
 * a decoder stays in step with the encoder even if a network dropped the lowest bits (the "embedded" coding
 * behind modes 2 and 3); mode 1 uses all 6 bits only for the decoder's output (block 5L).
 *
 * <p>Arithmetic is the recommendation's 16-bit fixed point, done in {@code int} with each intermediate value
 * saturated where the recommendation's operators saturate, so that full-scale input neither overflows nor
 * wraps around. The sub-band signals use the recommendation's 15-bit scale (sign and 14 fractional bits),
 * which is half the 16-bit PCM scale; the decoder's output is brought back to 16 bits, so a signal passes at
 * unity gain.
 *
 * <p>An instance holds both encoder and decoder state, which are independent: use one instance per direction
 * of one stream (encode only, or decode only), from one thread at a time. Encoding and decoding start from the
 * recommendation's reset state (scale factors at their minimum, predictors and filters at zero).
 */
public final class G722 implements AudioCodec {

    /**
     * Transmit and receive QMF coefficients h0..h23 (here as integers: the recommendation's values times
     * 2^13). The filter is linear-phase, so the list is symmetric; its taps sum to 2^13.
     */
    private static final int[] QMF = {
        3, -11, -11, 53, 12, -156, 32, 362, -210, -805, 951, 3876,
        3876, 951, -805, -210, 362, 32, -156, 12, 53, -11, -11, 3,
    };

    /**
     * Lower-band quantizer decision levels (Q6: upper limits of intervals 1..29 of the magnitude),
     * on the scale where the scale factor multiplies them and {@code >> 12} brings the product to the signal.
     * Index 0 is unused; interval 30 has no upper limit.
     */
    private static final int[] Q6 = {
        0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714,
        786, 858, 940, 1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919,
    };

    /** 6-bit code of magnitude interval 1..30 for a negative difference signal (ILN). */
    private static final int[] ILN = {
        0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8,
        7, 6, 5, 4,
    };

    /** 6-bit code of magnitude interval 1..30 for a positive or zero difference signal (ILP). */
    private static final int[] ILP = {
        0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37,
        36, 35, 34, 33, 32,
    };

    /**
     * 6-bit lower-band inverse quantizer output per code (QQ6 times 8; block 5L, mode 1). Codes 0..3
     * are never sent by an encoder; the recommendation decodes them like the smallest negative level.
     */
    private static final int[] QM6 = {
        -136, -136, -136, -136, -24808, -21904, -19008, -16704, -14984, -13512, -12280, -11192, -10232, -9360,
        -8576, -7856, -7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576, -3168, -2776, -2400, -2032, -1688,
        -1360, -1040, -728, 24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192, 10232, 9360, 8576, 7856,
        7192, 6576, 6000, 5456, 4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032, 1688, 1360, 1040, 728, 432, 136,
        -432, -136,
    };

    /**
     * 4-bit lower-band inverse quantizer output per code (QQ4 times 8): the 6-bit code without its two
     * least significant bits. This one feeds the predictor and the scale factor (block 2L) in every mode.
     */
    private static final int[] QM4 = {
        0, -20456, -12896, -8968, -6288, -4240, -2584, -1200, 20456, 12896, 8968, 6288, 4240, 2584, 1200, 0,
    };

    /** Magnitude index 0..7 of a 4-bit lower-band code, for the scale factor adaptation (block 3L, RIL → IL4). */
    private static final int[] RL42 = {0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0};

    /** Lower-band log scale factor multipliers per magnitude index (WL): small codes shrink the step. */
    private static final int[] WL = {-60, -30, 58, 172, 334, 538, 1198, 3042};

    /**
     * 2^(i/32) times 2^11 for i = 0..31 (ILB): the antilog of the log scale factor's fractional part
     * (blocks 3L and 3H).
     */
    private static final int[] ILB = {
        2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
        2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
    };

    /** Higher-band quantizer decision level (Q2), on the same scale as {@link #Q6}. */
    private static final int Q2 = 564;

    /** 2-bit higher-band code for the negative intervals 1 (inner) and 2 (outer) (IHN). */
    private static final int[] IHN = {0, 1, 0};

    /** 2-bit higher-band code for the positive intervals 1 (inner) and 2 (outer) (IHP). */
    private static final int[] IHP = {0, 3, 2};

    /** 2-bit higher-band inverse quantizer output per code (QQ2 times 8). */
    private static final int[] QM2 = {-7408, -1616, 7408, 1616};

    /** Magnitude index of a 2-bit code (block 3H, IH → IH2): 2 for the outer intervals, 1 for the inner. */
    private static final int[] RH2 = {2, 1, 2, 1};

    /** Higher-band log scale factor multipliers per magnitude index (WH). */
    private static final int[] WH = {0, -214, 798};

    /** Upper limit of the lower band's log scale factor (block 3L): a step size of 2^14 at most. */
    private static final int NBL_MAX = 18432;

    /** Upper limit of the higher band's log scale factor (block 3H). */
    private static final int NBH_MAX = 22528;

    private final Band encoderLow = new Band(NBL_MAX, 8);
    private final Band encoderHigh = new Band(NBH_MAX, 10);
    private final Band decoderLow = new Band(NBL_MAX, 8);
    private final Band decoderHigh = new Band(NBH_MAX, 10);

    /** The transmit QMF's last 24 input samples, newest at index 0. */
    private final int[] transmitHistory = new int[QMF.length];

    /** The receive QMF's last 12 difference (xd) and sum (xs) signals of the two sub-bands, newest at index 0. */
    private final int[] receiveDifference = new int[QMF.length / 2];
    private final int[] receiveSum = new int[QMF.length / 2];

    @Override
    public String encodingName() {
        return "G722";
    }

    @Override
    public int sampleRate() {
        return 16000;
    }

    /** 8000: RFC 3551 §4.5.2 keeps G.722's RTP clock at 8 kHz although it samples at 16 kHz. */
    @Override
    public int rtpClockRate() {
        return 8000;
    }

    @Override
    public int staticPayloadType() {
        return 9;
    }

    /**
     * Encodes pairs of 16 kHz samples, one byte per pair: the 2-bit higher-band code in the two most
     * significant bits, the 6-bit lower-band code in the rest (as RTP carries G.722, one octet per 125 µs).
     *
     * @param pcm an even number of samples, normally 320 (20 ms)
     * @throws IllegalArgumentException if the number of samples is odd: G.722 codes samples in pairs and a
     *                                  lone sample cannot be carried over without shifting the stream by one
     */
    @Override
    public byte[] encode(short[] pcm) {
        Objects.requireNonNull(pcm, "pcm");
        if (pcm.length % 2 != 0) {
            throw new IllegalArgumentException(
                "G.722 encodes pairs of 16 kHz samples; got an odd number of samples: " + pcm.length);
        }
        byte[] payload = new byte[pcm.length / 2];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) encodePair(pcm[2 * i], pcm[2 * i + 1]);
        }
        return payload;
    }

    /** Decodes every byte of the payload into two 16 kHz samples; every byte value is a valid code. */
    @Override
    public short[] decode(byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        short[] pcm = new short[payload.length * 2];
        for (int i = 0; i < payload.length; i++) {
            decodeByte(payload[i] & 0xff, pcm, 2 * i);
        }
        return pcm;
    }

    private int encodePair(int first, int second) {
        // transmit QMF: the two new samples enter the delay line, then one output per sub-band
        System.arraycopy(transmitHistory, 0, transmitHistory, 2, transmitHistory.length - 2);
        transmitHistory[1] = first;
        transmitHistory[0] = second;
        int even = 0; // xA: h0, h2, ... h22 on x(j), x(j-2), ...
        int odd = 0; // xB: h1, h3, ... h23 on x(j-1), x(j-3), ...
        for (int i = 0; i < QMF.length; i += 2) {
            even += QMF[i] * transmitHistory[i];
            odd += QMF[i + 1] * transmitHistory[i + 1];
        }
        // The taps sum to 2^13 and the sub-band signals are on the 15-bit scale, half of 16-bit PCM: >> 14.
        // The filter can overshoot full scale by up to the sum of its absolute taps; limit to 15 bits.
        int xLow = limit15((even + odd) >> 14);
        int xHigh = limit15((even - odd) >> 14);
        return encodeHigh(xHigh) << 6 | encodeLow(xLow);
    }

    /** Lower sub-band ADPCM encoder, blocks 1L to 4L. Returns the 6-bit code. */
    private int encodeLow(int xLow) {
        Band band = encoderLow;
        // 1L SUBTRA: difference signal; QUANTL: magnitude by one's complement, so that −1 quantises like 0
        int el = saturate(xLow - band.s);
        int magnitude = el >= 0 ? el : ~el;
        int interval = 1;
        while (interval < 30 && magnitude >= (Q6[interval] * band.det) >> 12) {
            interval++;
        }
        int code = el < 0 ? ILN[interval] : ILP[interval];
        // 2L INVQAL: only the 4 most significant bits feed the local decoder
        int code4 = code >> 2;
        int dLow = (band.det * QM4[code4]) >> 15;
        // 3L LOGSCL and SCALEL
        band.adaptScale(WL[RL42[code4]]);
        // 4L
        band.predict(dLow);
        return code;
    }

    /** Higher sub-band ADPCM encoder, blocks 1H to 4H. Returns the 2-bit code. */
    private int encodeHigh(int xHigh) {
        Band band = encoderHigh;
        // 1H SUBTRA and QUANTH
        int eh = saturate(xHigh - band.s);
        int magnitude = eh >= 0 ? eh : ~eh;
        int interval = magnitude >= (Q2 * band.det) >> 12 ? 2 : 1;
        int code = eh < 0 ? IHN[interval] : IHP[interval];
        // 2H INVQAH
        int dHigh = (band.det * QM2[code]) >> 15;
        // 3H LOGSCH and SCALEH
        band.adaptScale(WH[RH2[code]]);
        // 4H
        band.predict(dHigh);
        return code;
    }

    private void decodeByte(int code, short[] out, int offset) {
        int rLow = decodeLow(code & 0x3f);
        int rHigh = decodeHigh(code >> 6);
        // receive QMF: xd = rL − rH feeds the even taps, xs = rL + rH the odd taps
        System.arraycopy(receiveDifference, 0, receiveDifference, 1, receiveDifference.length - 1);
        System.arraycopy(receiveSum, 0, receiveSum, 1, receiveSum.length - 1);
        receiveDifference[0] = rLow - rHigh;
        receiveSum[0] = rLow + rHigh;
        int even = 0;
        int odd = 0;
        for (int i = 0; i < receiveDifference.length; i++) {
            even += QMF[2 * i] * receiveDifference[i];
            odd += QMF[2 * i + 1] * receiveSum[i];
        }
        // xout = 2·Σ h·x with h on the 2^13 scale and x on the 15-bit scale: >> 11 gives 16-bit PCM
        out[offset] = (short) saturate(even >> 11);
        out[offset + 1] = (short) saturate(odd >> 11);
    }

    /** Lower sub-band ADPCM decoder (mode 1), blocks 2L to 6L. Returns the reconstructed lower sub-band signal. */
    private int decodeLow(int code) {
        Band band = decoderLow;
        // 5L INVQBL (6 bits for the output), RECONS, 6L LIMIT
        int dLow6 = (band.det * QM6[code]) >> 15;
        int rLow = limit15(band.s + dLow6);
        // 2L INVQAL, 3L, 4L: the same 4-bit local decoder as the encoder's, to stay in step with it
        int code4 = code >> 2;
        int dLow = (band.det * QM4[code4]) >> 15;
        band.adaptScale(WL[RL42[code4]]);
        band.predict(dLow);
        return rLow;
    }

    /** Higher sub-band ADPCM decoder, blocks 2H to 6H. Returns the reconstructed higher sub-band signal. */
    private int decodeHigh(int code) {
        Band band = decoderHigh;
        // 2H INVQAH, 5H RECONS, 6H LIMIT
        int dHigh = (band.det * QM2[code]) >> 15;
        int rHigh = limit15(band.s + dHigh);
        band.adaptScale(WH[RH2[code]]);
        band.predict(dHigh);
        return rHigh;
    }

    /** The recommendation's 16-bit saturating result of an addition, subtraction or shift. */
    private static int saturate(int value) {
        return Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, value));
    }

    /** Blocks 6L / 6H LIMIT and the QMF outputs: the 15-bit range of the sub-band signals. */
    private static int limit15(int value) {
        return Math.max(-16384, Math.min(16383, value));
    }

    /**
     * The adaptive state of one sub-band's ADPCM coder: scale factor (blocks 3L / 3H) and pole-zero predictor
     * (block 4). Predictor coefficients are on the 2^14 scale (1.0 = 16384).
     */
    private static final class Band {

        private final int nbMax;
        private final int scaleShift;

        /** Log scale factor (NBL / NBH). */
        private int nb;
        /** Scale factor (DETL / DETH), the step size the quantizer's levels are multiplied by. */
        private int det;

        /** Signal estimate SL / SH: the prediction for the next sample. */
        private int s;
        /** Zero section's part of the estimate (SZL / SZH). */
        private int sz;

        /** Pole coefficients a1, a2 (AL1, AL2). */
        private int a1;
        private int a2;
        /** Zero coefficients b1..b6 (BL1..BL6), index 0 unused. */
        private final int[] b = new int[7];
        /** Quantized difference signals d(k−1)..d(k−6) (DLT1..DLT6), index 0 unused. */
        private final int[] d = new int[7];
        /** Reconstructed signals r(k−1), r(k−2) (RLT1, RLT2). */
        private int r1;
        private int r2;
        /** Partially reconstructed signals p(k−1), p(k−2) (PLT1, PLT2). */
        private int p1;
        private int p2;

        Band(int nbMax, int scaleShift) {
            this.nbMax = nbMax;
            this.scaleShift = scaleShift;
            this.det = scaleFactor(0);
        }

        /**
         * Blocks 3L / 3H. LOGSCL: the log scale factor leaks (×127/128) towards 0 and moves by the code's
         * multiplier, limited to [0, nbMax]. SCALEL: the linear scale factor is its antilog, 2^(nb/2048) times
         * the table's base, so a step of 2048 doubles it.
         */
        void adaptScale(int multiplier) {
            nb = (nb * 32512) >> 15;
            nb = Math.max(0, Math.min(nbMax, nb + multiplier));
            det = scaleFactor(nb);
        }

        private int scaleFactor(int logScale) {
            int fraction = ILB[(logScale >> 6) & 31];
            int shift = scaleShift - (logScale >> 11);
            int linear = shift < 0 ? fraction << -shift : fraction >> shift;
            return linear << 2;
        }

        /**
         * Block 4: reconstructs this sample from the quantized difference {@code dq}, adapts the predictor by
         * its sign-sign algorithms and computes the estimate of the next sample into {@link #s}.
         */
        void predict(int dq) {
            // RECONS and PARREC
            int r = saturate(s + dq);
            int p = saturate(sz + dq);
            boolean pNegative = p < 0;
            boolean sameSign1 = pNegative == (p1 < 0);
            boolean sameSign2 = pNegative == (p2 < 0);

            // UPPOL2: a2 ← (1 − 2^−7)·a2 + 2^−7·(sgn p·sgn p2 − f(a1)·sgn p·sgn p1), with f(a1) = 4·a1 clipped
            // to ±2, which is what saturating 4·a1 to 16 bits gives on the 2^14 scale
            int fa1 = saturate(4 * a1);
            int term = saturate(sameSign1 ? -fa1 : fa1) >> 7;
            int newA2 = term + (sameSign2 ? 128 : -128) + ((a2 * 32512) >> 15);
            newA2 = Math.max(-12288, Math.min(12288, newA2));

            // UPPOL1: a1 ← (1 − 2^−8)·a1 + 3·2^−8·sgn p·sgn p1, limited to ±(1 − 2^−4 − a2) for stability
            int newA1 = saturate((sameSign1 ? 192 : -192) + ((a1 * 32640) >> 15));
            int a1Limit = saturate(15360 - newA2);
            newA1 = Math.max(-a1Limit, Math.min(a1Limit, newA1));

            // UPZERO: b_i ← (1 − 2^−8)·b_i + 2^−7·sgn d·sgn d(k−i); no increment while d is zero
            int step = dq == 0 ? 0 : 128;
            boolean dNegative = dq < 0;
            for (int i = 1; i <= 6; i++) {
                int leak = (b[i] * 32640) >> 15;
                b[i] = saturate(((d[i] < 0) == dNegative ? step : -step) + leak);
            }

            // DELAYA / DELAYL
            for (int i = 6; i > 1; i--) {
                d[i] = d[i - 1];
            }
            d[1] = dq;
            r2 = r1;
            r1 = r;
            p2 = p1;
            p1 = p;
            a1 = newA1;
            a2 = newA2;

            // FILTEP: pole section on the reconstructed signal
            int sp = saturate(multiply(a1, saturate(r1 + r1)) + multiply(a2, saturate(r2 + r2)));
            // FILTEZ: zero section on the quantized difference signal, saturating each addition
            int zeros = 0;
            for (int i = 1; i <= 6; i++) {
                zeros = saturate(zeros + multiply(b[i], saturate(d[i] + d[i])));
            }
            sz = zeros;
            // PREDIC
            s = saturate(sp + sz);
        }

        /** Q14 coefficient times a doubled 16-bit signal, back to the signal's scale. */
        private static int multiply(int coefficient, int doubledSignal) {
            return (coefficient * doubledSignal) >> 15;
        }
    }
}
