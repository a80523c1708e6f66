package org.sylkserver.echo;

import java.io.IOException;
import java.util.Set;

import javax.servlet.ServletException;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.TimerService;

import org.sylkserver.core.SylkRuntime;
import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.session.AudioStream;
import org.sylkserver.core.sip.SylkSipServlet;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * The echo test (spec §6.1): audio calls hear themselves (the caller's RTP is sent back unchanged), SIP
 * MESSAGE is answered with an echo. The call logic lives in {@link EchoCall}, the MESSAGE logic in
 * {@link EchoReply}, the offer/answer in {@code MediaSession}; this servlet translates SIP to them.
 */
public class EchoServlet extends SylkSipServlet {

    private static final long serialVersionUID = 1L;

    private transient EchoMessages messages;
    private transient AudioStream.Settings audioSettings;
    private transient EchoCall.Timers timers;

    @Override
    public void init() throws ServletException {
        super.init();
        EchoSettings settings;
        try {
            settings = EchoSettings.load(SylkRuntime.get().configDir());
        } catch (ConfigException e) {
            throw new ServletException(e.getMessage(), e);
        }
        timers = new EchoCall.Timers(settings, (TimerService) getServletContext().getAttribute(TIMER_SERVICE));
        messages = new EchoMessages((SipFactory) getServletContext().getAttribute(SIP_FACTORY));
        audioSettings = AudioStream.Settings.of(SylkRuntime.get().config());
        log.info(() -> "echo ready: answer delay " + settings.answerDelay().toMillis() + " ms, session timeout "
                + settings.sessionTimeout().toSeconds() + " s");
    }

    @Override
    protected String applicationName() {
        return "echo";
    }

    @Override
    protected Set<String> initialMethods() {
        return Set.of("INVITE", "MESSAGE");
    }

    @Override
    protected void doInvite(SipServletRequest request) throws IOException {
        EchoCall call = (EchoCall) request.getApplicationSession().getAttribute(EchoListener.CALL);
        if (!request.isInitial() && (call == null || call.state() != EchoCall.State.ANSWERED)) {
            reply(request, SipServletResponse.SC_CALL_LEG_DONE, "Call Does Not Exist");
            return;
        }
        if (request.isInitial() && request.getHeader("Replaces") != null) {
            reply(request, SipServletResponse.SC_FORBIDDEN, "Replaces not supported");
            return;
        }
        try {
            SessionDescription offer = sdpOffer(request);
            if (call != null) {
                call.reanswer(request, offer);
                return;
            }
            EchoCall created;
            try {
                created = EchoCall.open(timers, request, offer, audioSettings, signallingSource(request));
            } catch (IOException e) {
                log.warning("echo call from " + request.getFrom().getURI() + " refused: " + e.getMessage());
                reply(request, SipServletResponse.SC_SERVICE_UNAVAILABLE, "No media ports available");
                return;
            }
            created.start();
        } catch (SdpException e) {
            notAcceptable(request, e);
        }
    }

    @Override
    protected void doAck(SipServletRequest request) {
        // the call is up; nothing to do
    }

    @Override
    protected void doCancel(SipServletRequest request) {
        EchoCall call = (EchoCall) request.getApplicationSession().getAttribute(EchoListener.CALL);
        if (call != null) {
            call.ended("cancelled");
        }
    }

    @Override
    protected void doBye(SipServletRequest request) throws IOException {
        EchoCall call = (EchoCall) request.getApplicationSession().getAttribute(EchoListener.CALL);
        try {
            request.createResponse(SipServletResponse.SC_OK).send();
        } finally {
            // the peer has hung up even if our 200 cannot reach it: the call ends either way
            if (call != null) {
                call.ended("caller hung up");
            }
        }
    }

    @Override
    protected void doInfo(SipServletRequest request) throws IOException {
        log.fine(() -> "INFO from " + request.getFrom().getURI() + " (" + request.getContentType() + ")");
        request.createResponse(SipServletResponse.SC_OK).send();
    }

    @Override
    protected void doRefer(SipServletRequest request) {
        reply(request, SipServletResponse.SC_FORBIDDEN, "Transfer not allowed");
    }

    @Override
    protected void doMessage(SipServletRequest request) throws IOException {
        if (!request.isInitial()) {
            reply(request, SipServletResponse.SC_OK, "OK");
            return;
        }
        EchoReply decision = EchoReply.to(request.getContentType(), request.getRawContent(),
                request.getFrom().getURI().toString(), request.getTo().getURI().toString());
        reply(request, decision.status(), decision.reason());
        for (MessageBody body : decision.outgoing()) {
            messages.send(request, body);
        }
    }

    @Override
    protected void doErrorResponse(SipServletResponse response) {
        log.fine(() -> response.getMethod() + " to " + response.getTo().getURI() + " failed: " + response.getStatus()
                + " " + response.getReasonPhrase());
    }
}
