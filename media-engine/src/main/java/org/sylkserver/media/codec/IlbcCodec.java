package org.sylkserver.media.codec;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;

/**
 * iLBC (RFC 3951, RTP format RFC 3952), from libjitsi's Java port of the RFC's reference code.
 *
 * <p>libjitsi exposes that port only through its FMJ codec plumbing; the encoder and decoder classes themselves
 * are package-private. We call them directly through method handles (resolved once, at class initialisation) to
 * avoid dragging FMJ buffers and formats into every frame. We always send 20 ms frames (38 bytes, mode=20 in the
 * answer's fmtp); we decode 20 ms (38-byte) and 30 ms (50-byte) frames, choosing the decoder by the frame size,
 * so a peer that insists on 30 ms is still understood.
 */
final class IlbcCodec implements AudioCodec {

    private static final String PACKAGE = "org.jitsi.impl.neomedia.codec.audio.ilbc.";
    private static final MethodHandle NEW_ENCODER;
    private static final MethodHandle ENCODE;
    private static final MethodHandle NEW_DECODER;
    private static final MethodHandle DECODE;

    static {
        try {
            Class<?> encoder = Class.forName(PACKAGE + "ilbc_encoder");
            Class<?> decoder = Class.forName(PACKAGE + "ilbc_decoder");
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            Constructor<?> newEncoder = encoder.getConstructor(int.class);
            newEncoder.setAccessible(true);
            Method encode = encoder.getMethod("encode", byte[].class, int.class, byte[].class, int.class);
            encode.setAccessible(true);
            Constructor<?> newDecoder = decoder.getConstructor(int.class, int.class);
            newDecoder.setAccessible(true);
            Method decode = decoder.getMethod("decode", byte[].class, int.class, byte[].class, int.class, short.class);
            decode.setAccessible(true);
            NEW_ENCODER = lookup.unreflectConstructor(newEncoder);
            ENCODE = lookup.unreflect(encode);
            NEW_DECODER = lookup.unreflectConstructor(newDecoder);
            DECODE = lookup.unreflect(decode);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int BYTES_20MS = 38;
    private static final int BYTES_30MS = 50;

    private final Object encoder;
    private Object decoder20;
    private Object decoder30;

    public IlbcCodec() {
        try {
            encoder = NEW_ENCODER.invoke(20);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot create the iLBC encoder", e);
        }
    }

    @Override
    public String encodingName() {
        return "iLBC";
    }

    @Override
    public int sampleRate() {
        return 8000;
    }

    /** @throws IllegalArgumentException unless the frame is a multiple of 20 ms (160 samples) */
    @Override
    public byte[] encode(short[] pcm) {
        if (pcm.length == 0 || pcm.length % 160 != 0) {
            throw new IllegalArgumentException("iLBC encodes 20 ms frames of 160 samples, not " + pcm.length);
        }
        byte[] input = Pcm.toBytes(pcm);
        int frames = pcm.length / 160;
        byte[] payload = new byte[frames * BYTES_20MS];
        try {
            for (int frame = 0; frame < frames; frame++) {
                int unused = (int) ENCODE.invoke(encoder, payload, frame * BYTES_20MS, input, frame * 320);
            }
        } catch (Throwable e) {
            throw new IllegalStateException("iLBC encoder failed", e);
        }
        return payload;
    }

    @Override
    public short[] decode(byte[] payload) {
        int frameBytes;
        int frameSamples;
        Object decoder;
        if (payload.length > 0 && payload.length % BYTES_20MS == 0) {
            frameBytes = BYTES_20MS;
            frameSamples = 160;
            decoder = decoder20 != null ? decoder20 : (decoder20 = newDecoder(20));
        } else if (payload.length > 0 && payload.length % BYTES_30MS == 0) {
            frameBytes = BYTES_30MS;
            frameSamples = 240;
            decoder = decoder30 != null ? decoder30 : (decoder30 = newDecoder(30));
        } else {
            throw new IllegalArgumentException("an iLBC payload is a multiple of 38 or 50 bytes, not "
                    + payload.length);
        }
        int frames = payload.length / frameBytes;
        byte[] output = new byte[frames * frameSamples * 2];
        try {
            for (int frame = 0; frame < frames; frame++) {
                short unused = (short) DECODE.invoke(decoder, output, frame * frameSamples * 2, payload,
                        frame * frameBytes, (short) 1);
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid iLBC payload of " + payload.length + " bytes", e);
        } catch (Throwable e) {
            throw new IllegalStateException("iLBC decoder failed", e);
        }
        return Pcm.toSamples(output, output.length / 2);
    }

    private static Object newDecoder(int mode) {
        try {
            return NEW_DECODER.invoke(mode, 1);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot create the iLBC decoder", e);
        }
    }
}
