package org.sylkserver.xmpp.s2s;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
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
     * @return false when the stanza cannot be queued (the link's queue is full: the remote server reads more slowly
     *         than we send, or stopped reading)
     */
    public boolean send(String fromDomain, String toDomain, String xml) {
        return send(fromDomain.toLowerCase(Locale.ROOT), toDomain.toLowerCase(Locale.ROOT), new Outgoing(xml, false))
                == OutboundLink.Sent.QUEUED;
    }

    /** Puts a stanza on the link of the pair; a link that is ending hands over to a new one. */
    private OutboundLink.Sent send(String local, String remote, Outgoing stanza) {
        OutboundLink.Sent sent = OutboundLink.Sent.ENDING;
        // a new link takes it unless it ends at once (then the caller hears the link is ending)
        for (int attempt = 0; attempt < 3 && sent == OutboundLink.Sent.ENDING; attempt++) {
            OutboundLink link = link(local, remote);
            sent = link.send(stanza);
            if (sent == OutboundLink.Sent.ENDING) {
                links.remove(local + " " + remote, link);
            }
        }
        return sent;
    }

    /** The link of a pair of domains (lower case), made when there is none or the one there is ending. */
    private OutboundLink link(String local, String remote) {
        String key = local + " " + remote;
        while (true) {
            OutboundLink link = links.computeIfAbsent(key, k -> {
                OutboundLink made = new OutboundLink(this, local, remote);
                made.start();
                return made;
            });
            OutboundLink.State state = link.state();
            if (state != OutboundLink.State.CLOSING && state != OutboundLink.State.CLOSED) {
                return link;
            }
            links.remove(key, link);
        }
    }

    /**
     * The stanzas a link took and did not write: when {@code again}, each goes once more over a new link of the
     * pair; those that may not (sent again already, or no link takes them) bounce to their senders with the stanza
     * error {@code condition} (RFC 6120 §8.3.3), as if the remote server had answered, so that the chat session,
     * room or call that sent them hears of it; {@code condition} null (the gateway stops): dropped. Logged.
     */
    void undelivered(OutboundLink link, List<Outgoing> stanzas, boolean again, String condition) {
        if (stanzas.isEmpty()) {
            return;
        }
        int resent = 0;
        int bounced = 0;
        for (Outgoing stanza : stanzas) {
            if (again && !stanza.resent() && send(link.local(), link.remote(), new Outgoing(stanza.xml(), true))
                    == OutboundLink.Sent.QUEUED) {
                resent++;
            } else if (condition != null && bounce(stanza.xml(), condition)) {
                bounced++;
            }
        }
        int sentAgain = resent;
        int returned = bounced;
        LOG.info(() -> "XMPP link " + link.local() + " -> " + link.remote() + ": " + stanzas.size()
                + " stanza(s) not written: " + sentAgain + " sent again over a new link, " + returned + " bounced ("
                + condition + "), " + (stanzas.size() - sentAgain - returned)
                + " dropped (errors and results are not bounced; nothing is while the gateway stops)");
    }

    /**
     * Hands our handler the error for an undelivered stanza, from its recipient to its sender (RFC 6120 §8.3.1);
     * none for an error or an IQ result (§8.3.1: no error about an error). False when none was made.
     */
    private boolean bounce(String xml, String condition) {
        List<StreamElement> parsed = parse(xml);
        if (parsed.size() != 1) {
            return false;
        }
        StreamElement stanza = parsed.get(0);
        String type = stanza.attribute("type");
        if ("error".equals(type) || stanza.name().equals("iq") && "result".equals(type)) {
            return false;
        }
        StringBuilder error = new StringBuilder("<").append(stanza.name()).append(" type='error'");
        for (String attribute : new String[] {"from", "to", "id"}) {
            String value = stanza.attribute(attribute);
            String as = attribute.equals("from") ? "to" : attribute.equals("to") ? "from" : attribute;
            if (value != null) {
                error.append(' ').append(as).append("='").append(StreamElement.escape(value)).append('\'');
            }
        }
        error.append("><error type='").append(condition.equals("remote-server-not-found") ? "cancel" : "wait")
                .append("'><").append(condition).append(" xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></")
                .append(stanza.name()).append('>');
        List<StreamElement> bounce = parse(error.toString());
        if (bounce.size() != 1) {
            return false;
        }
        deliver(bounce.get(0));
        return true;
    }

    /** The top-level elements of {@code xml} read as the content of a {@code jabber:server} stream. */
    private List<StreamElement> parse(String xml) {
        List<StreamElement> elements = new java.util.ArrayList<>();
        StreamParser parser = new StreamParser(new StreamParser.Listener() {
            @Override
            public void streamOpened(StreamElement header) {
                // the header given below
            }

            @Override
            public void element(StreamElement element) {
                elements.add(element);
            }

            @Override
            public void streamClosed() {
                // not closed
            }
        }, Integer.MAX_VALUE);
        byte[] bytes = ("<stream:stream xmlns='jabber:server' xmlns:stream='" + StreamElement.STREAMS + "'>" + xml)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try {
            parser.feed(bytes, 0, bytes.length);
        } catch (StreamError e) {
            LOG.fine(() -> "XMPP stanza not bounced, unreadable: " + e.getMessage());
            elements.clear();
        }
        return elements;
    }

    /** Asks the authoritative server of {@code remote} about a key it gave for a stream it opened to {@code local}. */
    void verifyWithAuthority(String local, String remote, String streamId, String key, Consumer<Boolean> answer) {
        link(local, remote).verify(streamId, key, answer);
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
        return new XmppConnection(socket, description, settings.maxStanzaSize(), settings.sendQueueLimit(),
                settings.sendTimeout(), XmppConnection.COALESCE, trace, scheduler);
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
