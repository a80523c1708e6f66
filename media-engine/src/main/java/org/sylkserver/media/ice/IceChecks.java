package org.sylkserver.media.ice;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.function.Supplier;
import java.util.logging.Logger;

import org.sylkserver.media.MediaSocket;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Stage;

/**
 * A media socket's first receive stage: STUN (RFC 7983 §7: first byte 0-3) goes to the lite ICE agent
 * ({@link IceLite}), which answers connectivity checks; a valid check proves the peer is there (RFC 7675 consent),
 * media or not. Checks that fail are dropped; everything else goes on, and everything goes on while the owner has no
 * agent (ICE not negotiated).
 */
public final class IceChecks extends Stage {

    private static final Logger LOG = Logger.getLogger("sylk.media.ice");

    /** What the owner of the socket does for checks. */
    public interface Peer {
        /** Sends a STUN message (a check's response, our nominating check) to {@code target} from that port. */
        void send(ByteBuffer stun, InetSocketAddress target, boolean viaRtcpPort) throws IOException;

        /**
         * A check from {@code source} passed (the peer consents to media from us there); {@code nominated}: it
         * carried USE-CANDIDATE, the pair is selected (RFC 8445 §7.3.1.5).
         */
        void checked(InetSocketAddress source, boolean viaRtcpPort, boolean nominated);
    }

    private final String owner;
    private final Supplier<IceLite> ice;
    private final Peer peer;
    private final InetSocketAddress local;
    private volatile long unsentResponses;
    private boolean nominationLogged;

    /**
     * @param ice   the agent, or null while there is none (read for each datagram)
     * @param local our transport address, as the checks' integrity is computed over the message only
     */
    public IceChecks(String owner, Supplier<IceLite> ice, Peer peer, InetSocketAddress local) {
        super("ice");
        this.owner = owner;
        this.ice = ice;
        this.peer = peer;
        this.local = local;
    }

    /**
     * The stage of a bare media socket (the WebRTC bridge's, a video room leg's): a valid check counts as media for
     * its timeout, and on the shared WebRTC port makes the source the socket's ({@link MediaSocket#checked}); a
     * nominating one selects the pair, whose peer the socket then sends to connected ({@link MediaSocket#selected}).
     */
    public static IceChecks forSocket(String owner, IceLite ice, MediaSocket socket, InetSocketAddress local) {
        return new IceChecks(owner, () -> ice, new Peer() {
            @Override
            public void send(ByteBuffer stun, InetSocketAddress target, boolean viaRtcpPort) throws IOException {
                socket.send(stun, target);
            }

            @Override
            public void checked(InetSocketAddress source, boolean viaRtcpPort, boolean nominated) {
                socket.checked(source);
                if (nominated) {
                    socket.selected(source);
                }
                socket.mediaReceived();
            }
        }, local);
    }

    /** STUN messages (check responses, our nominations) the socket would not take. */
    public long unsentResponses() {
        return unsentResponses;
    }

    @Override
    protected Packet handle(Packet packet) {
        IceLite agent = ice.get();
        ByteBuffer datagram = packet.buffer();
        if (agent == null || !datagram.hasRemaining() || (datagram.get(datagram.position()) & 0xff) > 3) {
            return packet;
        }
        InetSocketAddress source = (InetSocketAddress) packet.source();
        boolean rtcpPort = packet.viaRtcpPort();
        IceLite.Outcome outcome = agent.check(packet.copy(), source, local,
                response -> send(response, source, rtcpPort));
        if (outcome == IceLite.Outcome.DROPPED) {
            return drop();
        }
        byte[] nomination = agent.nomination(source);
        if (nomination != null) {
            send(nomination, source, rtcpPort);
        }
        boolean nominated = outcome == IceLite.Outcome.NOMINATED;
        peer.checked(source, rtcpPort, nominated);
        if (nominated && !nominationLogged) {
            nominationLogged = true;
            LOG.info(() -> owner + ": ICE pair nominated " + local + " <-> " + source);
        }
        return consume();
    }

    private void send(byte[] stun, InetSocketAddress target, boolean viaRtcpPort) {
        try {
            peer.send(ByteBuffer.wrap(stun), target, viaRtcpPort);
        } catch (IOException e) {
            unsentResponses++;
        }
    }
}
