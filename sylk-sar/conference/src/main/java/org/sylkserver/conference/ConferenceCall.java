package org.sylkserver.conference;

import java.io.IOException;
import java.io.Serializable;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.servlet.sip.Address;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.SipServletMessage;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;

import org.sylkserver.core.session.AudioStream;
import org.sylkserver.core.session.MediaSession;

/**
 * The SIP side of one participant's call: ringing → answered → in the room → ended. Answering, the join after the
 * ACK and the end (BYE either way, CANCEL, RTP timeout) each happen once.
 */
final class ConferenceCall implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger log = Logger.getLogger(ConferenceCall.class.getName());

    enum State { RINGING, ANSWERED, JOINED, ENDED }

    final String room;
    private final transient Conference conference;
    final transient Participant participant;
    final transient SipServletRequest invite;
    /** The call's offer/answer (RFC 3264). */
    final transient MediaSession media;
    /** Its audio, or null while it has none (chat only, or audio removed by a re-INVITE). */
    transient volatile AudioStream audio;
    /** What the 200 OK carries: the answer to the INVITE's offer. */
    transient org.sylkserver.protocols.sdp.SessionDescription sdp;
    /** The chat the INVITE offered, when the call has one: the room connects to it after the ACK if it is active. */
    transient org.sylkserver.core.session.ChatStream chatOffer;
    private State state = State.RINGING;

    ConferenceCall(Conference conference, String room, Participant participant, SipServletRequest invite,
                   MediaSession media, AudioStream audio) {
        this.conference = conference;
        this.room = room;
        this.participant = participant;
        this.invite = invite;
        this.media = media;
        this.audio = audio;
    }

    /** A call the focus placed (RFC 4579 §5.2) that the target answered: it is in the room at once. */
    static ConferenceCall dialledOut(Conference conference, String room, Participant participant,
                                     MediaSession media, AudioStream audio) {
        ConferenceCall call = new ConferenceCall(conference, room, participant, null, media, audio);
        call.state = State.JOINED;
        return call;
    }

    /** The call of {@code participant}, null when its SIP session has ended or it has none. */
    static ConferenceCall of(Participant participant) {
        try {
            return participant.session == null ? null
                    : (ConferenceCall) participant.session.getApplicationSession()
                            .getAttribute(ConferenceListener.CALL);
        } catch (IllegalStateException ended) {
            return null; // the SIP session is gone: the call has ended already
        }
    }

    synchronized boolean answered() {
        return state == State.ANSWERED || state == State.JOINED;
    }

    /** Sends 200 OK with the answer, {@code isfocus} in the Contact (RFC 4579 §3). */
    synchronized void answer() throws IOException {
        if (state != State.RINGING) {
            return;
        }
        SipServletResponse ok = invite.createResponse(SipServletResponse.SC_OK);
        ok.setContent(sdp.toBytes(), "application/sdp");
        markAsFocus(ok);
        ok.send();
        state = State.ANSWERED;
    }

    /**
     * Adds {@code isfocus} to the Contact of a message the room sends, its answers and its own INVITEs alike
     * (RFC 4579 §3, spec §1.4), so that the other side knows it talks to a conference.
     */
    static void markAsFocus(SipServletMessage message) {
        try {
            Address contact = message.getAddressHeader("Contact");
            if (contact != null) {
                contact.setParameter("isfocus", "");
            }
        } catch (ServletParseException | IllegalStateException e) {
            log.log(Level.FINE, "cannot mark the Contact as focus", e);
        }
    }

    /** The ACK came: time to join the room (true once). */
    synchronized boolean acknowledged() {
        if (state != State.ANSWERED) {
            return false;
        }
        state = State.JOINED;
        return true;
    }

    /** The call ended from the other side (BYE, CANCEL) or the session went away: leave and free the media. */
    void ended(String why) {
        State before;
        synchronized (this) {
            before = state;
            if (before == State.ENDED) {
                return;
            }
            state = State.ENDED;
        }
        log.info(() -> participant + " left room " + room + ": " + why);
        try {
            if (before == State.JOINED) {
                conference.rooms.leave(participant, room);
            }
        } finally {
            // the media go whatever happened in the room
            if (participant.endpoint != null) {
                participant.endpoint.close();
            }
            if (participant.chat != null) {
                conference.closeChat(participant.chat);
            }
        }
    }

    /** Ends the call from our side with a BYE (RTP timeout). */
    void hangUp(String why) {
        SipSession session = participant.session;
        boolean wasUp;
        synchronized (this) {
            wasUp = state == State.JOINED || state == State.ANSWERED;
        }
        if (wasUp && session != null && session.isValid()) {
            try {
                session.createRequest("BYE").send();
            } catch (IOException | IllegalStateException e) {
                log.log(Level.FINE, "cannot send BYE to " + participant, e);
            }
        }
        ended(why);
    }
}
