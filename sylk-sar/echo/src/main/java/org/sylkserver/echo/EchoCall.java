package org.sylkserver.echo;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.servlet.sip.ServletTimer;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;

import org.sylkserver.media.RtpEchoEndpoint;
import org.sylkserver.media.sdp.AudioAnswerer;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * One call to the echo test: the caller's RTP is sent back by a media endpoint from answer until hang-up.
 *
 * <p>States: {@code RINGING} (180 sent, answer pending) → {@code ANSWERED} (200 sent) → {@code ENDED}.
 * The container serialises everything of one application session, and the media engine's timer calls
 * {@link #rtpTimeout()}; the state is therefore guarded by this object's lock.
 */
final class EchoCall {

    enum State { RINGING, ANSWERED, ENDED }

    private static final Logger LOG = Logger.getLogger("echo");

    private final SipServletRequest invite;
    private final RtpEchoEndpoint endpoint;
    private final AudioAnswerer.Origin origin;
    private SessionDescription answer;
    private State state = State.RINGING;
    private ServletTimer timer;

    EchoCall(SipServletRequest invite, RtpEchoEndpoint endpoint, AudioAnswerer.Origin origin, SessionDescription answer) {
        this.invite = invite;
        this.endpoint = endpoint;
        this.origin = origin;
        this.answer = answer;
    }

    AudioAnswerer.Origin origin() {
        return origin;
    }

    RtpEchoEndpoint endpoint() {
        return endpoint;
    }

    synchronized State state() {
        return state;
    }

    /** The pending timer (answer delay, then session timeout), replaced on each transition. */
    synchronized void timer(ServletTimer next) {
        if (timer != null) {
            timer.cancel();
        }
        timer = next;
    }

    synchronized void updateAnswer(SessionDescription newAnswer) {
        answer = newAnswer;
    }

    /** RINGING → ANSWERED: sends 200 OK with the answer; false if the call was cancelled meanwhile. */
    synchronized boolean answer() throws IOException {
        if (state != State.RINGING) {
            return false;
        }
        SipServletResponse ok = invite.createResponse(SipServletResponse.SC_OK);
        ok.setContent(answer.toBytes(), "application/sdp");
        ok.send();
        state = State.ANSWERED;
        LOG.info(() -> "answered " + caller() + ", echoing RTP on port " + endpoint.port());
        return true;
    }

    /** The caller hung up or cancelled: release the media. */
    synchronized void ended(String why) {
        if (state == State.ENDED) {
            return;
        }
        state = State.ENDED;
        timer(null);
        endpoint.close();
        LOG.info(() -> "call from " + caller() + " ended (" + why + "): " + endpoint);
    }

    /** The server ends the call (session timeout, RTP timeout): BYE if answered, else 480. */
    synchronized void hangUp(String why) {
        State before = state;
        ended(why);
        try {
            SipSession session = invite.getSession();
            if (before == State.ANSWERED && session.isValid()) {
                session.createRequest("BYE").send();
            } else if (before == State.RINGING) {
                invite.createResponse(480, "Temporarily Unavailable").send();
            }
        } catch (IOException | IllegalStateException e) {
            LOG.log(Level.FINE, "could not end the call from " + caller(), e);
        }
    }

    /** Called by the media engine's timer when no RTP arrived for {@code [RTP] timeout}. */
    void rtpTimeout() {
        hangUp("no RTP received for the RTP timeout");
    }

    private String caller() {
        return invite.getFrom().getURI().toString();
    }
}
