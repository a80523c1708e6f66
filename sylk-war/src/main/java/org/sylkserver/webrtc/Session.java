package org.sylkserver.webrtc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.sylkserver.protocols.cpim.CpimException;
import org.sylkserver.protocols.cpim.CpimMessage;
import org.sylkserver.webrtc.api.IceCandidate;
import org.sylkserver.webrtc.api.MissedSessionEvent;
import org.sylkserver.webrtc.api.RequestError;
import org.sylkserver.webrtc.api.SessionDispositionEvent;
import org.sylkserver.webrtc.api.SessionEvent;
import org.sylkserver.webrtc.api.SessionMessageEvent;
import org.sylkserver.webrtc.api.SipHeader;
import org.sylkserver.webrtc.api.SipIdentity;
import org.sylkserver.webrtc.api.SylkRtcMessage;

/**
 * One call of a sylkRTC connection (spec §4.5.3-4.5.7, §4.16): the browser's side in sylkRTC events, the SIP
 * side through a {@link SipCall}, the media through a {@link SessionMedia}.
 *
 * <p>States (spec §4.16, named on the wire as in the error texts): outgoing {@code connecting → progress →
 * early_media → accepted → established}; incoming {@code connecting → accepted → established};
 * {@code established → local-updating | remote-updating → established}; any → {@code terminated}. One method per
 * transition, each logged. {@code ringing} and {@code proceeding} are events only. The {@code established} state
 * follows the ACK; the {@code established} event follows the media ("ICE and DTLS up", the original's Janus
 * {@code webrtcup}), and failed media end the call.
 *
 * <p>Threads: owned by its connection's executor. The {@link SipCall.Listener} methods must be called there too
 * (the connection wraps the session's listener so that SIP events are queued onto it).
 */
final class Session implements SipCall.Listener {

    /** The server-side states of spec §4.16. */
    enum State {
        CONNECTING("connecting"), PROGRESS("progress"), EARLY_MEDIA("early_media"), ACCEPTED("accepted"),
        ESTABLISHED("established"), LOCAL_UPDATING("local-updating"), REMOTE_UPDATING("remote-updating"),
        TERMINATED("terminated");

        private final String wire;

        State(String wire) {
            this.wire = wire;
        }

        @Override
        public String toString() {
            return wire;
        }
    }

    enum Direction { OUTGOING, INCOMING }

    /** spec §4.5.5: where session-terminate, DTMF and re-INVITEs are allowed. */
    private static final Set<State> TERMINABLE = EnumSet.of(State.CONNECTING, State.PROGRESS, State.EARLY_MEDIA,
            State.ACCEPTED, State.ESTABLISHED, State.LOCAL_UPDATING, State.REMOTE_UPDATING);
    private static final Set<State> DTMF = EnumSet.of(State.ESTABLISHED, State.ACCEPTED, State.EARLY_MEDIA,
            State.LOCAL_UPDATING, State.REMOTE_UPDATING);
    /** RFC 4733 §3.2 events 0-15, the digits SIP INFO DTMF carries. */
    private static final String DTMF_DIGITS = "0123456789*#ABCD";
    private static final int DEFAULT_DTMF_MILLIS = 100;
    /** Digits one session-dtmf-info may carry: a dial string or PIN, not a flood of INFOs from one request. */
    static final int MAX_DTMF_DIGITS = 32;
    private static final Logger LOG = Logger.getLogger("webrtcgateway.session");
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssxxx");
    private static final DateTimeFormatter MICROSECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx");

    private final String id;
    private final Account account;
    private final Direction direction;
    private final SessionMedia media;
    /** The established event was sent (the media came up once). */
    private boolean mediaUp;
    private final Consumer<SylkRtcMessage> events;
    private final Consumer<Session> onEnd;
    private final SipIdentity remote;
    private SipCall call;
    private State state = State.CONNECTING;
    /** message_id and timestamp of each session-message awaiting its final response, in sending order. */
    private final Queue<String[]> pendingMessages = new ArrayDeque<>();

    /**
     * @param remote the other party, for missed-session events and in-call message senders
     * @param events where the session's events go (the connection)
     * @param onEnd  told once when the session is terminated, to forget it
     */
    Session(String id, Account account, Direction direction, SipIdentity remote, SessionMedia media,
            Consumer<SylkRtcMessage> events, Consumer<Session> onEnd) {
        this.id = id;
        this.account = account;
        this.direction = direction;
        this.remote = remote;
        this.media = media;
        this.events = events;
        this.onEnd = onEnd;
    }

    String id() {
        return id;
    }

    Account account() {
        return account;
    }

    State state() {
        return state;
    }

    /** Outgoing: sends the INVITE; {@code progress} once it went out (Janus {@code calling}). */
    void dial(SipCalls sip, String uri, List<SipHeader> headers, SipCall.Listener listener) throws RequestError {
        try {
            call = sip.dial(account, uri, media.sipOffer(), headers, listener);
        } catch (IOException e) {
            end(null, "dial failed: " + e.getMessage());
            throw new RequestError(e.getMessage());
        }
        moveTo(State.PROGRESS, "INVITE sent to " + uri);
        events.accept(SessionEvent.progress(id));
    }

    /** Incoming: the SIP side the session answers or declines. */
    void ring(SipCall incoming) {
        call = incoming;
        media.sipSource(incoming.signallingSource());
    }

    // ---- requests from the browser

    /** session-answer (spec §4.5.4): 200 OK with the SIP side's answer, then {@code accepted} without SDP. */
    void answer(String browserAnswer, List<SipHeader> headers) throws RequestError {
        if (direction == Direction.OUTGOING) {
            throw new RequestError("Cannot answer outgoing session " + id);
        }
        if (state != State.CONNECTING) {
            throw new RequestError("Invalid state for answering session " + id + ": " + state);
        }
        try {
            call.answer(media.sipAnswer(browserAnswer), headers);
        } catch (MediaException | IOException e) {
            throw new RequestError(e.getMessage());
        }
        moveTo(State.ACCEPTED, "answered");
        events.accept(SessionEvent.accepted(id));
    }

    /**
     * session-terminate (spec §4.5.5): declines an incoming call that is not answered ({@code declineCode}),
     * cancels an outgoing one that is not, hangs up one that is; {@code terminated} before the ack.
     */
    void terminate(int declineCode) throws RequestError {
        if (!TERMINABLE.contains(state)) {
            throw new RequestError("Invalid state for terminating session " + id + ": " + state);
        }
        String reason;
        if (direction == Direction.INCOMING && state == State.CONNECTING) {
            call.decline(declineCode);
            reason = declineCode + " " + declinePhrase(declineCode);
        } else if (direction == Direction.OUTGOING && state.compareTo(State.ACCEPTED) < 0) {
            call.hangUp();
            reason = "487 Request Terminated";
        } else {
            call.hangUp();
            reason = "200 OK";
        }
        end(reason, "terminated by the client");
    }

    /** session-trickle (spec §4.5.5): an empty list is the end of the browser's candidates. */
    void trickle(List<IceCandidate> candidates) {
        if (candidates.isEmpty()) {
            media.addBrowserCandidate(null, 0, null);
        }
        for (IceCandidate candidate : candidates) {
            media.addBrowserCandidate(candidate.getSdpMid(), candidate.getSdpMLineIndex(), candidate.getCandidate());
        }
    }

    /**
     * session-update (spec §4.5.6): an offer in {@code established} becomes a re-INVITE ({@code local-updating});
     * in {@code remote-updating} it is the answer to the remote re-INVITE.
     */
    void update(String sdp, List<SipHeader> headers) throws RequestError {
        try {
            if (state == State.ESTABLISHED) {
                call.reinvite(media.sipReoffer(sdp), headers);
                moveTo(State.LOCAL_UPDATING, "re-INVITE sent");
            } else if (state == State.REMOTE_UPDATING) {
                call.acceptReinvite(media.sipReanswer(sdp));
                moveTo(State.ESTABLISHED, "re-INVITE answered");
            } else {
                throw new RequestError("Invalid state for updating session " + id + ": " + state);
            }
        } catch (MediaException | IOException e) {
            throw new RequestError(e.getMessage());
        }
    }

    /**
     * session-dtmf-info (spec §4.5.5): the digits as SIP INFOs, one per digit in order (an
     * {@code application/dtmf-relay} body carries one signal), each 100 ms unless the client says otherwise.
     * sylkrtc.js sends whatever string its caller gave in one request ({@code sendDtmf(tones)}), so a string of up to
     * {@value #MAX_DTMF_DIGITS} digits is taken, checked whole before anything is sent.
     */
    void dtmf(String digits, Integer duration) throws RequestError {
        String keys = digits.toUpperCase(java.util.Locale.ROOT);
        if (keys.isEmpty() || keys.length() > MAX_DTMF_DIGITS
                || keys.chars().anyMatch(key -> DTMF_DIGITS.indexOf(key) < 0)) {
            throw new RequestError("Invalid value for 'digit' property: '" + digits + "' (expected: 1 to "
                    + MAX_DTMF_DIGITS + " of " + DTMF_DIGITS + ")");
        }
        if (duration != null && duration <= 0) {
            throw new RequestError("Invalid value for 'duration' property: " + duration + " (expected: positive integer)");
        }
        if (!DTMF.contains(state)) {
            throw new RequestError("Invalid state session " + id + ": " + state + " for DTMF info");
        }
        try {
            for (char key : keys.toCharArray()) {
                call.dtmf(key, duration == null ? DEFAULT_DTMF_MILLIS : duration);
            }
        } catch (IOException e) {
            throw new RequestError(e.getMessage());
        }
    }

    /**
     * session-message (spec §4.5.7): CPIM from the account to the remote party with the message id, as an in-dialog
     * MESSAGE; its final response becomes a {@code disposition-notification} event, in sending order.
     */
    void message(String messageId, String contentType, String content, String timestamp) throws RequestError {
        if (state != State.ESTABLISHED) {
            throw new RequestError("Invalid state session " + id + ": " + state + " for sending messages");
        }
        OffsetDateTime sent;
        try {
            sent = OffsetDateTime.parse(timestamp);
        } catch (DateTimeParseException e) {
            throw new RequestError("Invalid value for 'timestamp' property: '" + timestamp
                    + "' (expected: ISO 8601 date and time)");
        }
        CpimMessage cpim;
        try {
            cpim = CpimMessage.builder()
                    .from(new CpimMessage.Address(account.displayName(), "sip:" + account.aor()))
                    .to(CpimMessage.Address.of("sip:" + remote.getUri()))
                    .dateTime(sent)
                    .namespace("imdn", CpimMessage.IMDN_NAMESPACE)
                    .header("imdn.Message-ID", messageId)
                    .contentHeader("Content-Type", contentType)
                    .content(content.getBytes(StandardCharsets.UTF_8))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new RequestError("Invalid message: " + e.getMessage());
        }
        try {
            call.message(CpimMessage.CONTENT_TYPE, cpim.toBytes());
        } catch (IOException e) {
            throw new RequestError(e.getMessage());
        }
        pendingMessages.add(new String[] {messageId, timestamp(sent)});
    }

    /** The connection or the account went away: the call ends on the SIP side, no event is sent. */
    void close(int declineCode) {
        if (state == State.TERMINATED) {
            return;
        }
        if (direction == Direction.INCOMING && state == State.CONNECTING) {
            call.decline(declineCode);
        } else if (call != null) {
            call.hangUp();
        }
        end(null, "its connection or account is gone");
    }

    /** Incoming: another connection of the account answered the call first. */
    void answeredElsewhere() {
        if (state != State.TERMINATED) {
            end("200 Call completed elsewhere", "answered on another connection");
        }
    }

    /** Incoming: nobody answered in time; the SIP side has been declined already. */
    void unanswered(int declineCode) {
        if (state != State.TERMINATED) {
            end(declineCode + " " + declinePhrase(declineCode), "not answered in time");
            events.accept(new MissedSessionEvent(account.aor(), remote));
        }
    }

    // ---- the SIP side (SipCall.Listener), on the connection's executor

    @Override
    public void provisional(int status, String reason, String sdp) {
        if (direction != Direction.OUTGOING || state != State.PROGRESS && state != State.EARLY_MEDIA) {
            return;
        }
        if (status == 180) {
            events.accept(SessionEvent.ringing(id));
        } else if (sdp != null && state == State.PROGRESS) {
            String answer = browserAnswer(sdp, "early media");
            if (answer == null) {
                return;
            }
            moveTo(State.EARLY_MEDIA, status + " with SDP");
            events.accept(SessionEvent.earlyMedia(id, answer, call.callId()));
        } else if (sdp == null) {
            events.accept(SessionEvent.proceeding(id, status));
        }
    }

    /**
     * The browser's answer from the SIP side's {@code sdp} (the media latch only to where the SIP side signals from),
     * or null when the media refuse it: then the call is hung up and ends with 488.
     */
    private String browserAnswer(String sdp, String what) {
        try {
            media.sipSource(call.signallingSource());
            return media.browserAnswer(sdp);
        } catch (MediaException e) {
            LOG.info(() -> this + ": " + what + " refused: " + e.getMessage());
            call.hangUp();
            end("488 Not Acceptable Here", what + " SDP refused: " + e.getMessage());
            return null;
        }
    }

    @Override
    public void answered(String sdp, Map<String, String> headers) {
        if (direction != Direction.OUTGOING || state != State.PROGRESS && state != State.EARLY_MEDIA) {
            return;
        }
        if (state == State.EARLY_MEDIA) {
            moveTo(State.ACCEPTED, "2xx after early media");
            events.accept(SessionEvent.accepted(id));
        } else {
            String answer = browserAnswer(sdp, "answer");
            if (answer == null) {
                return;
            }
            moveTo(State.ACCEPTED, "2xx");
            events.accept(SessionEvent.accepted(id, answer, call.callId(), account.wantedHeaders(headers)));
        }
        // the ACK went out with the 2xx: the dialog is confirmed (RFC 3261 §13.2.2.4); the established event
        // follows the media (mediaUp)
        moveTo(State.ESTABLISHED, "ACK sent");
    }

    @Override
    public void confirmed() {
        if (direction == Direction.INCOMING && state == State.ACCEPTED) {
            moveTo(State.ESTABLISHED, "ACK received");
        }
    }

    /**
     * Spec §4.5.3: {@code established} is the browser's media coming up (ICE and DTLS done, Janus' webrtcup), told
     * once; it may come before {@code accepted} when early media came first.
     */
    void mediaUp() {
        if (state != State.TERMINATED && !mediaUp) {
            mediaUp = true;
            LOG.info(() -> this + ": media up");
            events.accept(SessionEvent.established(id));
        }
    }

    /** The browser's media failed: the SIP side is ended (CANCEL, BYE or a decline) and the browser told why. */
    void mediaLost(String why) {
        if (state == State.TERMINATED) {
            return;
        }
        if (call != null) {
            call.hangUp();
        }
        end(why, "media lost: " + why);
    }

    @Override
    public void rejected(int status, String reason) {
        if (state != State.TERMINATED) {
            end(status + " " + reason, "INVITE rejected");
        }
    }

    @Override
    public void cancelled() {
        if (state != State.TERMINATED) {
            end("487 Request Terminated", "the caller cancelled");
            events.accept(new MissedSessionEvent(account.aor(), remote));
        }
    }

    @Override
    public void ended() {
        if (state != State.TERMINATED) {
            end("200 OK", "BYE received");
        }
    }

    @Override
    public void reoffered(String sdp) {
        if (state != State.ESTABLISHED) {
            // RFC 3261 §14.2: an offer while ours is pending, or before the call is up
            call.rejectReinvite(491);
            return;
        }
        String offer;
        try {
            offer = media.browserReoffer(sdp);
        } catch (MediaException e) {
            LOG.info(() -> this + ": re-INVITE refused: " + e.getMessage());
            call.rejectReinvite(488);
            return;
        }
        moveTo(State.REMOTE_UPDATING, "re-INVITE received");
        events.accept(SessionEvent.updateReceived(id, offer));
    }

    @Override
    public void reanswered(String sdp) {
        if (state != State.LOCAL_UPDATING) {
            return;
        }
        String answer;
        try {
            answer = media.browserReanswer(sdp);
        } catch (MediaException e) {
            LOG.info(() -> this + ": re-INVITE answer refused: " + e.getMessage());
            call.hangUp();
            end("488 Not Acceptable Here", "re-INVITE answer refused: " + e.getMessage());
            return;
        }
        moveTo(State.ESTABLISHED, "re-INVITE answered");
        events.accept(SessionEvent.updateAccepted(id, answer));
    }

    @Override
    public void reinviteFailed(int status, String reason) {
        // RFC 3261 §14.1: the session goes on as it was; spec §4.5.6: the server emits no 'failed' update
        if (state == State.LOCAL_UPDATING) {
            moveTo(State.ESTABLISHED, "re-INVITE failed: " + status + " " + reason);
        }
    }

    @Override
    public void messageDelivered(int status, String reason) {
        String[] message = pendingMessages.poll();
        if (message != null && state != State.TERMINATED) {
            events.accept(new SessionDispositionEvent(id, message[0], message[1], status, reason));
        }
    }

    @Override
    public void messageReceived(String contentType, byte[] content) {
        if (state == State.TERMINATED || contentType == null) {
            return;
        }
        String type = contentType.toLowerCase(Locale.ROOT);
        if (type.startsWith("application/im-iscomposing+xml") || type.startsWith("text/pgp-public-key")) {
            return;
        }
        String messageId = UUID.randomUUID().toString();
        String timestamp = timestamp(OffsetDateTime.now());
        byte[] body = content;
        if (type.startsWith(CpimMessage.CONTENT_TYPE)) {
            try {
                CpimMessage cpim = CpimMessage.parse(content);
                contentType = cpim.contentType();
                body = cpim.content();
                messageId = cpim.imdnMessageId().orElse(messageId);
                timestamp = cpim.dateTime().map(Session::timestamp).orElse(timestamp);
            } catch (CpimException e) {
                LOG.info(() -> this + ": in-call message dropped: " + e.getMessage());
                return;
            }
            if (contentType.toLowerCase(Locale.ROOT).startsWith("message/imdn+xml")) {
                // IMDN reports about messages we relayed: not surfaced yet (spec §4.5.7 turns them into events)
                LOG.fine(() -> this + ": IMDN in-call message ignored");
                return;
            }
        }
        events.accept(new SessionMessageEvent(id, remote, timestamp, messageId, contentType,
                new String(body, StandardCharsets.UTF_8)));
    }

    // ---- the state machine's bookkeeping

    private void moveTo(State next, String why) {
        State previous = state;
        state = next;
        LOG.info(() -> this + ": " + previous + " -> " + next + " (" + why + ")");
    }

    /** To {@code terminated}: the event (unless {@code reason} is null: nobody to tell), media freed, forgotten. */
    private void end(String reason, String why) {
        moveTo(State.TERMINATED, why);
        if (reason != null) {
            events.accept(SessionEvent.terminated(id, reason));
        }
        try {
            media.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, this + ": closing its media failed", e);
        }
        onEnd.accept(this);
    }

    /** spec §4.3: {@code YYYY-MM-DDTHH:MM:SS[.ffffff]±HH:MM}, the fraction only when there is one. */
    static String timestamp(OffsetDateTime time) {
        return time.format(time.getNano() == 0 ? SECONDS : MICROSECONDS);
    }

    /** RFC 3261 §21 reason phrases of the codes a gateway declines with ({@code decline_code}, spec §8.3). */
    static String declinePhrase(int code) {
        return switch (code) {
            case 480 -> "Temporarily Unavailable";
            case 486 -> "Busy Here";
            case 600 -> "Busy Everywhere";
            case 603 -> "Decline";
            default -> "Declined";
        };
    }

    @Override
    public String toString() {
        return "session " + id + " (" + direction.name().toLowerCase(Locale.ROOT) + ", " + account.aor() + ")";
    }
}
