package org.sylkserver.xmpp.s2s;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.sylkserver.xmpp.XmppGatewaySettings;

/**
 * The gateway's S2S side (spec §5.2): the listener for streams remote servers open to our domains, and our links to
 * remote servers, one per pair of domains, made on demand and made again on demand after they end. Stanzas that
 * arrive on authenticated streams go to the {@link StanzaHandler}.
 *
 * <p>Outgoing TLS does not verify the remote certificate: dialback (XEP-0220) authenticates the remote domain, as
 * it does for the plain-TCP links of the original (which adds no TLS at all to outgoing links); TLS keeps the
 * traffic private.
 */
public final class S2sService implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger("sylk.xmpp");

    /** Where stanzas addressed to our domains go. */
    public interface StanzaHandler {
        void stanza(StreamElement stanza);
    }

    private final XmppGatewaySettings settings;
    private final SSLContext serverTls;
    private final ServerResolver resolver;
    private final XmppTrace trace;
    private final DialbackKey dialback = new DialbackKey();
    private final ScheduledExecutorService scheduler;
    private final Map<String, OutboundLink> links = new ConcurrentHashMap<>();
    private final Set<InboundStream> inbound = ConcurrentHashMap.newKeySet();
    /** Open inbound connections by remote address, counted from accept to close ({@code max_inbound_streams*}). */
    private final Map<InetAddress, Integer> openByAddress = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final SSLContext clientTls = trustingClient();
    private volatile StanzaHandler handler = stanza -> { };
    private ServerSocket listener;

    /**
     * @param serverTls the TLS of the listener ({@code transport = tls}) and of inbound STARTTLS; {@code null}
     *                  when no certificate is usable: no TLS offered
     */
    public S2sService(XmppGatewaySettings settings, SSLContext serverTls, ServerResolver resolver, XmppTrace trace) {
        this.settings = settings;
        this.serverTls = serverTls;
        this.resolver = resolver;
        this.trace = trace;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "xmpp-s2s-timers");
            thread.setDaemon(true);
            return thread;
        });
    }

    public void handler(StanzaHandler stanzaHandler) {
        this.handler = stanzaHandler;
    }

    /** Opens the listener on {@code address}; {@code transport = tls} makes it TLS from the first byte. */
    public InetSocketAddress listen(InetAddress address, int port) throws IOException {
        if ("tls".equals(settings.transport())) {
            if (serverTls == null) {
                throw new IOException("transport = tls needs a certificate");
            }
            SSLServerSocket tls = (SSLServerSocket) serverTls.getServerSocketFactory().createServerSocket();
            listener = tls;
        } else {
            listener = new ServerSocket();
        }
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(address, port), 50);
        Thread acceptor = new Thread(this::accept, "xmpp-s2s-listener");
        acceptor.setDaemon(true);
        acceptor.start();
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                String description = "from " + socket.getRemoteSocketAddress();
                if (!admit(socket.getInetAddress())) {
                    // closed before a byte is read or written: a TLS handshake here would let the peer hold
                    // the listener thread
                    LOG.info("XMPP stream " + description + " refused: max_inbound_streams "
                            + settings.maxInboundStreams() + " or max_inbound_streams_per_address "
                            + settings.maxInboundStreamsPerAddress() + " reached");
                    socket.close();
                    continue;
                }
                Thread thread = new Thread(() -> {
                    try {
                        serve(socket, description);
                    } finally {
                        release(socket.getInetAddress());
                    }
                }, "xmpp-s2s " + description);
                thread.setDaemon(true);
                thread.start();
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    LOG.warning("XMPP listener: " + e.getMessage());
                }
            }
        }
    }

    /** Counts a new inbound connection from {@code address}; {@code false} (nothing counted) over a limit. */
    private boolean admit(InetAddress address) {
        if (open.incrementAndGet() > settings.maxInboundStreams()) {
            open.decrementAndGet();
            return false;
        }
        boolean[] admitted = new boolean[1];
        openByAddress.compute(address, (key, count) -> {
            int current = count == null ? 0 : count;
            admitted[0] = current < settings.maxInboundStreamsPerAddress();
            return admitted[0] ? current + 1 : count;
        });
        if (!admitted[0]) {
            open.decrementAndGet();
        }
        return admitted[0];
    }

    private void release(InetAddress address) {
        openByAddress.computeIfPresent(address, (key, count) -> count > 1 ? count - 1 : null);
        open.decrementAndGet();
    }

    private void serve(Socket socket, String description) {
        try {
            InboundStream stream = new InboundStream(this, connection(socket, description));
            inbound.add(stream);
            stream.run();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.INFO, "XMPP stream " + description + " failed", e);
            try {
                socket.close();
            } catch (IOException ignored) {
                // gone
            }
        }
    }

    /**
     * Sends a stanza from one of our domains to a remote one, over the link for that pair (made when missing).
     *
     * @return false when the stanza cannot be queued (the link's queue is full)
     */
    public boolean send(String fromDomain, String toDomain, String xml) {
        String key = fromDomain.toLowerCase(Locale.ROOT) + " " + toDomain.toLowerCase(Locale.ROOT);
        while (true) {
            OutboundLink link = links.computeIfAbsent(key, k -> {
                OutboundLink made = new OutboundLink(this, fromDomain.toLowerCase(Locale.ROOT),
                        toDomain.toLowerCase(Locale.ROOT));
                made.start();
                return made;
            });
            if (link.state() != OutboundLink.State.CLOSED) {
                return link.send(xml);
            }
            links.remove(key, link);
        }
    }

    /** Asks the authoritative server of {@code remote} about a key it gave for a stream it opened to {@code local}. */
    void verifyWithAuthority(String local, String remote, String streamId, String key, Consumer<Boolean> answer) {
        String linkKey = local + " " + remote;
        OutboundLink link = links.computeIfAbsent(linkKey, k -> {
            OutboundLink made = new OutboundLink(this, local, remote);
            made.start();
            return made;
        });
        link.verify(streamId, key, answer);
    }

    void deliver(StreamElement stanza) {
        try {
            handler.stanza(stanza);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "XMPP stanza not handled: " + stanza.xml(), e);
        }
    }

    void linkEnded(OutboundLink link) {
        links.remove(link.local() + " " + link.remote(), link);
    }

    void inboundEnded(InboundStream stream) {
        inbound.remove(stream);
    }

    XmppConnection connection(Socket socket, String description) throws IOException {
        return new XmppConnection(socket, description, settings.maxStanzaSize(), settings.sendQueueLimit(), trace);
    }

    XmppGatewaySettings settings() {
        return settings;
    }

    DialbackKey dialback() {
        return dialback;
    }

    ServerResolver resolver() {
        return resolver;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    SSLContext serverTls() {
        return serverTls;
    }

    SSLContext clientTls() {
        return clientTls;
    }

    @Override
    public void close() {
        try {
            if (listener != null) {
                listener.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
        links.values().forEach(OutboundLink::stop);
        inbound.forEach(InboundStream::stop);
        scheduler.shutdownNow();
    }

    private static SSLContext trustingClient() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                    // not a server's concern here
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                    // dialback authenticates the domain (see the class comment)
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS", e);
        }
    }
}
