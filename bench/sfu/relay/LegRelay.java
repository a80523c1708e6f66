import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A baseline of bench/sfu.sh (issue 13) for the question "does io_uring pay on this machine": relay.c's protocol (a
 * subscriber registers with 'S' and the publisher's port, answered 'A'; every other datagram from a publisher goes to
 * its subscribers) on Netty's epoll or io_uring transport, one event loop thread, in one of two modes:
 * <ul>
 * <li>{@code shared}: everything through the one socket on the relay's port, as {@link NettyRelay} (with epoll this is
 * NettyRelay: recvmmsg, one sendmmsg per read batch);</li>
 * <li>{@code legs}: every subscriber gets a socket of its own, opened on its 'S', and its copies leave from that
 * socket, as the SFU's per-leg mode sends each feed's packets from the feed's socket. The copies of a read batch are
 * written to their legs' channels and every leg written to is flushed once at the end of the batch. With epoll that
 * is one {@code sendto} per copy (a socket's batch is one datagram), with io_uring one {@code sendmsg} submission
 * entry per copy, all of a loop turn's entries submitted in one {@code io_uring_enter}.</li>
 * </ul>
 * Publishers always send to the relay's port. No crypto, no RTCP; each copy is a duplicate of the received slice.
 *
 * <p>Usage: {@code java -cp <netty jars>:. LegRelay PORT epoll|io_uring shared|legs}
 */
public final class LegRelay {

    private static final int BATCH = 64;
    private static final int DATAGRAM = 2048;

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        boolean uring = args[1].equals("io_uring");
        boolean legs = args[2].equals("legs");
        if (uring) {
            IoUring.ensureAvailability();
        }
        IoHandlerFactory io = uring ? IoUringIoHandler.newFactory() : EpollIoHandler.newFactory();
        Class<? extends DatagramChannel> type = uring ? IoUringDatagramChannel.class : EpollDatagramChannel.class;
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, io);
        EventLoop loop = group.next();
        Bootstrap legBootstrap = new Bootstrap().group(loop).channel(type)
                .option(ChannelOption.SO_SNDBUF, 1 << 20)
                .handler(new NoReads());
        Bootstrap main = new Bootstrap().group(loop).channel(type)
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(BATCH * DATAGRAM))
                .handler(new Relay(legs ? legBootstrap : null));
        main = uring ? main.option(IoUringChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, DATAGRAM)
                : main.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, DATAGRAM);
        Channel channel = main.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).sync().channel();
        System.out.println("relay listening on " + port + ", netty " + args[1] + ", "
                + (legs ? "a socket per subscriber, every leg written to flushed once per read batch"
                        : "one socket, one flush per read batch"));
        channel.closeFuture().sync();
    }

    /** A leg's socket only sends; what reaches it is dropped. */
    @ChannelHandler.Sharable
    private static final class NoReads extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            io.netty.util.ReferenceCountUtil.release(msg);
        }
    }

    /** Runs on the one event loop only. */
    private static final class Relay extends SimpleChannelInboundHandler<DatagramPacket> {
        private final Bootstrap legs;
        private final Map<Integer, List<Target>> subscribers = new HashMap<>();
        private final Set<InetSocketAddress> opening = new java.util.HashSet<>();
        private final Set<Channel> written = new LinkedHashSet<>();
        private final ByteBuf ack = Unpooled.unreleasableBuffer(Unpooled.directBuffer(1).writeByte('A'));
        private boolean pending;

        Relay(Bootstrap legs) {
            this.legs = legs;
        }

        private record Target(Channel channel, InetSocketAddress address) { }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ByteBuf content = packet.content();
            InetSocketAddress from = packet.sender();
            if (content.readableBytes() >= 3 && content.getByte(content.readerIndex()) == 'S') {
                int publisher = content.getUnsignedShort(content.readerIndex() + 1);
                List<Target> list = subscribers.computeIfAbsent(publisher, p -> new ArrayList<>());
                if (list.stream().anyMatch(t -> t.address.equals(from))) {
                    ctx.writeAndFlush(new DatagramPacket(ack.duplicate(), from));
                } else if (legs == null) {
                    list.add(new Target(ctx.channel(), from));
                    ctx.writeAndFlush(new DatagramPacket(ack.duplicate(), from));
                } else if (opening.add(from)) {
                    legs.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).addListener(f -> {
                        opening.remove(from);
                        if (f.isSuccess()) {
                            list.add(new Target(((io.netty.channel.ChannelFuture) f).channel(), from));
                            ctx.writeAndFlush(new DatagramPacket(ack.duplicate(), from));
                        } else {
                            System.out.println("cannot open a leg: " + f.cause());
                        }
                    });
                }
                return;
            }
            List<Target> targets = subscribers.get(from.getPort());
            if (targets == null) {
                return;
            }
            for (int i = 0; i < targets.size(); i++) {
                Target target = targets.get(i);
                target.channel.write(new DatagramPacket(content.retainedDuplicate(), target.address),
                        target.channel.voidPromise());
                written.add(target.channel);
            }
            pending = true;
        }

        /** The end of a read batch: every channel written to is flushed once. */
        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (pending) {
                pending = false;
                for (Channel channel : written) {
                    channel.flush();
                }
                written.clear();
            }
        }
    }
}
