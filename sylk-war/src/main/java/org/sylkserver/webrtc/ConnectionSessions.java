package org.sylkserver.webrtc;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

import org.sylkserver.webrtc.api.IceCandidate;
import org.sylkserver.webrtc.api.IncomingSessionEvent;
import org.sylkserver.webrtc.api.RequestError;
import org.sylkserver.webrtc.api.SessionAnswerRequest;
import org.sylkserver.webrtc.api.SessionCreateRequest;
import org.sylkserver.webrtc.api.SessionDtmfInfoRequest;
import org.sylkserver.webrtc.api.SessionMessageRequest;
import org.sylkserver.webrtc.api.SessionUpdateRequest;
import org.sylkserver.webrtc.api.SipHeader;
import org.sylkserver.webrtc.api.SipIdentity;

/**
 * The calls of one sylkRTC connection by session id (spec §4.4 {@code session-*} requests, §4.5.3-4.5.7). Owned by
 * the connection's executor: every method runs there. A session dies with its account or its connection.
 */
final class ConnectionSessions {

    private static final Logger LOG = Logger.getLogger("webrtcgateway.session");

    private final SylkRtcConnection connection;
    private final Map<String, Session> sessions = new LinkedHashMap<>();

    ConnectionSessions(SylkRtcConnection connection) {
        this.connection = connection;
    }

    /** session-create (spec §4.5.3). */
    void create(SessionCreateRequest request) throws RequestError {
        Account account = connection.accounts().get(request.getAccount());
        if (account == null) {
            throw new RequestError("Unknown account specified: " + request.getAccount());
        }
        String id = request.getSession();
        if (sessions.containsKey(id)) {
            throw new RequestError("Session ID " + id + " already in use");
        }
        Gateway gateway = connection.gateway();
        int limit = gateway.config().limits().maxSessionsPerConnection();
        if (!ClientLimits.roomFor(sessions.size(), limit)) {
            throw new RequestError("Too many sessions on this connection (max_sessions_per_connection " + limit + ")");
        }
        SessionMedia media;
        try {
            media = gateway.media().fromBrowserOffer(request.getSdp());
        } catch (MediaException e) {
            throw new RequestError(e.getMessage());
        }
        Session session = new Session(id, account, Session.Direction.OUTGOING,
                new SipIdentity(request.getUri(), null), media, connection::send, this::forget);
        sessions.put(id, session);
        watch(media, session);
        session.dial(gateway.calls(), request.getUri(), headers(request.getHeaders()),
                new QueuedListener(connection, session));
    }

    /** session-answer (spec §4.5.4). */
    void answer(SessionAnswerRequest request) throws RequestError {
        session(request.getSession()).answer(request.getSdp(), headers(request.getHeaders()));
    }

    /** session-trickle (spec §4.5.5). */
    void trickle(String id, List<IceCandidate> candidates) throws RequestError {
        session(id).trickle(candidates);
    }

    /** session-terminate (spec §4.5.5). */
    void terminate(String id) throws RequestError {
        session(id).terminate(connection.gateway().config().declineCode());
    }

    /** session-update (spec §4.5.6). */
    void update(SessionUpdateRequest request) throws RequestError {
        session(request.getSession()).update(request.getSdp(), headers(request.getHeaders()));
    }

    /** session-dtmf-info (spec §4.5.5). */
    void dtmf(SessionDtmfInfoRequest request) throws RequestError {
        session(request.getSession()).dtmf(request.getDigit(), request.getDuration());
    }

    /** session-message (spec §4.5.7). */
    void message(SessionMessageRequest request) throws RequestError {
        session(request.getSession()).message(request.getMessageId(), request.getContentType(), request.getContent(),
                request.getTimestamp());
    }

    /**
     * An incoming call for {@code aor}: a session with media from the SIP offer and an {@code incoming-session}
     * event, or a withdrawal from the offer when this connection cannot take it.
     */
    void incoming(String aor, IncomingCall call) {
        IncomingInvite invite = call.invite();
        Account account = connection.accounts().get(aor);
        String id = invite.sessionId();
        if (account == null || sessions.containsKey(id)) {
            call.withdraw(connection);
            return;
        }
        SessionMedia media;
        try {
            media = connection.gateway().media().fromSipOffer(invite.sdp());
        } catch (MediaException e) {
            LOG.info(() -> connection + ": cannot offer call " + invite.callId() + ": " + e.getMessage());
            call.withdraw(connection);
            return;
        }
        Session session = new Session(id, account, Session.Direction.INCOMING, invite.caller(), media,
                connection::send, this::forget);
        SipCall leg = call.leg(connection, session);
        if (leg == null) {
            media.close();
            return;
        }
        session.ring(leg);
        sessions.put(id, session);
        watch(media, session);
        connection.send(new IncomingSessionEvent(aor, id, invite.caller(), media.browserOffer(), invite.callId(),
                account.wantedHeaders(invite.headers())));
    }

    /** The media's news reach the session on the connection's executor, like its SIP events. */
    private void watch(SessionMedia media, Session session) {
        media.watch(new SessionMedia.Events() {
            @Override
            public void up() {
                connection.later(session::mediaUp);
            }

            @Override
            public void lost(String why) {
                connection.later(() -> session.mediaLost(why));
            }
        });
    }

    /** The account was removed: its calls end. */
    void closeAccount(String aor) {
        for (Session session : List.copyOf(sessions.values())) {
            if (session.account().aor().equals(aor)) {
                session.close(connection.gateway().config().declineCode());
            }
        }
    }

    /** The connection closed: every call ends (spec §4.2 teardown). */
    void closeAll() {
        for (Session session : List.copyOf(sessions.values())) {
            session.close(connection.gateway().config().declineCode());
        }
    }

    private Session session(String id) throws RequestError {
        Session session = sessions.get(id);
        if (session == null) {
            throw new RequestError("Unknown session " + id);
        }
        return session;
    }

    private void forget(Session session) {
        sessions.remove(session.id(), session);
    }

    private List<SipHeader> headers(List<SipHeader> headers) {
        return ClientHeaders.allowed(headers, connection);
    }
}
