import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The batched Java ceiling for bench/sfu.sh (issue 13): relay.c's protocol (a subscriber registers with 'S' and the
 * publisher's port, answered 'A'; every other datagram from a publisher goes to its subscribers) on Netty's epoll
 * transport: one {@link EpollDatagramChannel} on one event loop thread, read with {@code recvmmsg} (up to
 * {@value #BATCH} datagrams of at most {@value #DATAGRAM} bytes into one pooled direct buffer,
 * {@link EpollChannelOption#MAX_DATAGRAM_PAYLOAD_SIZE}), every subscriber's copy of a read batch written as a
 * duplicate of the received slice (no copy of the payload), and one flush when the read batch is done, which Netty
 * sends with {@code sendmmsg}. So: relay.c's {@code batch} mode from Java. No crypto, no RTCP.
 *
 * <p>Usage: {@code java -cp <netty jars>:. NettyRelay PORT}
 */
public final class NettyRelay {

    private static final int BATCH = 64;
    private static final int DATAGRAM = 2048;

    public static void main(String[] args) throws Exception {
        Epoll.ensureAvailability();
        int port = Integer.parseInt(args[0]);
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        Channel channel = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, DATAGRAM)
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(BATCH * DATAGRAM))
                .handler(new Relay())
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).sync().channel();
        System.out.println("relay listening on " + port + ", netty epoll, recvmmsg " + BATCH + " + sendmmsg");
        channel.closeFuture().sync();
    }

    /** Runs on the channel's event loop only. */
    private static final class Relay extends SimpleChannelInboundHandler<DatagramPacket> {
        private final Map<Integer, List<InetSocketAddress>> subscribers = new HashMap<>();
        private final ByteBuf ack = Unpooled.unreleasableBuffer(Unpooled.directBuffer(1).writeByte('A'));
        private boolean pending;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ByteBuf content = packet.content();
            InetSocketAddress from = packet.sender();
            if (content.readableBytes() >= 3 && content.getByte(content.readerIndex()) == 'S') {
                int publisher = content.getUnsignedShort(content.readerIndex() + 1);
                List<InetSocketAddress> list = subscribers.computeIfAbsent(publisher, p -> new ArrayList<>());
                if (!list.contains(from)) {
                    list.add(from);
                }
                ctx.write(new DatagramPacket(ack.duplicate(), from));
                pending = true;
                return;
            }
            List<InetSocketAddress> targets = subscribers.get(from.getPort());
            if (targets == null) {
                return;
            }
            for (int i = 0; i < targets.size(); i++) {
                ctx.write(new DatagramPacket(content.retainedDuplicate(), targets.get(i)), ctx.voidPromise());
            }
            pending = true;
        }

        /** The end of a read batch: everything written for it leaves in sendmmsg calls. */
        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (pending) {
                pending = false;
                ctx.flush();
            }
        }
    }
}
