package org.sylkserver.core.container;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.LinkedList;
import java.util.Properties;
import java.util.logging.Logger;

import org.sylkserver.core.LogThrottle;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.ConnectionOrientedMessageChannel;
import gov.nist.javax.sip.stack.DatagramQueuedMessageDispatch;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.NIOHandler;
import gov.nist.javax.sip.stack.NioMessageProcessorFactory;
import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import gov.nist.javax.sip.stack.NioTlsMessageProcessor;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import gov.nist.javax.sip.stack.UDPMessageChannel;
import gov.nist.javax.sip.stack.UDPMessageProcessor;

/**
 * The JAIN-SIP stack's non-blocking listeners ({@code gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY}): an idle
 * connection costs no thread, and the stack closes one idle for {@code NIO_MAX_SOCKET_IDLE_TIME}, which its default
 * blocking listeners never do. Ours adds the connection caps of {@link SipConnectionCounter} to the TCP and TLS
 * listeners, read from the stack properties {@value #MAX_CONNECTIONS} and {@value #MAX_CONNECTIONS_PER_ADDRESS}.
 * The TLS listener also keeps the connections it opens ({@link KeptOutgoingConnections}), without which no request
 * we originate over SIP/TLS could be read by its peer. The UDP listener's queue is bounded
 * ({@link BoundedDatagramQueue}): {@value #UDP_QUEUE_PACKETS} datagrams, {@value #UDP_QUEUE_BYTES} bytes.
 */
public class CappedNioMessageProcessorFactory extends NioMessageProcessorFactory {

    /** Stack property: accepted TCP and TLS connections at once (0: no limit). */
    public static final String MAX_CONNECTIONS = "org.sylkserver.sip.MAX_CONNECTIONS";
    /** Stack property: accepted TCP and TLS connections at once from one IP address (0: no limit). */
    public static final String MAX_CONNECTIONS_PER_ADDRESS = "org.sylkserver.sip.MAX_CONNECTIONS_PER_ADDRESS";

    /** Datagrams waiting for a SIP thread, at most. */
    static final int UDP_QUEUE_PACKETS = 5000;
    /** Bytes of the datagrams waiting for a SIP thread, at most. */
    static final long UDP_QUEUE_BYTES = 16L * 1024 * 1024;

    private SipConnectionCounter counter;

    @Override
    public MessageProcessor createMessageProcessor(SIPTransactionStack stack, InetAddress address, int port,
                                                   String transport) throws IOException {
        if ("tcp".equalsIgnoreCase(transport)) {
            return new CappedTcp(address, stack, port, counter(stack));
        } else if ("tls".equalsIgnoreCase(transport)) {
            return new CappedTls(address, stack, port, counter(stack));
        } else if ("udp".equalsIgnoreCase(transport)) {
            BoundedUdp udp = new BoundedUdp(address, stack, port);
            sendFromTheListener(stack);
            return udp;
        }
        return super.createMessageProcessor(stack, address, port, transport);
    }

    /**
     * What the stack's own factory does with a UDP listener besides making it: its {@code udpFlag} (package-private,
     * set by nothing else) makes every UDP message go out from the listener's socket. Without it each request left
     * from a new socket of its own, and answers sent back to the request's source (sipp, many proxies) were lost.
     */
    private static void sendFromTheListener(SIPTransactionStack stack) {
        try {
            Field flag = SIPTransactionStack.class.getDeclaredField("udpFlag");
            flag.setAccessible(true);
            flag.setBoolean(stack, true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("JAIN-SIP's SIPTransactionStack.udpFlag not found: this JAIN-SIP version"
                    + " needs another way to send UDP from the listener's socket", e);
        }
    }

    /** One counter for both listeners of the stack, so that the limits hold for TCP and TLS together. */
    private synchronized SipConnectionCounter counter(SIPTransactionStack stack) {
        if (counter == null) {
            Properties properties = ((SipStackImpl) stack).getConfigurationProperties();
            counter = new SipConnectionCounter(Integer.parseInt(properties.getProperty(MAX_CONNECTIONS, "0")),
                    Integer.parseInt(properties.getProperty(MAX_CONNECTIONS_PER_ADDRESS, "0")));
        }
        return counter;
    }

    /**
     * The stack's UDP listener with {@link BoundedDatagramQueue} in place of its own queue and a receive loop of its
     * own: the stack's loop allocates a buffer of the largest datagram (64 KiB) for every datagram it receives, which
     * was 38 % of the bytes allocated per MESSAGE at 5,000/s (session 18), while the queue keeps a copy of the
     * datagram's own bytes anyway. Here the socket receives into one buffer, reused, and the queue copies each
     * datagram out of it before the next receive. The SIP threads that take the queue are the stack's own
     * ({@link UDPMessageChannel}, as many as {@code gov.nist.javax.sip.THREAD_POOL_SIZE}).
     */
    static final class BoundedUdp extends UDPMessageProcessor {

        private static final Logger LOG = Logger.getLogger("sylk.sip");

        private final BoundedDatagramQueue queue = new BoundedDatagramQueue(UDP_QUEUE_PACKETS, UDP_QUEUE_BYTES);
        private final byte[] buffer;
        private final int threads;
        private final LogThrottle failures = new LogThrottle(Duration.ofSeconds(10));

        BoundedUdp(InetAddress address, SIPTransactionStack stack, int port) throws IOException {
            super(address, stack, port);
            // before start(): no datagram was queued yet, and no SIP thread took the queue
            messageQueue = queue;
            // as the stack's listener: the stack's largest message if below a datagram's largest size
            int largest = SipStackImpl.MAX_DATAGRAM_SIZE;
            if (stack.getMaxMessageSize() > 0) {
                largest = Math.min(largest, stack.getMaxMessageSize());
            }
            buffer = new byte[largest];
            threads = sipThreads(stack);
        }

        /**
         * Starts the SIP threads, then the listener's thread. The stack's listener started its SIP threads in its
         * own thread, so that a stop right after the start found the list of threads being filled.
         */
        @Override
        public void start() throws IOException {
            LinkedList<UDPMessageChannel> sipThreads = new LinkedList<>();
            String name = ((SipStackImpl) sipStack).getStackName() + "-UDPMessageChannelThread-";
            for (int i = 0; i < threads; i++) {
                sipThreads.add(new SipThread(sipStack, this, name + i));
            }
            messageChannels = sipThreads;
            super.start();
        }

        /** The listener's thread: receives, queues, until {@link #stop()} closes the socket. */
        @Override
        public void run() {
            while (isRunning) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    sock.receive(packet);
                    queue.offer(new DatagramQueuedMessageDispatch(packet, System.currentTimeMillis()));
                } catch (IOException | RuntimeException e) {
                    if (!isRunning) {
                        return;
                    }
                    long count = failures.occurred();
                    if (count > 0) {
                        LOG.warning(() -> "SIP/UDP: receiving on " + getIpAddress().getHostAddress() + ":" + getPort()
                                + " failed " + count + " time(s) since the last warning, the listener goes on: " + e);
                    }
                }
            }
        }

        /** {@code gov.nist.javax.sip.THREAD_POOL_SIZE}: the container always sets it (a thread per datagram else). */
        private static int sipThreads(SIPTransactionStack stack) {
            String value = ((SipStackImpl) stack).getConfigurationProperties()
                    .getProperty("gov.nist.javax.sip.THREAD_POOL_SIZE");
            try {
                int threads = Integer.parseInt(String.valueOf(value).strip());
                if (threads > 0) {
                    return threads;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("gov.nist.javax.sip.THREAD_POOL_SIZE=" + value
                    + ": the bounded UDP listener needs a number of SIP threads above 0");
        }
    }

    /** One of the stack's SIP threads taking the UDP listener's queue (its constructor is protected). */
    private static final class SipThread extends UDPMessageChannel {

        SipThread(SIPTransactionStack stack, UDPMessageProcessor listener, String name) {
            super(stack, listener, name);
        }
    }

    private static final class CappedTcp extends NioTcpMessageProcessor {

        private final SipConnectionCounter counter;

        CappedTcp(InetAddress address, SIPTransactionStack stack, int port, SipConnectionCounter counter) {
            super(address, stack, port);
            this.counter = counter;
        }

        @Override
        public NioTcpMessageChannel createMessageChannel(NioTcpMessageProcessor processor, SocketChannel socket)
                throws IOException {
            return counter.admit(socket, () -> super.createMessageChannel(processor, socket));
        }

        @Override
        protected synchronized void remove(ConnectionOrientedMessageChannel channel) {
            counter.closed(channel);
            super.remove(channel);
        }
    }

    private static final class CappedTls extends NioTlsMessageProcessor {

        private final SipConnectionCounter counter;

        CappedTls(InetAddress address, SIPTransactionStack stack, int port, SipConnectionCounter counter) {
            super(address, stack, port);
            this.counter = counter;
            // replaces the handler made by the constructor before any connection exists; the one dropped audits
            // only its own (empty) connection table
            nioHandler = new KeptOutgoingConnections(stack, this);
        }

        @Override
        public NioTcpMessageChannel createMessageChannel(NioTcpMessageProcessor processor, SocketChannel socket)
                throws IOException {
            return counter.admit(socket, () -> super.createMessageChannel(processor, socket));
        }

        @Override
        protected synchronized void remove(ConnectionOrientedMessageChannel channel) {
            counter.closed(channel);
            super.remove(channel);
        }
    }

    /**
     * JAIN-SIP 1.3.0-91's connection table, keeping the connection it opens for a new outgoing channel. The stack's
     * {@code openOutgoingConnection} puts the socket it connected into the table and takes it out again on leaving
     * (its {@code connected} flag is never set), so the first bytes of the new channel, a TLS ClientHello, found no
     * connection, opened a second one and, taking it for a reconnection, sent the first ClientHello as application
     * data inside a new handshake: the peer completed a handshake and then read garbage instead of the request
     * ({@code SipTlsClientTest}). Putting the socket back makes those bytes go out on the connection just opened.
     */
    static final class KeptOutgoingConnections extends NIOHandler {

        KeptOutgoingConnections(SIPTransactionStack stack, NioTcpMessageProcessor processor) {
            super(stack, processor);
        }

        @Override
        public SocketChannel createOrReuseSocket(InetAddress address, int port) throws IOException {
            SocketChannel socket = super.createOrReuseSocket(address, port);
            if (socket != null && getSocket(makeKey(address, port)) == null) {
                putSocket(makeKey(address, port), socket);
            }
            return socket;
        }
    }
}
