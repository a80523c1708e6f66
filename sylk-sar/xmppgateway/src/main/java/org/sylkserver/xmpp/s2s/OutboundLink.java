package org.sylkserver.xmpp.s2s;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

import org.sylkserver.core.LogThrottle;

/**
 * Our stream to a remote server for one pair of domains (local → remote), RFC 6120 §4 with XEP-0220 as the
 * originating server: connect (SRV, fallback 5269), open the stream, STARTTLS when offered, send our dialback key,
 * and once the remote server says {@code valid} send the stanzas queued meanwhile. The same stream carries our
 * {@code <db:verify>} questions as authoritative-server client (XEP-0220 §2.4) for streams the remote server opened
 * to us. One state machine, driven on the link's own reader thread; {@link #send} may be called from any thread.
 *
 * <p>No stanza is lost silently when the link ends: those it took and did not write go once more over a new link
 * when this one had been established (the peer closed its stream, the connection broke), and are bounced to their
 * senders otherwise (the link never came up, the peer stopped reading, or they were on their second link already);
 * see {@link S2sService#undelivered}. From {@link State#CLOSING} on, {@link #send} takes nothing: a new link does.
 */
final class OutboundLink implements XmppConnection.Handler {

    private static final Logger LOG = Logger.getLogger("sylk.xmpp");

    enum State { CONNECTING, OPENING, SECURING, AUTHENTICATING, ESTABLISHED, CLOSING, CLOSED }

    /** What {@link #send} did with a stanza. */
    enum Sent {
        /** Queued on the link (written once it is established). */
        QUEUED,
        /**
         * Not taken: {@code send_queue_limit} stanzas wait, for the link to be established or for the remote
         * server, which reads more slowly than we send.
         */
        FULL,
        /** Not taken: the link is ending; another one must carry it. */
        ENDING
    }

    private final S2sService service;
    private final String local;
    private final String remote;
    private final List<Outgoing> queued = new ArrayList<>();
    /** The remote server's stalled link can refuse every stanza: one warning per 10 s. */
    private final LogThrottle refusals = new LogThrottle(Duration.ofSeconds(10));
    /** {@code <db:verify>} questions by stream id, with who wants the answer. */
    private final Map<String, Consumer<Boolean>> verifies = new LinkedHashMap<>();
    private final Map<String, String> unsentVerifies = new LinkedHashMap<>();
    private State state = State.CONNECTING;
    private XmppConnection connection;
    private ScheduledFuture<?> timeout;
    private boolean tlsTried;
    /** Whether dialback succeeded once (then stanzas it could not write are sent again, not bounced). */
    private boolean established;
    /** Why the link could not come up: the stanza error its stanzas bounce with (RFC 6120 §8.3.3). */
    private String bounceCondition = "remote-server-timeout";
    private boolean stopping;

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

    /**
     * Sends a stanza now, or once the link is authenticated. Under the link's monitor, as the flush of the stanzas
     * queued before dialback completed, so none overtakes an older one.
     */
    Sent send(Outgoing stanza) {
        List<Outgoing> left;
        boolean again;
        synchronized (this) {
            switch (state) {
                case ESTABLISHED:
                    if (connection.send(stanza)) {
                        return Sent.QUEUED;
                    }
                    if (!connection.ending()) {
                        refused();
                        return Sent.FULL;
                    }
                    // the connection is ending (the peer stopped reading, or it broke): a new link takes this one,
                    // and those it queued before are bounced or sent again now rather than when its reader sees
                    state = State.CLOSING;
                    left = connection.takeUnsent();
                    again = !connection.stalled();
                    break;
                case CLOSING, CLOSED:
                    return Sent.ENDING;
                default:
                    if (queued.size() >= service.settings().sendQueueLimit()) {
                        refused();
                        return Sent.FULL;
                    }
                    queued.add(stanza);
                    return Sent.QUEUED;
            }
        }
        service.undelivered(this, left, again, "remote-server-timeout");
        return Sent.ENDING;
    }

    private void refused() {
        long count = refusals.occurred();
        if (count > 0) {
            LOG.warning("XMPP link " + local + " -> " + remote + ": send queue full, stanza refused (" + count
                    + " refused since the last warning)");
        }
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
            synchronized (this) {
                bounceCondition = "remote-server-not-found";
            }
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
            synchronized (this) {
                if (state != State.AUTHENTICATING) {
                    return;
                }
                state = State.ESTABLISHED;
                established = true;
                // a stanza the connection does not take stays queued: the link ends, and it is sent again
                queued.removeIf(connection::send);
            }
            timeout.cancel(false);
            LOG.info(() -> "XMPP link " + local + " -> " + remote + " established (dialback"
                    + (connection.secure() ? ", TLS" : "") + ")");
        } else {
            giveUp("dialback refused: " + result.xml());
        }
    }

    /**
     * The peer ended its stream (RFC 6120 §4.4): we end ours; stanzas queued and not yet written go over a new link,
     * since the peer need not take them now. Sends from now on make that new link.
     */
    @Override
    public void streamClosed() {
        List<Outgoing> taken;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSING;
            taken = connection.endStream();
        }
        service.undelivered(this, taken, true, "remote-server-timeout");
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
        synchronized (this) {
            stopping = true;
        }
        if (open != null) {
            open.close();
        }
        connectionLost("gateway stopped");
    }

    private void giveUp(String reason) {
        XmppConnection open;
        synchronized (this) {
            if (state == State.ESTABLISHED || state == State.CLOSING || state == State.CLOSED) {
                return;
            }
            open = connection;
        }
        if (open != null) {
            open.fail(new StreamError("connection-timeout", reason));
        }
        connectionLost(reason);
    }

    /**
     * The connection ended (or never came): the stanzas it did not write go over a new link if this one had been
     * established and the peer did not stop reading, else they bounce.
     */
    @Override
    public void connectionLost(String reason) {
        List<Outgoing> left;
        List<Consumer<Boolean>> unanswered;
        boolean again;
        String condition;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            left = new ArrayList<>();
            if (connection != null) {
                left.addAll(connection.takeUnsent());
            }
            left.addAll(queued);
            queued.clear();
            unanswered = new ArrayList<>(verifies.values());
            verifies.clear();
            boolean stalled = connection != null && connection.stalled();
            again = established && !stalled && !stopping;
            condition = stopping ? null : stalled ? "remote-server-timeout" : bounceCondition;
        }
        if (timeout != null) {
            timeout.cancel(false);
        }
        LOG.info(() -> "XMPP link " + local + " -> " + remote + " ended: " + reason);
        unanswered.forEach(answer -> answer.accept(false));
        service.linkEnded(this);
        service.undelivered(this, left, again, condition);
    }
}
