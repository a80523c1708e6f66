import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;

import org.sylkserver.media.webrtc.BrowserPeer;

/**
 * A peer of the baseline relays (bench/sfu/relay): a bare UDP socket on loopback with one reader thread blocked in
 * {@code receive}, as a {@link BrowserPeer}'s is, so that the relay pays the same wake-ups for what it sends. Each
 * packet goes out with 10 more bytes (SRTP's HMAC-SHA1-80 tag, RFC 3711 §4.2) so that the datagrams have the sizes
 * they have against an SFU.
 */
final class PlainPeer implements SfuBench.Peer {

    private static final int TAG = 10;

    private final DatagramSocket socket;
    private final InetSocketAddress relay;
    private final byte[] out = new byte[2048];
    private volatile BrowserPeer.PacketSink sink;
    private volatile boolean closed;

    PlainPeer(InetSocketAddress relay) throws IOException {
        this.relay = relay;
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
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
        socket.send(new DatagramPacket(out, length + TAG, relay));
    }

    @Override
    public void sink(BrowserPeer.PacketSink sink) {
        this.sink = sink;
        Thread reader = new Thread(this::read, "plain-peer");
        reader.setDaemon(true);
        reader.start();
    }

    @Override
    public void authenticate(byte[] packet, int length) {
        // nothing to authenticate: the relays forward plain RTP
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
