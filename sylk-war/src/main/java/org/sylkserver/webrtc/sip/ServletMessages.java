package org.sylkserver.webrtc.sip;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.logging.Logger;

import javax.servlet.sip.Address;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;
import javax.servlet.sip.SipURI;

import org.sylkserver.core.config.ServerConfig;
import org.sylkserver.core.container.SylkApplicationRouter;
import org.sylkserver.core.sip.ParsedAddresses;
import org.sylkserver.webrtc.messaging.SipMessages;
import org.sylkserver.webrtc.registration.CredentialRealms;

/**
 * Out-of-dialog MESSAGEs through the container's SIP stack (spec §4.8.1): each in its own SIP application session,
 * routed like the gateway's calls and registrations (through {@code outbound_sip_proxy} when set, else to the target's
 * domain by RFC 3263); a 401/407 from the account's realm is answered once with credentials from its HA1 (RFC 3261
 * §22.2). With {@code local_sip_messages}, those for a conversation's contact go to this server's own SIP listener
 * over TCP with {@code X-Sylk-App: webrtcgateway} instead, and come back to the gateway as a MESSAGE from the network
 * would (spec §4.8.1 step 3, §4.9). {@link GatewaySipServlet} hands the responses back with {@link #response}.
 */
public final class ServletMessages implements SipMessages {

    /** The SIP session attribute that leads a response to its message. */
    static final String MESSAGE = "sylk.message";
    private static final Logger LOG = Logger.getLogger("webrtcgateway.messaging");
    /** The most parsed addresses kept: every account and contact of a busy gateway's last minutes. */
    static final int MAX_ADDRESSES = 10_000;
    /** The gateway's name in {@link SylkApplicationRouter#APPLICATION_HEADER} (spec §2.2). */
    static final String APPLICATION = "webrtcgateway";

    private final SipFactory factory;
    private final ServerConfig.OutboundProxy proxy;
    /** This server's SIP TCP listener as a route ({@code local_sip_messages}), or null. */
    private final Supplier<SipURI> ownListener;
    private final String userAgent;
    /** Parsed From and To addresses by AOR and display name ({@link #address}). */
    private final ParsedAddresses addresses;

    /**
     * @param factory     the container's SIP factory
     * @param proxy       {@code outbound_sip_proxy}, or {@code null}
     * @param ownListener with {@code local_sip_messages}: this server's SIP TCP listener as a loose route
     *                    ({@link #ownTcpListener}), where the MESSAGEs for a conversation's contact go; else null
     * @param userAgent   the {@code User-Agent} of the MESSAGEs
     */
    public ServletMessages(SipFactory factory, ServerConfig.OutboundProxy proxy, Supplier<SipURI> ownListener,
                           String userAgent) {
        this.factory = factory;
        this.proxy = proxy;
        this.ownListener = ownListener;
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
        if (ownListener != null && message.audience() == Audience.CONTACT) {
            // spec §4.8.1 step 3, §4.9: to ourselves over TCP, and from there to the gateway whatever the map says
            request.setHeader(SylkApplicationRouter.APPLICATION_HEADER, APPLICATION);
            request.pushRoute((SipURI) ownListener.get().clone());
        } else if (proxy != null) {
            proxy.route(factory, request);
        }
        request.getSession().setAttribute(MESSAGE, pending);
        request.send();
    }

    /**
     * This server's SIP listener over TCP ({@code local_ip}:{@code local_tcp_port}) as a loose route (RFC 3261
     * §16.12), read from the container's SIP {@code interfaces} on first use (they are known once its connectors have
     * started, after the applications' start); an {@link IllegalStateException} while there is none.
     */
    public static Supplier<SipURI> ownTcpListener(Supplier<List<SipURI>> interfaces) {
        AtomicReference<SipURI> found = new AtomicReference<>();
        return () -> {
            SipURI route = found.get();
            if (route == null) {
                List<SipURI> all = interfaces.get();
                for (SipURI uri : all == null ? List.<SipURI>of() : all) {
                    if ("tcp".equalsIgnoreCase(uri.getTransportParam())) {
                        route = (SipURI) uri.clone();
                        route.setLrParam(true);
                        found.set(route);
                        break;
                    }
                }
                if (route == null) {
                    throw new IllegalStateException("the container has no SIP TCP listener (yet)");
                }
            }
            return route;
        };
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
