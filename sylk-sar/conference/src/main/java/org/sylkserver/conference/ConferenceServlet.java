package org.sylkserver.conference;

import java.io.IOException;
import java.util.Set;

import javax.servlet.ServletException;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipURI;

import org.sylkserver.conference.chat.Identity;
import org.sylkserver.core.files.FileMedia;
import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.session.MediaSession;
import org.sylkserver.core.sip.SylkSipServlet;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * The conference application (spec §3): INVITE to any user at the conference host joins (and creates) the room
 * {@code user@host}; SUBSCRIBE with {@code Event: conference} follows it (RFC 4575). The room logic is in
 * {@link Room}; this servlet translates SIP to it.
 */
public class ConferenceServlet extends SylkSipServlet {

    private static final long serialVersionUID = 1L;

    /** The running application: rooms, MSRP, clock, timers (made here, kept in the servlet context). */
    private transient Conference conference;
    private transient Referrals referrals;
    private transient FilePushes pushes;
    private transient FileTransfers files;
    private transient ConferenceEvents events;

    @Override
    public void init() throws ServletException {
        super.init();
        conference = Conference.start(getServletContext());
        SipFactory factory = (SipFactory) getServletContext().getAttribute(SIP_FACTORY);
        referrals = new Referrals(conference, factory, this::reply);
        pushes = new FilePushes(conference, factory);
        files = new FileTransfers(conference, pushes, this::reply);
        events = new ConferenceEvents(conference, this::reply);
    }

    @Override
    public void destroy() {
        if (conference != null) {
            conference.close(getServletContext());
        }
        super.destroy();
    }

    @Override
    protected String applicationName() {
        return "conference";
    }

    @Override
    protected Set<String> initialMethods() {
        return Set.of("INVITE", "SUBSCRIBE", "REFER");
    }

    /** {@code user@host} of the room a request is for (spec §3.1). */
    static String roomOf(SipServletRequest request) {
        SipURI uri = (SipURI) request.getRequestURI();
        return (uri.getUser() == null ? "" : uri.getUser() + "@") + uri.getHost().toLowerCase();
    }

    @Override
    protected void doInvite(SipServletRequest request) throws IOException {
        if (!request.isInitial()) {
            reInvite(request);
            return;
        }
        String room = roomOf(request);
        String caller = Identity.bare(request.getFrom().getURI().toString());
        try {
            if (!conference.settings.accessList(room).allows(Identity.bare(caller))) {
                log.info(() -> caller + " may not join room " + room + " (access list)");
                reply(request, SipServletResponse.SC_FORBIDDEN, "Forbidden");
                return;
            }
        } catch (ConfigException e) {
            log.warning("conference.ini: " + e.getMessage() + "; refusing " + caller);
            reply(request, SipServletResponse.SC_SERVER_INTERNAL_ERROR, "Configuration error");
            return;
        }
        SessionDescription offer;
        try {
            offer = sdpOffer(request);
        } catch (SdpException e) {
            notAcceptable(request, e);
            return;
        }
        boolean chatOffered = conference.streams.chatOffered(offer);
        boolean audioOffered = MediaSession.offers(offer, "audio");
        if (conference.settings.pin(room).isPresent()) {
            // issue 11: nothing of a PIN room before its PIN, which only audio can type (RFC 4733)
            if (!audioOffered && !conference.rooms.admits(room, caller)) {
                log.info(() -> caller + " may not use PIN room " + room + " without audio before typing its PIN");
                reply(request, SipServletResponse.SC_FORBIDDEN, "PIN Required: Join With Audio First");
                return;
            }
            if (audioOffered && !conference.rooms.mayTryPin(request.getRemoteAddr())) {
                log.info(() -> caller + " may not try the PIN of room " + room + ": too many wrong PINs from "
                        + request.getRemoteAddr());
                reply(request, SipServletResponse.SC_FORBIDDEN, "Too Many Wrong PINs");
                return;
            }
        }
        if (conference.msrp != null && !chatOffered && !audioOffered) {
            FileMedia file;
            try {
                file = FileMedia.find(offer, conference.msrpProto);
            } catch (IllegalArgumentException e) {
                log.info(() -> "file transfer from " + caller + " to room " + room + " refused: " + e.getMessage());
                reply(request, SipServletResponse.SC_NOT_ACCEPTABLE_HERE, "Bad file transfer stream");
                return;
            }
            if (file != null) {
                files.take(request, room, caller, offer, file);
                return;
            }
        }
        ConferenceCall call;
        try {
            call = ConferenceCall.invited(conference, room, request, offer);
        } catch (SdpException e) {
            notAcceptable(request, e);
            return;
        } catch (IOException e) {
            log.warning("conference call from " + caller + " refused: " + e.getMessage());
            reply(request, SipServletResponse.SC_SERVICE_UNAVAILABLE, "No media ports available");
            return;
        }
        call.ringOrAnswer();
    }

    /** A re-INVITE from a participant (spec §3.2): its call takes it. */
    private void reInvite(SipServletRequest request) throws IOException {
        ConferenceCall call = (ConferenceCall) request.getApplicationSession().getAttribute(ConferenceListener.CALL);
        if (call == null) {
            reply(request, SipServletResponse.SC_CALL_LEG_DONE, "Call Does Not Exist");
            return;
        }
        SessionDescription offer = null;
        SdpException bad = null;
        try {
            offer = sdpOffer(request);
        } catch (SdpException e) {
            bad = e;
        }
        call.reInvite(request, offer, bad, new ConferenceCall.Refusals() {
            @Override
            public void reply(SipServletRequest refused, int status, String reason) {
                ConferenceServlet.this.reply(refused, status, reason);
            }

            @Override
            public void notAcceptable(SipServletRequest refused, SdpException problem) {
                ConferenceServlet.this.notAcceptable(refused, problem);
            }
        });
    }

    @Override
    protected void doAck(SipServletRequest request) {
        ConferenceCall call = (ConferenceCall) request.getApplicationSession().getAttribute(ConferenceListener.CALL);
        if (call != null) {
            call.acked();
        }
    }

    @Override
    protected void doBye(SipServletRequest request) throws IOException {
        ConferenceCall call = (ConferenceCall) request.getApplicationSession().getAttribute(ConferenceListener.CALL);
        FileTransferCall transfer = (FileTransferCall) request.getApplicationSession()
                .getAttribute(ConferenceListener.FILE_TRANSFER);
        try {
            request.createResponse(SipServletResponse.SC_OK).send();
        } finally {
            // the peer has hung up even if our 200 cannot reach it: the call ends either way
            if (call != null) {
                call.ended("hung up");
            }
            if (transfer != null) {
                transfer.ended("the sender hung up");
            }
        }
    }

    @Override
    protected void doCancel(SipServletRequest request) {
        ConferenceCall call = (ConferenceCall) request.getApplicationSession().getAttribute(ConferenceListener.CALL);
        if (call != null) {
            call.ended("cancelled");
        }
        FileTransferCall transfer = (FileTransferCall) request.getApplicationSession()
                .getAttribute(ConferenceListener.FILE_TRANSFER);
        if (transfer != null) {
            transfer.ended("cancelled");
        }
    }

    @Override
    protected void doInfo(SipServletRequest request) throws IOException {
        request.createResponse(SipServletResponse.SC_OK).send();
    }

    /** RFC 4575 subscriptions to a room (spec §3.6). */
    @Override
    protected void doSubscribe(SipServletRequest request) throws IOException {
        events.subscribe(request);
    }

    @Override
    protected void doRefer(SipServletRequest request) throws IOException {
        referrals.refer(request);
    }

    @Override
    protected void doProvisionalResponse(SipServletResponse response) {
        referrals.progress(response);
    }

    @Override
    protected void doSuccessResponse(SipServletResponse response) throws IOException {
        if (!pushes.answered(response)) {
            referrals.answered(response);
        }
    }

    @Override
    protected void doErrorResponse(SipServletResponse response) {
        log.fine(() -> response.getMethod() + " to " + response.getTo().getURI() + " failed: " + response.getStatus());
        pushes.declined(response);
        referrals.failed(response);
    }
}
