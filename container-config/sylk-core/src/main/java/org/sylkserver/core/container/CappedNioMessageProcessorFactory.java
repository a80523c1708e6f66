package org.sylkserver.core.container;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;
import java.util.Properties;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.ConnectionOrientedMessageChannel;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.NioMessageProcessorFactory;
import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import gov.nist.javax.sip.stack.NioTlsMessageProcessor;
import gov.nist.javax.sip.stack.SIPTransactionStack;

/**
 * The JAIN-SIP stack's non-blocking listeners ({@code gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY}): an idle
 * connection costs no thread, and the stack closes one idle for {@code NIO_MAX_SOCKET_IDLE_TIME}, which its default
 * blocking listeners never do. Ours adds the connection caps of {@link SipConnectionCounter} to the TCP and TLS
 * listeners, read from the stack properties {@value #MAX_CONNECTIONS} and {@value #MAX_CONNECTIONS_PER_ADDRESS}.
 */
public class CappedNioMessageProcessorFactory extends NioMessageProcessorFactory {

    /** Stack property: accepted TCP and TLS connections at once (0: no limit). */
    public static final String MAX_CONNECTIONS = "org.sylkserver.sip.MAX_CONNECTIONS";
    /** Stack property: accepted TCP and TLS connections at once from one IP address (0: no limit). */
    public static final String MAX_CONNECTIONS_PER_ADDRESS = "org.sylkserver.sip.MAX_CONNECTIONS_PER_ADDRESS";

    private SipConnectionCounter counter;

    @Override
    public MessageProcessor createMessageProcessor(SIPTransactionStack stack, InetAddress address, int port,
                                                   String transport) throws IOException {
        if ("tcp".equalsIgnoreCase(transport)) {
            return new CappedTcp(address, stack, port, counter(stack));
        } else if ("tls".equalsIgnoreCase(transport)) {
            return new CappedTls(address, stack, port, counter(stack));
        }
        return super.createMessageProcessor(stack, address, port, transport);
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
}
