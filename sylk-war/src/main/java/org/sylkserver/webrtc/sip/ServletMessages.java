package org.sylkserver.webrtc.sip;

import java.io.IOException;
import java.util.Map;
import java.util.logging.Logger;

import javax.servlet.sip.Address;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;

import org.sylkserver.core.config.ServerConfig;
import org.sylkserver.core.sip.ParsedAddresses;
import org.sylkserver.webrtc.messaging.SipMessages;
import org.sylkserver.webrtc.registration.CredentialRealms;

/**
 * Out-of-dialog MESSAGEs through the container's SIP stack (spec §4.8.1): each in its own SIP application session,
 * routed like the gateway's calls and registrations (through {@code outbound_sip_proxy} when set, else to the target's
 * domain by RFC 3263); a 401/407 from the account's realm is answered once with credentials from its HA1 (RFC 3261
 * §22.2). {@link GatewaySipServlet} hands the responses back with {@link #response}.
 */
public final class ServletMessages implements SipMessages {

    /** The SIP session attribute that leads a response to its message. */
    static final String MESSAGE = "sylk.message";
    private static final Logger LOG = Logger.getLogger("webrtcgateway.messaging");
    /** The most parsed addresses kept: every account and contact of a busy gateway's last minutes. */
    static final int MAX_ADDRESSES = 10_000;

    private final SipFactory factory;
    private final ServerConfig.OutboundProxy proxy;
    private final String userAgent;
    /** Parsed From and To addresses by AOR and display name ({@link #address}). */
    private final ParsedAddresses addresses;

    /**
     * @param factory   the container's SIP factory
     * @param proxy     {@code outbound_sip_proxy}, or {@code null}
     * @param userAgent the {@code User-Agent} of the MESSAGEs
     */
    public ServletMessages(SipFactory factory, ServerConfig.OutboundProxy proxy, String userAgent) {
        this.factory = factory;
        this.proxy = proxy;
        this.userAgent = userAgent;
        this.addresses = new ParsedAddresses(this::parse, MAX_ADDRESSES);
    }

    /** A MESSAGE on its way: what it was, whether it was challenged, and who waits for its outcome. */
    private record Pending(Outgoing message, Outcome outcome, ServletMessages sender, boolean challenged) {
    }

    @Override
    public void send(Outgoing message, Outcome outcome) {
        try {
            SipServletRequest request = factory.createRequest(factory.createApplicationSession(), "MESSAGE",
                    address(message.from(), message.fromDisplayName()), address(message.to(), null));
            send(request, new Pending(message, outcome, this, false));
        } catch (ServletParseException | IllegalArgumentException | IllegalStateException | IOException e) {
            LOG.info(() -> "MESSAGE to " + message.to() + " not sent: " + e.getMessage());
            outcome.completed(503, "Service Unavailable");
        }
    }

    /**
     * The parsed address of {@code aor} with {@code displayName} (or none), parsed once: {@code createRequest} copies
     * the addresses it is given (JSR 289 {@code SipFactory.createRequest}), so one serves every MESSAGE, and parsing
     * the two took a tenth of the container's part of an {@code account-message} (issue 14, session 20).
     */
    private Address address(String aor, String displayName) throws ServletParseException {
        return addresses.of(displayName == null ? aor : aor + '\n' + displayName);
    }

    /** Parses a key of {@link #address}: the AOR, then the display name after a line break (neither holds one). */
    private Address parse(String key) throws ServletParseException {
        int newline = key.indexOf('\n');
        Address address = factory.createAddress("sip:" + (newline < 0 ? key : key.substring(0, newline)));
        if (newline >= 0) {
            address.setDisplayName(key.substring(newline + 1));
        }
        return address;
    }

    private void send(SipServletRequest request, Pending pending) throws IOException, ServletParseException {
        Outgoing message = pending.message();
        request.setHeader("User-Agent", userAgent);
        for (Map.Entry<String, String> header : message.headers().entrySet()) {
            request.setHeader(header.getKey(), header.getValue());
        }
        request.setContent(message.body(), message.contentType());
        if (proxy != null) {
            proxy.route(factory, request);
        }
        request.getSession().setAttribute(MESSAGE, pending);
        request.send();
    }

    /** A response to a MESSAGE of ours, from the servlet; false if it is none. */
    static boolean response(SipServletResponse response) {
        SipSession session = response.getSession(false);
        if (session == null || !(session.getAttribute(MESSAGE) instanceof Pending pending)) {
            return false;
        }
        int status = response.getStatus();
        if (status < 200) {
            return true;
        }
        if ((status == 401 || status == 407) && !pending.challenged() && pending.message().credentials() != null
                && pending.sender().retry(response, pending)) {
            return true;
        }
        session.removeAttribute(MESSAGE);
        pending.outcome().completed(status, response.getReasonPhrase());
        return true;
    }

    /** RFC 3261 §22.2: the MESSAGE again, same Call-ID, next CSeq, with credentials; whether it went. */
    private boolean retry(SipServletResponse challenge, Pending pending) {
        try {
            SipServletRequest retry = challenge.getSession().createRequest("MESSAGE");
            retry.setRequestURI(challenge.getRequest().getRequestURI());
            String domain = pending.message().credentials().domain();
            DigestCredentials.authorize(retry, challenge, pending.message().credentials(),
                    CredentialRealms.of(domain, proxy));
            send(retry, new Pending(pending.message(), pending.outcome(), this, true));
            return true;
        } catch (IllegalArgumentException | IllegalStateException | IOException | ServletParseException e) {
            LOG.info(() -> "MESSAGE to " + pending.message().to() + ": cannot answer the challenge: " + e.getMessage());
            return false;
        }
    }
}
