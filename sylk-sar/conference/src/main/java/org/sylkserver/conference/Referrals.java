package org.sylkserver.conference;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

import org.sylkserver.conference.chat.Identity;
import org.sylkserver.core.SylkRuntime;
import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.ServerConfig;
import org.sylkserver.core.session.AudioStream;
import org.sylkserver.core.session.MediaSession;
import org.sylkserver.core.sip.SylkSipServlet;
import org.sylkserver.media.RtpAudioEndpoint;
import org.sylkserver.media.sdp.AudioAnswerer;
import org.sylkserver.media.sdp.AudioOffer;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * What a REFER to a room asks of its focus (RFC 4579 §5.2, §5.5, §5.11; spec §3.9): to call someone in, or to hang
 * up on a participant, with the progress reported in {@code message/sipfrag} NOTIFYs (RFC 3515). The servlet hands the
 * REFER here; the answer to the focus's INVITE comes back through the servlet to {@link #sipfrag}.
 */
final class Referrals {

    /** How the servlet answers a request (its {@code reply}: logs instead of throwing). */
    interface Replies {
        void reply(SipServletRequest request, int status, String reason);
    }

    private static final Logger log = Logger.getLogger(Referrals.class.getName());

    private final Conference conference;
    private final SipFactory factory;
    private final Replies replies;

    Referrals(Conference conference, SipFactory factory, Replies replies) {
        this.conference = conference;
        this.factory = factory;
        this.replies = replies;
    }

    /**
     * RFC 4579 §5.5 and §5.11 (spec §3.9): an out-of-dialog REFER to the room asks the focus to dial the Refer-To
     * target in (method INVITE, the default) or to hang up on it (method BYE); progress goes back in
     * {@code message/sipfrag} NOTIFYs (RFC 3515 §2.4.5). Inside a participant's dialog it is refused as in the
     * original; from anyone who is not a participant of the room (past its PIN) with 403, as are a removal by a
     * non-moderator and a dial-out outside {@code dial_out_domains} when conference.ini sets them (issue 11).
     */
    void refer(SipServletRequest request) throws IOException {
        if (!request.isInitial()) {
            replies.reply(request, SipServletResponse.SC_FORBIDDEN, "Transfer not allowed");
            return;
        }
        String room = ConferenceServlet.roomOf(request);
        String referrer = Identity.bare(request.getFrom().getURI().toString());
        Address referTo;
        try {
            referTo = request.getAddressHeader("Refer-To");
        } catch (ServletParseException e) {
            replies.reply(request, SipServletResponse.SC_NOT_ACCEPTABLE_HERE, "Bad Refer-To");
            return;
        }
        if (referTo == null) {
            boolean missing = request.getHeader("Refer-To") == null;
            replies.reply(request,
                    missing ? SipServletResponse.SC_BAD_REQUEST : SipServletResponse.SC_NOT_ACCEPTABLE_HERE,
                    missing ? "Missing Refer-To" : "Bad Refer-To");
            return;
        }
        try {
            if (!conference.settings.accessList(room).allows(Identity.bare(referrer))) {
                replies.reply(request, SipServletResponse.SC_FORBIDDEN, "Forbidden");
                return;
            }
        } catch (ConfigException e) {
            replies.reply(request, SipServletResponse.SC_SERVER_INTERNAL_ERROR, "Configuration error");
            return;
        }
        javax.servlet.sip.URI referred;
        try {
            referred = referTo.getURI();
        } catch (RuntimeException unparsable) {
            // the container parses the URI lazily and throws for garbage (spec §3.9: 488)
            log.info(() -> "REFER from " + referrer + ": unparsable Refer-To " + request.getHeader("Refer-To"));
            replies.reply(request, SipServletResponse.SC_NOT_ACCEPTABLE_HERE, "Bad Refer-To");
            return;
        }
        if (!(referred instanceof SipURI target)) {
            replies.reply(request, SipServletResponse.SC_NOT_ACCEPTABLE_HERE, "Refer-To is not a SIP URI");
            return;
        }
        String method = target.getParameter("method") == null ? "INVITE" : target.getParameter("method").toUpperCase();
        if (!method.equals("INVITE") && !method.equals("BYE")) {
            replies.reply(request, SipServletResponse.SC_NOT_ACCEPTABLE_HERE, "Method " + method + " not supported");
            return;
        }
        // issue 11: a REFER speaks for the room, so only its participants may send one (any of them, as the original's
        // clients use it); the options of conference.ini may narrow what they may ask
        Room existing = conference.rooms.find(room);
        if (existing == null || !existing.admits(referrer)) {
            log.info(() -> "REFER from " + referrer + " refused: not a participant of room " + room);
            replies.reply(request, SipServletResponse.SC_FORBIDDEN, "Only Participants May Refer");
            return;
        }
        String targetUser = Identity.bare(target.toString());
        try {
            if (method.equals("BYE") && !conference.settings.mayRemove(room, referrer, targetUser)) {
                log.info(() -> "REFER from " + referrer + " to remove " + targetUser + " refused: not a moderator");
                replies.reply(request, SipServletResponse.SC_FORBIDDEN, "Only Moderators May Remove Participants");
                return;
            }
        } catch (ConfigException e) {
            replies.reply(request, SipServletResponse.SC_SERVER_INTERNAL_ERROR, "Configuration error");
            return;
        }
        if (method.equals("INVITE") && !conference.settings.mayDialOut(target.getHost())) {
            log.info(() -> "REFER from " + referrer + " to call " + targetUser + " refused: not in dial_out_domains");
            replies.reply(request, SipServletResponse.SC_FORBIDDEN, "Dial-Out Target Not Allowed");
            return;
        }
        request.createResponse(SipServletResponse.SC_ACCEPTED).send();
        SipSession referSession = request.getSession();
        if (method.equals("BYE")) {
            int removed = 0;
            for (Participant p : existing.participants()) {
                if (p.uri.equals(targetUser)) {
                    ConferenceCall call = ConferenceCall.of(p);
                    if (call != null) {
                        call.hangUp("removed by " + referrer);
                        removed++;
                    }
                }
            }
            int count = removed;
            log.info(() -> referrer + " removed " + targetUser + " from room " + room + " (" + count + " sessions)");
            sipfrag(referSession, count > 0 ? "SIP/2.0 200 OK" : "SIP/2.0 404 Not Found", true);
            return;
        }
        dialOut(room, referrer, request, target, referSession);
    }

    /** RFC 4579 §5.2: the focus calls {@code target} on the referrer's behalf. */
    private void dialOut(String room, String referrer, SipServletRequest refer, SipURI target, SipSession referSession)
            throws IOException {
        SipURI clean = (SipURI) target.clone();
        clean.removeParameter("method");
        RtpAudioEndpoint endpoint;
        try {
            endpoint = SylkRuntime.get().media().openAudioEndpoint(e -> { });
        } catch (IOException e) {
            sipfrag(referSession, "SIP/2.0 503 No media ports available", true);
            return;
        }
        MediaSession media = new MediaSession(SylkRuntime.get().sdpAddress());
        SessionDescription offer = conference.streams.dialOutOffer(media, endpoint.port());
        SipApplicationSession session = factory.createApplicationSession();
        Address from = factory.createAddress(factory.createSipURI(room.substring(0, room.indexOf('@')),
                room.substring(room.indexOf('@') + 1)), "Conference Call");
        SipServletRequest invite = factory.createRequest(session, "INVITE", from, factory.createAddress(clean));
        invite.setHeader("X-Orig-From", "<sip:" + referrer + ">");
        invite.setHeader("Subject", "Join conference request from " + referrer);
        String referredBy = refer.getHeader("Referred-By");
        invite.setHeader("Referred-By", referredBy != null ? referredBy : "<sip:" + referrer + ">");
        invite.setContent(offer.toBytes(), "application/sdp");
        ConferenceCall.markAsFocus(invite);
        ServerConfig.OutboundProxy proxy = SylkRuntime.get().config().sip().outboundProxy();
        if (proxy != null) {
            proxy.route(factory, invite);
        }
        session.setAttribute(ConferenceListener.DIAL_OUT, new DialOut(room, referrer, offer, media, endpoint,
                referSession));
        invite.send();
        log.info(() -> referrer + " asked room " + room + " to call " + clean);
    }

    /** What the focus remembers about a call it placed. */
    record DialOut(String room, String referrer, SessionDescription offer, MediaSession media,
                   RtpAudioEndpoint endpoint, SipSession referSession) {

        /** The call the focus placed that {@code response} answers, if it is an answer to one. */
        static DialOut of(SipServletResponse response) {
            return (DialOut) response.getApplicationSession().getAttribute(ConferenceListener.DIAL_OUT);
        }
    }

    /** A provisional answer to a call the focus placed: the referrer hears of its progress. */
    void progress(SipServletResponse response) {
        DialOut out = DialOut.of(response);
        if (out != null && response.getMethod().equals("INVITE") && response.getStatus() > 100) {
            sipfrag(out.referSession(), "SIP/2.0 " + response.getStatus() + " " + response.getReasonPhrase(), false);
        }
    }

    /**
     * The target answered a call the focus placed (RFC 4579 §5.2): ACKed, and in the room at once with the audio
     * its answer accepted; an answer without audio we can take is hung up (488 to the referrer).
     */
    void answered(SipServletResponse response) throws IOException {
        DialOut out = DialOut.of(response);
        if (out == null || !response.getMethod().equals("INVITE")) {
            return;
        }
        response.createAck().send();
        if (response.getApplicationSession().getAttribute(ConferenceListener.CALL) != null) {
            return;
        }
        AudioAnswerer.Answer answer;
        try {
            answer = AudioOffer.read(out.offer(), SessionDescription.parse(response.getRawContent()));
        } catch (SdpException e) {
            log.info(() -> "dial-out to " + response.getTo().getURI() + " failed: " + e.getMessage());
            response.getSession().createRequest("BYE").send();
            out.endpoint().close();
            sipfrag(out.referSession(), "SIP/2.0 488 Not Acceptable Here", true);
            return;
        }
        String uri = Identity.bare(response.getTo().getURI().toString());
        Participant participant = new Participant(response.getCallId(), uri, response.getTo().getDisplayName(),
                ConferenceCall.contact(response, response.getTo()), null, response.getSession(), out.endpoint());
        AudioStream audio = conference.streams.dialledOut(out.endpoint(), answer);
        out.media().answered(audio);
        participant.hold(audio.onHold());
        out.endpoint().signallingSource(SylkSipServlet.signallingSource(response));
        out.endpoint().remote(audio.remoteRtp(), audio.rtcpMux(), audio.clockRate());
        out.endpoint().watchInactivity(audio.direction());
        ConferenceCall call = ConferenceCall.dialledOut(conference, out.room(), participant, out.media(), audio);
        response.getApplicationSession().setAttribute(ConferenceListener.CALL, call);
        call.joinRoom();
        sipfrag(out.referSession(), "SIP/2.0 200 OK", true);
        log.info(() -> uri + " answered the focus of room " + out.room() + " (invited by " + out.referrer() + ")");
    }

    /** A call the focus placed failed: its media are freed, the referrer hears the final status. */
    void failed(SipServletResponse response) {
        DialOut out = DialOut.of(response);
        if (out != null && response.getMethod().equals("INVITE")) {
            out.endpoint().close();
            sipfrag(out.referSession(), "SIP/2.0 " + response.getStatus() + " " + response.getReasonPhrase(), true);
        }
    }

    /** One {@code message/sipfrag} NOTIFY of the REFER's implicit subscription (RFC 3515 §2.4.4). */
    private void sipfrag(SipSession referSession, String statusLine, boolean last) {
        try {
            SipServletRequest notify = referSession.createRequest("NOTIFY");
            notify.setHeader("Event", "refer");
            notify.setHeader("Subscription-State", last ? "terminated;reason=noresource" : "active;expires=60");
            notify.setContent((statusLine + "\r\n").getBytes(StandardCharsets.UTF_8),
                    "message/sipfrag;version=2.0");
            notify.send();
        } catch (IOException | IllegalStateException e) {
            log.log(Level.FINE, "cannot send the REFER progress " + statusLine, e);
        }
    }
}
