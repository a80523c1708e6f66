package org.sylkserver.media.codec;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

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
        String name = encodingName.toUpperCase(Locale.ROOT);
        for (G711 codec : G711.values()) {
            if (codec.encodingName().equals(name) && codec.rtpClockRate() == clockRate) {
                return Optional.of(codec);
            }
        }
        return Optional.ofNullable(switch (name) {
            case "OPUS" -> clockRate == OpusCodec.RATE ? new OpusCodec() : null;
            case "G722" -> clockRate == 8000 ? new G722() : null;
            case "SPEEX" -> clockRate == 8000 || clockRate == 16000 || clockRate == 32000
                    ? new SpeexCodec(clockRate) : null;
            case "GSM" -> clockRate == 8000 ? new GsmCodec() : null;
            case "ILBC" -> clockRate == 8000 ? new IlbcCodec() : null;
            default -> null;
        });
    }
}
