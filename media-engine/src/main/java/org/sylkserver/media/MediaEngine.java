package org.sylkserver.media;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The colocated media engine: one per JVM, shared by every application. It owns the RTP port range
 * ({@code [RTP] port_range}), one I/O thread ({@code sylk-media-io}, {@link MediaIoLoop}) that reads and writes
 * every endpoint's sockets through one selector, and one timer thread ({@code sylk-media-timer}) that watches for
 * RTP inactivity ({@code [RTP] timeout}) and sends the RTCP reports of audio endpoints. Codec work that would slow
 * the I/O thread (transcoding between call legs) runs on its codec workers ({@code sylk-media-codec-N}, one per
 * core).
 *
 * <p>Threading: endpoint sockets are read on the I/O thread only; echo endpoints also write there, audio
 * endpoints write from the thread that produces their audio (a datagram channel may be written while it is read).
 * Applications open and close endpoints from any thread. A closed endpoint's port pair returns to the pool once
 * the I/O thread has deregistered its sockets, so that the next endpoint on that pair can bind it.
 */
public final class MediaEngine implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger("sylk.media");
    /** RTCP report interval of audio endpoints: RFC 3550 §6.2's minimum of 5 s (one sender per session). */
    private static final long REPORT_INTERVAL_MILLIS = 5000;

    private final InetAddress bindAddress;
    private final PortAllocator ports;
    private final Duration inactivityTimeout;
    private final RtpPolicy policy;
    private final MediaIoLoop io;
    /** Binds the sockets of endpoints and bare sockets on {@link #bindAddress}. */
    private final DatagramSockets udp;
    private final Set<RtpEndpoint> endpoints = ConcurrentHashMap.newKeySet();
    private final Set<MediaSocket> sockets = ConcurrentHashMap.newKeySet();
    /** The one inactivity watch of every open endpoint and socket. */
    private final Set<InactivityWatch> watches = ConcurrentHashMap.newKeySet();
    /** The engine's clock ({@link System#nanoTime()}; a test's own to move time without waiting). */
    private final LongSupplier clock;
    private final ScheduledExecutorService timer;
    private final ExecutorService codecWorkers;
    private volatile boolean running = true;
    private volatile InetAddress advertised;
    /** Where the ICE-lite legs' sockets are: the shared port, io_uring, or the I/O thread's selector. */
    private final IceLegSockets iceLegs;

    /**
     * Starts the engine.
     *
     * @param bindAddress       local address of the RTP sockets ({@code [SIP] local_ip})
     * @param portStart         first RTP port (even)
     * @param portEnd           end of the range, exclusive (even, at most 65536); {@code 50000:50500} by default
     * @param inactivityTimeout RTP silence after which an endpoint reports inactivity; zero disables it
     * @param policy            what a peer is allowed: latching, streams per call
     * @throws IllegalArgumentException for a port range that is not even numbers {@code 0 < start < end <= 65536}
     *                                  or a negative timeout
     * @throws IOException              when the selector cannot be opened
     */
    public MediaEngine(InetAddress bindAddress, int portStart, int portEnd, Duration inactivityTimeout,
                       RtpPolicy policy) throws IOException {
        this(bindAddress, portStart, portEnd, inactivityTimeout, policy, 0, 1, false, System::nanoTime);
    }

    /**
     * As above, with every ICE-lite leg ({@link #openIceSocket}: the video rooms' publishers and feeds) on the one
     * UDP port {@code webrtcPort} of {@code bindAddress} ({@code [RTP] webrtc_port}, see {@link UdpMux}); 0 gives each
     * leg a port pair of the range, as before.
     *
     * @throws IOException also when {@code webrtcPort} cannot be bound
     */
    public MediaEngine(InetAddress bindAddress, int portStart, int portEnd, Duration inactivityTimeout,
                       RtpPolicy policy, int webrtcPort) throws IOException {
        this(bindAddress, portStart, portEnd, inactivityTimeout, policy, webrtcPort,
                Runtime.getRuntime().availableProcessors(), false, System::nanoTime);
    }

    /**
     * As above, the shared port read and written by {@code webrtcThreads} threads ({@code [RTP] webrtc_threads},
     * see {@link UdpMux}; with Linux's epoll only, else one).
     *
     * @throws IllegalArgumentException also for fewer than one thread
     */
    public MediaEngine(InetAddress bindAddress, int portStart, int portEnd, Duration inactivityTimeout,
                       RtpPolicy policy, int webrtcPort, int webrtcThreads) throws IOException {
        this(bindAddress, portStart, portEnd, inactivityTimeout, policy, webrtcPort, webrtcThreads, false,
                System::nanoTime);
    }

    /**
     * As above; with {@code webrtcPort} 0 and {@code webrtcIoUring} ({@code [RTP] webrtc_io_uring}), every ICE-lite
     * leg's socket of its own is read and written through Linux's io_uring on {@code webrtcThreads} threads (see
     * {@link UringLegs}) where the kernel allows it, else on the engine's I/O thread as before (the log says which).
     */
    public MediaEngine(InetAddress bindAddress, int portStart, int portEnd, Duration inactivityTimeout,
                       RtpPolicy policy, int webrtcPort, int webrtcThreads, boolean webrtcIoUring) throws IOException {
        this(bindAddress, portStart, portEnd, inactivityTimeout, policy, webrtcPort, webrtcThreads, webrtcIoUring,
                System::nanoTime);
    }

    /** As the public constructor, on {@code clock} instead of {@link System#nanoTime()}. */
    MediaEngine(InetAddress bindAddress, int portStart, int portEnd, Duration inactivityTimeout, RtpPolicy policy,
                LongSupplier clock) throws IOException {
        this(bindAddress, portStart, portEnd, inactivityTimeout, policy, 0, 1, false, clock);
    }

    private MediaEngine(InetAddress bindAddress, int portStart, int portEnd, Duration inactivityTimeout,
                        RtpPolicy policy, int webrtcPort, int webrtcThreads, boolean webrtcIoUring,
                        LongSupplier clock) throws IOException {
        if (webrtcPort < 0 || webrtcPort > 65535) {
            throw new IllegalArgumentException("WebRTC port " + webrtcPort + " is not 0 (off) or a UDP port");
        }
        if (webrtcThreads < 1) {
            throw new IllegalArgumentException("the WebRTC port needs at least one thread, not " + webrtcThreads);
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
        this.ports = new PortAllocator(portStart, portEnd);
        if (inactivityTimeout.isNegative()) {
            throw new IllegalArgumentException("negative RTP inactivity timeout " + inactivityTimeout);
        }
        this.inactivityTimeout = inactivityTimeout;
        this.policy = Objects.requireNonNull(policy, "policy");
        this.iceLegs = new IceLegSockets(this, ports, bindAddress, webrtcPort, webrtcThreads, webrtcIoUring);
        this.io = new MediaIoLoop();
        this.udp = new DatagramSockets(bindAddress, io);
        this.timer = Executors.newSingleThreadScheduledExecutor(task -> MediaThreads.named(task, "sylk-media-timer"));
        this.codecWorkers = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(),
                MediaThreads.numbered("sylk-media-codec-"));
        if (!inactivityTimeout.isZero()) {
            // check often enough that the report comes at most a quarter of the timeout (and 1 s) late
            long period = Math.max(10, Math.min(1000, inactivityTimeout.toMillis() / 4));
            timer.scheduleWithFixedDelay(this::checkInactivity, period, period, TimeUnit.MILLISECONDS);
        }
        timer.scheduleWithFixedDelay(this::sendReports, REPORT_INTERVAL_MILLIS, REPORT_INTERVAL_MILLIS,
                TimeUnit.MILLISECONDS);
        LOG.info("media engine on " + bindAddress.getHostAddress() + ", RTP ports " + portStart + "-" + (portEnd - 1)
                + " (" + ports.capacity() + " streams), RTP timeout "
                + (inactivityTimeout.isZero() ? "off" : inactivityTimeout.toMillis() + " ms")
                + ", " + iceLegs.describe(webrtcThreads));
    }

    /** The engine's clock now, in nanoseconds ({@link System#nanoTime()} unless a test gave its own). */
    long nanoTime() {
        return clock.getAsLong();
    }

    /** The engine's timer thread, for protocol timeouts (ZRTP retransmissions). */
    java.util.concurrent.ScheduledExecutorService timer() {
        return timer;
    }

    /**
     * The engine's codec workers: a fixed pool of one thread per core, for codec work taken off the I/O thread (each
     * user keeps its own work serial, e.g. {@link RtpTranscoder}). Its queue holds at most one task per such user.
     */
    public Executor codecWorkers() {
        return codecWorkers;
    }

    /** Whether symmetric RTP latches to any source ({@code [RTP] latch_any_source}). */
    boolean latchesAnySource() {
        return policy.latchAnySource();
    }

    /** Whether one more stream with a peer at {@code address} stays within {@code [RTP] max_streams_per_address}. */
    boolean admitsStreamFrom(InetAddress address) {
        int limit = policy.maxStreamsPerAddress();
        return limit == 0 || endpoints.stream().filter(e -> address.equals(e.signalledAddress())).count() < limit;
    }

    /** The port pairs one call may open ({@code [RTP] max_streams_per_call}, 0 for no limit). */
    public int maxStreamsPerCall() {
        return policy.maxStreamsPerCall();
    }

    /** The address endpoints are bound to (what goes into SDP unless an advertised address is configured). */
    public InetAddress bindAddress() {
        return bindAddress;
    }

    /**
     * Sets the address peers are to send to ({@code [SIP] advertised_ip}): behind a one-to-one NAT (a cloud VM), the
     * public address whose packets arrive at {@link #bindAddress()}. Set once, at start-up, before any endpoint.
     */
    public void advertise(InetAddress address) {
        this.advertised = Objects.requireNonNull(address, "address");
    }

    /**
     * The address that goes into SDP and ICE candidates: the {@linkplain #advertise advertised} one, else the bind
     * address.
     */
    public InetAddress sdpAddress() {
        InetAddress address = advertised;
        return address != null ? address : bindAddress;
    }

    /**
     * Opens an endpoint that sends every RTP and RTCP packet back to where it came from (the echo test), on a
     * fresh even port and the odd one above it.
     *
     * @param onInactivity called once, on the timer thread, when no RTP arrived for the inactivity timeout
     * @throws PortRangeExhaustedException when no port pair of the range is free
     * @throws IOException                 when the engine is closed or the sockets cannot be opened
     */
    public RtpEchoEndpoint openEchoEndpoint(Consumer<RtpEchoEndpoint> onInactivity) throws IOException {
        Objects.requireNonNull(onInactivity, "onInactivity");
        RtpEchoEndpoint[] opened = new RtpEchoEndpoint[1];
        return open((port, rtp, rtcp) -> opened[0] = new RtpEchoEndpoint(this, port, rtp, rtcp,
                () -> onInactivity.accept(opened[0])));
    }

    /**
     * Opens an endpoint that takes part in a call: it hands received audio to its receiver and sends the audio
     * it is given, with RTCP reports (see {@link RtpAudioEndpoint}), on a fresh even port and the odd one above.
     *
     * @param onInactivity called once, on the timer thread, when no RTP arrived for the inactivity timeout
     * @throws PortRangeExhaustedException when no port pair of the range is free
     * @throws IOException                 when the engine is closed or the sockets cannot be opened
     */
    public RtpAudioEndpoint openAudioEndpoint(Consumer<RtpAudioEndpoint> onInactivity) throws IOException {
        Objects.requireNonNull(onInactivity, "onInactivity");
        RtpAudioEndpoint[] opened = new RtpAudioEndpoint[1];
        return open((port, rtp, rtcp) -> opened[0] = new RtpAudioEndpoint(this, port, rtp, rtcp,
                () -> onInactivity.accept(opened[0])));
    }

    /**
     * Opens an endpoint that relays packets without decoding them (the SIP leg of a WebRTC bridge, see
     * {@link RtpRelayEndpoint}), on a fresh even port and the odd one above.
     *
     * @param onInactivity called once, on the timer thread, when no RTP arrived for the inactivity timeout
     * @throws PortRangeExhaustedException when no port pair of the range is free
     * @throws IOException                 when the engine is closed or the sockets cannot be opened
     */
    public RtpRelayEndpoint openRelayEndpoint(Consumer<RtpRelayEndpoint> onInactivity) throws IOException {
        Objects.requireNonNull(onInactivity, "onInactivity");
        RtpRelayEndpoint[] opened = new RtpRelayEndpoint[1];
        return open((port, rtp, rtcp) -> opened[0] = new RtpRelayEndpoint(this, port, rtp, rtcp,
                () -> onInactivity.accept(opened[0])));
    }

    /**
     * Opens a bare socket on a fresh even port (the odd one above stays reserved with it) whose datagrams all go to
     * {@code receiver} (see {@link MediaSocket}), bound with SO_REUSEPORT where there is one, so that the socket can
     * later send to its ICE peer on a second, connected socket of the port ({@link MediaSocket#selected}).
     *
     * @param onInactivity called once, on the timer thread, when the owner reported no media for the timeout
     * @throws PortRangeExhaustedException when no port pair of the range is free
     * @throws IOException                 when the engine is closed or the socket cannot be opened
     */
    public MediaSocket openSocket(MediaSocket.Receiver receiver, Runnable onInactivity) throws IOException {
        Objects.requireNonNull(receiver, "receiver");
        Objects.requireNonNull(onInactivity, "onInactivity");
        return ports.onFreePorts(this::isOpen, port -> {
            DatagramChannel channel = udp.bind(port, DatagramSockets.REUSE_PORT);
            MediaSocket.askReceiveBuffer(channel);
            MediaSocket socket = new MediaSocket(this, port, channel, receiver,
                    new InactivityWatch(nanoTime(), onInactivity, true));
            track(socket);
            onIoThread(() -> {
                try {
                    io.register(channel, socket);
                } catch (ClosedChannelException closedMeanwhile) {
                    // closed before the I/O thread got to it: release() has queued the port's return
                }
            });
            return socket;
        });
    }

    /**
     * A thread for a group of ICE-lite pipelines that opens no socket of its own (a phone's voice published in a
     * video room, whose feeds then open on it): with {@code [RTP] webrtc_port}, the shared port's thread with the
     * fewest legs now (see {@link UdpMux}); else the engine's one I/O thread ({@link #onIoThread}), which every
     * socket of its own is read on.
     */
    public IceThread iceThread() {
        return iceLegs.iceThread();
    }

    /**
     * Opens the socket of an ICE-lite leg whose local ufrag is {@code ufrag}, its datagrams handled on {@code thread}
     * (another leg's {@link MediaSocket#thread}, or {@link #iceThread}), or with a null {@code thread} (the first leg
     * of a group: a video room's publisher) on the thread with the fewest legs: a leg of the shared WebRTC port when
     * {@code [RTP] webrtc_port} is set (its datagrams are those from the addresses its checks proved, see
     * {@link MediaSocket#checked}), else a socket of its own as {@link #openSocket}, on the engine's I/O thread.
     *
     * @throws IOException as {@link #openSocket}, or the ufrag is in use by another leg of the shared port
     * @throws IllegalArgumentException {@code thread} is not one of this engine's
     */
    public MediaSocket openIceSocket(String ufrag, IceThread thread, MediaSocket.Receiver receiver,
                                     Runnable onInactivity) throws IOException {
        return iceLegs.open(ufrag, thread, receiver, onInactivity);
    }

    /** The legs' io_uring loops, for tests: null when the legs' sockets are on the selector. */
    UringLegs uringLegs() {
        return iceLegs.uringLegs();
    }

    /** The shared WebRTC port's state, for tests: null when there is none. */
    UdpMux webrtcPort() {
        return iceLegs.webrtcPort();
    }

    /** Creates an endpoint on sockets the engine has bound. */
    @FunctionalInterface
    private interface EndpointFactory<E extends RtpEndpoint> {
        E create(int port, DatagramChannel rtp, DatagramChannel rtcp);
    }

    private <E extends RtpEndpoint> E open(EndpointFactory<E> factory) throws IOException {
        return ports.onFreePorts(this::isOpen, port -> {
            DatagramChannel rtp = udp.bind(port);
            DatagramChannel rtcp;
            try {
                rtcp = udp.bind(port + 1);
            } catch (IOException e) {
                DatagramSockets.closeQuietly(rtp);
                throw e;
            }
            E endpoint = factory.create(port, rtp, rtcp);
            endpoints.add(endpoint);
            watches.add(endpoint.inactivityWatch());
            onIoThread(() -> register(endpoint));
            return endpoint;
        });
    }

    /** Whether the engine is open (not {@linkplain #close closed}). */
    boolean isOpen() {
        return running;
    }

    /** Keeps {@code socket} among the engine's open sockets and watches its inactivity; returns it. */
    MediaSocket track(MediaSocket socket) {
        sockets.add(socket);
        watches.add(socket.inactivityWatch());
        return socket;
    }

    /** Number of endpoints open now. */
    public int openEndpoints() {
        return endpoints.size();
    }

    /** Number of port pairs not available to new endpoints (open endpoints and pairs still being released). */
    public int portPairsInUse() {
        return ports.inUse();
    }

    /** A second socket on {@code socket}'s port, connected to {@code peer} (see {@link DatagramSockets#connected}). */
    DatagramChannel connectedSocket(MediaSocket socket, InetSocketAddress peer) throws IOException {
        return udp.connected(socket, peer);
    }

    private void register(RtpEndpoint endpoint) {
        try {
            io.register(endpoint.rtpChannel(), endpoint);
            io.register(endpoint.rtcpChannel(), endpoint);
        } catch (ClosedChannelException closedMeanwhile) {
            // closed before the I/O thread got to it: release() has queued the port's return
        }
    }

    /** Closes the endpoint's sockets; its ports return to the pool after the I/O thread's next selection. */
    void release(RtpEndpoint endpoint) {
        endpoints.remove(endpoint);
        watches.remove(endpoint.inactivityWatch());
        DatagramSockets.closeQuietly(endpoint.rtpChannel());
        DatagramSockets.closeQuietly(endpoint.rtcpChannel());
        // a registered channel keeps its socket until the selector deregisters it: release the port after that
        onIoThread(() -> ports.release(endpoint.port()));
        LOG.fine(() -> "closed " + endpoint);
    }

    /** Closes a bare socket; its port pair returns to the pool after the I/O thread's next selection. */
    void release(MediaSocket socket) {
        sockets.remove(socket);
        watches.remove(socket.inactivityWatch());
        if (socket.leg() != null) {
            socket.leg().close();
            LOG.fine(() -> "closed " + socket);
            return;
        }
        if (socket.uringLeg() != null) {
            // the port returns to the pool once the socket is closed (UringLegs.open's callback)
            socket.uringLeg().close();
            LOG.fine(() -> "closed " + socket);
            return;
        }
        DatagramSockets.closeQuietly(socket.channel());
        DatagramSockets.closeQuietly(socket.connectedChannel());
        onIoThread(() -> ports.release(socket.port()));
        LOG.fine(() -> "closed " + socket);
    }

    /**
     * Runs {@code task} on the I/O thread, after what it is doing: where packets the server makes itself join the
     * pipelines (a video room's phone voice), so that SRTP and sending stay on one thread and off the mixer's.
     */
    public void onIoThread(Runnable task) {
        io.execute(task);
    }

    /** On the timer thread (and in tests): reports the streams silent for {@code [RTP] timeout}. */
    void checkInactivity() {
        long now = nanoTime();
        for (InactivityWatch watch : watches) {
            try {
                watch.check(now, inactivityTimeout.toNanos());
            } catch (Throwable e) {
                // anything thrown out of this periodic task would cancel it for every stream
                LOG.log(Level.WARNING, "inactivity callback failed", e);
            }
        }
    }

    private void sendReports() {
        for (RtpEndpoint endpoint : endpoints) {
            if (endpoint instanceof RtpAudioEndpoint audio && !audio.isClosed()) {
                try {
                    audio.sendReport(false);
                } catch (Throwable e) {
                    LOG.log(Level.WARNING, "RTCP report of " + endpoint + " failed", e);
                }
            }
        }
    }

    /** Closes every endpoint and stops the engine's threads; closing the selector frees every socket. */
    @Override
    public void close() throws IOException {
        running = false;
        for (RtpEndpoint endpoint : endpoints) {
            endpoint.close();
        }
        for (MediaSocket socket : sockets) {
            socket.close();
        }
        timer.shutdownNow();
        codecWorkers.shutdownNow();
        iceLegs.close();
        io.close();
    }
}
