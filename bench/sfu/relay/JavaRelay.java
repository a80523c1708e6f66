import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Java ceiling for bench/sfu.sh (issue 13): relay.c's protocol (a subscriber registers with 'S' and the
 * publisher's port, answered 'A'; every other datagram from a publisher goes to its subscribers) on the I/O
 * structure of the media engine: one non-blocking {@link DatagramChannel} read by a {@link Selector} thread into a
 * direct buffer, datagrams drained until none is left. No crypto, no RTCP, no per-packet objects beyond the JDK's
 * source address. Mode {@code direct} sends the received direct buffer to each subscriber; {@code heap} copies the
 * packet into a reused array first and sends it wrapped, as the SFU does (the JDK then copies it into a native
 * buffer per send).
 *
 * <p>Usage: {@code java JavaRelay.java PORT direct|heap}
 */
public final class JavaRelay {

    public static void main(String[] args) throws Exception {
        boolean heap = args[1].equals("heap");
        DatagramChannel channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        channel.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])));
        channel.configureBlocking(false);
        Selector selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
        System.out.println("relay listening on " + args[0] + ", mode " + args[1]);
        Map<Integer, List<InetSocketAddress>> subscribers = new HashMap<>();
        ByteBuffer buffer = ByteBuffer.allocateDirect(2048);
        byte[] copy = new byte[2048];
        ByteBuffer wrapped = ByteBuffer.wrap(copy);
        ByteBuffer ack = ByteBuffer.wrap(new byte[] {'A'});
        while (true) {
            selector.select();
            selector.selectedKeys().clear();
            while (true) {
                buffer.clear();
                InetSocketAddress from = (InetSocketAddress) channel.receive(buffer);
                if (from == null) {
                    break;
                }
                buffer.flip();
                int length = buffer.remaining();
                if (length >= 3 && buffer.get(0) == 'S') {
                    int port = ((buffer.get(1) & 0xff) << 8) | (buffer.get(2) & 0xff);
                    List<InetSocketAddress> list = subscribers.computeIfAbsent(port, p -> new ArrayList<>());
                    if (!list.contains(from)) {
                        list.add(from);
                    }
                    channel.send(ack.clear(), from);
                    continue;
                }
                List<InetSocketAddress> targets = subscribers.get(from.getPort());
                if (targets == null) {
                    continue;
                }
                if (heap) {
                    buffer.get(copy, 0, length);
                }
                for (int i = 0; i < targets.size(); i++) {
                    if (heap) {
                        channel.send(wrapped.clear().limit(length), targets.get(i));
                    } else {
                        channel.send(buffer.clear().limit(length), targets.get(i));
                    }
                }
            }
        }
    }
}
