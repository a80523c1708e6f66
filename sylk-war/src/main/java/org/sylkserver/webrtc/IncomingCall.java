package org.sylkserver.webrtc;

import java.io.IOException;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.logging.Logger;

import org.sylkserver.webrtc.api.SipHeader;

/**
 * One incoming SIP call offered to every connection where its account is added (spec §4.5.4): each connection
 * gets its own {@link Session} (and media) and sees the call through its own {@link #leg}. The first to answer
 * gets the call and the others are told it was completed elsewhere; the call is declined with {@code decline_code}
 * once every connection declined or went away, or nobody answered in time.
 *
 * <p>Threads: SIP events and the connections' requests arrive on different threads; the offer's bookkeeping is
 * guarded by this object's lock, and the sessions are only ever touched on their own connection's executor.
 */
final class IncomingCall implements SipCall.Listener {

    private static final Logger LOG = Logger.getLogger("webrtcgateway.session");

    private final IncomingInvite invite;
    private final SipCall call;
    private final int declineCode;
    /** The sessions still offered the call, by connection; after the answer only the answering one. */
    private final Map<SylkRtcConnection, Session> offered = new LinkedHashMap<>();
    private int pending;
    private SylkRtcConnection answeredBy;
    private boolean over;
    private ScheduledFuture<?> timeout;

    IncomingCall(IncomingInvite invite, SipCall call, int declineCode) {
        this.invite = invite;
        this.call = call;
        this.declineCode = declineCode;
    }

    IncomingInvite invite() {
        return invite;
    }

    /** The call is being offered to {@code connections} (before their sessions exist). */
    synchronized void offering(int connections, ScheduledFuture<?> noAnswer) {
        pending = connections;
        timeout = noAnswer;
    }

    /**
     * The session of {@code connection} for this call exists: it gets its own view of the SIP side, or null when
     * the call is over already (then the session is not started).
     */
    synchronized SipCall leg(SylkRtcConnection connection, Session session) {
        pending--;
        if (over) {
            return null;
        }
        offered.put(connection, session);
        return new Leg(connection);
    }

    /** {@code connection} cannot take the call (account gone, bad SDP for its media...). */
    synchronized void withdraw(SylkRtcConnection connection) {
        pending = Math.max(0, pending - 1);
        declineIfNobodyLeft();
    }

    /** No answer in time: declined, and every connection told of a missed call. */
    synchronized void noAnswer() {
        if (over || answeredBy != null) {
            return;
        }
        LOG.info(() -> "incoming call " + invite.callId() + " not answered in time: " + declineCode);
        over = true;
        call.decline(declineCode);
        offered.forEach((connection, session) -> connection.later(() -> session.unanswered(declineCode)));
        offered.clear();
    }

    private void declineIfNobodyLeft() {
        if (!over && answeredBy == null && offered.isEmpty() && pending == 0) {
            LOG.info(() -> "incoming call " + invite.callId() + " declined by every connection: " + declineCode);
            over = true;
            cancelTimeout();
            call.decline(declineCode);
        }
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    private synchronized SipCall.Listener answerer() {
        Session session = answeredBy == null ? null : offered.get(answeredBy);
        return session == null ? null : new QueuedListener(answeredBy, session);
    }

    // ---- the SIP side

    @Override
    public void provisional(int status, String reason, String sdp) {
        // responses belong to calls we make
    }

    @Override
    public void answered(String sdp, Map<String, String> headers) {
        // responses belong to calls we make
    }

    @Override
    public void rejected(int status, String reason) {
        // responses belong to calls we make
    }

    @Override
    public synchronized void cancelled() {
        if (over) {
            return;
        }
        over = true;
        cancelTimeout();
        offered.forEach((connection, session) -> new QueuedListener(connection, session).cancelled());
        offered.clear();
    }

    @Override
    public void confirmed() {
        SipCall.Listener answerer = answerer();
        if (answerer != null) {
            answerer.confirmed();
        }
    }

    @Override
    public void ended() {
        SipCall.Listener answerer = answerer();
        if (answerer != null) {
            answerer.ended();
        }
    }

    @Override
    public void reoffered(String sdp) {
        SipCall.Listener answerer = answerer();
        if (answerer != null) {
            answerer.reoffered(sdp);
        } else {
            call.rejectReinvite(491);
        }
    }

    @Override
    public void reanswered(String sdp) {
        SipCall.Listener answerer = answerer();
        if (answerer != null) {
            answerer.reanswered(sdp);
        }
    }

    @Override
    public void reinviteFailed(int status, String reason) {
        SipCall.Listener answerer = answerer();
        if (answerer != null) {
            answerer.reinviteFailed(status, reason);
        }
    }

    @Override
    public void messageDelivered(int status, String reason) {
        SipCall.Listener answerer = answerer();
        if (answerer != null) {
            answerer.messageDelivered(status, reason);
        }
    }

    @Override
    public void messageReceived(String contentType, byte[] content) {
        SipCall.Listener answerer = answerer();
        if (answerer != null) {
            answerer.messageReceived(contentType, content);
        }
    }

    /** The call as one connection's session sees it. */
    private final class Leg implements SipCall {

        private final SylkRtcConnection connection;

        Leg(SylkRtcConnection connection) {
            this.connection = connection;
        }

        @Override
        public String callId() {
            return call.callId();
        }

        @Override
        public InetAddress signallingSource() {
            return call.signallingSource();
        }

        @Override
        public void ringing() {
            // the call rings once for all its connections
        }

        @Override
        public void answer(String sdp, List<SipHeader> headers) throws IOException {
            synchronized (IncomingCall.this) {
                if (over || answeredBy != null) {
                    throw new IOException("Call " + call.callId() + " is no longer available");
                }
                answeredBy = connection;
                cancelTimeout();
                offered.forEach((other, session) -> {
                    if (other != connection) {
                        other.later(session::answeredElsewhere);
                    }
                });
                offered.keySet().removeIf(other -> other != connection);
            }
            call.answer(sdp, headers);
        }

        @Override
        public void decline(int status) {
            synchronized (IncomingCall.this) {
                offered.remove(connection);
                declineIfNobodyLeft();
            }
        }

        @Override
        public void hangUp() {
            synchronized (IncomingCall.this) {
                if (answeredBy != connection) {
                    decline(declineCode);
                    return;
                }
                offered.remove(connection);
            }
            call.hangUp();
        }

        @Override
        public void reinvite(String sdp, List<SipHeader> headers) throws IOException {
            call.reinvite(sdp, headers);
        }

        @Override
        public void acceptReinvite(String sdp) throws IOException {
            call.acceptReinvite(sdp);
        }

        @Override
        public void rejectReinvite(int status) {
            call.rejectReinvite(status);
        }

        @Override
        public void dtmf(char digit, int durationMillis) throws IOException {
            call.dtmf(digit, durationMillis);
        }

        @Override
        public void message(String contentType, byte[] content) throws IOException {
            call.message(contentType, content);
        }
    }
}
