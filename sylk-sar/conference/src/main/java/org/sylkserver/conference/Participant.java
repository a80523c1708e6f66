package org.sylkserver.conference;

import java.time.Instant;
import java.util.logging.Logger;

import javax.servlet.sip.SipSession;

import org.sylkserver.conference.chat.ChatMember;
import org.sylkserver.media.RtpAudioEndpoint;
import org.sylkserver.media.mixer.Member;

/**
 * One SIP session in a room (spec §3.3): who it is, its streams, and where it is in the room's state machine. A
 * user calling twice is two participants with the same {@link #uri}.
 *
 * <pre>
 *   JOINING ──pinAsked──▶ PIN_PENDING ──pinRefused──▶ PIN_REFUSED
 *      │                      │                           │
 *      └──────admitted────────┴─▶ CONNECTED ⇄ HELD        │
 *                                     │        │          │
 *                                     └──left──┴──────────┴──▶ LEFT  (from any state)
 * </pre>
 *
 * <p>Threads: the state, the PIN digits and {@link #member} belong to the room's executor (every transition is
 * called there; {@link #state} is volatile only so that the SIP threads' admission checks read it). The streams
 * ({@link #endpoint}, {@link #chat}) and the {@link #sas} are set on the call's executor before the room is told of
 * a change, and read by the room in the tasks it is told with.
 */
final class Participant {

    private static final Logger log = Logger.getLogger(Participant.class.getName());

    /** Where the participant is in its room (spec §3.3; the PIN of issue 11). */
    enum State {
        /** Created for a call, not yet in a room, or in a PIN room without audio to type the PIN with. */
        JOINING,
        /** In a PIN room, asked for its PIN: nothing of the room (chat, history, mix) reaches it yet. */
        PIN_PENDING,
        /** Typed a wrong PIN too often: hears the refusal, then is hung up. */
        PIN_REFUSED,
        /** Has the room: its chat is on, its audio joins the mix after the welcome. */
        CONNECTED,
        /** Has the room, its audio held by the remote (RFC 3264 §8.4): "on-hold" in conference-info. */
        HELD,
        /** Gone from the room: late events (digits, prompt ends) are ignored. */
        LEFT
    }

    final String callId;
    /** The IP address the caller's INVITE came from (its PIN attempts count there), or null for a call we placed. */
    final String source;
    /** {@code user@host} of the caller (From), lower case. */
    final String uri;
    final String displayName;
    /** The caller's Contact URI: the endpoint entity of the conference-info document. */
    final String contact;
    /** The SIP dialog of the call, null for a participant made without one (tests). */
    final SipSession session;
    final Instant joined = Instant.now();
    /**
     * Its audio, or null while it has none (chat only, or audio removed by a re-INVITE). Volatile: the end of the
     * call reads it on the thread that learnt of it ({@link #hungUp}).
     */
    volatile RtpAudioEndpoint endpoint;
    /** Its MSRP chat session with the room, if it has one. */
    ChatMember chat;
    /** Its place in the mixer while it has audio in a room (volatile: read by {@link #hungUp}). */
    volatile Member member;
    /**
     * The ZRTP short authentication string once agreed (spec §3.8), else null: set on the call's executor, read by
     * the room's after the call joined it or told it of the SAS.
     */
    String sas;
    /** The room it joined ({@code user@host}), once it has. */
    String room;

    // volatile: changed on the room's executor, read by the SIP threads' admission checks (Rooms.admits)
    private volatile State state = State.JOINING;
    /** The remote holds its audio while the participant is not connected yet: it is held once it is. */
    private boolean holdRequested;
    /** Digits typed so far and failed attempts, while a PIN is asked for. */
    final StringBuilder pinDigits = new StringBuilder();
    int pinFailures;

    Participant(String callId, String uri, String displayName, String contact, String source, SipSession session,
                RtpAudioEndpoint endpoint) {
        this.callId = callId;
        this.uri = uri;
        this.displayName = displayName;
        this.contact = contact;
        this.source = source;
        this.session = session;
        this.endpoint = endpoint;
    }

    State state() {
        return state;
    }

    /** Past the room's PIN, or in a room without one. */
    boolean admitted() {
        State now = state;
        return now == State.CONNECTED || now == State.HELD;
    }

    boolean pinPending() {
        return state == State.PIN_PENDING;
    }

    boolean left() {
        return state == State.LEFT;
    }

    /**
     * The call is over (BYE, CANCEL, its SIP session gone): its audio stops now, on the thread that learnt it,
     * whatever the executors have queued before the leave: the endpoint closes (its RTP port pair goes back to the
     * range) and its member stops being mixed. The room still takes it out on its executor. Issue 12: at 600 calls/s
     * on a loaded machine the executors ran up to 1.8 s behind, each call kept its pair and its mixing that long
     * after its BYE, and the 2,500 pairs of the benchmark's range ran out. Any thread; idempotent.
     */
    void hungUp() {
        RtpAudioEndpoint audio = endpoint;
        if (audio != null) {
            audio.close();
        }
        Member mixed = member;
        if (mixed != null) {
            mixed.leave();
        }
    }

    /** Whether the remote holds its audio (RFC 3264 §8.4): conference-info says "on-hold". */
    boolean onHold() {
        State now = state;
        return now == State.HELD || (now != State.CONNECTED && now != State.LEFT && holdRequested);
    }

    /** JOINING → PIN_PENDING: the room asks for its PIN (again, when audio comes back while it is pending). */
    void pinAsked() {
        move(State.PIN_PENDING, State.JOINING, State.PIN_PENDING);
    }

    /** JOINING or PIN_PENDING → CONNECTED (or HELD, when the remote held it meanwhile): the room is its. */
    void admit() {
        move(holdRequested ? State.HELD : State.CONNECTED, State.JOINING, State.PIN_PENDING);
    }

    /** PIN_PENDING → PIN_REFUSED: too many wrong PINs. */
    void pinRefused() {
        move(State.PIN_REFUSED, State.PIN_PENDING);
    }

    /**
     * The remote held ({@code true}) or resumed its audio: CONNECTED ⇄ HELD; before it is connected the hold is
     * remembered for then. Whether anything changed.
     */
    boolean hold(boolean held) {
        State now = state;
        if (now == State.CONNECTED || now == State.HELD) {
            if ((now == State.HELD) == held) {
                return false;
            }
            move(held ? State.HELD : State.CONNECTED, now);
            return true;
        }
        boolean changed = holdRequested != held;
        holdRequested = held;
        return changed;
    }

    /** Any state → LEFT. Whether it was still in (false: it had left already). */
    boolean leave() {
        if (state == State.LEFT) {
            return false;
        }
        State before = state;
        state = State.LEFT;
        log.fine(() -> this + ": " + before + " → " + State.LEFT);
        return true;
    }

    private void move(State to, State... from) {
        State before = state;
        for (State allowed : from) {
            if (before == allowed) {
                state = to;
                if (before != to) {
                    log.fine(() -> this + ": " + before + " → " + to);
                }
                return;
            }
        }
        throw new IllegalStateException(this + ": " + before + " → " + to + " is not a transition");
    }

    @Override
    public String toString() {
        return uri + " (" + callId + ")";
    }
}
