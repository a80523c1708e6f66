package org.sylkserver.echo;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.servlet.sip.ServletTimer;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;
import javax.servlet.sip.TimerService;

import org.sylkserver.core.SylkRuntime;
import org.sylkserver.core.session.AudioStream;
import org.sylkserver.core.session.MediaSession;
import org.sylkserver.media.RtpEchoEndpoint;
import org.sylkserver.media.codec.AudioCodecs;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.RtpMap;
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
    /** Why an offer without audio the echo can take is refused (488). */
    private static final String NO_AUDIO = "No audio stream offered";

    private final Timers timers;
    private final SipServletRequest invite;
    private final MediaSession media;
    private final AudioStream audio;
    private final RtpEchoEndpoint endpoint;
    private SessionDescription answer;
    private boolean started;
    private State state = State.RINGING;
    private ServletTimer timer;

    /** The echo's settings and the container's timers, made once by the servlet's init and shared by its calls. */
    record Timers(EchoSettings settings, TimerService service) {

        /** Schedules the echo timer {@code info} of {@code session} (answer delay or session timeout). */
        ServletTimer schedule(SipApplicationSession session, String info) {
            long delay = EchoListener.ANSWER.equals(info) ? settings.answerDelay().toMillis()
                    : settings.sessionTimeout().toMillis();
            return service.createTimer(session, delay, false, info);
        }
    }

    /**
     * A call for {@code invite}, its {@code offer} answered with audio on a new echo endpoint.
     *
     * @param source where the caller's SIP came from: its RTP may come from there too
     * @throws IOException  no media ports available
     * @throws SdpException no audio the echo can take (the endpoint is closed again)
     */
    static EchoCall open(Timers timers, SipServletRequest invite, SessionDescription offer,
                         AudioStream.Settings settings, InetAddress source) throws IOException, SdpException {
        EchoCall[] created = new EchoCall[1];
        RtpEchoEndpoint endpoint = SylkRuntime.get().media().openEchoEndpoint(e -> {
            if (created[0] != null) {
                created[0].rtpTimeout();
            }
        });
        endpoint.signallingSource(source);
        MediaSession media = new MediaSession(SylkRuntime.get().sdpAddress());
        AudioStream audio = new AudioStream(settings, endpoint);
        created[0] = new EchoCall(timers, invite, media, audio, media.negotiate(offer, List.of(audio), NO_AUDIO));
        return created[0];
    }

    /** A call whose offer {@code media} answered with {@code audio}: the answer is applied to the endpoint. */
    private EchoCall(Timers timers, SipServletRequest invite, MediaSession media, AudioStream audio,
                     MediaSession.Negotiation negotiation) {
        this.timers = timers;
        this.invite = invite;
        this.media = media;
        this.audio = audio;
        this.endpoint = (RtpEchoEndpoint) audio.endpoint();
        this.answer = negotiation.answer();
        negotiation.accept();
        audio.onSas(sas -> LOG.info(() -> "echo call from " + caller() + ": ZRTP secured, SAS " + sas));
        followAnswer();
    }

    /** Answers at once (200 OK, then the session timeout runs) or after the answer delay (180 Ringing first). */
    void start() throws IOException {
        SipApplicationSession session = invite.getApplicationSession();
        session.setAttribute(EchoListener.CALL, this);
        if (!timers.settings().answerDelay().isZero()) {
            invite.createResponse(SipServletResponse.SC_RINGING).send();
            schedule(EchoListener.ANSWER);
        } else if (answer()) {
            schedule(EchoListener.SESSION_TIMEOUT);
        }
    }

    /** Schedules this call's timer {@code info} (answer delay or session timeout), replacing the one it had. */
    void schedule(String info) {
        timer(timers.schedule(invite.getApplicationSession(), info));
    }

    /**
     * A re-INVITE (hold, resume, a new address or codec): 200 OK with the answer to its {@code offer}.
     *
     * @throws SdpException no audio the echo can take: the call stays as it was
     */
    void reanswer(SipServletRequest reInvite, SessionDescription offer) throws IOException, SdpException {
        MediaSession.Negotiation negotiation = media.negotiate(offer, List.of(), NO_AUDIO);
        negotiation.accept();
        updateAnswer(negotiation.answer());
        followAnswer();
        SipServletResponse ok = reInvite.createResponse(SipServletResponse.SC_OK);
        ok.setContent(negotiation.answer().toBytes(), "application/sdp");
        ok.send();
        LOG.info(() -> "re-INVITE from " + caller() + ": audio " + audio.direction());
    }

    /**
     * Applies the audio the last answer agreed: RFC 4733 key presses are logged (spec §6.1: the echo only logs
     * received DTMF); the codec is echoed through the server's own decoder and encoder when the media engine
     * implements it (so codec negotiation is exercised end to end), other payloads are copied; RTP is sent back
     * unless the caller holds the call (RFC 3264 §6.1).
     */
    private void followAnswer() {
        audio.apply();
        if (started) {
            endpoint.signalled(audio.remoteRtp()); // a re-INVITE may move the caller's media
        }
        started = true;
        String caller = caller();
        audio.receiveDtmf(event -> LOG.info(() -> "DTMF " + event.digit().map(String::valueOf)
                .orElse("event " + event.event()) + " from " + caller + " (" + event.durationMillis() + " ms)"));
        RtpMap map = audio.codec();
        if (map != null) {
            AudioCodecs.create(map.encoding(), map.clockRate()).ifPresentOrElse(decoder -> {
                endpoint.transcode(audio.payloadType(), decoder,
                        AudioCodecs.create(map.encoding(), map.clockRate()).orElseThrow());
                LOG.fine(() -> "echo for " + caller + " decodes and encodes " + map.encoding());
            }, () -> LOG.fine(() -> "echo for " + caller + " copies " + map.encoding()
                    + " (no codec for it in the media engine)"));
        }
        endpoint.sendRtp(audio.sends());
    }

    RtpEchoEndpoint endpoint() {
        return endpoint;
    }

    synchronized State state() {
        return state;
    }

    /** The pending timer (answer delay, then session timeout), replaced on each transition. */
    private synchronized void timer(ServletTimer next) {
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
