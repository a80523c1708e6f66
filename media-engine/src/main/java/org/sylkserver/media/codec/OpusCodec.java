package org.sylkserver.media.codec;

import java.lang.ref.Cleaner;

import org.jitsi.impl.neomedia.codec.audio.opus.Opus;

/**
 * Opus (RFC 6716) through libjitsi's JNI binding of libopus, whose Linux x86-64 library ships inside the libjitsi
 * jar. The RTP session is always {@code opus/48000/2} (RFC 7587 §7); we encode mono at 48 kHz, the mixer's rate,
 * so no resampling is needed, and decode to mono whatever the sender chose (libopus downmixes stereo).
 *
 * <p>The encoder runs in VoIP mode defaults with in-band FEC on, told to expect {@value #EXPECTED_LOSS_PERCENT} %
 * packet loss ({@code OPUS_SET_PACKET_LOSS_PERC}): libopus only adds the FEC data (RFC 6716 §2.1.7, the low-bitrate
 * copy of the previous frame a receiver recovers a lost packet from, RFC 7587 §3.3) when it expects some loss, so
 * without it the FEC setting did nothing. Complexity {@value #COMPLEXITY}: about half
 * the CPU of the maximum with little audible difference at speech bit rates, which matters when one core mixes a
 * hundred participants. One instance per direction of one stream; {@link #close()} frees the native state (a
 * cleaner frees it if the owner forgets).
 */
final class OpusCodec implements AudioCodec {

    /** RFC 7587 §4.1: the RTP clock is always 48 kHz. */
    public static final int RATE = 48_000;

    private static final int COMPLEXITY = 5;

    /**
     * The packet loss the encoder plans for at least ({@link #expectLoss} raises it to what a receiver reports): the
     * receivers' reports (RFC 3550 §6.4.1) come seconds into a call, and the mixer does not follow them per
     * participant. The FEC costs bits of the frame's own budget at the same bit rate.
     */
    static final int EXPECTED_LOSS_PERCENT = 5;

    /** Largest frame libopus can return: 120 ms at 48 kHz (RFC 6716 §3.2.1). */
    private static final int MAX_FRAME = 5760;

    /** The shortest Opus frame, 2.5 ms at 48 kHz (RFC 6716 §2.1.4): concealment comes in multiples of it. */
    private static final int STEP = 120;

    /** RFC 6716 §3.2.1: no Opus packet is longer than 1275 bytes per frame; three frames fit easily. */
    private static final int MAX_PACKET = 4000;

    private static final Cleaner CLEANER = Cleaner.create();

    private final Handles handles;
    private final Cleaner.Cleanable cleanable;
    private final byte[] packet = new byte[MAX_PACKET];
    private final byte[] decoded = new byte[MAX_FRAME * 2];

    /** The native state, kept apart so the cleaner does not hold the codec itself. */
    private static final class Handles implements Runnable {
        long encoder;
        long decoder;

        @Override
        public synchronized void run() {
            if (encoder != 0) {
                Opus.encoder_destroy(encoder);
                encoder = 0;
            }
            if (decoder != 0) {
                Opus.decoder_destroy(decoder);
                decoder = 0;
            }
        }
    }

    public OpusCodec() {
        handles = new Handles();
        handles.encoder = Opus.encoder_create(RATE, 1);
        handles.decoder = Opus.decoder_create(RATE, 1);
        if (handles.encoder == 0 || handles.decoder == 0) {
            handles.run();
            throw new IllegalStateException("libopus could not create an encoder or decoder");
        }
        Opus.encoder_set_complexity(handles.encoder, COMPLEXITY);
        Opus.encoder_set_inband_fec(handles.encoder, 1);
        Opus.encoder_set_packet_loss_perc(handles.encoder, EXPECTED_LOSS_PERCENT);
        cleanable = CLEANER.register(this, handles);
    }

    /** Plans for {@code percent} loss, never less than {@value #EXPECTED_LOSS_PERCENT} % nor more than 100 %. */
    @Override
    public void expectLoss(int percent) {
        Opus.encoder_set_packet_loss_perc(encoder(), Math.min(100, Math.max(EXPECTED_LOSS_PERCENT, percent)));
    }

    @Override
    public String encodingName() {
        return "opus";
    }

    @Override
    public int sampleRate() {
        return RATE;
    }

    /**
     * Encodes 2.5, 5, 10, 20, 40 or 60 ms of audio (RFC 6716 §2.1.4).
     *
     * @throws IllegalArgumentException for other durations
     */
    @Override
    public byte[] encode(short[] pcm) {
        int n = pcm.length;
        if (n != 120 && n != 240 && n != 480 && n != 960 && n != 1920 && n != 2880) {
            throw new IllegalArgumentException("Opus cannot encode a frame of " + n + " samples at 48 kHz");
        }
        int length = Opus.encode(encoder(), Pcm.toBytes(pcm), 0, n, packet, 0, packet.length);
        if (length < 0) {
            throw new IllegalStateException("libopus encoder error " + length);
        }
        byte[] payload = new byte[length];
        System.arraycopy(packet, 0, payload, 0, length);
        return payload;
    }

    @Override
    public short[] decode(byte[] payload) {
        if (payload.length == 0) {
            throw new IllegalArgumentException("empty Opus payload");
        }
        int samples = Opus.decode(decoder(), payload, 0, payload.length, decoded, 0, MAX_FRAME, 0);
        if (samples < 0) {
            throw new IllegalArgumentException("invalid Opus payload of " + payload.length + " bytes (libopus error "
                    + samples + ")");
        }
        return Pcm.toSamples(decoded, samples);
    }

    /**
     * libopus's own concealment (RFC 6716 §4.4): it extrapolates from the decoder's state, fading out over a long
     * loss. When {@code next} is given its in-band FEC (RFC 7587 §3.3: the low-bitrate copy of the previous frame
     * that a SILK or hybrid packet may carry) fills the end of the loss, libopus concealing what comes before; a packet
     * with no FEC data is concealed as without it. At most 120 ms, in whole 2.5 ms steps (the decoder's frame unit,
     * RFC 6716 §2.1.4); null for less than one step.
     */
    @Override
    public short[] decodeLost(int samples, byte[] next) {
        int frame = Math.min(samples, MAX_FRAME) / STEP * STEP;
        if (frame == 0) {
            return null;
        }
        int decodedSamples = next == null || next.length == 0
                ? Opus.decode(decoder(), null, 0, 0, decoded, 0, frame, 0)
                : Opus.decode(decoder(), next, 0, next.length, decoded, 0, frame, 1);
        if (decodedSamples < 0) {
            return null;
        }
        return Pcm.toSamples(decoded, decodedSamples);
    }

    private long encoder() {
        if (handles.encoder == 0) {
            throw new IllegalStateException("Opus codec closed");
        }
        return handles.encoder;
    }

    private long decoder() {
        if (handles.decoder == 0) {
            throw new IllegalStateException("Opus codec closed");
        }
        return handles.decoder;
    }

    @Override
    public void close() {
        cleanable.clean();
    }
}
