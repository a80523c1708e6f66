package org.sylkserver.xmpp;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.servlet.sip.Address;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;
import javax.servlet.sip.SipURI;

import org.sylkserver.core.config.ServerConfig;
import org.sylkserver.core.msrp.MsrpRoute;
import org.sylkserver.core.session.ChatLine;
import org.sylkserver.core.session.MsrpChatLine;
import org.sylkserver.xmpp.muc.ConferenceCall;
import org.sylkserver.xmpp.muc.InvitationRefer;

/**
 * The SIP side of MUC occupants (spec §5.6.1) on the servlet API: each occupant's INVITE to the room's conference
 * with its MSRP chat line on the gateway's MSRP endpoint, and its SUBSCRIBE to the conference event package
 * (RFC 4575, refreshed before it expires). Requests go through {@code [muc] outbound_proxy}, else
 * {@code [SIP] outbound_proxy}, else by the room's domain. The servlet hands the calls' responses, BYEs and NOTIFYs
 * here ({@link #response}, {@link #bye}, {@link #notify}): what is not an occupant's is not taken. The same calls,
 * without a subscription, reach SIP users for the chat sessions XMPP users start (spec §5.4.3); any instance's
 * {@link #response} and {@link #bye} handle the calls of all.
 */
final class ServletConferenceCalls implements ConferenceCall.Dialer {

    private static final Logger LOG = Logger.getLogger("sylk.xmpp.muc");
    private static final String CALL = "org.sylkserver.xmpp.muc.call";
    /** On the session of a REFER for a MUC invitation: its target. */
    private static final String REFERRAL = "org.sylkserver.xmpp.muc.referral";

    private final SipFactory factory;
    private final MsrpRoute msrp;
    private final ExecutorService connector;
    private final InetAddress address;
    private final int maxMessageSize;
    private final ScheduledExecutorService timer;
    /** The ways to the rooms: the outbound proxy's or the room domain's addresses (RFC 3263). */
    private final SipRoutes routes;
    private final InvitationRefer<SipRoutes.Hop> invitations;

    ServletConferenceCalls(SipFactory factory, ServerConfig.OutboundProxy proxy, MsrpRoute msrp,
                           ExecutorService connector, InetAddress address, int maxMessageSize,
                           ScheduledExecutorService timer) {
        this.factory = factory;
        this.routes = new SipRoutes(factory, proxy);
        this.msrp = msrp;
        this.connector = connector;
        this.address = address;
        this.maxMessageSize = maxMessageSize;
        this.timer = timer;
        this.invitations = new InvitationRefer<>(routes::of, this::referVia, InvitationRefer.BUDGET, timer);
    }

    @Override
    public ChatLine line(ChatLine.Listener listener) {
        return new MsrpChatLine(msrp, connector, address, maxMessageSize, listener);
    }

    @Override
    public ConferenceCall dial(String fromUri, String gr, String roomUri, String sdp, ConferenceCall.Listener listener)
            throws IOException {
        try {
            SipApplicationSession session = factory.createApplicationSession();
            Address from = factory.createAddress(fromUri);
            Address to = factory.createAddress(roomUri);
            SipServletRequest invite = factory.createRequest(session, "INVITE", from, to);
            invite.setContent(sdp.getBytes(StandardCharsets.UTF_8), "application/sdp");
            try {
                // spec §5.3: the XMPP resource travels in the Contact's gr (JSR 289 lets user and parameters be set)
                Address contact = invite.getAddressHeader("Contact");
                if (contact != null && contact.getURI() instanceof SipURI uri) {
                    uri.setUser(((SipURI) from.getURI()).getUser());
                    uri.setParameter("gr", gr);
                }
            } catch (ServletParseException | IllegalStateException | IllegalArgumentException e) {
                LOG.log(Level.FINE, "no gr in the Contact of " + fromUri, e);
            }
            routes.route(invite);
            Call call = new Call(invite, from, to, listener);
            invite.getSession().setAttribute(CALL, call);
            invite.send();
            return call;
        } catch (ServletParseException | RuntimeException e) {
            throw new IOException("INVITE " + roomUri + ": " + e.getMessage(), e);
        }
    }

    /**
     * Spec §5.6.2: REFER to the room, {@code Refer-To: <target;method=INVITE>} (RFC 4579 §5.5), Referred-By the
     * inviter, tried on the room's routes in turn within 30 s ({@link InvitationRefer}). Its answer and the
     * conference's sipfrag NOTIFYs about the dial-out are logged (spec: outcome only logged).
     */
    @Override
    public void refer(String fromUri, String roomUri, String targetUri, ConferenceCall.ReferAnswer answer) {
        invitations.refer(fromUri, roomUri, targetUri, answer);
    }

    /** One REFER of a mediated invitation, through {@code hop}. */
    private void referVia(SipRoutes.Hop hop, String fromUri, String roomUri, String targetUri,
                          ConferenceCall.ReferAnswer answer) {
        try {
            SipServletRequest refer = factory.createRequest(factory.createApplicationSession(), "REFER",
                    factory.createAddress(fromUri), factory.createAddress(roomUri));
            refer.setHeader("Refer-To", "<" + targetUri + ";method=INVITE>");
            refer.setHeader("Referred-By", "<" + fromUri + ">");
            routes.apply(hop, refer);
            refer.getSession().setAttribute(REFERRAL, new Referral(targetUri, answer));
            refer.send();
        } catch (IOException | ServletParseException | RuntimeException e) {
            LOG.info(() -> "REFER to " + roomUri + " via " + hop + " for " + targetUri + " not sent: " + e);
            answer.answered(0, "not sent: " + e.getMessage());
        }
    }

    /** A REFER for a MUC invitation: whom it asks the conference to call, and who hears its answer. */
    private record Referral(String target, ConferenceCall.ReferAnswer answer) {
    }

    private static Referral referralOf(SipSession session) {
        return session == null || !session.isValid() ? null : (Referral) session.getAttribute(REFERRAL);
    }

    /**
     * RFC 4579 §3: a focus says so with {@code isfocus} in its Contact, a parameter without value that the
     * container's address model does not keep: read from the header's text.
     */
    static boolean isFocus(String contact) {
        return contact != null && contact.toLowerCase(java.util.Locale.ROOT).matches(".*;\\s*isfocus\\b.*");
    }

    private static Call callOf(SipSession session) {
        return session == null || !session.isValid() ? null : (Call) session.getAttribute(CALL);
    }

    /** A response to an occupant's INVITE or SUBSCRIBE: true if it was one (then it is handled). */
    boolean response(SipServletResponse response) {
        Referral referral = referralOf(response.getSession());
        if (referral != null) {
            if (response.getStatus() >= 200) {
                referral.answer().answered(response.getStatus(), response.getReasonPhrase());
            }
            return true;
        }
        Call call = callOf(response.getSession());
        if (call == null) {
            return false;
        }
        if (response.getMethod().equals("INVITE")) {
            call.inviteResponse(response);
        } else if (response.getMethod().equals("SUBSCRIBE")) {
            call.subscribeResponse(response);
        }
        return true;
    }

    /** A BYE in an occupant's call: true if it was one (answered here). */
    boolean bye(SipServletRequest request) throws IOException {
        Call call = callOf(request.getSession());
        if (call == null) {
            return false;
        }
        request.createResponse(SipServletResponse.SC_OK).send();
        call.byeReceived();
        return true;
    }

    /** A NOTIFY of an occupant's conference subscription: true if it was one (answered here). */
    boolean notify(SipServletRequest request) throws IOException {
        Referral referral = referralOf(request.getSession());
        if (referral != null) {
            String referred = referral.target();
            request.createResponse(SipServletResponse.SC_OK).send();
            byte[] sipfrag = request.getRawContent();
            LOG.info(() -> "MUC invitation of " + referred + ": " + (sipfrag == null ? request.getHeader(
                    "Subscription-State") : new String(sipfrag, StandardCharsets.UTF_8).lines().findFirst().orElse("")));
            return true;
        }
        Call call = callOf(request.getSession());
        if (call == null) {
            return false;
        }
        request.createResponse(SipServletResponse.SC_OK).send();
        call.notified(request);
        return true;
    }

    /** One occupant's INVITE dialog and conference subscription. Guarded by its monitor. */
    private final class Call implements ConferenceCall {
        private final SipServletRequest invite;
        private final Address from;
        private final Address to;
        private final ConferenceCall.Listener listener;
        private final ConferenceSubscription subscription;
        private SipSession dialog;
        private boolean over;

        Call(SipServletRequest invite, Address from, Address to, ConferenceCall.Listener listener) {
            this.invite = invite;
            this.from = from;
            this.to = to;
            this.listener = listener;
            this.subscription = new ConferenceSubscription(timer, () -> {
                SipServletRequest request = factory.createRequest(invite.getApplicationSession(), "SUBSCRIBE", from,
                        to);
                routes.route(request);
                request.getSession().setAttribute(CALL, this);
                return request;
            }, new ConferenceSubscription.Listener() {
                @Override
                public void conferenceInfo(byte[] document) {
                    listener.conferenceInfo(document);
                }

                @Override
                public void unsubscribed(String why) {
                    listener.unsubscribed(why);
                }
            });
        }

        void inviteResponse(SipServletResponse response) {
            int status = response.getStatus();
            if (status < 200) {
                return;
            }
            boolean hungUp;
            synchronized (this) {
                hungUp = over;
                if (status < 300) {
                    dialog = response.getSession();
                }
            }
            if (status >= 300) {
                if (!hungUp) {
                    listener.rejected(status, response.getReasonPhrase());
                }
                return;
            }
            try {
                response.createAck().send();
            } catch (IOException | IllegalStateException e) {
                LOG.log(Level.WARNING, "ACK to " + to + " not sent", e);
            }
            if (hungUp) {
                bye();
                return;
            }
            listener.answered(sdp(response), isFocus(response.getHeader("Contact")));
        }

        private String sdp(SipServletResponse response) {
            try {
                byte[] body = response.getRawContent();
                return body == null || body.length == 0 ? null : new String(body, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return null;
            }
        }

        void byeReceived() {
            synchronized (this) {
                if (over) {
                    return;
                }
                over = true;
            }
            unsubscribe();
            listener.ended();
        }

        @Override
        public void subscribe() {
            subscription.subscribe();
        }

        void subscribeResponse(SipServletResponse response) {
            subscription.response(response);
        }

        void notified(SipServletRequest notify) throws IOException {
            subscription.notified(notify);
        }

        @Override
        public void hangUp() {
            SipSession answered;
            synchronized (this) {
                if (over) {
                    return;
                }
                over = true;
                answered = dialog;
            }
            unsubscribe();
            if (answered != null) {
                bye();
            } else {
                try {
                    invite.createCancel().send();
                } catch (IOException | IllegalStateException e) {
                    // no provisional response yet: a 2xx still to come is ACKed and ended with BYE
                    LOG.log(Level.FINE, "CANCEL to " + to + " not sent", e);
                }
            }
        }

        private void bye() {
            try {
                SipSession answered;
                synchronized (this) {
                    answered = dialog;
                }
                if (answered != null && answered.isValid()) {
                    answered.createRequest("BYE").send();
                }
            } catch (IOException | IllegalStateException e) {
                LOG.log(Level.FINE, "BYE to " + to + " not sent", e);
            }
        }

        private void unsubscribe() {
            subscription.unsubscribe();
        }
    }
}
