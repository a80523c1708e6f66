package org.sylkserver.xmpp.s2s;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A stream a remote server opened to us (RFC 6120 §4), we being the receiving server of XEP-0220: we answer its
 * header with ours and a fresh stream id, offer STARTTLS (unless the socket is TLS already) and dialback, check a
 * {@code <db:result>} key by asking the remote domain's authoritative server over our own link to it, and answer
 * the remote server's {@code <db:verify>} questions about keys we gave. Stanzas are accepted only from a domain
 * validated on this stream for the domain they are addressed to (§2.4: anything else is {@code not-authorized});
 * a stream that has validated nothing within {@code dialback_timeout} is closed with {@code connection-timeout}.
 */
final class InboundStream implements XmppConnection.Handler {

    private static final Logger LOG = Logger.getLogger("sylk.xmpp");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final S2sService service;
    private final XmppConnection connection;
    /** {@code remote domain + " " + local domain} pairs dialback validated on this stream. */
    private final Set<String> validated = ConcurrentHashMap.newKeySet();
    private ScheduledFuture<?> timeout;
    private String streamId;
    private boolean headerSent;

    InboundStream(S2sService service, XmppConnection connection) {
        this.service = service;
        this.connection = connection;
    }

    /** Serves the stream on the calling thread until it ends. */
    void run() {
        timeout = service.scheduler().schedule(this::dialbackTimedOut,
                service.settings().dialbackTimeout().toMillis(), TimeUnit.MILLISECONDS);
        connection.run(this);
    }

    private void dialbackTimedOut() {
        if (validated.isEmpty()) {
            LOG.info(() -> "XMPP stream " + connection.description() + ": no dialback within "
                    + service.settings().dialbackTimeout().toSeconds() + " s, closed");
            connection.fail(new StreamError("connection-timeout", "dialback not completed in time"));
        }
    }

    @Override
    public void streamOpened(StreamElement header) throws StreamError {
        streamId = HexFormat.of().formatHex(randomBytes());
        String to = header.attribute("to");
        String from = to == null ? service.settings().domains().iterator().next() : to;
        connection.send("<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='"
                + StreamElement.STREAMS + "' xmlns:db='" + StreamElement.DIALBACK + "' from='"
                + StreamElement.escape(from) + "' id='" + streamId + "' version='1.0'>");
        headerSent = true;
        if (!header.is(StreamElement.STREAMS, "stream")) {
            throw new StreamError("invalid-namespace", "not an XMPP stream");
        }
        if (to != null && !service.settings().serves(to)) {
            throw new StreamError("host-unknown", to + " is not served here");
        }
        StringBuilder features = new StringBuilder("<stream:features>");
        if (!connection.secure() && service.serverTls() != null) {
            features.append("<starttls xmlns='").append(StreamElement.TLS).append("'/>");
        }
        features.append("<dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback></stream:features>");
        if ("1.0".equals(header.attribute("version"))) {
            connection.send(features.toString());
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    @Override
    public void element(StreamElement element) throws StreamError {
        if (element.is(StreamElement.TLS, "starttls")) {
            startTls();
        } else if (element.is(StreamElement.DIALBACK, "result")) {
            result(element);
        } else if (element.is(StreamElement.DIALBACK, "verify")) {
            verify(element);
        } else if (element.is(StreamElement.SERVER, "message") || element.is(StreamElement.SERVER, "presence")
                || element.is(StreamElement.SERVER, "iq")) {
            stanza(element);
        } else if (element.is(StreamElement.STREAMS, "error")) {
            LOG.info(() -> "XMPP stream " + connection.description() + ": stream error " + element.xml());
        } else {
            throw new StreamError("unsupported-stanza-type", "{" + element.namespace() + "}" + element.name());
        }
    }

    private void startTls() throws StreamError {
        if (connection.secure() || service.serverTls() == null) {
            connection.send("<failure xmlns='" + StreamElement.TLS + "'/></stream:stream>");
            connection.closeAfterSending();
            return;
        }
        try {
            connection.sendNow("<proceed xmlns='" + StreamElement.TLS + "'/>");
            connection.startTls(service.serverTls(), false, null);
        } catch (IOException e) {
            throw new StreamError("undefined-condition", "TLS handshake failed: " + e.getMessage());
        }
        headerSent = false;
    }

    /** XEP-0220 §2.1.2: the remote server claims {@code from}; its authoritative server says whether the key is right. */
    private void result(StreamElement result) throws StreamError {
        String from = domain(result.attribute("from"));
        String to = domain(result.attribute("to"));
        String key = result.text().strip();
        if (from == null || to == null || key.isEmpty()) {
            throw new StreamError("invalid-xml", "db:result needs from, to and a key");
        }
        if (!service.settings().serves(to)) {
            connection.send("<db:result from='" + StreamElement.escape(to) + "' to='" + StreamElement.escape(from)
                    + "' type='error'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
                    + "</error></db:result>");
            return;
        }
        service.verifyWithAuthority(to, from, streamId, key, valid -> {
            if (valid) {
                validated.add(from + " " + to);
                timeout.cancel(false);
                LOG.info(() -> "XMPP stream " + connection.description() + ": " + from + " authenticated for " + to
                        + " (dialback" + (connection.secure() ? ", TLS" : "") + ")");
            }
            connection.send("<db:result from='" + StreamElement.escape(to) + "' to='" + StreamElement.escape(from)
                    + "' type='" + (valid ? "valid" : "invalid") + "'/>");
        });
    }

    /** XEP-0220 §2.4: the remote server asks whether we (authoritative for {@code to}) gave this key. */
    private void verify(StreamElement verify) throws StreamError {
        String from = domain(verify.attribute("from"));
        String to = domain(verify.attribute("to"));
        String id = verify.attribute("id");
        if (from == null || to == null || id == null) {
            throw new StreamError("invalid-xml", "db:verify needs from, to and id");
        }
        boolean valid = service.settings().serves(to) && service.dialback().verify(from, to, id, verify.text());
        connection.send("<db:verify from='" + StreamElement.escape(to) + "' to='" + StreamElement.escape(from)
                + "' id='" + StreamElement.escape(id) + "' type='" + (valid ? "valid" : "invalid") + "'/>");
    }

    private void stanza(StreamElement stanza) throws StreamError {
        String from = domain(stanza.attribute("from"));
        String to = domain(stanza.attribute("to"));
        if (from == null || to == null || !validated.contains(from + " " + to)) {
            throw new StreamError("not-authorized", "stanza from " + from + " to " + to + " not authenticated");
        }
        service.deliver(stanza);
    }

    /** The domain part of a JID attribute (RFC 7622 §3.2), lower case; {@code null} when absent. */
    static String domain(String jid) {
        if (jid == null || jid.isBlank()) {
            return null;
        }
        String bare = jid;
        int slash = bare.indexOf('/');
        if (slash >= 0) {
            bare = bare.substring(0, slash);
        }
        int at = bare.indexOf('@');
        return bare.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    @Override
    public void streamClosed() {
        connection.send("</stream:stream>");
        connection.closeAfterSending();
    }

    @Override
    public void streamFailed(StreamError error) {
        if (!headerSent) {
            // RFC 6120 §4.9.1.2: an error before our header still needs the header
            connection.send("<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='"
                    + StreamElement.STREAMS + "' version='1.0'>");
        }
        connection.fail(error);
    }

    /** Closes the stream (the gateway stops). */
    void stop() {
        connection.close();
    }

    @Override
    public void connectionLost(String reason) {
        if (timeout != null) {
            timeout.cancel(false);
        }
        LOG.fine(() -> "XMPP stream " + connection.description() + " ended: " + reason);
        service.inboundEnded(this);
    }
}
