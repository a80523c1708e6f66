package org.sylkserver.media;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
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
import io.netty.util.concurrent.EventExecutor;
import org.sylkserver.media.HandoverInbox.Handover;
import org.sylkserver.media.ice.IceLite;

/**
 * Every ICE-lite leg of the media engine on one UDP port ({@code [RTP] webrtc_port}), as Jitsi Videobridge's
 * single-port harvester and LiveKit's UDP mux do: one port, so that the system calls can be batched (on Linux,
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
 * <p>Threads: one thread carrying every leg's receive, SRTP, pipelines and sends gets one core's share at most
 * (docs/benchmarks.md, issue 13, session 19). So with epoll the port is bound by {@code threads} sockets
 * ({@code [RTP] webrtc_threads}), each on an event loop of its own ({@code sylk-media-mux-N}), with
 * {@code SO_REUSEPORT}: the kernel gives each source address to one of them by a hash of the addresses. A leg
 * belongs to one {@link Loop}, chosen when it is opened (a video room's publisher takes the loop with the fewest
 * legs, its feeds take the publisher's: {@link MediaEngine#openIceSocket}); everything it receives is handled there,
 * also what another loop's socket read: that loop hands the datagram (the read buffer itself, not a copy) to the
 * owner at the end of its read batch, into the owner's inbox ({@link HandoverInbox}), which the owner drains in turns
 * of about a read batch between reads of its own socket (at most {@value #HANDOVERS_WAITING} datagrams wait; more are
 * dropped and counted). So a leg's pipelines stay single-threaded, as with one loop. With NIO there is one loop (no
 * {@code SO_REUSEPORT} in its options).
 *
 * <p>{@link Leg#send} may be called from any thread; on the leg's loop a datagram waits for the end of the read
 * batch or task (one {@code sendmmsg}), from elsewhere it is flushed at once. Every socket sends from the same port.
 * The address table is read by every loop and changed under the mux's lock (on valid checks, not per packet); the
 * ufrag table is concurrent (legs open and close on signalling threads).
 */
final class UdpMux implements AutoCloseable {

    static final int ADDRESSES_PER_LEG = IceLite.MAX_CHECKED;
    private static final Logger LOG = Logger.getLogger("sylk.media");
    /** recvmmsg: datagrams per read call, each into a slot of this size (larger ones are truncated: no WebRTC
     * packet comes near it, RTP over UDP keeps under the path MTU). */
    static final int BATCH = 64;
    private static final int SLOT = 2048;
    /** Bytes queued for the kernel per socket beyond which a send is dropped, as a full socket buffer would. */
    private static final int QUEUE_HIGH = 8 << 20;
    /**
     * Datagrams other loops read for a loop's legs that may wait for it, beyond which they are dropped, as a full
     * socket buffer would (about what the kernel's buffer of a socket holds: {@code SO_RCVBUF} 4 MiB, doubled, at
     * ~2,300 bytes a 1,200-byte datagram on loopback).
     */
    static final int HANDOVERS_WAITING = 4096;
    /** Seconds between reports of dropped datagrams. */
    private static final int REPORT_SECONDS = 10;
    private static final int STRANGERS_LOGGED = 100;

    private final MultiThreadIoEventLoopGroup group;
    private final List<Loop> loops;
    private final boolean batched;
    private final int maxAddresses;
    private final Map<String, Leg> byUfrag = new ConcurrentHashMap<>();
    /** Read on every loop; changed under the mux's lock, with the legs' {@code addresses}. */
    private final Map<InetSocketAddress, Leg> byAddress = new ConcurrentHashMap<>();
    private final AtomicLong strangers = new AtomicLong();
    private final AtomicLong unsent = new AtomicLong();
    private final AtomicLong handedOver = new AtomicLong();
    private final AtomicLong handoversDropped = new AtomicLong();
    /** The counters at the last report (the first loop's only). */
    private long reportedStrangers;
    private long reportedUnsent;
    private long reportedHandoversDropped;

    /**
     * Binds the port.
     *
     * @param threads      sockets and event loops on the port with epoll (at least 1; NIO has 1)
     * @param maxAddresses addresses the table may hold in all (a stranger's valid checks cannot pass it)
     * @param nativeIo     whether to use the epoll transport when it is available (false: NIO)
     * @throws IOException the port cannot be bound
     */
    UdpMux(InetAddress address, int port, int threads, int maxAddresses, boolean nativeIo) throws IOException {
        if (threads < 1) {
            throw new IllegalArgumentException("the WebRTC port needs at least one thread, not " + threads);
        }
        this.maxAddresses = maxAddresses;
        this.batched = nativeIo && Epoll.isAvailable();
        IoHandlerFactory io = batched ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(batched ? threads : 1, MediaThreads.numbered("sylk-media-mux-"),
                io);
        Bootstrap bootstrap = new Bootstrap()
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(QUEUE_HIGH / 2, QUEUE_HIGH));
        if (batched) {
            bootstrap.channel(EpollDatagramChannel.class)
                    .option(EpollChannelOption.SO_REUSEPORT, true)
                    .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, SLOT)
                    .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(BATCH * SLOT));
        } else {
            bootstrap.channel(NioDatagramChannel.class)
                    .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(SLOT));
        }
        List<Loop> bound = new ArrayList<>();
        int count = batched ? threads : 1;
        try {
            int boundPort = port;
            for (EventExecutor executor : group) {
                Loop loop = new Loop(bound.size(), (EventLoop) executor, count);
                // port 0: the first socket's ephemeral port is the others'
                loop.channel = bootstrap.clone((EventLoop) executor).handler(loop.new Handler())
                        .bind(new InetSocketAddress(address, boundPort)).sync().channel();
                boundPort = ((InetSocketAddress) loop.channel.localAddress()).getPort();
                bound.add(loop);
            }
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
        this.loops = List.copyOf(bound);
        loops.get(0).eventLoop.scheduleAtFixedRate(this::report, REPORT_SECONDS, REPORT_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Logs what was dropped since the last report (every {@value #REPORT_SECONDS} s, on the first loop), if anything:
     * unsent datagrams at WARNING (we could not keep up), those from unknown addresses at INFO from
     * {@value #STRANGERS_LOGGED} in a report on (a scan, or a peer whose checks we did not learn), else at FINE.
     */
    void report() {
        long nowUnsent = unsent.get();
        long nowStrangers = strangers.get();
        long nowHandoversDropped = handoversDropped.get();
        if (nowUnsent > reportedUnsent) {
            LOG.warning("WebRTC port: " + (nowUnsent - reportedUnsent) + " datagrams not sent in the last "
                    + REPORT_SECONDS + " s (send queue full)");
        }
        if (nowHandoversDropped > reportedHandoversDropped) {
            LOG.warning("WebRTC port: " + (nowHandoversDropped - reportedHandoversDropped) + " datagrams received "
                    + "but dropped in the last " + REPORT_SECONDS + " s (their thread was " + HANDOVERS_WAITING
                    + " behind)");
        }
        if (nowStrangers > reportedStrangers) {
            long count = nowStrangers - reportedStrangers;
            LOG.log(count >= STRANGERS_LOGGED ? Level.INFO : Level.FINE, () -> "WebRTC port: " + count
                    + " datagrams from unknown addresses dropped in the last " + REPORT_SECONDS + " s");
        }
        reportedUnsent = nowUnsent;
        reportedStrangers = nowStrangers;
        reportedHandoversDropped = nowHandoversDropped;
    }

    /** The bound port. */
    int port() {
        return ((InetSocketAddress) loops.get(0).channel.localAddress()).getPort();
    }

    /** Whether reads and sends are batched (epoll, recvmmsg and sendmmsg). */
    boolean batched() {
        return batched;
    }

    /** The port's sockets, each with its event loop. */
    List<Loop> loops() {
        return loops;
    }

    /** Datagrams dropped because no leg had learned their source and they were no check for a leg. */
    long strangers() {
        return strangers.get();
    }

    /** Datagrams dropped because the kernel's buffer (and our queue in front of it) was full. */
    long unsent() {
        return unsent.get();
    }

    /** Datagrams one loop's socket read for a leg of another loop, and handed over to it. */
    long handedOver() {
        return handedOver.get();
    }

    /** Datagrams read for a leg of another loop and dropped because {@value #HANDOVERS_WAITING} were waiting there. */
    long handoversDropped() {
        return handoversDropped.get();
    }

    /** Addresses learned now. */
    int addresses() {
        return byAddress.size();
    }

    /**
     * The loop with the fewest open legs (the first of them): where a group of legs without a socket of its own goes
     * (a phone's voice in a room, {@link MediaEngine#iceThread}).
     */
    Loop leastBusy() {
        return LegLoop.leastBusy(loops);
    }

    /** {@code thread} as one of this port's loops. */
    Loop loop(IceThread thread) {
        return LegLoop.of(loops, thread, this);
    }

    /**
     * A leg for ICE credentials with this ufrag, whose datagrams are handled on {@code owner}, or with a null
     * {@code owner} (a new publisher) on the loop with the fewest legs. The choice and the count are made together
     * (under the mux's lock): publishers that join at once must not all see the same loop as the least busy.
     *
     * @throws IOException another open leg has the same ufrag (a random one collided: open the leg afresh)
     */
    synchronized Leg open(String ufrag, Loop owner, MediaSocket.Receiver receiver) throws IOException {
        Leg leg = new Leg(ufrag, owner != null ? owner : leastBusy(), receiver);
        if (byUfrag.putIfAbsent(ufrag, leg) != null) {
            throw new IOException("ICE ufrag " + ufrag + " is in use on the WebRTC port");
        }
        leg.owner.legs.incrementAndGet();
        return leg;
    }

    private synchronized void learn(Leg leg, InetSocketAddress source) {
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

    private synchronized void forget(Leg leg) {
        for (InetSocketAddress address : leg.addresses) {
            byAddress.remove(address, leg);
        }
        leg.addresses.clear();
    }

    @Override
    public void close() {
        for (Loop loop : loops) {
            loop.channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        // a drain due after the next read does not run once the loops are shut down
        loops.forEach(loop -> loop.inbox.release());
    }

    @Override
    public String toString() {
        return "WebRTC port " + loops.get(0).channel.localAddress() + (batched ? " (epoll, recvmmsg/sendmmsg, "
                + loops.size() + " threads on SO_REUSEPORT sockets)" : " (NIO)");
    }

    /** One socket of the port and its event loop, the thread of the legs it owns. */
    final class Loop extends LegLoop {
        /** Bound before the mux is returned; read only after. */
        private Channel channel;
        /** Whether the loop wrote since its last flush (the loop's only). */
        private boolean pending;
        /** Per loop: what this loop's read batch brought for that loop's legs (the loop's only). */
        private final List<List<Handover>> handovers = new ArrayList<>();
        /** What other loops' read batches brought for this loop's legs. */
        private final HandoverInbox inbox;

        private Loop(int index, EventLoop eventLoop, int loops) {
            super(index, eventLoop);
            for (int i = 0; i < loops; i++) {
                handovers.add(new ArrayList<>());
            }
            inbox = new HandoverInbox(eventLoop, this::handle, this::flushPending, handoversDropped);
        }

        /** Runs {@code task} on the loop, then sends what it wrote; dropped once the port is closed. */
        @Override
        public void execute(Runnable task) {
            FlushingLoops.execute(eventLoop, task, this::flushPending, "WebRTC port");
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
            DatagramPacket packet = LegLoop.outgoing(channel, datagram, target);
            if (eventLoop.inEventLoop()) {
                channel.write(packet, channel.voidPromise());
                pending = true;
            } else {
                channel.writeAndFlush(packet, channel.voidPromise());
            }
        }

        private void receive(DatagramPacket packet) {
            ByteBuf content = packet.content();
            InetSocketAddress source = packet.sender();
            // a check goes to the leg its USERNAME names, also from an address another leg learned (a NAT may give a
            // port to another peer): that leg's agent decides, and a valid check moves the address (see learn)
            String ufrag = StunUsername.receiverUfrag(content);
            Leg leg = ufrag != null ? byUfrag.get(ufrag) : byAddress.get(source);
            if (leg == null) {
                strangers.incrementAndGet();
            } else if (leg.owner == this) {
                leg.receiver.received(content.nioBuffer(), source);
            } else {
                handedOver.incrementAndGet();
                handovers.get(leg.owner.index).add(new Handover(leg, content.retain(), source));
            }
        }

        /** The end of a read batch: other loops get what it brought for their legs, and its sends leave. */
        private void readComplete() {
            for (int i = 0; i < handovers.size(); i++) {
                List<Handover> batch = handovers.get(i);
                if (!batch.isEmpty()) {
                    handovers.set(i, new ArrayList<>());
                    loops.get(i).inbox.add(batch);
                }
            }
            flushPending();
        }

        /** A datagram another loop read for one of this loop's legs, in a turn of the inbox; released after. */
        private void handle(Handover handover) {
            try {
                if (!handover.leg().closed) {
                    handover.leg().receiver.received(handover.datagram().nioBuffer(), handover.source());
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "WebRTC port: a datagram from " + handover.source() + " failed", e);
            } catch (Error e) {
                // as for a datagram of the loop's own socket: dropped, and the drain goes on (an Error escaping it
                // would leave the inbox marked as being drained, and never drained again)
                LOG.log(Level.SEVERE, "WebRTC port: failure on a datagram from " + handover.source() + ", dropped", e);
            } finally {
                handover.datagram().release();
            }
        }

        @Override
        public String toString() {
            return "WebRTC port thread " + (index + 1) + " of " + loops.size();
        }

        /** The socket's only handler: reads go to the legs, and a read batch's writes leave together. */
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
                readComplete();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                LOG.fine(() -> "WebRTC port: " + cause);
            }
        }
    }

    /** One ICE-lite leg on the mux: what its ufrag and learned addresses bring goes to its receiver, on its loop. */
    final class Leg {
        private final String ufrag;
        private final Loop owner;
        private final MediaSocket.Receiver receiver;
        /** Learned addresses, least recently checked first (guarded by the mux's lock). */
        private final LinkedHashSet<InetSocketAddress> addresses = new LinkedHashSet<>();
        private volatile boolean closed;

        private Leg(String ufrag, Loop owner, MediaSocket.Receiver receiver) {
            this.ufrag = ufrag;
            this.owner = owner;
            this.receiver = receiver;
        }

        /**
         * A binding request from {@code source} passed the leg's check (USERNAME and MESSAGE-INTEGRITY): its
         * datagrams are the leg's from now on. On the leg's loop (the leg's ICE stage runs there).
         */
        void learn(InetSocketAddress source) {
            UdpMux.this.learn(this, source);
        }

        void send(ByteBuffer datagram, SocketAddress target) {
            if (!closed) {
                owner.send(datagram, target);
            }
        }

        int port() {
            return UdpMux.this.port();
        }

        /** The loop the leg's datagrams are handled on. */
        Loop owner() {
            return owner;
        }

        /** Frees the ufrag and the learned addresses; idempotent, from any thread. */
        synchronized void close() {
            if (!closed) {
                closed = true;
                byUfrag.remove(ufrag, this);
                forget(this);
                owner.legs.decrementAndGet();
            }
        }
    }
}
