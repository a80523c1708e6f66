package org.sylkserver.xmpp;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.Set;
import java.util.logging.Logger;

import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipURI;

import gov.nist.javax.sip.address.AddressFactoryImpl;

import org.mobicents.ext.javax.sip.dns.DefaultDNSServerLocator;
import org.sylkserver.core.config.ServerConfig;

/**
 * The ways out of the gateway's out-of-dialog requests that try routes in turn ({@link
 * org.sylkserver.xmpp.sip.RouteFailover}): the addresses of the outbound proxy, or else of the request's destination,
 * in RFC 3263 §4 order (NAPTR, SRV, A/AAAA), each put on the request as a loose route. When nothing resolves (a
 * domain the DNS does not know, which the container may still route), the request goes the way the container routes
 * it, as one route.
 */
final class SipRoutes {

    private static final Logger LOG = Logger.getLogger("sylk.xmpp");
    /** RFC 3263 resolution, as the container does it (NAPTR, SRV, A/AAAA). */
    private static final DefaultDNSServerLocator LOCATOR = new DefaultDNSServerLocator(
            new HashSet<>(Set.of("UDP", "TCP", "TLS")));

    /** One way to a destination: a loose route to a resolved hop, or none (the container resolves the request). */
    record Hop(String host, int port, String transport) {
        static final Hop AS_THE_CONTAINER_RESOLVES = new Hop(null, 0, null);

        @Override
        public String toString() {
            return host == null ? "the container's resolution" : host + ":" + port + ";transport=" + transport;
        }
    }

    private final SipFactory factory;
    private final ServerConfig.OutboundProxy proxy;

    /** @param proxy where the requests go, or {@code null} for their destinations' own addresses */
    SipRoutes(SipFactory factory, ServerConfig.OutboundProxy proxy) {
        this.factory = factory;
        this.proxy = proxy;
    }

    /** The routes of a request to {@code uri}, best first; never empty. */
    List<Hop> of(String uri) {
        String next = proxy == null ? uri
                : "sip:" + proxy.host() + (proxy.port() > 0 ? ":" + proxy.port() : "") + ";transport="
                + proxy.transport();
        List<Hop> found = new ArrayList<>();
        try {
            Queue<javax.sip.address.Hop> hops = LOCATOR.locateHops(new AddressFactoryImpl().createURI(next));
            if (hops != null) {
                hops.forEach(hop -> found.add(new Hop(hop.getHost(), hop.getPort(), hop.getTransport())));
            }
        } catch (java.text.ParseException | RuntimeException e) {
            LOG.fine(() -> "routes of " + next + ": " + e);
        }
        return found.isEmpty() ? List.of(Hop.AS_THE_CONTAINER_RESOLVES) : found;
    }

    /** Sends {@code request} through {@code hop}: a loose route to it, or the container's (or the proxy's) way. */
    void apply(Hop hop, SipServletRequest request) {
        if (hop.host() == null) {
            route(request);
            return;
        }
        SipURI route = factory.createSipURI(null, hop.host());
        if (hop.port() > 0) {
            route.setPort(hop.port());
        }
        route.setTransportParam(hop.transport().toLowerCase(Locale.ROOT));
        route.setLrParam(true);
        request.pushRoute(route);
    }

    /** The outbound proxy's route on {@code request}, if there is a proxy (the container resolves the rest). */
    void route(SipServletRequest request) {
        if (proxy != null) {
            proxy.route(factory, request);
        }
    }
}
