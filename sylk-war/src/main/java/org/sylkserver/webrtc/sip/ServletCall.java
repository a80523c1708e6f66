package org.sylkserver.webrtc.sip;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.servlet.sip.SipServletMessage;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;

import org.sylkserver.core.sip.SylkSipServlet;
import org.sylkserver.webrtc.Account;
import org.sylkserver.webrtc.SipCall;
import org.sylkserver.webrtc.api.SipHeader;
import org.sylkserver.webrtc.registration.CredentialRealms;

/**
 * One call's SIP dialog through the container (a B2BUA leg, spec §4.5.3-4.5.7): the INVITE we sent for
 * {@code session-create} or the one we received for an account, and every request of the dialog after it. The
 * servlet hands it the dialog's requests ({@link #request}) and responses ({@link #response}); it reports to its
 * {@link SipCall.Listener}.
 *
 * <p>Threads: SIP threads and the connections' executors call it; every method is synchronized on the call.
 */
final class ServletCall implements SipCall {

    /** The SIP session attribute that leads the dialog's messages to their call. */
    static final String CALL = "sylk.call";
    private static final String SDP = "application/sdp";
    private static final Logger LOG = Logger.getLogger("webrtcgateway.sip");

    private final Account account;
    /** Whose challenges the account's credentials answer; null for calls we received. */
    private final CredentialRealms realms;
    private final List<SipHeader> extraHeaders;
    private final boolean outgoing;
    private SipCall.Listener listener;
    /** Our initial INVITE (the last one, after a challenge) or the one we received. */
    private SipServletRequest invite;
    private SipServletRequest remoteReinvite;
    private boolean provisionalSeen;
    private boolean cancelWhenProvisional;
    private boolean answered;
    private boolean over;
    private boolean challenged;
    /** Where the far end's SIP comes from: the INVITE's source, or the latest response's to ours; null if unknown. */
    private InetAddress signallingSource;

    private ServletCall(SipServletRequest invite, Account account, CredentialRealms realms,
                        List<SipHeader> extraHeaders, boolean outgoing) {
        this.invite = invite;
        this.account = account;
        this.realms = realms;
        this.extraHeaders = extraHeaders;
        this.outgoing = outgoing;
        if (!outgoing) {
            signallingSource = sourceOf(invite);
        }
        invite.getSession().setAttribute(CALL, this);
    }

    /** Our INVITE for {@code account}, not sent yet; challenges from {@code realms} only are answered. */
    static ServletCall outgoing(SipServletRequest invite, Account account, CredentialRealms realms,
                                List<SipHeader> headers, SipCall.Listener listener) {
        ServletCall call = new ServletCall(invite, account, realms, headers, true);
        call.listener = listener;
        return call;
    }

    /** An INVITE we received; {@link #listen} before anything of the dialog can reach it. */
    static ServletCall incoming(SipServletRequest invite) {
        return new ServletCall(invite, null, null, List.of(), false);
    }

    synchronized void listen(SipCall.Listener value) {
        listener = value;
    }

    /** The call of a SIP session, or null. */
    static ServletCall of(SipSession session) {
        return session == null ? null : (ServletCall) session.getAttribute(CALL);
    }

    synchronized void send() throws IOException {
        invite.send();
    }

    @Override
    public String callId() {
        return invite.getCallId();
    }

    @Override
    public synchronized InetAddress signallingSource() {
        return signallingSource;
    }

    @Override
    public synchronized void ringing() {
        respond(invite, 180, null, null, List.of());
    }

    @Override
    public synchronized void answer(String sdp, List<SipHeader> headers) throws IOException {
        if (over || answered) {
            throw new IOException("Call " + callId() + " is no longer available");
        }
        answered = true;
        try {
            SipServletResponse ok = invite.createResponse(200);
            addHeaders(ok, headers);
            ok.setContent(sdp.getBytes(StandardCharsets.UTF_8), SDP);
            ok.send();
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new IOException("Cannot answer call " + callId() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void decline(int status) {
        if (!answered && !over) {
            over = true;
            respond(invite, status, null, null, List.of());
        }
    }

    @Override
    public synchronized void hangUp() {
        if (over) {
            return;
        }
        if (answered) {
            over = true;
            sendInDialog("BYE", null, null, List.of());
        } else if (outgoing && provisionalSeen) {
            over = true;
            cancel();
        } else if (outgoing) {
            // RFC 3261 §9.1: no CANCEL before a provisional response; it goes out with the first one
            cancelWhenProvisional = true;
        } else {
            decline(487);
        }
    }

    @Override
    public synchronized void reinvite(String sdp, List<SipHeader> headers) throws IOException {
        SipServletRequest reinvite = invite.getSession().createRequest("INVITE");
        addHeaders(reinvite, headers);
        reinvite.setContent(sdp.getBytes(StandardCharsets.UTF_8), SDP);
        reinvite.send();
    }

    @Override
    public synchronized void acceptReinvite(String sdp) throws IOException {
        if (remoteReinvite == null) {
            throw new IOException("No re-INVITE to answer in call " + callId());
        }
        SipServletRequest reinvite = remoteReinvite;
        remoteReinvite = null;
        SipServletResponse ok = reinvite.createResponse(200);
        ok.setContent(sdp.getBytes(StandardCharsets.UTF_8), SDP);
        ok.send();
    }

    @Override
    public synchronized void rejectReinvite(int status) {
        if (remoteReinvite != null) {
            respond(remoteReinvite, status, null, null, List.of());
            remoteReinvite = null;
        }
    }

    @Override
    public synchronized void dtmf(char digit, int durationMillis) throws IOException {
        // application/dtmf-relay as SIP INFO DTMF is commonly sent (no RFC; Cisco's format)
        String body = "Signal=" + digit + "\r\nDuration=" + durationMillis + "\r\n";
        if (!sendInDialog("INFO", "application/dtmf-relay", body.getBytes(StandardCharsets.US_ASCII), List.of())) {
            throw new IOException("Cannot send DTMF in call " + callId());
        }
    }

    @Override
    public synchronized void message(String contentType, byte[] content) throws IOException {
        if (!sendInDialog("MESSAGE", contentType, content, List.of())) {
            throw new IOException("Cannot send a message in call " + callId());
        }
    }

    /** A request of this call's dialog (or its CANCEL), from the servlet. */
    synchronized void request(SipServletRequest request) {
        switch (request.getMethod()) {
            case "ACK" -> {
                if (!outgoing && answered) {
                    listener.confirmed();
                }
            }
            case "CANCEL" -> {
                // the container has answered the CANCEL with 200 and the INVITE with 487 (JSR 289 §7.2.3)
                over = true;
                listener.cancelled();
            }
            case "BYE" -> {
                respond(request, 200, null, null, List.of());
                if (!over) {
                    over = true;
                    listener.ended();
                }
            }
            case "INVITE" -> {
                String sdp = body(request);
                if (sdp == null) {
                    // offerless re-INVITEs would need our offer first: not supported
                    respond(request, 488, null, null, List.of());
                } else if (remoteReinvite != null) {
                    respond(request, 491, null, null, List.of());
                } else {
                    remoteReinvite = request;
                    listener.reoffered(sdp);
                }
            }
            case "MESSAGE" -> {
                respond(request, 200, null, null, List.of());
                listener.messageReceived(request.getContentType(), rawContent(request));
            }
            case "INFO" -> respond(request, 200, null, null, List.of());
            default -> respond(request, 501, null, null, List.of());
        }
    }

    /** A response to a request of ours in this call, from the servlet. */
    synchronized void response(SipServletResponse response) {
        int status = response.getStatus();
        String method = response.getMethod();
        // our first INVITE or its retry with credentials (which the container counts as a request of the dialog)
        boolean initial = "INVITE".equals(method) && outgoing && cseq(response) == cseq(invite);
        if ((status == 401 || status == 407) && !initial && retryInDialog(response, status)) {
            return;
        }
        if (initial) {
            initialInviteResponse(response, status);
        } else if ("INVITE".equals(method)) {
            if (status >= 200 && status < 300) {
                ack(response);
                listener.reanswered(body(response));
            } else if (status >= 300) {
                listener.reinviteFailed(status, response.getReasonPhrase());
            }
        } else if ("MESSAGE".equals(method) && status >= 200) {
            listener.messageDelivered(status, response.getReasonPhrase());
        }
    }

    private void initialInviteResponse(SipServletResponse response, int status) {
        InetAddress source = status > 100 ? sourceOf(response) : null;
        if (source != null) {
            signallingSource = source;
        }
        if (status < 200) {
            if (status == 100) {
                return;
            }
            provisionalSeen = true;
            if (cancelWhenProvisional) {
                cancelWhenProvisional = false;
                over = true;
                cancel();
                return;
            }
            if (!over) {
                listener.provisional(status, response.getReasonPhrase(), body(response));
            }
        } else if (status < 300) {
            ack(response);
            if (over || cancelWhenProvisional) {
                // answered while we were hanging up (RFC 3261 §9.1: the CANCEL lost the race)
                over = true;
                sendInDialog("BYE", null, null, List.of());
                return;
            }
            answered = true;
            listener.answered(body(response), headers(response));
        } else if ((status == 401 || status == 407) && !challenged && !over && !cancelWhenProvisional
                && retryWithCredentials(response)) {
            challenged = true;
        } else if (!over || cancelWhenProvisional) {
            over = true;
            cancelWhenProvisional = false;
            listener.rejected(status, response.getReasonPhrase());
        }
    }

    /** RFC 3261 §22.2: the INVITE again, same Call-ID, next CSeq, with credentials from the account's HA1. */
    private boolean retryWithCredentials(SipServletResponse response) {
        try {
            SipServletRequest retry = invite.getSession().createRequest("INVITE");
            retry.setRequestURI(invite.getRequestURI());
            addHeaders(retry, extraHeaders);
            copyRoute(invite, retry);
            retry.setContent(invite.getRawContent(), invite.getContentType());
            authorize(retry, response);
            invite = retry;
            retry.send();
            return true;
        } catch (IllegalArgumentException | IllegalStateException | IOException e) {
            LOG.info(() -> "call " + callId() + ": cannot answer the challenge: " + e.getMessage());
            return false;
        }
    }

    /**
     * RFC 3261 §22.2 inside the dialog: a request of ours the far end (or a proxy on the route) challenged goes once
     * more, with the next CSeq and credentials from the account's HA1; its content goes again, its extra headers not.
     * Calls we received have no account to answer with.
     */
    private boolean retryInDialog(SipServletResponse response, int status) {
        SipServletRequest challenged = response.getRequest();
        String credentials = status == 407 ? "Proxy-Authorization" : "Authorization";
        if (account == null || !answered || challenged == null || challenged.getHeader(credentials) != null
                || (over && !"BYE".equals(response.getMethod()))) {
            return false;
        }
        String method = response.getMethod();
        try {
            SipServletRequest retry = invite.getSession().createRequest(method);
            byte[] content = rawContent(challenged);
            if (content != null && content.length > 0) {
                retry.setContent(content, challenged.getContentType());
            }
            authorize(retry, response);
            retry.send();
            LOG.info(() -> "call " + callId() + ": " + method + " challenged (" + status + "), sent again with credentials");
            return true;
        } catch (IllegalArgumentException | IllegalStateException | IOException e) {
            LOG.info(() -> "call " + callId() + ": cannot answer the challenge to " + method + ": " + e.getMessage());
            return false;
        }
    }

    /** RFC 3261 §22.2, §22.3: credentials for {@code request} from the account's HA1 ({@link DigestCredentials}). */
    private void authorize(SipServletRequest request, SipServletResponse challenged) {
        DigestCredentials.authorize(request, challenged, account, realms);
    }

    private static InetAddress sourceOf(SipServletMessage message) {
        try {
            return SylkSipServlet.signallingSource(message);
        } catch (IOException e) {
            return null;
        }
    }

    /** The sequence number of a message's CSeq, or -1. */
    private static long cseq(SipServletMessage message) {
        String header = message == null ? null : message.getHeader("CSeq");
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.strip().split("\\s+")[0]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void copyRoute(SipServletRequest from, SipServletRequest to) throws IOException {
        try {
            for (Iterator<javax.servlet.sip.Address> routes = from.getAddressHeaders("Route"); routes.hasNext(); ) {
                to.pushRoute(routes.next());
            }
        } catch (javax.servlet.sip.ServletParseException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private void cancel() {
        try {
            invite.createCancel().send();
        } catch (IOException | IllegalStateException e) {
            LOG.log(Level.FINE, "call " + callId() + ": cannot send CANCEL", e);
        }
    }

    private void ack(SipServletResponse response) {
        try {
            response.createAck().send();
        } catch (IOException | IllegalStateException e) {
            LOG.log(Level.WARNING, "call " + callId() + ": cannot send ACK", e);
        }
    }

    private boolean sendInDialog(String method, String contentType, byte[] content, List<SipHeader> headers) {
        try {
            SipServletRequest request = invite.getSession().createRequest(method);
            addHeaders(request, headers);
            if (content != null) {
                request.setContent(content, contentType);
            }
            request.send();
            return true;
        } catch (IOException | IllegalStateException | IllegalArgumentException e) {
            LOG.log(Level.INFO, "call " + callId() + ": cannot send " + method + ": " + e.getMessage());
            return false;
        }
    }

    private void respond(SipServletRequest request, int status, String contentType, byte[] content,
                         List<SipHeader> headers) {
        try {
            SipServletResponse response = request.createResponse(status);
            addHeaders(response, headers);
            if (content != null) {
                response.setContent(content, contentType);
            }
            response.send();
        } catch (IOException | IllegalStateException e) {
            LOG.log(Level.FINE, "call " + callId() + ": cannot answer " + request.getMethod() + " with " + status, e);
        }
    }

    /** Extra headers the client asked for; the container refuses system headers with IllegalArgumentException. */
    static void addHeaders(SipServletMessage message, List<SipHeader> headers) {
        for (SipHeader header : headers) {
            message.addHeader(header.getName(), header.getValue());
        }
    }

    /** The message's SDP as text, or null when it has none. */
    static String body(SipServletMessage message) {
        String type = message.getContentType();
        byte[] content = rawContent(message);
        if (content == null || content.length == 0 || type == null
                || !type.toLowerCase(Locale.ROOT).startsWith(SDP)) {
            return null;
        }
        return new String(content, StandardCharsets.UTF_8);
    }

    static byte[] rawContent(SipServletMessage message) {
        try {
            return message.getRawContent();
        } catch (IOException e) {
            return null;
        }
    }

    /** Every header of {@code message} by name, the first value of each. */
    static Map<String, String> headers(SipServletMessage message) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Iterator<String> names = message.getHeaderNames(); names.hasNext(); ) {
            String name = names.next();
            headers.putIfAbsent(name, message.getHeader(name));
        }
        return headers;
    }
}
