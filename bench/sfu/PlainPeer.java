import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

import org.sylkserver.media.webrtc.BrowserPeer;

/**
 * A peer of the baseline relays (bench/sfu/relay): a bare UDP socket on loopback with one reader thread blocked in
 * {@code receive}, as a {@link BrowserPeer}'s is, so that the relay pays the same wake-ups for what it sends. Each
 * packet goes out with 10 more bytes (SRTP's HMAC-SHA1-80 tag, RFC 3711 §4.2) so that the datagrams have the sizes
 * they have against an SFU. With {@link Readers} ({@code --reader poll}, the bench's default, or {@code select}) its socket is a channel
 * that the readers' selector threads read instead, as an SFU's peers are read.
 */
final class PlainPeer implements SfuBench.Peer {

    private static final int TAG = 10;

    private final DatagramSocket socket;
    /** The socket as a channel read by {@link #readers}, or null (a reader thread of its own). */
    private final DatagramChannel channel;
    private final Readers readers;
    private final InetSocketAddress relay;
    private final byte[] out = new byte[2048];
    private volatile BrowserPeer.PacketSink sink;
    private volatile boolean closed;

    PlainPeer(InetSocketAddress relay, Readers readers) throws IOException {
        this.relay = relay;
        this.readers = readers;
        if (readers == null) {
            channel = null;
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } else {
            channel = DatagramChannel.open();
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            socket = channel.socket();   // blocking until sink(): the subscription's exchange
        }
        socket.setReceiveBufferSize(1 << 20);
    }

    int port() {
        return socket.getLocalPort();
    }

    /** Registers this socket as a subscriber of the publisher on {@code publisherPort}; waits for the relay's 'A'. */
    void subscribe(int publisherPort) throws IOException {
        byte[] request = {'S', (byte) (publisherPort >> 8), (byte) publisherPort};
        byte[] answer = new byte[16];
        socket.setSoTimeout(500);
        for (int attempt = 0; attempt < 10; attempt++) {
            socket.send(new DatagramPacket(request, request.length, relay));
            try {
                DatagramPacket reply = new DatagramPacket(answer, answer.length);
                socket.receive(reply);
                if (reply.getLength() == 1 && answer[0] == 'A') {
                    socket.setSoTimeout(0);
                    return;
                }
            } catch (SocketTimeoutException again) {
                // the relay is not up yet, or the datagram was lost: ask again
            }
        }
        throw new IOException("the relay at " + relay + " did not answer a subscription");
    }

    @Override
    public void send(byte[] packet, int length) throws IOException {
        System.arraycopy(packet, 0, out, 0, length);
        if (channel != null) {
            if (channel.send(ByteBuffer.wrap(out, 0, length + TAG), relay) == 0) {
                throw new IOException("the socket's send buffer is full");
            }
            return;
        }
        socket.send(new DatagramPacket(out, length + TAG, relay));
    }

    @Override
    public void sink(BrowserPeer.PacketSink sink) {
        this.sink = sink;
        if (readers != null) {
            Readers.Port port = new Readers.Port(channel, null);
            port.sink = sink;
            try {
                readers.add(port);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return;
        }
        Thread reader = new Thread(this::read, "plain-peer");
        reader.setDaemon(true);
        reader.start();
    }

    @Override
    public byte[] open(byte[] packet, int length) {
        // nothing to authenticate or decrypt: the relays forward plain RTP (with the sender's padding)
        return java.util.Arrays.copyOf(packet, length);
    }

    private void read() {
        byte[] buffer = new byte[2048];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!closed) {
            try {
                packet.setLength(buffer.length);
                socket.receive(packet);
                sink.received(buffer, packet.getLength());
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        socket.close();
    }
}
