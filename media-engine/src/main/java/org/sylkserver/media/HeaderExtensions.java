package org.sylkserver.media;

import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Stage;

/**
 * Reads the RTP header extensions negotiated with {@code a=extmap} (RFC 8285) into the packet: today the
 * client-to-mixer audio level (RFC 6464, {@link AudioLevelExtension}) when its identifier is set.
 */
final class HeaderExtensions extends Stage {

    private volatile int audioLevelId;

    HeaderExtensions() {
        super("header-extensions");
    }

    /** The identifier of the audio-level element, or 0 to stop reading it. */
    void audioLevel(int id) {
        audioLevelId = id;
    }

    @Override
    protected Packet handle(Packet packet) {
        if (!packet.isRtcp()) {
            packet.audioLevel(AudioLevelExtension.read(packet.buffer(), packet.header(), audioLevelId));
        }
        return packet;
    }
}
