package org.sylkserver.media.codec;

import java.util.Locale;
import java.util.Optional;

/** The codecs this media engine implements, looked up by their SDP encoding name (RFC 3551 §6 names). */
public final class AudioCodecs {

    private AudioCodecs() {
    }

    /**
     * The codec for {@code encodingName} (case-insensitive) at {@code clockRate}, if implemented. Stateless
     * codecs are shared; stateful ones (none yet) will be created per call.
     */
    public static Optional<AudioCodec> forEncoding(String encodingName, int clockRate) {
        String name = encodingName.toUpperCase(Locale.ROOT);
        for (G711 codec : G711.values()) {
            if (codec.encodingName().equals(name) && codec.rtpClockRate() == clockRate) {
                return Optional.of(codec);
            }
        }
        return Optional.empty();
    }
}
