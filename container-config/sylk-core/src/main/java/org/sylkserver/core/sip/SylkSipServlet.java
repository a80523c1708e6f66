package org.sylkserver.core.sip;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.servlet.ServletException;
import javax.servlet.sip.SipServlet;
import javax.servlet.sip.SipServletMessage;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;

import org.sylkserver.core.SylkRuntime;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * Base class of every SylkServer SIP application's main servlet.
 *
 * <p>It applies the rules every application shares before the application sees an initial request:
 * source authorization against {@code [SIP] trusted_peers} (spec §1.5, 403), 481 for a request of an unknown
 * dialog (it has a To tag, RFC 3261 §12.2.2), 505 for a SIP version other than 2.0, 416 for a Request-URI
 * scheme other than sip and sips, 420 for unsupported extensions in {@code Require} (RFC 3261 §8.2.2), OPTIONS
 * answered with the
 * application's capabilities, 501 for a method SIP does not define, 405 with an {@code Allow} header for methods
 * the application does not handle out of dialog (spec §2.4; REGISTER too, as none is a registrar), and 415 or 406 for an INVITE whose offer or accepted answer is not SDP
 * ({@link InitialRequestChecks}). Application selection itself is done by the container's application
 * router from {@code dar.properties}, before this servlet is reached.
 */
public abstract class SylkSipServlet extends SipServlet {

    private static final long serialVersionUID = 1L;

    /** Content types SylkServer applications accept in requests. */
    protected static final String ACCEPT = "application/sdp, message/cpim, text/plain, text/html, message/imdn+xml";

    protected final Logger log = Logger.getLogger(getClass().getName());

    /** The application's name as routed by the application router (e.g. {@code echo}). */
    protected abstract String applicationName();

    /** Methods this application accepts as initial (out-of-dialog) requests, besides OPTIONS. */
    protected abstract Set<String> initialMethods();

    @Override
    protected void doRequest(SipServletRequest request) throws ServletException, IOException {
        if (isInitialRequest(request)) {
            if (rejectUntrusted(request)) {
                return;
            }
            if (request.getTo().getParameter("tag") != null) {
                // RFC 3261 §12.2.2: a request of a dialog we do not have (ended, or never ours); the container hands
                // it over as initial, and taking it as a new one would e.g. answer an un-SUBSCRIBE outside its dialog
                log.info(() -> String.format("%s: %s %s for an unknown dialog (Call-ID %s) answered 481",
                        applicationName(), request.getMethod(), request.getRequestURI(), request.getCallId()));
                reply(request, SipServletResponse.SC_CALL_LEG_DONE, "Call/Transaction Does Not Exist");
                return;
            }
            String topVia = request.getHeader("Via");
            if (topVia != null && !InitialRequestChecks.speaksSip20(topVia)) {
                reply(request, SipServletResponse.SC_VERSION_NOT_SUPPORTED, "Version Not Supported");
                return;
            }
            if (!InitialRequestChecks.isServableScheme(request.getRequestURI().getScheme())) {
                reply(request, SipServletResponse.SC_UNSUPPORTED_URI_SCHEME, "Unsupported URI Scheme");
                return;
            }
            List<String> unsupported = InitialRequestChecks.unsupportedExtensions(headerValues(request, "Require"));
            if (!unsupported.isEmpty()) {
                // RFC 3261 §8.2.2.3
                SipServletResponse badExtension = request.createResponse(SipServletResponse.SC_BAD_EXTENSION);
                badExtension.setHeader("Unsupported", String.join(", ", unsupported));
                badExtension.send();
                return;
            }
            if ("OPTIONS".equals(request.getMethod())) {
                SipServletResponse ok = request.createResponse(SipServletResponse.SC_OK);
                ok.setHeader("Allow", allowHeader());
                ok.setHeader("Accept", ACCEPT);
                ok.setHeader("Supported", String.join(", ", InitialRequestChecks.SUPPORTED));
                ok.send();
                return;
            }
            if (!InitialRequestChecks.isKnownMethod(request.getMethod())) {
                reply(request, SipServletResponse.SC_NOT_IMPLEMENTED, "Not Implemented");
                return;
            }
            if (!initialMethods().contains(request.getMethod())) {
                SipServletResponse notAllowed = request.createResponse(SipServletResponse.SC_METHOD_NOT_ALLOWED);
                notAllowed.setHeader("Allow", allowHeader());
                notAllowed.send();
                return;
            }
            if ("INVITE".equals(request.getMethod()) && rejectUnusableInvite(request)) {
                return;
            }
        }
        super.doRequest(request);
    }

    /**
     * A response that arrives after the container let its application session go (the 200 to a subscription's final
     * NOTIFY, seen a few times in a soak: the session became ready to invalidate between the NOTIFY and its answer)
     * has nothing left to act on, and an application reading the session's attributes would throw, which the
     * container logged at ERROR with a stack trace. It is dropped here.
     */
    @Override
    protected void doResponse(SipServletResponse response) throws ServletException, IOException {
        if (!response.getApplicationSession().isValid()) {
            log.fine(() -> String.format("%s: %d to %s after its session ended, ignored", applicationName(),
                    response.getStatus(), response.getMethod()));
            return;
        }
        super.doResponse(response);
    }

    /**
     * Answers an INVITE whose offer is not SDP with 415 (RFC 3261 §8.2.3) and one whose Accept rules out an SDP
     * answer with 406 (RFC 4475 §3.3.15); true if it did.
     */
    private boolean rejectUnusableInvite(SipServletRequest request) throws IOException {
        byte[] body = request.getRawContent();
        if (body != null && body.length > 0 && !InitialRequestChecks.isSdpOrAbsent(request.getContentType())) {
            SipServletResponse unsupported = request.createResponse(SipServletResponse.SC_UNSUPPORTED_MEDIA_TYPE);
            unsupported.setHeader("Accept", "application/sdp");
            unsupported.send();
            return true;
        }
        if (!InitialRequestChecks.acceptsSdp(headerValues(request, "Accept"))) {
            SipServletResponse notAcceptable = request.createResponse(SipServletResponse.SC_NOT_ACCEPTABLE);
            notAcceptable.setHeader("Warning", "399 SylkServer \"The answer is SDP, which the Accept header rules out\"");
            notAcceptable.send();
            return true;
        }
        return false;
    }

    private static List<String> headerValues(SipServletRequest request, String name) {
        List<String> values = new ArrayList<>();
        request.getHeaders(name).forEachRemaining(values::add);
        return values;
    }

    /** True for out-of-dialog requests that start something (not ACK or CANCEL). */
    protected static boolean isInitialRequest(SipServletRequest request) {
        return request.isInitial() && !"ACK".equals(request.getMethod()) && !"CANCEL".equals(request.getMethod());
    }

    /** Answers 403 to a request whose source is not in {@code [SIP] trusted_peers}; true if it did. */
    protected boolean rejectUntrusted(SipServletRequest request) throws IOException {
        if (isTrusted(request)) {
            return false;
        }
        log.info(() -> String.format("%s: %s %s from untrusted source %s:%d rejected with 403", applicationName(),
                request.getMethod(), request.getRequestURI(), request.getRemoteAddr(), request.getRemotePort()));
        reply(request, SipServletResponse.SC_FORBIDDEN, "Forbidden");
        return true;
    }

    /** Sends a response with the given status and reason phrase, logging instead of throwing on failure. */
    protected void reply(SipServletRequest request, int status, String reason) {
        try {
            request.createResponse(status, reason).send();
        } catch (IOException | IllegalStateException e) {
            log.log(Level.WARNING, "cannot answer " + request.getMethod() + " with " + status, e);
        }
    }

    private boolean isTrusted(SipServletRequest request) throws IOException {
        InetAddress source = signallingSource(request);
        return source == null || SylkRuntime.get().trustedPeers().isTrusted(source);
    }

    /**
     * The IP address {@code message} came from (the first hop's when it came through the container's own routing),
     * or null when unknown; a peer behind NAT sends its RTP from there too ({@code RtpEndpoint.signallingSource}).
     */
    public static InetAddress signallingSource(SipServletMessage message) throws IOException {
        String source = message.getInitialRemoteAddr() != null ? message.getInitialRemoteAddr() : message.getRemoteAddr();
        return source == null ? null : InetAddress.getByName(source);
    }

    private String allowHeader() {
        StringBuilder allow = new StringBuilder("INVITE, ACK, BYE, CANCEL, OPTIONS");
        for (String method : initialMethods()) {
            if (!"INVITE".equals(method)) {
                allow.append(", ").append(method);
            }
        }
        return allow.toString();
    }

    /** The SDP offer of {@code request}, or an {@link SdpException} when it has none or it does not parse. */
    public static SessionDescription sdpOffer(SipServletRequest request) throws SdpException, IOException {
        String type = request.getContentType();
        byte[] body = request.getRawContent();
        if (body == null || body.length == 0 || type == null || !type.toLowerCase().startsWith("application/sdp")) {
            throw new SdpException("No SDP offer");
        }
        return SessionDescription.parse(body);
    }

    /** 488 Not Acceptable Here with the reason in a Warning header (RFC 3261 §20.43, code 399). */
    protected void notAcceptable(SipServletRequest request, SdpException e) {
        log.info(() -> request.getMethod() + " from " + request.getFrom().getURI() + " not acceptable: " + e.getMessage());
        try {
            SipServletResponse response = request.createResponse(SipServletResponse.SC_NOT_ACCEPTABLE_HERE);
            response.setHeader("Warning", "399 SylkServer \"" + e.sipReason().replace("\"", "'") + "\"");
            response.send();
        } catch (IOException | IllegalStateException failed) {
            log.log(Level.WARNING, "cannot answer 488", failed);
        }
    }
}
