package org.sylkserver.webrtc;

import java.io.IOException;

import org.sylkserver.media.sfu.Publisher;
import org.sylkserver.media.sfu.SfuSettings;
import org.sylkserver.media.webrtc.WebRtcTransport;
import org.sylkserver.protocols.sdp.SdpException;

/** Makes the media of a video room's publisher (the production one is the media engine's SFU). */
@FunctionalInterface
public interface RoomMedia {

    /** A publisher from its browser's offer; see {@link Publisher#fromOffer}. */
    Publisher publish(String name, String offer, SfuSettings settings, WebRtcTransport.Listener listener)
            throws SdpException, IOException;
}
