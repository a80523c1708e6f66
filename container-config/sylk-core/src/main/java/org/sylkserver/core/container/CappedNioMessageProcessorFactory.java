package org.sylkserver.core.container;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;
import java.util.Properties;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.ConnectionOrientedMessageChannel;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.NIOHandler;
import gov.nist.javax.sip.stack.NioMessageProcessorFactory;
import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import gov.nist.javax.sip.stack.NioTlsMessageProcessor;
import gov.nist.javax.sip.stack.SIPTransactionStack;
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

    /** The stack's UDP listener with {@link BoundedDatagramQueue} in place of its own queue. */
    static final class BoundedUdp extends UDPMessageProcessor {

        BoundedUdp(InetAddress address, SIPTransactionStack stack, int port) throws IOException {
            super(address, stack, port);
            // before start(): no datagram was queued yet, and no SIP thread took the queue
            messageQueue = new BoundedDatagramQueue(UDP_QUEUE_PACKETS, UDP_QUEUE_BYTES);
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
