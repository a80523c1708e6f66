package org.sylkserver.media.webrtc;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.logging.Logger;

import org.sylkserver.media.MediaSocket;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Stage;

/**
 * The browser socket's first stage: STUN (RFC 7983 §7: first byte 0-3) goes to the lite ICE agent ({@link IceLite}),
 * which answers connectivity checks; a valid check proves the browser is there (RFC 7675 consent), media or not.
 * Checks that fail are dropped; everything else goes on.
 */
final class IceChecks extends Stage {

    private static final Logger LOG = Logger.getLogger("sylk.media.webrtc");

    private final String bridge;
    private final IceLite ice;
    private final MediaSocket socket;
    private final InetSocketAddress local;
    private volatile long unsentResponses;
    private boolean nominationLogged;

    IceChecks(String bridge, IceLite ice, MediaSocket socket, InetSocketAddress local) {
        super("ice");
        this.bridge = bridge;
        this.ice = ice;
        this.socket = socket;
        this.local = local;
    }

    /** Check responses the socket would not take. */
    long unsentResponses() {
        return unsentResponses;
    }

    @Override
    protected Packet handle(Packet packet) {
        ByteBuffer datagram = packet.buffer();
        if (!datagram.hasRemaining() || (datagram.get(datagram.position()) & 0xff) > 3) {
            return packet;
        }
        InetSocketAddress source = (InetSocketAddress) packet.source();
        IceLite.Outcome outcome = ice.check(packet.copy(), source, local, response -> respond(response, source));
        if (outcome == IceLite.Outcome.DROPPED) {
            return drop();
        }
        socket.mediaReceived();
        if (outcome == IceLite.Outcome.NOMINATED && !nominationLogged) {
            nominationLogged = true;
            LOG.info(() -> bridge + ": ICE pair nominated " + local + " <-> " + source);
        }
        return consume();
    }

    private void respond(byte[] response, InetSocketAddress target) {
        try {
            socket.send(ByteBuffer.wrap(response), target);
        } catch (IOException e) {
            unsentResponses++;
        }
    }
}
