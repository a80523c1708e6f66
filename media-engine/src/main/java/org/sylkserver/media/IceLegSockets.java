package org.sylkserver.media;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * Where the media engine puts the sockets of ICE-lite legs ({@link MediaEngine#openIceSocket}: the video rooms'
 * publishers and feeds), fixed when the engine starts: legs of the one shared WebRTC port ({@code [RTP] webrtc_port},
 * {@link UdpMux}), sockets of their own on io_uring loops ({@code [RTP] webrtc_io_uring}, {@link UringLegs}), or
 * sockets of their own on the engine's I/O thread's selector ({@link MediaEngine#openSocket}).
 */
final class IceLegSockets implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger("sylk.media");
    /** Addresses the shared port's table holds at most (each leg at most {@link UdpMux#ADDRESSES_PER_LEG}). */
    private static final int MAX_SHARED_PORT_ADDRESSES = 1 << 16;

    private final MediaEngine engine;
    private final PortAllocator ports;
    /** The shared port of the ICE-lite legs ({@code [RTP] webrtc_port}), or null: a port pair per leg. */
    private final UdpMux webrtcPort;
    /** The legs' own sockets on io_uring ({@code [RTP] webrtc_io_uring}), or null: on the I/O thread's selector. */
    private final UringLegs uringLegs;

    /**
     * Binds the shared port ({@code webrtcPort} not 0) or starts the io_uring loops ({@code webrtcIoUring}, where the
     * kernel allows it), each on {@code threads} threads.
     *
     * @throws IOException when {@code webrtcPort} cannot be bound
     */
    IceLegSockets(MediaEngine engine, PortAllocator ports, InetAddress bindAddress, int webrtcPort, int threads,
                  boolean webrtcIoUring) throws IOException {
        this.engine = engine;
        this.ports = ports;
        this.webrtcPort = webrtcPort == 0 ? null
                : new UdpMux(bindAddress, webrtcPort, threads, MAX_SHARED_PORT_ADDRESSES, true);
        this.uringLegs = webrtcPort == 0 && webrtcIoUring ? uringLegs(bindAddress, threads) : null;
    }

    /**
     * The io_uring loops of the legs' sockets, or null where the kernel or the JVM does not allow io_uring (a kernel
     * before 5.14, {@code kernel.io_uring_disabled}, a seccomp filter, no native library for the platform): the legs
     * then stay on the selector, as they were.
     */
    private static UringLegs uringLegs(InetAddress bindAddress, int threads) {
        if (!UringLegs.available()) {
            LOG.info("io_uring is not available (" + UringLegs.unavailability()
                    + "): ICE-lite legs' sockets on the I/O thread's selector");
            return null;
        }
        return new UringLegs(bindAddress, threads, MediaSocket.RECEIVE_BUFFER);
    }

    /** As {@link MediaEngine#iceThread}: the least busy loop of the shared port or of io_uring, else the I/O thread. */
    IceThread iceThread() {
        return webrtcPort != null ? webrtcPort.leastBusy() : uringLegs != null ? uringLegs.leastBusy()
                : engine::onIoThread;
    }

    /** As {@link MediaEngine#openIceSocket}. */
    MediaSocket open(String ufrag, IceThread thread, MediaSocket.Receiver receiver, Runnable onInactivity)
            throws IOException {
        if (webrtcPort == null && uringLegs == null) {
            return engine.openSocket(receiver, onInactivity);
        }
        if (webrtcPort == null) {
            return openUringSocket(thread == null ? null : uringLegs.loop(thread), receiver, onInactivity);
        }
        Objects.requireNonNull(receiver, "receiver");
        Objects.requireNonNull(onInactivity, "onInactivity");
        if (!engine.isOpen()) {
            throw new IOException("media engine is closed");
        }
        return engine.track(new MediaSocket(engine, webrtcPort.open(ufrag,
                thread == null ? null : webrtcPort.loop(thread), receiver),
                receiver, new InactivityWatch(engine.nanoTime(), onInactivity, true)));
    }

    /**
     * A leg's socket of its own on io_uring ({@link UringLegs}), on a fresh even port of the range as
     * {@link MediaEngine#openSocket} (the odd one above stays reserved with it), its datagrams handled on
     * {@code owner} (null: the least busy loop).
     */
    private MediaSocket openUringSocket(UringLegs.Loop owner, MediaSocket.Receiver receiver, Runnable onInactivity)
            throws IOException {
        Objects.requireNonNull(receiver, "receiver");
        Objects.requireNonNull(onInactivity, "onInactivity");
        return ports.onFreePorts(engine::isOpen, port -> engine.track(new MediaSocket(engine,
                uringLegs.open(port, owner, receiver, ports::release), receiver,
                new InactivityWatch(engine.nanoTime(), onInactivity, true))));
    }

    /** The legs' io_uring loops: null when the legs' sockets are on the selector. */
    UringLegs uringLegs() {
        return uringLegs;
    }

    /** The shared WebRTC port: null when there is none. */
    UdpMux webrtcPort() {
        return webrtcPort;
    }

    /** Closes the shared port or stops the io_uring loops (closing every leg's socket still open). */
    @Override
    public void close() {
        if (webrtcPort != null) {
            webrtcPort.close();
        }
        if (uringLegs != null) {
            uringLegs.close();
        }
    }

    /** For the engine's log line. */
    String describe(int threads) {
        return webrtcPort != null ? "ICE-lite legs on " + webrtcPort
                : uringLegs != null ? "ICE-lite legs' sockets on io_uring (" + threads + " threads)"
                : "ICE-lite legs' sockets on the I/O thread's selector";
    }
}
