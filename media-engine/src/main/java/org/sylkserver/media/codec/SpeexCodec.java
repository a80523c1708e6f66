package org.sylkserver.media.codec;

import java.lang.ref.Cleaner;

import org.jitsi.impl.neomedia.codec.audio.speex.Speex;

/**
 * Speex (RFC 5574) through libjitsi's JNI binding of libspeex, whose Linux x86-64 library ships inside the
 * libjitsi jar: narrowband at 8 kHz, wideband at 16 kHz, ultra-wideband at 32 kHz, the RTP clock being the
 * sample rate (RFC 5574 §3.2). One 20 ms frame per packet on the way out, any number of frames on the way in.
 * Quality {@value #QUALITY} is libspeex's default trade-off (15 kbit/s narrowband, 20.6 kbit/s wideband).
 */
final class SpeexCodec implements AudioCodec {

    private static final int QUALITY = 8;

    /** No sane packet carries more frames than this (a 200 ms packet of 20 ms frames). */
    private static final int MAX_FRAMES = 10;

    private static final Cleaner CLEANER = Cleaner.create();

    private final int rate;
    private final int modeId;
    private final int frameSamples;
    private final Handles handles;
    private final Cleaner.Cleanable cleanable;
    private final byte[] encoded = new byte[1024];
    private final byte[] decoded;

    private static final class Handles implements Runnable {
        long encoder;
        long decoder;
        long encoderBits;
        long decoderBits;

        @Override
        public synchronized void run() {
            if (encoder != 0) {
                Speex.speex_encoder_destroy(encoder);
            }
            if (decoder != 0) {
                Speex.speex_decoder_destroy(decoder);
            }
            if (encoderBits != 0) {
                Speex.speex_bits_destroy(encoderBits);
            }
            if (decoderBits != 0) {
                Speex.speex_bits_destroy(decoderBits);
            }
            encoder = decoder = encoderBits = decoderBits = 0;
        }
    }

    /**
     * @param rate 8000, 16000 or 32000
     * @throws IllegalArgumentException for another rate
     */
    public SpeexCodec(int rate) {
        int mode = switch (rate) {
            case 8000 -> Speex.SPEEX_MODEID_NB;
            case 16000 -> Speex.SPEEX_MODEID_WB;
            case 32000 -> Speex.SPEEX_MODEID_UWB;
            default -> throw new IllegalArgumentException("Speex has no mode at " + rate + " Hz");
        };
        this.rate = rate;
        this.modeId = mode;
        this.frameSamples = rate / 50;
        this.decoded = new byte[frameSamples * 2];
        long modePointer = Speex.speex_lib_get_mode(mode);
        handles = new Handles();
        handles.encoder = Speex.speex_encoder_init(modePointer);
        handles.decoder = Speex.speex_decoder_init(modePointer);
        handles.encoderBits = Speex.speex_bits_init();
        handles.decoderBits = Speex.speex_bits_init();
        if (handles.encoder == 0 || handles.decoder == 0 || handles.encoderBits == 0 || handles.decoderBits == 0) {
            handles.run();
            throw new IllegalStateException("libspeex could not create an encoder or decoder");
        }
        Speex.speex_encoder_ctl(handles.encoder, Speex.SPEEX_SET_QUALITY, QUALITY);
        Speex.speex_decoder_ctl(handles.decoder, Speex.SPEEX_SET_ENH, 1);
        cleanable = CLEANER.register(this, handles);
    }

    @Override
    public String encodingName() {
        return "speex";
    }

    @Override
    public int sampleRate() {
        return rate;
    }

    /** @throws IllegalArgumentException unless the frame is a multiple of 20 ms */
    @Override
    public byte[] encode(short[] pcm) {
        if (pcm.length == 0 || pcm.length % frameSamples != 0) {
            throw new IllegalArgumentException("Speex at " + rate + " Hz encodes frames of " + frameSamples
                    + " samples, not " + pcm.length);
        }
        open();
        byte[] input = Pcm.toBytes(pcm);
        Speex.speex_bits_reset(handles.encoderBits);
        for (int offset = 0; offset < input.length; offset += frameSamples * 2) {
            Speex.speex_encode_int(handles.encoder, input, offset, handles.encoderBits);
        }
        int length = Speex.speex_bits_write(handles.encoderBits, encoded, 0, encoded.length);
        byte[] payload = new byte[length];
        System.arraycopy(encoded, 0, payload, 0, length);
        return payload;
    }

    @Override
    public short[] decode(byte[] payload) {
        if (payload.length == 0) {
            throw new IllegalArgumentException("empty Speex payload");
        }
        open();
        Speex.speex_bits_read_from(handles.decoderBits, payload, 0, payload.length);
        short[] out = new short[0];
        for (int frame = 0; frame < MAX_FRAMES && Speex.speex_bits_remaining(handles.decoderBits) >= 5; frame++) {
            int result = Speex.speex_decode_int(handles.decoder, handles.decoderBits, decoded, 0);
            if (result == -2) {
                // a corrupt stream leaves the decoder's filters in an unusable state: start afresh
                resetDecoder();
                throw new IllegalArgumentException("corrupt Speex payload of " + payload.length + " bytes");
            }
            if (result != 0) {
                break;
            }
            short[] samples = Pcm.toSamples(decoded, frameSamples);
            short[] joined = new short[out.length + samples.length];
            System.arraycopy(out, 0, joined, 0, out.length);
            System.arraycopy(samples, 0, joined, out.length, samples.length);
            out = joined;
        }
        if (out.length == 0) {
            throw new IllegalArgumentException("invalid Speex payload of " + payload.length + " bytes");
        }
        return out;
    }

    private void resetDecoder() {
        Speex.speex_decoder_destroy(handles.decoder);
        handles.decoder = Speex.speex_decoder_init(Speex.speex_lib_get_mode(modeId));
        Speex.speex_decoder_ctl(handles.decoder, Speex.SPEEX_SET_ENH, 1);
    }

    private void open() {
        if (handles.encoder == 0) {
            throw new IllegalStateException("Speex codec closed");
        }
    }

    @Override
    public void close() {
        cleanable.clean();
    }
}
