package org.sylkserver.core.container;

import java.io.Serializable;
import java.util.logging.Logger;

import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.ar.SipApplicationRouterInfo;
import javax.servlet.sip.ar.SipApplicationRoutingDirective;
import javax.servlet.sip.ar.SipApplicationRoutingRegion;
import javax.servlet.sip.ar.SipTargetedRequestInfo;

import org.mobicents.servlet.sip.router.DefaultApplicationRouter;

/**
 * The container's application router: Restcomm's default router (DAR, rules in {@code dar.properties}) for requests
 * from the network, and the network for requests our own applications originate.
 *
 * <p>JSR 289 §15.4 hands every initial request to the router, including those an application creates (a gateway
 * call, a room's dial-out, a file push, a REGISTER, a MESSAGE reply). The DAR only skips the application that sent
 * the request, so the next rule matched: the catch-all {@code default_application} captured a browser's outgoing
 * call into a local conference room, and the {@code notfound} rule refused a room's dial-out with 404. A request
 * that belongs to a SIP session already was created here and leaves through its routes or RFC 3263 resolution,
 * unless it names an application in {@code X-Sylk-App} (spec §2.2), the way one application may address another.
 */
public class SylkApplicationRouter extends DefaultApplicationRouter {

    /** The header by which a request names its application (spec §2.2). */
    public static final String APPLICATION_HEADER = "X-Sylk-App";

    private static final Logger LOG = Logger.getLogger(SylkApplicationRouter.class.getName());

    @Override
    public SipApplicationRouterInfo getNextApplication(SipServletRequest request, SipApplicationRoutingRegion region,
            SipApplicationRoutingDirective directive, SipTargetedRequestInfo targeted, Serializable stateInfo) {
        if (request != null && isOriginatedHere(request) && request.getHeader(APPLICATION_HEADER) == null) {
            LOG.fine(() -> request.getMethod() + " to " + request.getRequestURI() + " from application "
                    + request.getSession(false).getApplicationSession().getApplicationName() + " goes out");
            return toNetwork();
        }
        return super.getNextApplication(request, region, directive, targeted, stateInfo);
    }

    /**
     * Whether an application of this container created the request: the container gives a request from the network
     * its SIP session only once an application was chosen for it.
     */
    static boolean isOriginatedHere(SipServletRequest request) {
        return request.getSession(false) != null;
    }

    /** JSR 289 §15.4.1: no application, so the container sends the request out. */
    private static SipApplicationRouterInfo toNetwork() {
        return new SipApplicationRouterInfo(null, null, null, null, null, null);
    }
}
