package org.sylkserver.media;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;

/**
 * How the media engine binds its sockets on its address ({@link MediaEngine#bindAddress()}): an endpoint's RTP and
 * RTCP sockets as they are, a bare socket ({@link MediaEngine#openSocket}) with SO_REUSEPORT where there is one, and
 * such a socket's second, connected one to its ICE peer ({@link MediaSocket#selected}).
 */
final class DatagramSockets {

    /** Whether datagram sockets have SO_REUSEPORT here (Linux, the BSDs, macOS): what {@link #connected} needs. */
    static final boolean REUSE_PORT = reusePortSupported();

    private final InetAddress bindAddress;
    private final MediaIoLoop io;

    DatagramSockets(InetAddress bindAddress, MediaIoLoop io) {
        this.bindAddress = bindAddress;
        this.io = io;
    }

    DatagramChannel bind(int port) throws IOException {
        return bind(port, false);
    }

    /**
     * A non-blocking channel bound to {@code port} of the bind address; with {@code reusePort} (SO_REUSEPORT) one that
     * lets a second socket of ours bind the same port later ({@link #connected}). The kernel allows that only
     * between sockets that all set the option, of the same user: a port another program holds without it is still
     * refused (and skipped by the allocator). Those are IPv4 sockets on an IPv4 address: Linux sends a connected IPv6
     * socket's datagrams to an IPv4-mapped peer as to an address given with each (udpv6_sendmsg), so such a socket
     * would look its route up for every datagram all the same.
     */
    DatagramChannel bind(int port, boolean reusePort) throws IOException {
        DatagramChannel channel = reusePort && bindAddress instanceof Inet4Address
                ? DatagramChannel.open(StandardProtocolFamily.INET) : DatagramChannel.open();
        try {
            channel.configureBlocking(false);
            if (reusePort) {
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            channel.bind(new InetSocketAddress(bindAddress, port));
            return channel;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * A second socket on {@code socket}'s port (both bound with SO_REUSEPORT, {@link MediaEngine#openSocket}),
     * connected to {@code peer} and read on the I/O thread as {@code socket}'s own: Linux hands a connected socket the
     * datagrams from its peer and the unconnected one all others, and a datagram written on it leaves through the
     * route the connect looked up, where one sent on the unconnected socket has its route looked up again (see
     * {@link MediaSocket#selected}). On the I/O thread.
     *
     * @throws IOException the platform has no SO_REUSEPORT, or the socket cannot be bound or connected
     */
    DatagramChannel connected(MediaSocket socket, InetSocketAddress peer) throws IOException {
        if (!REUSE_PORT) {
            throw new IOException("no SO_REUSEPORT on this platform");
        }
        DatagramChannel channel = bind(socket.port(), true);
        try {
            MediaSocket.askReceiveBuffer(channel);
            channel.connect(peer);
            io.register(channel, socket);
            return channel;
        } catch (IOException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static boolean reusePortSupported() {
        try (DatagramChannel probe = DatagramChannel.open()) {
            return probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        } catch (IOException e) {
            return false;
        }
    }

    static void closeQuietly(DatagramChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing: nothing left to do
            }
        }
    }
}
