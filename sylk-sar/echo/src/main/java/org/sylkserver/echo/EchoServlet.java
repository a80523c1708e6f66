package org.sylkserver.echo;

import java.io.IOException;
import java.util.Set;
import java.util.logging.Level;

import javax.servlet.ServletException;
import javax.servlet.sip.Address;
import javax.servlet.sip.ServletTimer;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.TimerService;
import javax.servlet.sip.URI;

import org.sylkserver.core.SylkRuntime;
import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.ServerConfig;
import org.sylkserver.core.sip.SylkSipServlet;
import org.sylkserver.media.RtpEchoEndpoint;
import org.sylkserver.media.codec.AudioCodecs;
import org.sylkserver.media.sdp.AudioAnswerer;
import org.sylkserver.protocols.sdp.MediaDescription;
import org.sylkserver.protocols.sdp.RtpMap;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * The echo test (spec §6.1): audio calls hear themselves (the caller's RTP is sent back unchanged), SIP
 * MESSAGE is answered with an echo. The call logic lives in {@link EchoCall}, the MESSAGE logic in
 * {@link EchoReply}; this servlet translates SIP to them.
 */
public class EchoServlet extends SylkSipServlet {

    private static final long serialVersionUID = 1L;

    private static volatile TimerService timers;
    private static volatile EchoSettings settings;

    private transient SipFactory sipFactory;
    private transient AudioAnswerer answerer;

    @Override
    public void init() throws ServletException {
        super.init();
        try {
            settings = EchoSettings.load(SylkRuntime.get().configDir());
        } catch (ConfigException e) {
            throw new ServletException(e.getMessage(), e);
        }
        timers = (TimerService) getServletContext().getAttribute(TIMER_SERVICE);
        sipFactory = (SipFactory) getServletContext().getAttribute(SIP_FACTORY);
        answerer = new AudioAnswerer(SylkRuntime.get().config().rtp().audioCodecs(),
                SylkRuntime.get().config().rtp().srtpEncryption());
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

    /** Schedules the echo timer {@code info} of this application session (answer delay or session timeout). */
    static ServletTimer schedule(SipApplicationSession session, String info) {
        long delay = EchoListener.ANSWER.equals(info) ? settings.answerDelay().toMillis() : settings.sessionTimeout().toMillis();
        return timers.createTimer(session, delay, false, info);
    }

    @Override
    protected void doInvite(SipServletRequest request) throws IOException {
        if (!request.isInitial()) {
            reInvite(request);
            return;
        }
        if (request.getHeader("Replaces") != null) {
            reply(request, SipServletResponse.SC_FORBIDDEN, "Replaces not supported");
            return;
        }
        SessionDescription offer;
        try {
            offer = sdpOffer(request);
        } catch (SdpException e) {
            notAcceptable(request, e);
            return;
        }
        SipApplicationSession session = request.getApplicationSession();
        EchoCall[] created = new EchoCall[1];
        RtpEchoEndpoint endpoint;
        try {
            endpoint = SylkRuntime.get().media().openEchoEndpoint(e -> {
                if (created[0] != null) {
                    created[0].rtpTimeout();
                }
            });
        } catch (IOException e) {
            log.warning("echo call from " + request.getFrom().getURI() + " refused: " + e.getMessage());
            reply(request, SipServletResponse.SC_SERVICE_UNAVAILABLE, "No media ports available");
            return;
        }
        AudioAnswerer.Origin origin = new AudioAnswerer.Origin();
        AudioAnswerer.Answer answer;
        try {
            answer = answerer.answer(offer, origin, SylkRuntime.get().sdpAddress(), endpoint.port());
            endpoint.admit(answer.remoteRtp());
        } catch (SdpException e) {
            endpoint.close();
            notAcceptable(request, e);
            return;
        }
        if (answer.secure()) {
            endpoint.secure(answer.remoteKey(), answer.localKey());
        } else if ("zrtp".equals(SylkRuntime.get().config().rtp().srtpEncryption())) {
            String caller = request.getFrom().getURI().toString();
            endpoint.zrtp(SylkRuntime.get().config().server().spoolDir().resolve("zrtp.zid"),
                    sas -> log.info(() -> "echo call from " + caller + ": ZRTP secured, SAS " + sas));
        }
        endpoint.signalled(answer.remoteRtp());
        endpoint.signallingSource(signallingSource(request));
        listenForDtmf(endpoint, answer, request);
        transcode(endpoint, answer, request);
        endpoint.sendRtp(sends(answer));
        endpoint.watchInactivity(answer.direction());
        EchoCall call = new EchoCall(request, endpoint, origin, answer.sdp());
        created[0] = call;
        session.setAttribute(EchoListener.CALL, call);
        if (settings.answerDelay().isZero()) {
            if (call.answer()) {
                call.timer(schedule(session, EchoListener.SESSION_TIMEOUT));
            }
        } else {
            request.createResponse(SipServletResponse.SC_RINGING).send();
            call.timer(schedule(session, EchoListener.ANSWER));
        }
    }

    private void reInvite(SipServletRequest request) throws IOException {
        EchoCall call = (EchoCall) request.getApplicationSession().getAttribute(EchoListener.CALL);
        if (call == null || call.state() != EchoCall.State.ANSWERED) {
            reply(request, SipServletResponse.SC_CALL_LEG_DONE, "Call Does Not Exist");
            return;
        }
        try {
            AudioAnswerer.Answer answer = answerer.answer(sdpOffer(request), call.origin(), SylkRuntime.get().sdpAddress(),
                    call.endpoint().port());
            call.updateAnswer(answer.sdp());
            call.endpoint().signalled(answer.remoteRtp());
            listenForDtmf(call.endpoint(), answer, request);
            transcode(call.endpoint(), answer, request);
            call.endpoint().sendRtp(sends(answer));
            // held (or listening only), the caller may send nothing: no RTP timeout until it sends and receives again
            call.endpoint().watchInactivity(answer.direction());
            SipServletResponse ok = request.createResponse(SipServletResponse.SC_OK);
            ok.setContent(answer.sdp().toBytes(), "application/sdp");
            ok.send();
            log.info(() -> "re-INVITE from " + request.getFrom().getURI() + ": audio " + answer.direction());
        } catch (SdpException e) {
            notAcceptable(request, e);
        }
    }

    /** Whether the answered direction lets the echo send RTP (RFC 3264 §6.1). */
    private static boolean sends(AudioAnswerer.Answer answer) {
        return "sendrecv".equals(answer.direction()) || "sendonly".equals(answer.direction());
    }

    /**
     * The first codec of the answer is echoed through the server's own decoder and encoder when the media
     * engine implements it (so codec negotiation is exercised end to end); other payloads are copied.
     */
    private void transcode(RtpEchoEndpoint endpoint, AudioAnswerer.Answer answer, SipServletRequest request) {
        MediaDescription audio = answer.sdp().media().stream().filter(m -> m.port() != 0).findFirst().orElse(null);
        if (audio == null || answer.payloadTypes().isEmpty()) {
            return;
        }
        String format = answer.payloadTypes().get(0);
        RtpMap map = audio.rtpMap(format);
        if (map == null) {
            return;
        }
        AudioCodecs.create(map.encoding(), map.clockRate()).ifPresentOrElse(decoder -> {
            endpoint.transcode(Integer.parseInt(format), decoder,
                    AudioCodecs.create(map.encoding(), map.clockRate()).orElseThrow());
            log.fine(() -> "echo for " + request.getFrom().getURI() + " decodes and encodes " + map.encoding());
        }, () -> log.fine(() -> "echo for " + request.getFrom().getURI() + " copies " + map.encoding()
                + " (no codec for it in the media engine)"));
    }

    /** RFC 4733 key presses are logged (spec §6.1: the echo only logs received DTMF). */
    private void listenForDtmf(RtpEchoEndpoint endpoint, AudioAnswerer.Answer answer, SipServletRequest request) {
        String caller = request.getFrom().getURI().toString();
        MediaDescription audio = answer.sdp().media().stream().filter(m -> m.port() != 0).findFirst().orElse(null);
        if (audio == null) {
            return;
        }
        for (String format : answer.payloadTypes()) {
            RtpMap map = audio.rtpMap(format);
            if (map != null && map.name().equals("telephone-event")) {
                endpoint.receiveDtmf(Integer.parseInt(format), map.clockRate(), event -> log.info(() -> "DTMF "
                        + event.digit().map(String::valueOf).orElse("event " + event.event()) + " from " + caller
                        + " (" + event.durationMillis() + " ms)"));
                return;
            }
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
        URI sender = request.getFrom().getURI();
        URI recipient = request.getTo().getURI();
        EchoReply decision = EchoReply.to(request.getContentType(), request.getRawContent(),
                sender.toString(), recipient.toString());
        reply(request, decision.status(), decision.reason());
        for (MessageBody body : decision.outgoing()) {
            send(request, body);
        }
    }

    /** Sends a MESSAGE back to the sender: From/To swapped, through the outbound proxy when one is set. */
    private void send(SipServletRequest original, MessageBody body) {
        try {
            SipApplicationSession session = sipFactory.createApplicationSession();
            Address from = sipFactory.createAddress(original.getTo().getURI().clone());
            Address to = sipFactory.createAddress(original.getFrom().getURI().clone());
            SipServletRequest message = sipFactory.createRequest(session, "MESSAGE", from, to);
            message.setHeader("X-Sylk-To-Sip", "yes");
            message.setContent(body.content(), body.contentType());
            ServerConfig.OutboundProxy proxy = SylkRuntime.get().config().sip().outboundProxy();
            if (proxy != null) {
                proxy.route(sipFactory, message);
            }
            message.send();
        } catch (IOException | RuntimeException e) {
            log.log(Level.WARNING, "cannot send echo MESSAGE to " + original.getFrom().getURI(), e);
        }
    }

    @Override
    protected void doErrorResponse(SipServletResponse response) {
        log.fine(() -> response.getMethod() + " to " + response.getTo().getURI() + " failed: " + response.getStatus()
                + " " + response.getReasonPhrase());
    }
}
