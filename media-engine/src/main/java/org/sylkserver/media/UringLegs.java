package org.sylkserver.media;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.Errors;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.util.concurrent.EventExecutor;

/**
 * The ICE-lite legs' sockets of their own (a port pair of {@code [RTP] port_range} per leg, as with the engine's
 * selector) on Linux's io_uring, through Netty's io_uring transport: every leg's socket is a Netty datagram channel on
 * one of {@code threads} event loops ({@code sylk-media-uring-N}). A send is a submission queue entry, not a system
 * call: the sends of a loop's turn, whatever sockets they leave from, go to the kernel together in one
 * {@code io_uring_enter}, and so do the reads it re-arms. With the selector every forwarded packet was a
 * {@code sendto} of its own, and on a loaded host its return was where the I/O thread was preempted, about once per
 * publisher packet (docs/benchmarks.md, issue 13, session 23); io_uring batches across sockets what {@code sendmmsg}
 * batches only on one (the shared port, {@link UdpMux}), so the legs keep their own ports.
 *
 * <p>Threads: a leg belongs to one {@link Loop}, chosen when it is opened (a video room's publisher takes the loop
 * with the fewest legs, its feeds take the publisher's: {@link MediaEngine#openIceSocket}), and its receiver runs
 * there only, so a publisher's fan-out and its feeds' pipelines stay single-threaded. {@link Leg#send} may be called
 * from any thread; on the leg's loop a datagram waits for the end of the read or task that wrote it (then every
 * socket written to is flushed), from elsewhere it is flushed at once. Only where {@link #available()} says so.
 */
final class UringLegs implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger("sylk.media");
    /**
     * Bytes a read takes at most. Larger datagrams are truncated: WebRTC keeps RTP, RTCP and DTLS records under the
     * path MTU (browsers fragment DTLS handshakes at ~1,200 bytes), as the shared port assumes ({@link UdpMux}).
     */
    static final int MAX_DATAGRAM = 2048;
    /** Bytes queued for the kernel per socket beyond which a send is dropped, as a full socket buffer would. */
    private static final int QUEUE_HIGH = 1 << 20;
    /** Linux's EADDRINUSE, as Netty's native exceptions carry it (negated). */
    private static final int EADDRINUSE_NEGATIVE = -98;
    /** Seconds between reports of dropped sends. */
    private static final int REPORT_SECONDS = 10;

    private final InetAddress address;
    private final int receiveBuffer;
    private final MultiThreadIoEventLoopGroup group;
    private final List<Loop> loops;
    private final AtomicLong unsent = new AtomicLong();
    /** {@link #unsent} at the last report (the first loop's only). */
    private long reportedUnsent;

    /** Whether the kernel and the JVM allow io_uring (Linux 5.14 and up, not disabled, Netty's native library). */
    static boolean available() {
        return IoUring.isAvailable();
    }

    /**
     * Why io_uring cannot be used here (for the log), or null when it can.
     */
    static Throwable unavailability() {
        return IoUring.unavailabilityCause();
    }

    /**
     * Starts the loops.
     *
     * @param address       local address of the legs' sockets
     * @param threads       event loops (at least 1)
     * @param receiveBuffer bytes of receive buffer each socket asks for
     */
    UringLegs(InetAddress address, int threads, int receiveBuffer) {
        if (threads < 1) {
            throw new IllegalArgumentException("the WebRTC legs need at least one thread, not " + threads);
        }
        this.address = address;
        this.receiveBuffer = receiveBuffer;
        this.group = new MultiThreadIoEventLoopGroup(threads, MediaThreads.numbered("sylk-media-uring-"),
                IoUringIoHandler.newFactory());
        List<Loop> started = new ArrayList<>();
        for (EventExecutor executor : group) {
            started.add(new Loop(started.size(), (EventLoop) executor));
        }
        this.loops = List.copyOf(started);
        loops.get(0).eventLoop.scheduleAtFixedRate(this::report, REPORT_SECONDS, REPORT_SECONDS, TimeUnit.SECONDS);
    }

    /** The loop with the fewest open legs (the first of them). */
    Loop leastBusy() {
        return LegLoop.leastBusy(loops);
    }

    /** {@code thread} as one of these loops. */
    Loop loop(IceThread thread) {
        return LegLoop.of(loops, thread, this);
    }

    /**
     * Binds a socket on {@code port} whose datagrams go to {@code receiver} on {@code owner}, or with a null
     * {@code owner} (a new publisher) on the loop with the fewest legs (chosen and counted together: publishers that
     * join at once spread). From any thread, the loops' own included.
     *
     * @param closed called with {@code port} once the socket is closed (the port may then be bound again)
     * @throws BindException the port is in use elsewhere
     * @throws IOException   the socket cannot be opened or bound
     */
    Leg open(int port, Loop owner, MediaSocket.Receiver receiver, IntConsumer closed) throws IOException {
        Loop loop;
        synchronized (this) {
            loop = owner != null ? owner : leastBusy();
            loop.legs.incrementAndGet();
        }
        Leg leg = new Leg(loop, port, receiver);
        IoUringDatagramChannel channel = new IoUringDatagramChannel();
        channel.config().setOption(ChannelOption.SO_RCVBUF, receiveBuffer);
        channel.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(MAX_DATAGRAM));
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(QUEUE_HIGH / 2, QUEUE_HIGH));
        channel.pipeline().addLast(leg.new Handler());
        leg.channel = channel;
        try {
            await(loop.eventLoop.register(channel));
            await(channel.bind(new InetSocketAddress(address, port)));
        } catch (IOException | RuntimeException e) {
            loop.legs.decrementAndGet();
            channel.close();
            throw e;
        }
        channel.closeFuture().addListener(f -> {
            loop.legs.decrementAndGet();
            closed.accept(port);
        });
        return leg;
    }

    /**
     * Waits for a registration or bind. On the loop itself both run at once (Netty runs a channel's operations
     * inline on its own loop), so there is nothing to wait for there.
     */
    private static void await(ChannelFuture future) throws IOException {
        if (!future.channel().eventLoop().inEventLoop()) {
            future.awaitUninterruptibly();
        }
        if (!future.isDone()) {
            throw new IOException("io_uring socket not ready on its own loop: " + future);
        }
        Throwable cause = future.cause();
        if (cause instanceof Errors.NativeIoException e && e.expectedErr() == EADDRINUSE_NEGATIVE) {
            BindException inUse = new BindException(e.getMessage());
            inUse.initCause(e);
            throw inUse;
        }
        if (cause instanceof IOException e) {
            throw e;
        }
        if (cause != null) {
            throw new IOException(cause);
        }
    }

    /** Logs the sends dropped since the last report at WARNING (every {@value #REPORT_SECONDS} s), if any. */
    private void report() {
        long now = unsent.get();
        if (now > reportedUnsent) {
            LOG.warning("WebRTC legs (io_uring): " + (now - reportedUnsent) + " datagrams not sent in the last "
                    + REPORT_SECONDS + " s (send queue full)");
        }
        reportedUnsent = now;
    }

    /** Stops the loops; closing them closes every socket still open. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "WebRTC legs on io_uring (" + loops.size() + (loops.size() == 1 ? " thread)" : " threads)");
    }

    /** One event loop and the legs it owns. */
    final class Loop extends LegLoop {
        /** The legs written to since the last flush (the loop's only). */
        private final List<Leg> written = new ArrayList<>();

        private Loop(int index, EventLoop eventLoop) {
            super(index, eventLoop);
        }

        /** Runs {@code task} on the loop, then sends what it wrote; dropped once the engine is closed. */
        @Override
        public void execute(Runnable task) {
            FlushingLoops.execute(eventLoop, task, this::flush, "WebRTC legs (io_uring)");
        }

        /** Hands every write since the last flush to the kernel's queue (submitted at the end of the loop's turn). */
        private void flush() {
            for (int i = 0; i < written.size(); i++) {
                Leg leg = written.get(i);
                leg.dirty = false;
                leg.channel.flush();
            }
            written.clear();
        }

        @Override
        public String toString() {
            return "WebRTC legs thread " + (index + 1) + " of " + loops.size() + " (io_uring)";
        }
    }

    /** One leg's socket. */
    final class Leg {
        private final Loop owner;
        private final int port;
        private final MediaSocket.Receiver receiver;
        /** Set before the leg is returned. */
        private Channel channel;
        /** Whether the socket was written to since the loop's last flush (the loop's only). */
        private boolean dirty;

        private Leg(Loop owner, int port, MediaSocket.Receiver receiver) {
            this.owner = owner;
            this.port = port;
            this.receiver = receiver;
        }

        int port() {
            return port;
        }

        /** The loop the leg's datagrams are handled on. */
        Loop owner() {
            return owner;
        }

        /** Sends a copy of {@code datagram} (the caller may reuse it at once); dropped when the queue is full. */
        void send(ByteBuffer datagram, SocketAddress target) {
            if (!channel.isActive()) {
                return;
            }
            if (!channel.isWritable()) {
                unsent.incrementAndGet();
                return;
            }
            DatagramPacket packet = LegLoop.outgoing(channel, datagram, target);
            if (owner.inLoop()) {
                channel.write(packet, channel.voidPromise());
                if (!dirty) {
                    dirty = true;
                    owner.written.add(this);
                }
            } else {
                channel.writeAndFlush(packet, channel.voidPromise());
            }
        }

        /** Closes the socket; idempotent, from any thread. */
        void close() {
            channel.close();
        }

        /** The socket's only handler: datagrams to the receiver, and what a read wrote leaves when it is done. */
        private final class Handler extends SimpleChannelInboundHandler<DatagramPacket> {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                try {
                    receiver.received(packet.content().nioBuffer(), packet.sender());
                } catch (RuntimeException e) {
                    // one leg's fault must not stop the others' media: the datagram is dropped
                    LOG.log(Level.WARNING, "WebRTC legs (io_uring): a datagram from " + packet.sender() + " failed", e);
                } catch (Error e) {
                    LOG.log(Level.SEVERE, "WebRTC legs (io_uring): failure on a datagram from " + packet.sender()
                            + ", dropped", e);
                }
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
                owner.flush();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                LOG.fine(() -> "WebRTC legs (io_uring): " + cause);
            }
        }
    }
}
