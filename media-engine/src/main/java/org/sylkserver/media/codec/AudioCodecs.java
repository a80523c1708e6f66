package org.sylkserver.media.codec;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The codecs this media engine implements, looked up by their SDP encoding name (RFC 3551 §6 names) and RTP
 * clock rate. Where each comes from is in {@code docs/codecs.md}.
 */
public final class AudioCodecs {

    /** Names accepted in {@code [RTP] audio_codecs}, as written in SDP. */
    public static final List<String> NAMES = List.of("opus", "G722", "speex", "PCMU", "PCMA", "GSM", "iLBC");

    private AudioCodecs() {
    }

    /**
     * A codec for {@code encodingName} (case-insensitive) at {@code clockRate}, if implemented. Every call
     * returns an instance of its own for the codecs that carry state (use one per direction of one stream and
     * {@link AudioCodec#close() close} it); stateless G.711 is shared.
     */
    public static Optional<AudioCodec> create(String encodingName, int clockRate) {
        return Optional.ofNullable(maker(encodingName, clockRate)).map(Supplier::get);
    }

    /** Whether {@link #create} has a codec for {@code encodingName} at {@code clockRate}, without making one. */
    public static boolean implemented(String encodingName, int clockRate) {
        return maker(encodingName, clockRate) != null;
    }

    private static Supplier<AudioCodec> maker(String encodingName, int clockRate) {
        String name = encodingName.toUpperCase(Locale.ROOT);
        for (G711 codec : G711.values()) {
            if (codec.encodingName().equals(name) && codec.rtpClockRate() == clockRate) {
                return () -> codec;
            }
        }
        return switch (name) {
            case "OPUS" -> clockRate == OpusCodec.RATE ? OpusCodec::new : null;
            case "G722" -> clockRate == 8000 ? G722::new : null;
            case "SPEEX" -> clockRate == 8000 || clockRate == 16000 || clockRate == 32000
                    ? () -> new SpeexCodec(clockRate) : null;
            case "GSM" -> clockRate == 8000 ? GsmCodec::new : null;
            case "ILBC" -> clockRate == 8000 ? IlbcCodec::new : null;
            default -> null;
        };
    }
}
