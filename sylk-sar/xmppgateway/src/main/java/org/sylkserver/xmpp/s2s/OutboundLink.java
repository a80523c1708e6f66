package org.sylkserver.xmpp.s2s;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Our stream to a remote server for one pair of domains (local → remote), RFC 6120 §4 with XEP-0220 as the
 * originating server: connect (SRV, fallback 5269), open the stream, STARTTLS when offered, send our dialback key,
 * and once the remote server says {@code valid} send the stanzas queued meanwhile. The same stream carries our
 * {@code <db:verify>} questions as authoritative-server client (XEP-0220 §2.4) for streams the remote server opened
 * to us. One state machine, driven on the link's own reader thread; {@link #send} may be called from any thread.
 */
final class OutboundLink implements XmppConnection.Handler {

    private static final Logger LOG = Logger.getLogger("sylk.xmpp");

    enum State { CONNECTING, OPENING, SECURING, AUTHENTICATING, ESTABLISHED, CLOSED }

    private final S2sService service;
    private final String local;
    private final String remote;
    private final List<String> queued = new ArrayList<>();
    /** {@code <db:verify>} questions by stream id, with who wants the answer. */
    private final Map<String, Consumer<Boolean>> verifies = new LinkedHashMap<>();
    private final Map<String, String> unsentVerifies = new LinkedHashMap<>();
    private State state = State.CONNECTING;
    private XmppConnection connection;
    private ScheduledFuture<?> timeout;
    private boolean tlsTried;

    OutboundLink(S2sService service, String local, String remote) {
        this.service = service;
        this.local = local;
        this.remote = remote;
    }

    String local() {
        return local;
    }

    String remote() {
        return remote;
    }

    synchronized State state() {
        return state;
    }

    /** Starts connecting on a thread of its own. */
    void start() {
        timeout = service.scheduler().schedule(() -> giveUp("dialback not completed within "
                + service.settings().dialbackTimeout().toSeconds() + " s"),
                service.settings().dialbackTimeout().toMillis(), TimeUnit.MILLISECONDS);
        Thread thread = new Thread(this::connectAndRun, "xmpp-s2s " + local + " -> " + remote);
        thread.setDaemon(true);
        thread.start();
    }

    /** Sends a stanza now, or once the link is authenticated; {@code false} when it cannot be queued. */
    boolean send(String xml) {
        synchronized (this) {
            switch (state) {
                case ESTABLISHED:
                    break;
                case CLOSED:
                    return false;
                default:
                    if (queued.size() >= service.settings().sendQueueLimit()) {
                        LOG.warning("XMPP link " + local + " -> " + remote + ": send queue full, stanza dropped");
                        return false;
                    }
                    queued.add(xml);
                    return true;
            }
        }
        return connection.send(xml);
    }

    /**
     * Asks the remote (authoritative) server whether {@code key} is the one it gave for a stream it opened to us
     * with id {@code streamId} (XEP-0220 §2.4); {@code answer} gets true for {@code valid}, false otherwise.
     */
    void verify(String streamId, String key, Consumer<Boolean> answer) {
        boolean now;
        synchronized (this) {
            if (state == State.CLOSED) {
                answer.accept(false);
                return;
            }
            verifies.put(streamId, answer);
            now = state == State.AUTHENTICATING || state == State.ESTABLISHED;
            if (!now) {
                unsentVerifies.put(streamId, key);
            }
        }
        if (now) {
            connection.send(verifyXml(streamId, key));
        }
    }

    private String verifyXml(String streamId, String key) {
        return "<db:verify from='" + StreamElement.escape(local) + "' to='" + StreamElement.escape(remote) + "' id='"
                + StreamElement.escape(streamId) + "'>" + StreamElement.escape(key) + "</db:verify>";
    }

    private void connectAndRun() {
        Socket socket = null;
        String failure = "no address";
        for (InetSocketAddress address : service.resolver().resolve(remote)) {
            try {
                Socket attempt = new Socket();
                attempt.connect(new InetSocketAddress(address.getHostString(), address.getPort()), 10_000);
                socket = attempt;
                break;
            } catch (IOException e) {
                failure = address.getHostString() + ":" + address.getPort() + ": " + e.getMessage();
            }
        }
        if (socket == null) {
            connectionLost("cannot connect (" + failure + ")");
            return;
        }
        try {
            XmppConnection opened = service.connection(socket, local + " -> " + remote);
            synchronized (this) {
                if (state == State.CLOSED) {
                    opened.close();
                    return;
                }
                connection = opened;
                state = State.OPENING;
            }
            connection.send(streamHeader());
            connection.run(this);
        } catch (IOException e) {
            connectionLost(e.getMessage());
        }
    }

    private String streamHeader() {
        return "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='" + StreamElement.STREAMS
                + "' xmlns:db='" + StreamElement.DIALBACK + "' from='" + StreamElement.escape(local) + "' to='"
                + StreamElement.escape(remote) + "' version='1.0'>";
    }

    private String streamId;

    @Override
    public void streamOpened(StreamElement header) throws StreamError {
        if (!header.is(StreamElement.STREAMS, "stream")) {
            throw new StreamError("invalid-namespace", "not an XMPP stream");
        }
        streamId = header.attribute("id");
        if (streamId == null) {
            throw new StreamError("invalid-xml", "stream header without id");
        }
        if (!"1.0".equals(header.attribute("version"))) {
            // a pre-RFC 3920 server sends no features: dialback at once (XEP-0220 §2.1)
            authenticate();
        }
    }

    @Override
    public void element(StreamElement element) throws StreamError {
        if (element.is(StreamElement.STREAMS, "features")) {
            boolean offersTls = element.hasChild(StreamElement.TLS, "starttls");
            if (offersTls && !connection.secure() && !tlsTried) {
                tlsTried = true;
                synchronized (this) {
                    state = State.SECURING;
                }
                connection.send("<starttls xmlns='" + StreamElement.TLS + "'/>");
            } else {
                authenticate();
            }
        } else if (element.is(StreamElement.TLS, "proceed")) {
            try {
                connection.startTls(service.clientTls(), true, remote);
            } catch (IOException e) {
                throw new StreamError("undefined-condition", "TLS handshake failed: " + e.getMessage());
            }
            connection.send(streamHeader());
        } else if (element.is(StreamElement.TLS, "failure")) {
            connection.close();
        } else if (element.is(StreamElement.DIALBACK, "result")) {
            dialbackResult(element);
        } else if (element.is(StreamElement.DIALBACK, "verify")) {
            Consumer<Boolean> answer;
            synchronized (this) {
                answer = verifies.remove(element.attribute("id"));
            }
            if (answer != null) {
                answer.accept("valid".equals(element.attribute("type")));
            }
        } else if (element.is(StreamElement.STREAMS, "error")) {
            LOG.info(() -> "XMPP link " + local + " -> " + remote + ": stream error " + element.xml());
        }
        // stanzas on our outgoing stream are not expected (no XEP-0288): ignored
    }

    private void authenticate() {
        List<String> verifyNow;
        synchronized (this) {
            state = State.AUTHENTICATING;
            verifyNow = new ArrayList<>();
            unsentVerifies.forEach((id, key) -> verifyNow.add(verifyXml(id, key)));
            unsentVerifies.clear();
        }
        connection.send("<db:result from='" + StreamElement.escape(local) + "' to='" + StreamElement.escape(remote)
                + "'>" + service.dialback().key(remote, local, streamId) + "</db:result>");
        verifyNow.forEach(connection::send);
    }

    private void dialbackResult(StreamElement result) {
        if ("valid".equals(result.attribute("type"))) {
            List<String> flush;
            synchronized (this) {
                state = State.ESTABLISHED;
                flush = new ArrayList<>(queued);
                queued.clear();
            }
            timeout.cancel(false);
            LOG.info(() -> "XMPP link " + local + " -> " + remote + " established (dialback"
                    + (connection.secure() ? ", TLS" : "") + ")");
            flush.forEach(connection::send);
        } else {
            giveUp("dialback refused: " + result.xml());
        }
    }

    @Override
    public void streamClosed() {
        connection.closeAfterSending();
    }

    @Override
    public void streamFailed(StreamError error) {
        connection.fail(error);
    }

    /** Closes the link (the gateway stops). */
    void stop() {
        XmppConnection open;
        synchronized (this) {
            open = connection;
        }
        if (open != null) {
            open.close();
        }
        connectionLost("gateway stopped");
    }

    private void giveUp(String reason) {
        XmppConnection open;
        synchronized (this) {
            if (state == State.ESTABLISHED || state == State.CLOSED) {
                return;
            }
            open = connection;
        }
        if (open != null) {
            open.fail(new StreamError("connection-timeout", reason));
        }
        connectionLost(reason);
    }

    @Override
    public void connectionLost(String reason) {
        List<String> dropped;
        List<Consumer<Boolean>> unanswered;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            dropped = new ArrayList<>(queued);
            queued.clear();
            unanswered = new ArrayList<>(verifies.values());
            verifies.clear();
        }
        if (timeout != null) {
            timeout.cancel(false);
        }
        LOG.info(() -> "XMPP link " + local + " -> " + remote + " ended: " + reason
                + (dropped.isEmpty() ? "" : "; " + dropped.size() + " stanza(s) not delivered"));
        unanswered.forEach(answer -> answer.accept(false));
        service.linkEnded(this);
    }
}
