package org.sylkserver.media.webrtc;

import java.io.IOException;
import java.net.InetSocketAddress;

import org.sylkserver.media.ice.IceLite;
import org.sylkserver.media.MediaSocket;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Stage;

/**
 * Sends a packet on the bridge's socket to the browser's nominated ICE pair (RFC 8445 §2.5: a lite agent sends
 * where the browser's checks come from); dropped while there is none, or when the socket refuses it.
 */
final class SendToBrowser extends Stage {

    private final IceLite ice;
    private final MediaSocket socket;

    SendToBrowser(IceLite ice, MediaSocket socket) {
        super("send-to-browser");
        this.ice = ice;
        this.socket = socket;
    }

    @Override
    protected Packet handle(Packet packet) {
        InetSocketAddress target = ice.target();
        if (target == null) {
            return drop();
        }
        try {
            socket.send(packet.buffer(), target);
            return packet;
        } catch (IOException e) {
            return drop();
        }
    }
}
