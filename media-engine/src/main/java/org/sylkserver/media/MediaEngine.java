package org.sylkserver.media;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The colocated media engine: one per JVM, shared by every application. It owns the RTP port range, one I/O
 * thread ({@code sylk-media-io}) that reads and writes every endpoint's sockets, and one timer thread that
 * watches for RTP inactivity.
 *
 * <p>Threading: endpoint sockets are only read and written on the I/O thread; applications call
 * {@code open...}/{@code close} from any thread (registration is handed to the I/O thread).
 */
public final class MediaEngine implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger("sylk.media");

    private final InetAddress bindAddress;
    private final PortAllocator ports;
    private final Duration inactivityTimeout;
    private final Selector selector;
    private final Queue<Runnable> ioTasks = new ConcurrentLinkedQueue<>();
    private final Set<RtpEchoEndpoint> endpoints = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
    private final Thread ioThread;
    private volatile boolean running = true;

    /**
     * @param bindAddress       local address of the RTP sockets
     * @param portStart         first RTP port (even)
     * @param portEnd           end of the range (even, exclusive)
     * @param inactivityTimeout RTP silence after which an endpoint reports inactivity; zero disables it
     */
    public MediaEngine(InetAddress bindAddress, int portStart, int portEnd, Duration inactivityTimeout) throws IOException {
        this.bindAddress = bindAddress;
        this.ports = new PortAllocator(portStart, portEnd);
        this.inactivityTimeout = inactivityTimeout;
        this.selector = Selector.open();
        this.ioThread = new Thread(this::ioLoop, "sylk-media-io");
        this.ioThread.setDaemon(true);
        // the engine outlives the application that happened to start it: do not pin its class loader
        this.ioThread.setContextClassLoader(MediaEngine.class.getClassLoader());
        this.ioThread.start();
        this.timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "sylk-media-timer");
            thread.setDaemon(true);
            thread.setContextClassLoader(MediaEngine.class.getClassLoader());
            return thread;
        });
        if (!inactivityTimeout.isZero()) {
            timer.scheduleWithFixedDelay(this::checkInactivity, 1, 1, TimeUnit.SECONDS);
        }
        LOG.info("media engine on " + bindAddress.getHostAddress() + ", RTP ports " + portStart + "-" + (portEnd - 1)
                + " (" + ports.capacity() + " streams), RTP timeout " + inactivityTimeout.toSeconds() + " s");
    }

    /** The address endpoints are bound to (what goes into SDP unless an advertised address is configured). */
    public InetAddress bindAddress() {
        return bindAddress;
    }

    /**
     * Opens an endpoint that sends every RTP packet back to where it came from (the echo test).
     *
     * @param onInactivity called once, on the timer thread, when no RTP arrived for the inactivity timeout
     * @throws IOException when no RTP port is free or the sockets cannot be opened
     */
    public RtpEchoEndpoint openEchoEndpoint(Consumer<RtpEchoEndpoint> onInactivity) throws IOException {
        for (int attempt = 0; attempt < ports.capacity(); attempt++) {
            int port = ports.allocate();
            if (port < 0) {
                break;
            }
            DatagramChannel rtp = null;
            DatagramChannel rtcp = null;
            try {
                rtp = bind(port);
                rtcp = bind(port + 1);
            } catch (BindException inUse) {
                // taken by another program: leave it marked used and try the next pair
                closeQuietly(rtp);
                continue;
            } catch (IOException e) {
                closeQuietly(rtp);
                ports.release(port);
                throw e;
            }
            RtpEchoEndpoint endpoint = new RtpEchoEndpoint(this, port, rtp, rtcp, onInactivity);
            endpoints.add(endpoint);
            onIoThread(() -> {
                try {
                    endpoint.rtpChannel().register(selector, SelectionKey.OP_READ, endpoint);
                    endpoint.rtcpChannel().register(selector, SelectionKey.OP_READ, endpoint);
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "cannot watch RTP port " + port, e);
                }
            });
            return endpoint;
        }
        throw new IOException("no free RTP port in the configured range (" + ports.capacity() + " streams in use)");
    }

    /** Number of endpoints open now. */
    public int openEndpoints() {
        return endpoints.size();
    }

    private DatagramChannel bind(int port) throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        try {
            channel.configureBlocking(false);
            channel.bind(new InetSocketAddress(bindAddress, port));
            return channel;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    void release(RtpEchoEndpoint endpoint) {
        if (endpoints.remove(endpoint)) {
            onIoThread(() -> {
                closeQuietly(endpoint.rtpChannel());
                closeQuietly(endpoint.rtcpChannel());
                ports.release(endpoint.port());
            });
        }
    }

    private void onIoThread(Runnable task) {
        ioTasks.add(task);
        selector.wakeup();
    }

    private void ioLoop() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(2048);
        while (running) {
            try {
                selector.select();
                for (Runnable task; (task = ioTasks.poll()) != null; ) {
                    task.run();
                }
                for (var iterator = selector.selectedKeys().iterator(); iterator.hasNext(); ) {
                    SelectionKey key = iterator.next();
                    iterator.remove();
                    if (key.isValid() && key.isReadable()) {
                        RtpEchoEndpoint endpoint = (RtpEchoEndpoint) key.attachment();
                        endpoint.readable((DatagramChannel) key.channel(), buffer);
                    }
                }
            } catch (ClosedSelectorException e) {
                return;
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "media I/O error", e);
            }
        }
    }

    private void checkInactivity() {
        long limit = System.nanoTime() - inactivityTimeout.toNanos();
        for (RtpEchoEndpoint endpoint : endpoints) {
            endpoint.checkInactivity(limit);
        }
    }

    private static void closeQuietly(DatagramChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing: nothing left to do
            }
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        for (RtpEchoEndpoint endpoint : endpoints) {
            endpoint.close();
        }
        timer.shutdownNow();
        selector.close();
    }
}
