package org.sylkserver.media;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import org.sylkserver.media.ice.IceLite;

/**
 * Every ICE-lite leg of the media engine on one UDP port ({@code [RTP] webrtc_port}), as Jitsi Videobridge's
 * single-port harvester and LiveKit's UDP mux do: one socket, so that the system calls can be batched (on Linux,
 * Netty's epoll transport reads with {@code recvmmsg} and sends everything a read batch produced with
 * {@code sendmmsg}; elsewhere Netty's NIO transport, one datagram per call). Datagrams are handed to a leg by their
 * source address, which a leg learns only from a STUN binding request whose USERNAME starts with the leg's ufrag
 * (RFC 8445 §7.3: {@code <our ufrag>:<their ufrag>}) and which the leg's own ICE agent found valid (MESSAGE-INTEGRITY
 * keyed with the leg's password, RFC 5389 §10.1.2): the leg calls {@link Leg#learn} then. Binding requests go to the
 * leg their USERNAME names whatever their source, so a valid check for another leg moves an address. A datagram from an address
 * no leg learned is dropped after a look at its first bytes (a stranger cannot make us parse more than a STUN header
 * and its USERNAME, nor hold any state). A leg keeps at most {@value #ADDRESSES_PER_LEG} addresses (a browser checks
 * from each of its candidates; the least recently checked goes first, and consent checks, RFC 7675, keep the
 * selected one fresh); the table holds at most {@code maxAddresses} in all.
 *
 * <p>Threading: everything a leg receives is handled on the mux's one event loop thread ({@code sylk-media-mux}),
 * which is the I/O thread of its legs: their pipelines, and the tasks given to {@link #execute}. {@link Leg#send} may
 * be called from any thread; on the event loop a datagram waits for the end of the read batch or task (one
 * {@code sendmmsg}), from elsewhere it is flushed at once. The address table is the event loop's alone; the ufrag
 * table is concurrent (legs open and close on signalling threads).
 */
final class UdpMux implements AutoCloseable {

    static final int ADDRESSES_PER_LEG = IceLite.MAX_CHECKED;
    private static final Logger LOG = Logger.getLogger("sylk.media");
    /** recvmmsg: datagrams per read call, each into a slot of this size (larger ones are truncated: no WebRTC
     * packet comes near it, RTP over UDP keeps under the path MTU). */
    private static final int BATCH = 64;
    private static final int SLOT = 2048;
    /** Bytes queued for the kernel beyond which a send is dropped, as a full socket buffer would. */
    private static final int QUEUE_HIGH = 8 << 20;
    /** Seconds between reports of dropped datagrams. */
    private static final int REPORT_SECONDS = 10;
    private static final int STRANGERS_LOGGED = 100;
    private static final int STUN_HEADER = 20;
    private static final int STUN_MAGIC_COOKIE = 0x2112A442;
    private static final int BINDING_REQUEST = 0x0001;
    private static final int USERNAME = 0x0006;
    /** RFC 8839 §5.4: ice-ufrag is at most 256 characters. */
    private static final int MAX_UFRAG = 256;

    private final MultiThreadIoEventLoopGroup group;
    private final Channel channel;
    private final boolean batched;
    private final int maxAddresses;
    private final Map<String, Leg> byUfrag = new ConcurrentHashMap<>();
    /** The event loop's only. */
    private final Map<InetSocketAddress, Leg> byAddress = new HashMap<>();
    private final AtomicLong strangers = new AtomicLong();
    private final AtomicLong unsent = new AtomicLong();
    /** Whether the event loop wrote since its last flush (the event loop's only). */
    private boolean pending;
    /** The counters at the last report (the event loop's only). */
    private long reportedStrangers;
    private long reportedUnsent;

    /**
     * Binds the port.
     *
     * @param maxAddresses addresses the table may hold in all (a stranger's valid checks cannot pass it)
     * @param nativeIo     whether to use the epoll transport when it is available (false: NIO)
     * @throws IOException the port cannot be bound
     */
    UdpMux(InetAddress address, int port, int maxAddresses, boolean nativeIo) throws IOException {
        this.maxAddresses = maxAddresses;
        this.batched = nativeIo && Epoll.isAvailable();
        IoHandlerFactory io = batched ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(1, (ThreadFactory) task -> {
            Thread thread = new Thread(task, "sylk-media-mux");
            thread.setDaemon(true);
            thread.setContextClassLoader(UdpMux.class.getClassLoader());
            return thread;
        }, io);
        Bootstrap bootstrap = new Bootstrap().group(group)
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(QUEUE_HIGH / 2, QUEUE_HIGH))
                .handler(new Handler());
        if (batched) {
            bootstrap.channel(EpollDatagramChannel.class)
                    .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, SLOT)
                    .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(BATCH * SLOT));
        } else {
            bootstrap.channel(NioDatagramChannel.class)
                    .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(SLOT));
        }
        try {
            this.channel = bootstrap.bind(new InetSocketAddress(address, port)).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IOException("interrupted while binding UDP port " + port, e);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        } catch (Exception e) {
            // Netty rethrows the bind's IOException (a BindException) undeclared
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e instanceof IOException io1 ? io1 : new IOException(e);
        }
        channel.eventLoop().scheduleAtFixedRate(this::report, REPORT_SECONDS, REPORT_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Logs what was dropped since the last report (every {@value #REPORT_SECONDS} s, on the event loop), if anything: unsent datagrams at WARNING (we could not keep up),
     * those from unknown addresses at INFO from {@value #STRANGERS_LOGGED} in a report on (a scan, or a peer whose
     * checks we did not learn), else at FINE.
     */
    void report() {
        long nowUnsent = unsent.get();
        long nowStrangers = strangers.get();
        if (nowUnsent > reportedUnsent) {
            LOG.warning("WebRTC port: " + (nowUnsent - reportedUnsent) + " datagrams not sent in the last "
                    + REPORT_SECONDS + " s (send queue full)");
        }
        if (nowStrangers > reportedStrangers) {
            long count = nowStrangers - reportedStrangers;
            LOG.log(count >= STRANGERS_LOGGED ? Level.INFO : Level.FINE, () -> "WebRTC port: " + count
                    + " datagrams from unknown addresses dropped in the last " + REPORT_SECONDS + " s");
        }
        reportedUnsent = nowUnsent;
        reportedStrangers = nowStrangers;
    }

    /** The bound port. */
    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Whether reads and sends are batched (epoll, recvmmsg and sendmmsg). */
    boolean batched() {
        return batched;
    }

    /** Datagrams dropped because no leg had learned their source and they were no check for a leg. */
    long strangers() {
        return strangers.get();
    }

    /** Datagrams dropped because the kernel's buffer (and our queue in front of it) was full. */
    long unsent() {
        return unsent.get();
    }

    /** Addresses learned now (for tests; on the event loop). */
    int addresses() {
        return onLoop(byAddress::size);
    }

    /**
     * A leg for ICE credentials with this ufrag.
     *
     * @throws IOException another open leg has the same ufrag (a random one collided: open the leg afresh)
     */
    Leg open(String ufrag, MediaSocket.Receiver receiver) throws IOException {
        Leg leg = new Leg(ufrag, receiver);
        if (byUfrag.putIfAbsent(ufrag, leg) != null) {
            throw new IOException("ICE ufrag " + ufrag + " is in use on the WebRTC port");
        }
        return leg;
    }

    /** Runs {@code task} on the event loop, then sends what it wrote; dropped once the port is closed. */
    void execute(Runnable task) {
        try {
            channel.eventLoop().execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "WebRTC port: task " + task + " failed", e);
                } finally {
                    flushPending();
                }
            });
        } catch (RejectedExecutionException closed) {
            // the engine is closing: nothing is sent any more
        }
    }

    private <T> T onLoop(java.util.concurrent.Callable<T> query) {
        try {
            return channel.eventLoop().submit(query).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the WebRTC port's event loop did not answer", e);
        }
    }

    private void flushPending() {
        if (pending) {
            pending = false;
            channel.flush();
        }
    }

    /** Sends a copy of {@code datagram} (the caller may reuse it at once); dropped when the queue is full. */
    private void send(ByteBuffer datagram, SocketAddress target) {
        if (!channel.isWritable()) {
            unsent.incrementAndGet();
            return;
        }
        ByteBuf copy = channel.alloc().directBuffer(datagram.remaining());
        copy.writeBytes(datagram.duplicate());
        DatagramPacket packet = new DatagramPacket(copy, (InetSocketAddress) target);
        if (channel.eventLoop().inEventLoop()) {
            channel.write(packet, channel.voidPromise());
            pending = true;
        } else {
            channel.writeAndFlush(packet, channel.voidPromise());
        }
    }

    /**
     * The ufrag a STUN binding request names as the receiver's (RFC 8445 §7.3: USERNAME is
     * {@code <receiver's ufrag>:<sender's ufrag>}), or null for anything else. Reads the header and walks the
     * attributes up to USERNAME only (RFC 5389 §6, §15: type, length, value padded to 4 bytes).
     */
    static String receiverUfrag(ByteBuf datagram) {
        int start = datagram.readerIndex();
        int length = datagram.readableBytes();
        if (length < STUN_HEADER || datagram.getUnsignedShort(start) != BINDING_REQUEST
                || datagram.getInt(start + 4) != STUN_MAGIC_COOKIE) {
            return null;
        }
        int end = start + Math.min(length, STUN_HEADER + datagram.getUnsignedShort(start + 2));
        for (int at = start + STUN_HEADER; at + 4 <= end; ) {
            int type = datagram.getUnsignedShort(at);
            int size = datagram.getUnsignedShort(at + 2);
            if (at + 4 + size > end) {
                return null;
            }
            if (type == USERNAME) {
                for (int i = 0; i < size && i <= MAX_UFRAG; i++) {
                    if (datagram.getByte(at + 4 + i) == ':') {
                        return i == 0 ? null : datagram.toString(at + 4, i, StandardCharsets.UTF_8);
                    }
                }
                return null;
            }
            at += 4 + ((size + 3) & ~3);
        }
        return null;
    }

    private void receive(DatagramPacket packet) {
        ByteBuf content = packet.content();
        InetSocketAddress source = packet.sender();
        // a check goes to the leg its USERNAME names, also from an address another leg learned (a NAT may give a
        // port to another peer): that leg's agent decides, and a valid check moves the address (see learn)
        String ufrag = receiverUfrag(content);
        Leg leg = ufrag != null ? byUfrag.get(ufrag) : byAddress.get(source);
        if (leg == null) {
            strangers.incrementAndGet();
            return;
        }
        leg.receiver.received(content.nioBuffer(), source);
    }

    private void learn(Leg leg, InetSocketAddress source) {
        if (leg.closed) {
            return;
        }
        Leg previous = byAddress.get(source);
        if (previous != null && previous != leg) {
            // the latest valid check wins (a port that a NAT gave to another peer since)
            previous.addresses.remove(source);
        }
        leg.addresses.remove(source);
        if (leg.addresses.size() >= ADDRESSES_PER_LEG) {
            Iterator<InetSocketAddress> oldest = leg.addresses.iterator();
            byAddress.remove(oldest.next());
            oldest.remove();
        }
        if (previous == null && byAddress.size() >= maxAddresses) {
            LOG.fine(() -> "WebRTC port: address table full (" + maxAddresses + "), " + source + " not learned");
            return;
        }
        leg.addresses.add(source);
        byAddress.put(source, leg);
    }

    private void forget(Leg leg) {
        for (InetSocketAddress address : leg.addresses) {
            byAddress.remove(address, leg);
        }
        leg.addresses.clear();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "WebRTC port " + channel.localAddress() + (batched ? " (epoll, recvmmsg/sendmmsg)" : " (NIO)");
    }

    /** One ICE-lite leg on the mux: what its ufrag and learned addresses bring goes to its receiver. */
    final class Leg {
        private final String ufrag;
        private final MediaSocket.Receiver receiver;
        /** Learned addresses, least recently checked first (the event loop's only). */
        private final LinkedHashSet<InetSocketAddress> addresses = new LinkedHashSet<>();
        private volatile boolean closed;

        private Leg(String ufrag, MediaSocket.Receiver receiver) {
            this.ufrag = ufrag;
            this.receiver = receiver;
        }

        /**
         * A binding request from {@code source} passed the leg's check (USERNAME and MESSAGE-INTEGRITY): its
         * datagrams are the leg's from now on. On the event loop (the leg's ICE stage runs there).
         */
        void learn(InetSocketAddress source) {
            UdpMux.this.learn(this, source);
        }

        void send(ByteBuffer datagram, SocketAddress target) {
            if (!closed) {
                UdpMux.this.send(datagram, target);
            }
        }

        int port() {
            return UdpMux.this.port();
        }

        /** Frees the ufrag and the learned addresses; idempotent, from any thread. */
        void close() {
            if (!closed) {
                closed = true;
                byUfrag.remove(ufrag, this);
                UdpMux.this.execute(() -> forget(this));
            }
        }
    }

    /** The channel's only handler: reads go to the legs, and a read batch's writes leave together. */
    private final class Handler extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            try {
                receive(packet);
            } catch (RuntimeException e) {
                // one leg's fault must not stop the others' media: the datagram is dropped
                LOG.log(Level.WARNING, "WebRTC port: a datagram from " + packet.sender() + " failed", e);
            } catch (Error e) {
                LOG.log(Level.SEVERE, "WebRTC port: failure on a datagram from " + packet.sender() + ", dropped", e);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            flushPending();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.fine(() -> "WebRTC port: " + cause);
        }
    }
}
