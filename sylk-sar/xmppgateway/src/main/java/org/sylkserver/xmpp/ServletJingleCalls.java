package org.sylkserver.xmpp;

import java.io.IOException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.servlet.sip.Address;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;

import org.sylkserver.core.config.ServerConfig;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;
import org.sylkserver.xmpp.jingle.JingleCalls;

/**
 * The SIP legs of XMPP users' Jingle calls (spec §5.7) on the servlet API: an INVITE From the XMPP user's SIP URI To
 * our user with the media bridge's offer, through {@code [SIP] outbound_proxy} or by the callee's domain, like the
 * gateway's MESSAGEs. Its 2xx is ACKed and its answer handed on, a failure reported with its status; a BYE from the
 * SIP party is answered and reported; hanging up is CANCEL before the answer and BYE after. The servlet hands the
 * responses and BYEs here ({@link #response}, {@link #bye}): what is not a Jingle call's is not taken.
 */
final class ServletJingleCalls implements JingleCalls.SipCalls {

    private static final Logger LOG = Logger.getLogger("sylk.xmpp.jingle");
    private static final String CALL = "org.sylkserver.xmpp.jingle.call";
    private static final String CALLER = "org.sylkserver.xmpp.jingle.caller";
    private static final String FOCUS = "org.sylkserver.xmpp.jingle.focus";

    private final SipFactory factory;
    private final ServerConfig.OutboundProxy proxy;
    private final ScheduledExecutorService timer;

    ServletJingleCalls(SipFactory factory, ServerConfig.OutboundProxy proxy, ScheduledExecutorService timer) {
        this.factory = factory;
        this.proxy = proxy;
        this.timer = timer;
    }

    @Override
    public JingleCalls.SipCall call(String fromUri, String toUri, SessionDescription offer,
                                   JingleCalls.SipEvents events) {
        try {
            Address from = factory.createAddress(fromUri);
            Address to = factory.createAddress(toUri);
            SipServletRequest invite = factory.createRequest(factory.createApplicationSession(), "INVITE", from, to);
            invite.setContent(offer.toBytes(), "application/sdp");
            if (proxy != null) {
                proxy.route(factory, invite);
            }
            Call call = new Call(invite, events);
            invite.getSession().setAttribute(CALL, call);
            invite.send();
            LOG.info(() -> "Jingle call " + fromUri + " -> " + toUri + ": INVITE sent");
            return call;
        } catch (IOException | ServletParseException | RuntimeException e) {
            LOG.info("INVITE " + fromUri + " -> " + toUri + " for a Jingle call not sent: " + e);
            events.failed(SipServletResponse.SC_SERVICE_UNAVAILABLE);
            return null;
        }
    }

    private static Call callOf(SipSession session) {
        return session == null || !session.isValid() ? null : (Call) session.getAttribute(CALL);
    }

    /**
     * Spec §5.7, SIP → XMPP: a SIP user's INVITE with an audio offer for an XMPP user; {@code dial} hands it to the
     * gateway ({@link org.sylkserver.xmpp.jingle.JingleCalls#dial}) with the caller's side of it.
     */
    void dialled(SipServletRequest invite,
                 java.util.function.Function<JingleCalls.SipCaller, JingleCalls.CallerEvents> dial) {
        dialled(invite, dial, false);
    }

    /**
     * As {@link #dialled(SipServletRequest, java.util.function.Function)}; {@code focus}: the caller is a conference
     * focus, whose conference event package the answered call subscribes to (spec §5.1: a session with a remote
     * focus does), the documents going to the Jingle party (spec §5.7, XEP-0298 §6).
     */
    void dialled(SipServletRequest invite,
                 java.util.function.Function<JingleCalls.SipCaller, JingleCalls.CallerEvents> dial, boolean focus) {
        Caller caller = new Caller(invite);
        if (focus) {
            caller.focus = focusSubscription(invite, caller);
        }
        // set before the dial: the Jingle side may answer before it returns, and the dialog's requests find it
        invite.getSession().setAttribute(CALLER, caller);
        JingleCalls.CallerEvents events = dial.apply(caller);
        if (events == null) {
            invite.getSession().removeAttribute(CALLER);
            return;
        }
        caller.events(events);
    }

    private static Caller callerOf(SipSession session) {
        return session == null || !session.isValid() ? null : (Caller) session.getAttribute(CALLER);
    }

    /** A CANCEL of a SIP user's call to an XMPP user (the container has answered the INVITE 487). */
    boolean cancel(SipServletRequest cancel) {
        Caller caller = callerOf(cancel.getSession());
        if (caller == null) {
            return false;
        }
        caller.cancelled();
        return true;
    }

    /** The ACK of a focus's call: its conference subscription starts (once). */
    void ack(SipServletRequest ack) {
        Caller caller = callerOf(ack.getSession());
        if (caller != null && caller.focus != null && caller.isAnswered()) {
            caller.focus.subscribe();
        }
    }

    private static ConferenceSubscription focusOf(SipSession session) {
        return session == null || !session.isValid() ? null : (ConferenceSubscription) session.getAttribute(FOCUS);
    }

    /** A NOTIFY of a focus call's conference subscription: true if it was one (answered here). */
    boolean notify(SipServletRequest notify) throws IOException {
        ConferenceSubscription subscription = focusOf(notify.getSession());
        if (subscription == null) {
            return false;
        }
        notify.createResponse(SipServletResponse.SC_OK).send();
        subscription.notified(notify);
        return true;
    }

    /** A response to a Jingle call's INVITE (or its BYE, or our re-INVITE): true if it was one (then it is handled). */
    boolean response(SipServletResponse response) {
        ConferenceSubscription subscription = focusOf(response.getSession());
        if (subscription != null) {
            subscription.response(response);
            return true;
        }
        Caller caller = callerOf(response.getSession());
        if (caller != null) {
            if (response.getMethod().equals("INVITE") && response.getStatus() >= 200 && response.getStatus() < 300) {
                try {
                    response.createAck().send(); // our re-INVITE's answer (the Jingle party's hold or resume)
                } catch (IOException | IllegalStateException e) {
                    LOG.log(Level.FINE, "ACK of a re-INVITE not sent", e);
                }
            }
            return true;
        }
        Call call = callOf(response.getSession());
        if (call == null) {
            return false;
        }
        if (response.getMethod().equals("INVITE")) {
            call.inviteResponse(response);
        }
        return true;
    }

    /**
     * A re-INVITE in a Jingle call's dialog (spec §5.7: hold and resume are mapped, other proposals refused with
     * 488): true if it was one (answered here).
     */
    boolean reInvite(SipServletRequest request) throws IOException {
        Call call = callOf(request.getSession());
        Caller caller = callerOf(request.getSession());
        if (call == null && (caller == null || caller.events == null)) {
            return false;
        }
        SessionDescription answer = null;
        try {
            byte[] body = request.getRawContent();
            if (body != null && body.length > 0) {
                SessionDescription offer = SessionDescription.parse(body);
                answer = call != null ? call.events.reOffered(offer) : caller.events.reOffered(offer);
            }
        } catch (SdpException e) {
            LOG.info("re-INVITE in a Jingle call: " + e.getMessage());
        }
        if (answer == null) {
            SipServletResponse refused = request.createResponse(SipServletResponse.SC_NOT_ACCEPTABLE_HERE);
            refused.setHeader("Warning", "399 SylkServer \"Only hold and resume are taken in this call\"");
            refused.send();
            return true;
        }
        SipServletResponse ok = request.createResponse(SipServletResponse.SC_OK);
        ok.setContent(answer.toBytes(), "application/sdp");
        ok.send();
        return true;
    }

    /** A BYE in a Jingle call's dialog: true if it was one (answered here). */
    boolean bye(SipServletRequest request) throws IOException {
        Caller caller = callerOf(request.getSession());
        if (caller != null) {
            request.createResponse(SipServletResponse.SC_OK).send();
            caller.byeReceived();
            return true;
        }
        Call call = callOf(request.getSession());
        if (call == null) {
            return false;
        }
        request.createResponse(SipServletResponse.SC_OK).send();
        call.byeReceived();
        return true;
    }

    /**
     * The INVITE of a SIP user calling an XMPP user, answered as the Jingle side says. Guarded by its monitor: the
     * Jingle side's answer, a CANCEL and a BYE may race; what comes after the end is dropped.
     */
    private static final class Caller implements JingleCalls.SipCaller {
        private final SipServletRequest invite;
        /** A conference focus's call: its conference subscription (set once, before the dial); else null. */
        ConferenceSubscription focus;
        private volatile JingleCalls.CallerEvents events;
        private boolean answered;
        private boolean ringing;
        private boolean over;

        Caller(SipServletRequest invite) {
            this.invite = invite;
        }

        synchronized boolean isAnswered() {
            return answered && !over;
        }

        /** Where the focus's conference-info documents go. */
        void conferenceInfo(byte[] document) {
            JingleCalls.CallerEvents current = events;
            if (current != null && isAnswered()) {
                current.conferenceInfo(document);
            }
        }

        private void ended() {
            if (focus != null) {
                focus.unsubscribe();
            }
        }

        @Override
        public synchronized void ringing() {
            if (over || answered || ringing) {
                return;
            }
            ringing = true;
            send(invite.createResponse(SipServletResponse.SC_RINGING), "180");
        }

        @Override
        public synchronized boolean answer(SessionDescription answer) {
            if (over || answered) {
                return false;
            }
            try {
                SipServletResponse ok = invite.createResponse(SipServletResponse.SC_OK);
                ok.setContent(answer.toBytes(), "application/sdp");
                ok.send();
                answered = true;
                LOG.info(() -> "Jingle call " + invite.getFrom().getURI() + " -> " + invite.getRequestURI()
                        + " answered");
                return true;
            } catch (IOException | IllegalStateException e) {
                LOG.info("200 to " + invite.getFrom().getURI() + " not sent (" + e + "): the call is over");
                over = true;
                return false;
            }
        }

        @Override
        public synchronized void reject(int status) {
            if (over || answered) {
                return;
            }
            over = true;
            try {
                invite.createResponse(status).send();
            } catch (IOException | IllegalStateException e) {
                LOG.log(Level.FINE, status + " to a Jingle call's INVITE not sent", e);
            }
        }

        @Override
        public void hangUp() {
            SipSession dialog;
            synchronized (this) {
                if (over || !answered) {
                    return;
                }
                over = true;
                dialog = invite.getSession();
            }
            ended();
            try {
                if (dialog.isValid()) {
                    dialog.createRequest("BYE").send();
                }
            } catch (IOException | IllegalStateException e) {
                LOG.log(Level.FINE, "BYE to " + invite.getFrom().getURI() + " not sent", e);
            }
        }

        @Override
        public void reOffer(SessionDescription offer) {
            SipSession dialog;
            synchronized (this) {
                dialog = over || !answered ? null : invite.getSession();
            }
            try {
                if (dialog != null && dialog.isValid()) {
                    SipServletRequest reInvite = dialog.createRequest("INVITE");
                    reInvite.setContent(offer.toBytes(), "application/sdp");
                    reInvite.send();
                }
            } catch (IOException | IllegalStateException e) {
                LOG.info("re-INVITE to " + invite.getFrom().getURI() + " not sent: " + e);
            }
        }

        /** The gateway's side of the call; a CANCEL that came before it is handed on now. */
        void events(JingleCalls.CallerEvents events) {
            boolean cancelledMeanwhile;
            synchronized (this) {
                this.events = events;
                cancelledMeanwhile = over && !answered;
            }
            if (cancelledMeanwhile) {
                events.cancelled(); // nothing if the gateway ended the call itself (it rejected the INVITE)
            }
        }

        void cancelled() {
            synchronized (this) {
                if (over || answered) {
                    return;
                }
                over = true;
            }
            if (events != null) {
                events.cancelled();
            }
        }

        void byeReceived() {
            synchronized (this) {
                if (over) {
                    return;
                }
                over = true;
            }
            ended();
            if (events != null) {
                events.hungUp();
            }
        }

        private static void send(SipServletResponse response, String what) {
            try {
                response.send();
            } catch (IOException | IllegalStateException e) {
                LOG.log(Level.FINE, what + " to a Jingle call's INVITE not sent", e);
            }
        }
    }

    /**
     * The subscription of a focus's answered Jingle call to the focus's conference event package (RFC 4575, spec
     * §5.1): a SUBSCRIBE From the called XMPP user To the room, to the focus's Contact (through the outbound proxy
     * when there is one). A refusal or a terminated subscription is logged and not retried: the call goes on without
     * conference information.
     */
    private ConferenceSubscription focusSubscription(SipServletRequest invite, Caller caller) {
        return new ConferenceSubscription(timer, () -> {
            Address from = factory.createAddress(invite.getTo().getURI().clone());
            Address to = factory.createAddress(invite.getFrom().getURI().clone());
            SipServletRequest subscribe = factory.createRequest(invite.getApplicationSession(), "SUBSCRIBE", from, to);
            Address contact = invite.getAddressHeader("Contact");
            if (contact != null) {
                subscribe.setRequestURI(contact.getURI().clone());
            }
            if (proxy != null) {
                proxy.route(factory, subscribe);
            }
            subscribe.getSession().setAttribute(FOCUS, caller.focus);
            return subscribe;
        }, new ConferenceSubscription.Listener() {
            @Override
            public void conferenceInfo(byte[] document) {
                caller.conferenceInfo(document);
            }

            @Override
            public void unsubscribed(String why) {
                LOG.info("conference subscription to " + invite.getFrom().getURI() + ": " + why
                        + "; the Jingle call goes on without conference information");
            }
        });
    }

    /** One INVITE dialog. Guarded by its monitor; the events are called outside it. */
    private static final class Call implements JingleCalls.SipCall {
        private final SipServletRequest invite;
        private final JingleCalls.SipEvents events;
        private SipSession dialog;
        /** Whether the INVITE's 2xx was taken: later 2xx answer our re-INVITEs (or repeat that one). */
        private boolean established;
        private boolean provisional;
        private boolean over;

        Call(SipServletRequest invite, JingleCalls.SipEvents events) {
            this.invite = invite;
            this.events = events;
        }

        void inviteResponse(SipServletResponse response) {
            int status = response.getStatus();
            boolean hungUp;
            synchronized (this) {
                if (status < 200) {
                    provisional = true;
                    return;
                }
                if (established) {
                    // a re-INVITE's answer (RFC 3264 §8.4: its direction is the SIP party's answer to our hold)
                    if (status < 300) {
                        try {
                            response.createAck().send();
                        } catch (IOException | IllegalStateException e) {
                            LOG.log(Level.FINE, "ACK of a re-INVITE not sent", e);
                        }
                    } else {
                        LOG.info("re-INVITE to " + invite.getTo() + " refused: " + status);
                    }
                    return;
                }
                if (status < 300) {
                    established = true;
                }
                hungUp = over;
                if (status < 300 && dialog == null) {
                    dialog = response.getSession();
                }
                if (status >= 300) {
                    over = true;
                }
            }
            if (status >= 300) {
                if (!hungUp) {
                    events.failed(status);
                }
                return;
            }
            try {
                response.createAck().send();
            } catch (IOException | IllegalStateException e) {
                LOG.log(Level.WARNING, "ACK to " + invite.getTo() + " not sent", e);
            }
            if (hungUp) {
                bye(); // the Jingle side ended while the INVITE was out (RFC 3261 §15: ACK, then BYE)
                return;
            }
            SessionDescription answer;
            try {
                byte[] body = response.getRawContent();
                answer = SessionDescription.parse(new String(body == null ? new byte[0] : body,
                        java.nio.charset.StandardCharsets.UTF_8));
            } catch (IOException | SdpException | RuntimeException e) {
                LOG.info("SIP answer to a Jingle call unusable: " + e.getMessage());
                hangUp();
                events.failed(SipServletResponse.SC_NOT_ACCEPTABLE_HERE);
                return;
            }
            java.net.InetAddress source = null;
            try {
                source = response.getRemoteAddr() == null ? null : java.net.InetAddress.getByName(
                        response.getRemoteAddr()); // an address literal: no lookup
            } catch (IOException e) {
                LOG.fine(() -> "no source address for the answer: " + e);
            }
            events.answered(answer, source);
        }

        void byeReceived() {
            synchronized (this) {
                if (over) {
                    return;
                }
                over = true;
            }
            events.hungUp();
        }

        @Override
        public void reOffer(SessionDescription offer) {
            SipSession answered;
            synchronized (this) {
                answered = over ? null : dialog;
            }
            try {
                if (answered != null && answered.isValid()) {
                    SipServletRequest reInvite = answered.createRequest("INVITE");
                    reInvite.setContent(offer.toBytes(), "application/sdp");
                    reInvite.send();
                }
            } catch (IOException | IllegalStateException e) {
                LOG.info("re-INVITE to " + invite.getTo() + " not sent: " + e);
            }
        }

        @Override
        public void hangUp() {
            boolean answered;
            boolean cancellable;
            synchronized (this) {
                if (over) {
                    return;
                }
                over = true;
                answered = dialog != null;
                cancellable = provisional;
            }
            if (answered) {
                bye();
            } else if (cancellable) {
                try {
                    invite.createCancel().send();
                } catch (IOException | IllegalStateException e) {
                    LOG.log(Level.FINE, "CANCEL to " + invite.getTo() + " not sent", e);
                }
            }
            // no provisional response yet: a 2xx still to come is ACKed and ended with BYE (inviteResponse)
        }

        private void bye() {
            SipSession answered;
            synchronized (this) {
                answered = dialog;
            }
            try {
                if (answered != null && answered.isValid()) {
                    answered.createRequest("BYE").send();
                }
            } catch (IOException | IllegalStateException e) {
                LOG.log(Level.FINE, "BYE to " + invite.getTo() + " not sent", e);
            }
        }
    }
}
