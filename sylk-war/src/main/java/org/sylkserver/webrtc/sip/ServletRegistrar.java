package org.sylkserver.webrtc.sip;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

import javax.servlet.sip.Address;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;
import javax.servlet.sip.SipURI;

import org.sylkserver.core.config.DarPropertiesGenerator;
import org.sylkserver.core.config.ServerConfig;
import org.sylkserver.webrtc.Account;
import org.sylkserver.webrtc.Registrar;
import org.sylkserver.webrtc.messaging.DeviceToken;
import org.sylkserver.webrtc.registration.CredentialRealms;
import org.sylkserver.webrtc.registration.SipRegistration;

/**
 * Registrations through the container's SIP stack: each one is a SIP application session, kept until the
 * registration ends, whose REGISTER requests share a Call-ID and raise the CSeq (RFC 3261 §10.2), sent to {@code outbound_sip_proxy} when it is set
 * (spec §4.7.2), else to the account's domain, which the stack resolves with RFC 3263. The Contact is the
 * gateway's own SIP address with a user part unique to the registration, where calls for the account will
 * arrive. {@link GatewaySipServlet} hands the responses back with {@link #response}.
 */
public final class ServletRegistrar implements Registrar {

    /** The SIP session attribute that leads a response to its registration. */
    static final String REGISTRATION = "sylk.registration";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SipFactory factory;
    private final Supplier<List<SipURI>> interfaces;
    private final ServerConfig.OutboundProxy proxy;
    private final String serverHeader;
    private final ScheduledExecutorService timer;
    /** The user part of each Contact we registered, and its account: where the registrar sends calls for it. */
    private final Map<String, String> contacts = new ConcurrentHashMap<>();

    /**
     * @param factory      the container's SIP factory
     * @param interfaces   the container's SIP interfaces (known once its connectors have started, which is after the
     *                     archives deployed at start-up), the base of every Contact
     * @param proxy        {@code outbound_sip_proxy}, or {@code null}
     * @param userAgent    the {@code User-Agent} of requests whose account gives none
     * @param timer        runs the registrations' refreshes
     */
    public ServletRegistrar(SipFactory factory, Supplier<List<SipURI>> interfaces, ServerConfig.OutboundProxy proxy,
                            String userAgent, ScheduledExecutorService timer) {
        this.factory = factory;
        this.interfaces = interfaces;
        this.proxy = proxy;
        this.serverHeader = userAgent;
        this.timer = timer;
    }

    @Override
    public SipRegistration registration(Account account, SipRegistration.Listener listener) {
        Channel channel = new Channel(account);
        SipRegistration registration = new SipRegistration(account.aor(), account.ha1(),
                CredentialRealms.of(account.domain(), proxy), channel, listener, timer::schedule);
        channel.registration = registration;
        return registration;
    }

    /** The account whose registered Contact has user part {@code contactUser}, or null. */
    public String accountOfContact(String contactUser) {
        return contactUser == null ? null : contacts.get(contactUser);
    }

    /** A final response to a REGISTER of ours, from the servlet. */
    static void response(SipServletResponse response) {
        SipRegistration registration = (SipRegistration) response.getSession().getAttribute(REGISTRATION);
        if (registration == null || response.getStatus() < 200) {
            return;
        }
        String challenge = response.getStatus() == 407 ? response.getHeader("Proxy-Authenticate")
                : response.getHeader("WWW-Authenticate");
        registration.response(response.getStatus(), response.getReasonPhrase(), challenge, grantedExpires(response));
    }

    /** RFC 3261 §10.2.4: the expiry of our binding is its Contact's expires parameter, else the Expires header. */
    private static int grantedExpires(SipServletResponse response) {
        String contact = response.getRequest() == null ? null : response.getRequest().getHeader("Contact");
        try {
            ListIterator<Address> contacts = response.getAddressHeaders("Contact");
            while (contacts.hasNext()) {
                Address address = contacts.next();
                if (contact != null && contact.contains(address.getURI().toString()) && address.getExpires() > 0) {
                    return address.getExpires();
                }
            }
        } catch (ServletParseException e) {
            // a registrar's malformed Contact: fall back to the Expires header
        }
        String expires = response.getHeader("Expires");
        try {
            return expires == null ? -1 : Integer.parseInt(expires.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The REGISTER requests of one registration. */
    private final class Channel implements SipRegistration.RegisterChannel {

        private final Account account;
        private final String contactUser;
        private SipSession session;
        private SipRegistration registration;

        Channel(Account account) {
            this.account = account;
            // the prefix leads the calls to this Contact to the gateway (DarPropertiesGenerator)
            this.contactUser = DarPropertiesGenerator.GATEWAY_CONTACT_PREFIX
                    + account.user().replaceAll("[^A-Za-z0-9._-]", "") + "-"
                    + HexFormat.of().formatHex(RANDOM.generateSeed(6));
        }

        @Override
        public String requestUri() {
            return "sip:" + account.domain();
        }

        @Override
        public void send(int expires, String authorization) throws IOException {
            try {
                SipServletRequest register;
                if (session == null || !session.isValid()) {
                    SipApplicationSession application = factory.createApplicationSession();
                    Address aor = factory.createAddress("sip:" + account.aor());
                    if (account.displayName() != null) {
                        aor.setDisplayName(account.displayName());
                    }
                    register = factory.createRequest(application, "REGISTER", aor, aor);
                    session = register.getSession();
                    session.setAttribute(REGISTRATION, registration);
                    // the container would invalidate a dialog-less session once its transaction is over (5 s after
                    // a response over UDP, JSR 289 §6.1.2.1) and its application session after 3 minutes; the
                    // refreshes and the removal must share the Call-ID, so both stay until close()
                    session.setInvalidateWhenReady(false);
                    application.setInvalidateWhenReady(false);
                    application.setExpires(0);
                } else {
                    register = session.createRequest("REGISTER");
                }
                register.setRequestURI(factory.createURI(requestUri()));
                SipURI contact = (SipURI) contactBase(interfaces.get()).clone();
                contact.setUser(contactUser);
                DeviceToken push = account.push();
                if (push != null) {
                    // spec §4.5.2: RFC 8599-style push parameters, so that the proxy can wake the device for calls
                    contact.setParameter("pn-app", push.appId());
                    contact.setParameter("pn-tok", push.backgroundToken() == null ? push.token()
                            : push.token() + "-" + push.backgroundToken());
                    contact.setParameter("pn-type", push.platform());
                    contact.setParameter("pn-device", push.deviceId());
                    contact.setParameter("pn-silent", push.silent() ? "1" : "0");
                }
                register.setAddressHeader("Contact", factory.createAddress(contact));
                register.setExpires(expires);
                register.setHeader("User-Agent", account.userAgent() != null ? account.userAgent() : serverHeader);
                if (authorization != null) {
                    register.setHeader("Authorization", authorization);
                }
                if (proxy != null) {
                    proxy.route(factory, register);
                }
                register.send();
                if (expires == 0) {
                    contacts.remove(contactUser);
                } else {
                    contacts.put(contactUser, account.aor());
                }
            } catch (ServletParseException | IllegalArgumentException | IllegalStateException e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            // a failed registration's Contact is bound nowhere: a request to it is no call for the account
            contacts.remove(contactUser);
            SipSession last = session;
            session = null;
            if (last == null || !last.isValid()) {
                return;
            }
            try {
                // gone once its last transaction is over, and in a minute at the latest
                last.setInvalidateWhenReady(true);
                last.getApplicationSession().setInvalidateWhenReady(true);
                last.getApplicationSession().setExpires(1);
            } catch (IllegalStateException invalidated) {
                // already gone
            }
        }
    }

    /** The first UDP (else any) of the container's SIP interfaces: where registrars send calls for accounts. */
    private static SipURI contactBase(List<SipURI> outboundInterfaces) {
        SipURI first = null;
        for (SipURI uri : outboundInterfaces == null ? List.<SipURI>of() : outboundInterfaces) {
            if (first == null) {
                first = uri;
            }
            if ("udp".equalsIgnoreCase(uri.getTransportParam())) {
                return uri;
            }
        }
        if (first == null) {
            throw new IllegalStateException("the container has no SIP interface (yet)");
        }
        return first;
    }
}
