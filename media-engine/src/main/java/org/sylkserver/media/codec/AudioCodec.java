package org.sylkserver.media.codec;

/**
 * An audio codec as the media engine uses it: one frame of mono 16-bit signed PCM in, one RTP payload out, and
 * back. Frames are 20 ms long (the mixer's frame), so {@code sampleRate() / 50} samples; codecs whose bit
 * stream allows other durations (G.711 does, RFC 3551 §4.5.14) accept any number of samples.
 *
 * <p>Stateless codecs such as {@link G711} may be shared; codecs that carry state from frame to frame (Opus,
 * G.722 ADPCM, Speex) are used as one instance per direction of one stream, by one thread at a time.
 */
public interface AudioCodec extends AutoCloseable {

    /** The encoding name as written in {@code a=rtpmap} (RFC 4566 §6), e.g. {@code PCMU}, {@code opus}. */
    String encodingName();

    /** The rate in Hz of the PCM samples given to {@link #encode} and returned by {@link #decode}. */
    int sampleRate();

    /**
     * The RTP timestamp clock rate in Hz as written in {@code a=rtpmap}; not always the sample rate (G.722
     * samples at 16 kHz on an 8 kHz RTP clock, RFC 3551 §4.5.2); the sample rate unless the codec says otherwise.
     */
    default int rtpClockRate() {
        return sampleRate();
    }

    /** The static payload type of RFC 3551 §6, or -1 (the default) for a codec that needs a dynamic one. */
    default int staticPayloadType() {
        return -1;
    }

    /**
     * Whether what {@link #encode} makes of a frame, and {@link #decode} of a payload, depends on that frame or payload
     * alone (no state carried from frame to frame, as in G.711), and every payload decodes: callers may then share one
     * encoding of the same samples, and decode a payload later than it came (the mixer does, for a member nobody
     * hears yet). False by default.
     */
    default boolean stateless() {
        return false;
    }

    /**
     * Encodes one frame.
     *
     * @param pcm mono 16-bit signed samples at {@link #sampleRate()}
     * @return the RTP payload
     * @throws IllegalArgumentException if the codec cannot encode a frame of that many samples
     */
    byte[] encode(short[] pcm);

    /**
     * Decodes one RTP payload.
     *
     * @return mono 16-bit signed samples at {@link #sampleRate()}
     * @throws IllegalArgumentException if the payload is not valid for this codec
     */
    short[] decode(byte[] payload);

    /**
     * The codec's own concealment of lost audio (packet loss concealment): {@code samples} samples at
     * {@link #sampleRate()} standing for packets that never came, taken from the decoder's state and, when the codec
     * carries redundancy, from {@code next}, the payload that arrived after the loss (not yet decoded: the caller
     * decodes it next). Null (the default) when the codec has no concealment of its own; the caller then conceals
     * from the decoded signal ({@link LossConcealment}).
     */
    default short[] decodeLost(int samples, byte[] next) {
        return null;
    }

    /**
     * The packet loss the stream's receiver reports (RFC 3550 §6.4.1 fraction lost, in percent): an encoder with
     * in-band FEC plans for it (Opus: RFC 6716 §2.1.7); no-op by default. Called on the thread that encodes.
     */
    default void expectLoss(int percent) {
    }

    /** Frees what the codec holds outside the Java heap (native encoder state); idempotent, no-op by default. */
    @Override
    default void close() {
    }
}
