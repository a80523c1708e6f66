package org.sylkserver.media;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * A bare UDP socket of the media engine, for a transport that multiplexes more than RTP on one port (the WebRTC
 * bridge's ICE, DTLS and SRTP, RFC 7983): the engine binds it on an even port of {@code [RTP] port_range} (the odd
 * port above stays reserved with it), reads it on its I/O thread and hands every datagram to the {@link Receiver}
 * unvalidated. What is media is for the owner to say: it calls {@link #mediaReceived()} for each media packet, and
 * the engine reports inactivity ({@code [RTP] timeout}) when that stops, as it does for RTP endpoints.
 *
 * <p>Once ICE selected a pair ({@link #selected}), a socket of its own is two sockets on its port: the first,
 * unconnected, and a second connected to the pair's peer, which what goes to the peer is written on; both are read.
 *
 * <p>With {@code [RTP] webrtc_port} set, a socket opened with {@link MediaEngine#openIceSocket} is no socket of its
 * own but a leg of that one shared port ({@link UdpMux}): what comes from the addresses its ICE checks proved
 * ({@link #checked}) is its own. Then its receiver runs on the shared port's thread that owns the leg
 * ({@code sylk-media-mux-N}, {@link #thread}), and {@link #port()} is the shared port.
 *
 * <p>With {@code [RTP] webrtc_io_uring} (where Linux allows io_uring), a socket opened with
 * {@link MediaEngine#openIceSocket} is a socket of its own on one of the engine's io_uring loops ({@link UringLegs},
 * {@code sylk-media-uring-N}), and its receiver runs there.
 *
 * <p>Threading: the receiver runs on the engine's I/O thread (or the shared port's, or an io_uring loop); {@link #send} may be called
 * from any thread (a datagram channel may be written while it is read); the inactivity callback runs on the engine's
 * timer thread.
 */
public final class MediaSocket implements AutoCloseable {

    /** Receives the socket's datagrams on the media engine's I/O thread; the buffer is reused once this returns. */
    @FunctionalInterface
    public interface Receiver {
        /** One datagram, from {@code datagram}'s position to its limit. */
        void received(ByteBuffer datagram, InetSocketAddress source);
    }

    private static final Logger LOG = Logger.getLogger("sylk.media");
    /** Bytes of receive buffer a bare socket asks for ({@link MediaEngine#openSocket}, {@link UringLegs}). */
    static final int RECEIVE_BUFFER = 1 << 20;

    private final MediaEngine engine;
    private final int port;
    /** The socket's own channel, or null for a leg of the shared WebRTC port. */
    private final DatagramChannel channel;
    /** The leg of the shared WebRTC port, or null for a socket of its own. */
    private final UdpMux.Leg leg;
    /** The socket of its own on io_uring, or null for the selector's channel or a leg of the shared port. */
    private final UringLegs.Leg uringLeg;
    private final Receiver receiver;
    private final InactivityWatch watch;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The second socket, connected to the selected pair's peer ({@link #selected}), or null. */
    private volatile Connected connected;

    /** A socket of the same port connected to {@code peer}, what goes to the peer is written on. */
    private record Connected(DatagramChannel channel, InetSocketAddress peer) {
    }

    MediaSocket(MediaEngine engine, int port, DatagramChannel channel, Receiver receiver, InactivityWatch watch) {
        this.engine = engine;
        this.port = port;
        this.channel = channel;
        this.leg = null;
        this.uringLeg = null;
        this.receiver = receiver;
        this.watch = watch;
    }

    MediaSocket(MediaEngine engine, UdpMux.Leg leg, Receiver receiver, InactivityWatch watch) {
        this.engine = engine;
        this.port = leg.port();
        this.channel = null;
        this.leg = leg;
        this.uringLeg = null;
        this.receiver = receiver;
        this.watch = watch;
    }

    MediaSocket(MediaEngine engine, UringLegs.Leg uringLeg, Receiver receiver, InactivityWatch watch) {
        this.engine = engine;
        this.port = uringLeg.port();
        this.channel = null;
        this.leg = null;
        this.uringLeg = uringLeg;
        this.receiver = receiver;
        this.watch = watch;
    }

    /**
     * A bare socket carries a WebRTC leg's video (a video room's publisher: 250 datagrams a second of up to 1,200
     * bytes): the kernel's default receive buffer (212,992 bytes on Linux) holds ~90 of them, 0.36 s, so the I/O
     * thread descheduled for longer on a loaded host lost datagrams at the socket (the video rooms' benchmark's
     * losses at 12-20 rooms, docs/benchmarks.md, issue 13). The shared WebRTC port asks for 4 MiB; a leg of its own
     * asks for {@value #RECEIVE_BUFFER} bytes (the kernel caps it at net.core.rmem_max), memory the kernel
     * takes only for datagrams waiting.
     */
    static void askReceiveBuffer(DatagramChannel channel) throws IOException {
        channel.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
    }

    /** The local port (even). */
    public int port() {
        return port;
    }

    /** Sends one datagram; a full socket buffer drops it, as the network would. */
    public void send(ByteBuffer datagram, SocketAddress target) throws IOException {
        if (closed.get()) {
            return;
        }
        if (leg != null) {
            leg.send(datagram, target);
        } else if (uringLeg != null) {
            uringLeg.send(datagram, target);
        } else {
            Connected toPeer = connected;
            if (toPeer != null && toPeer.peer().equals(target)) {
                try {
                    toPeer.channel().write(datagram);
                    return;
                } catch (ClosedChannelException pairChanged) {
                    // a new pair was selected or the socket closed meanwhile: sent as to any other address
                }
            }
            channel.send(datagram, target);
        }
    }

    /**
     * ICE selected the pair with {@code peer} (a check with USE-CANDIDATE passed, RFC 8445 §7.3.1.5). For a socket of
     * its own on the selector, what goes to the peer from now on is written on a second socket of the same port
     * connected to it ({@link MediaEngine#connectedSocket}): the kernel then takes the route it cached at the connect
     * instead of looking one up for every datagram, as it does for a datagram sent to an address (0.5 µs of the ~12
     * of a forwarded packet's CPU in the video rooms' benchmark, docs/benchmarks.md, issue 13). The first socket stays
     * unconnected and read, so checks from the browser's other addresses still arrive and are answered (a pair it
     * nominates later, RFC 8445 §7.3; its consent, RFC 7675), and the connected one's datagrams go to the same
     * receiver. A pair selected later replaces the connected socket (datagrams from the old peer are the unconnected
     * socket's again); what is queued at the replaced one is lost, as on a path that changes. A leg of the shared
     * port or on io_uring sends as before. On the socket's I/O thread.
     */
    public void selected(InetSocketAddress peer) {
        if (channel == null || closed.get()) {
            return;
        }
        Connected current = connected;
        if (current != null && current.peer().equals(peer)) {
            return;
        }
        if (current != null) {
            connected = null;
            DatagramSockets.closeQuietly(current.channel());
        }
        try {
            Connected next = new Connected(engine.connectedSocket(this, peer), peer);
            connected = next;
            if (closed.get()) {
                // closed by another thread meanwhile, perhaps before release() could see this socket
                DatagramSockets.closeQuietly(next.channel());
            }
            LOG.fine(() -> this + ": sends to " + peer + " on a connected socket");
        } catch (IOException e) {
            LOG.fine(() -> this + ": no connected socket to " + peer + " (" + e + "), sends to it unconnected");
        }
    }

    /**
     * A STUN binding request from {@code source} passed the owner's ICE check (USERNAME and MESSAGE-INTEGRITY, RFC
     * 8445 §7.3): on the shared WebRTC port, what comes from there is this socket's from now on; a socket of its own
     * has nothing to learn. On the socket's I/O thread.
     */
    public void checked(InetSocketAddress source) {
        if (leg != null) {
            leg.learn(source);
        }
    }

    /**
     * The thread the receiver runs on: the shared port's thread that owns the leg, the io_uring loop that owns the
     * socket, or the engine's I/O thread (the thread to open the other legs of the same group on,
     * {@link MediaEngine#openIceSocket}).
     */
    public IceThread thread() {
        return leg != null ? leg.owner() : uringLeg != null ? uringLeg.owner() : engine::onIoThread;
    }

    /** Whether this is a leg of the shared WebRTC port ({@code [RTP] webrtc_port}) rather than a socket of its own. */
    public boolean isShared() {
        return leg != null;
    }

    /** Marks that media arrived now (restarts the inactivity timer, and re-arms its report after a silence). */
    public void mediaReceived() {
        watch.alive(engine.nanoTime());
    }

    public boolean isClosed() {
        return closed.get();
    }

    DatagramChannel channel() {
        return channel;
    }

    /** The socket connected to the selected pair's peer, or null (none selected, or a leg of the shared port). */
    DatagramChannel connectedChannel() {
        Connected toPeer = connected;
        return toPeer == null ? null : toPeer.channel();
    }

    UdpMux.Leg leg() {
        return leg;
    }

    UringLegs.Leg uringLeg() {
        return uringLeg;
    }

    /** Called on the I/O thread when {@code from} (the socket's channel or its connected one) has datagrams. */
    void readable(DatagramChannel from, ByteBuffer buffer) throws IOException {
        for (int i = 0; i < RtpEndpoint.BATCH; i++) {
            buffer.clear();
            SocketAddress source;
            try {
                source = from.receive(buffer);
            } catch (PortUnreachableException peerPortClosed) {
                // the connected socket's peer answered a datagram with ICMP port unreachable (its port closed, the
                // path changed): the kernel reports it to a connected socket once, and nothing was received
                continue;
            }
            if (source == null) {
                return;
            }
            buffer.flip();
            receiver.received(buffer, (InetSocketAddress) source);
        }
    }

    InactivityWatch inactivityWatch() {
        return watch;
    }

    /** Closes the socket and gives its port pair back to the engine; idempotent, from any thread. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            watch.stop();
            engine.release(this);
        }
    }

    @Override
    public String toString() {
        return "media socket " + new InetSocketAddress(engine.bindAddress(), port);
    }
}
