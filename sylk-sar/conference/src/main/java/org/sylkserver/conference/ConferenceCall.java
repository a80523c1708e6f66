package org.sylkserver.conference;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.servlet.sip.Address;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipServletMessage;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipSession;

import org.sylkserver.conference.chat.ChatMember;
import org.sylkserver.conference.chat.Identity;
import org.sylkserver.conference.session.CallStreams;
import org.sylkserver.core.SerialExecutor;
import org.sylkserver.core.SylkRuntime;
import org.sylkserver.core.session.AudioStream;
import org.sylkserver.core.session.ChatStream;
import org.sylkserver.core.session.MediaSession;
import org.sylkserver.core.session.MediaStream;
import org.sylkserver.media.RtpAudioEndpoint;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * The SIP side of one participant's call: ringing → answered → in the room → ended. Answering, the join after the
 * ACK and the end (BYE either way, CANCEL, RTP timeout) each happen once. The call owns its offer/answer: the
 * streams of the INVITE (spec §3.2), those a re-INVITE adds or removes, and its chat's MSRP connection, whose loss
 * takes the chat (or a chat-only call) away.
 *
 * <p>Threads: the call's state and its streams belong to its own {@link SerialExecutor} (on the rooms' pool, as each
 * sylkRTC connection has one): a call and its chat exist before their room does (INVITE, 200, then the ACK joins
 * it), so the room's executor cannot own them. Its SIP requests, the answer timer, RTP timeouts, a refused PIN, a
 * REFER's removal and the loss of its chat's connection are posted to it; the room hears of changes through its own
 * executor, after the call set the participant's streams.
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
    private transient AudioStream audio;
    /** Where the call's events run, one at a time. */
    private final transient SerialExecutor owner;
    /** What the 200 OK carries: the answer to the INVITE's offer. */
    private transient SessionDescription sdp;
    /** The chat the INVITE offered, when the call has one: the room connects to it after the ACK if it is active. */
    private transient ChatStream chatOffer;
    private State state = State.RINGING;

    ConferenceCall(Conference conference, String room, Participant participant, SipServletRequest invite,
                   MediaSession media, AudioStream audio) {
        this.conference = conference;
        this.room = room;
        this.participant = participant;
        this.invite = invite;
        this.media = media;
        this.audio = audio;
        this.owner = new SerialExecutor(conference.rooms.pool, log, "call " + participant);
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

    /**
     * A participant's call from its INVITE (spec §3.2): the audio and chat of {@code offer} the room takes, the answer
     * for the 200 OK ready. Nothing of the room yet: the call joins it after the ACK.
     *
     * @throws IOException  when no media port is free (503)
     * @throws SdpException when the offer has nothing the room takes (488)
     */
    static ConferenceCall invited(Conference conference, String room, SipServletRequest invite,
                                  SessionDescription offer) throws IOException, SdpException {
        boolean chatOffered = conference.streams.chatOffered(offer);
        boolean audioOffered = MediaSession.offers(offer, "audio");
        Participant participant = new Participant(invite.getCallId(), Identity.bare(invite.getFrom().getURI()
                .toString()), invite.getFrom().getDisplayName(), contact(invite, invite.getFrom()),
                invite.getRemoteAddr(), invite.getSession(), null);
        ConferenceCall call = new ConferenceCall(conference, room, participant, invite,
                new MediaSession(SylkRuntime.get().sdpAddress()), null);
        List<MediaStream> candidates = new ArrayList<>();
        AudioStream audio = audioOffered || !chatOffered ? call.openAudio(invite) : null;
        if (audio != null) {
            candidates.add(audio);
        }
        ChatStream chat = chatOffered ? conference.streams.chat(participant.uri, participant.displayName,
                call.chatCall()) : null;
        if (chat != null) {
            candidates.add(chat);
        }
        MediaSession.Negotiation negotiation = call.media.negotiate(offer, candidates, CallStreams.NO_AUDIO);
        negotiation.accept();
        call.sdp = negotiation.answer();
        if (negotiation.has(chat)) {
            participant.chat = attachChat(chat);
            call.chatOffer = chat;
        }
        if (negotiation.has(audio)) {
            call.startAudio(audio);
        }
        return call;
    }

    /** The Contact URI of {@code message}, else the URI of {@code fallback} (its From or To). */
    static String contact(SipServletMessage message, Address fallback) {
        Address contact;
        try {
            contact = message.getAddressHeader("Contact");
        } catch (ServletParseException e) {
            contact = null;
        }
        return (contact != null ? contact : fallback).getURI().toString();
    }

    /** Answers at once, or rings for {@code answer_delay} first (audio calls: the caller hears ringing, spec §3.2). */
    void ringOrAnswer() {
        SipApplicationSession session = invite.getApplicationSession();
        session.setAttribute(ConferenceListener.CALL, this);
        owner.execute(() -> {
            if (conference.settings.answerDelay().isZero() || audio == null) {
                answerNow();
            } else {
                try {
                    invite.createResponse(SipServletResponse.SC_RINGING).send();
                    conference.timers.createTimer(session, conference.settings.answerDelay().toMillis(), false,
                            ConferenceListener.ANSWER);
                } catch (IOException | IllegalStateException e) {
                    log.log(Level.WARNING, "cannot ring " + participant, e);
                }
            }
        });
    }

    /** The answer delay is over ({@code answer_delay}): the 200 OK goes out. */
    void ringingOver() {
        owner.execute(this::answerNow);
    }

    private void answerNow() {
        try {
            answer();
        } catch (IOException | IllegalStateException e) {
            log.log(Level.WARNING, "cannot answer " + participant, e);
            end("error: " + e.getMessage());
        }
    }

    /**
     * A new audio stream for the participant: its timeout ends the call, its ZRTP SAS (agreed on the media's thread)
     * is the call's, and goes to the room through the room's executor.
     */
    private AudioStream openAudio(SipServletMessage message) throws IOException {
        return conference.streams.openAudio(message, () -> hangUp("RTP timeout"), sas -> owner.execute(() -> {
            participant.sas = sas;
            log.info(() -> participant + ": ZRTP secured, SAS " + sas);
            Room in = participant.room != null ? conference.rooms.find(participant.room) : null;
            if (in != null) {
                in.zrtpSas(participant);
            }
        }));
    }

    /** The call's audio as answered: the participant's endpoint, its hold state, the media flowing. */
    private void startAudio(AudioStream stream) {
        audio = stream;
        stream.apply();
        participant.endpoint = (RtpAudioEndpoint) stream.endpoint();
        participant.hold(stream.onHold());
    }

    /** The ACK came: the call joins its room, and the room connects to the chat when it is the active side. */
    void acked() {
        owner.execute(() -> {
            if (acknowledged()) {
                intoRoom();
                if (chatOffer != null) {
                    connectChat(participant.chat, chatOffer);
                }
            }
        });
    }

    /** A call the room placed was answered: it joins the room now. */
    void joinRoom() {
        owner.execute(this::intoRoom);
    }

    /** Joins the room, into the mixer with the answer's first codec when the call has audio. */
    private void intoRoom() {
        AudioStream stream = audio;
        if (stream == null) {
            conference.rooms.join(room, participant, -1, null);
            return;
        }
        Room in = conference.rooms.join(room, participant, stream.payloadType(), CallStreams.codecs(stream));
        receiveDigits(in, stream);
    }

    /** RFC 4733 digits of the call go to the room (the PIN). */
    private void receiveDigits(Room in, AudioStream stream) {
        stream.receiveDtmf(dtmf -> dtmf.digit().ifPresent(key -> in.digit(participant, key)));
    }

    /**
     * A re-INVITE from the participant (spec §3.2): hold and resume, streams added or removed. Audio and chat may
     * each come or go; an offer with neither is refused with 488, one that removes every stream ends the session.
     *
     * @param offer    its offer, null when it has none or it does not parse ({@code bad} says why)
     * @param refusals how a refusal is sent: a status ({@code reply}) or 488 with a Warning ({@code notAcceptable})
     */
    void reInvite(SipServletRequest request, SessionDescription offer, SdpException bad, Refusals refusals) {
        owner.execute(() -> {
            if (!answered()) {
                refusals.reply(request, SipServletResponse.SC_CALL_LEG_DONE, "Call Does Not Exist");
                return;
            }
            try {
                if (bad != null) {
                    throw bad;
                }
                changeStreams(request, offer, refusals);
            } catch (SdpException e) {
                refusals.notAcceptable(request, e);
            } catch (IOException | IllegalStateException e) {
                log.log(Level.WARNING, "cannot answer the re-INVITE of " + participant, e);
            }
        });
    }

    /** How the servlet refuses a request: with a status and reason, or 488 with the SDP problem in a Warning. */
    interface Refusals extends Referrals.Replies {
        void notAcceptable(SipServletRequest request, SdpException problem);
    }

    private void changeStreams(SipServletRequest request, SessionDescription offer, Referrals.Replies replies)
            throws IOException, SdpException {
        boolean audioOffered = MediaSession.offers(offer, "audio");
        boolean chatOffered = conference.streams.chatOffered(offer);
        if (MediaSession.removesAll(offer)) {
            // every stream removed (spec §3.2): accept the removal, then end the session
            SipServletResponse ok = request.createResponse(SipServletResponse.SC_OK);
            ok.setContent(media.declineAll(offer).toBytes(), "application/sdp");
            ok.send();
            hangUpNow("all streams removed");
            return;
        }
        if (!audioOffered && !chatOffered) {
            replies.reply(request, SipServletResponse.SC_NOT_ACCEPTABLE_HERE, "Neither audio nor chat offered");
            return;
        }
        Room in = conference.rooms.find(room);
        if (participant.chat == null) {
            // a chat whose connection was lost is gone from the room: an offered chat is a new one
            media.streams().stream().filter(s -> s instanceof ChatStream).toList().forEach(media::remove);
        }
        AudioStream current = audio;
        AudioStream addedAudio = audioOffered && current == null ? openAudio(request) : null;
        ChatStream addedChat = chatOffered && participant.chat == null
                ? conference.streams.chat(participant.uri, participant.displayName, chatCall()) : null;
        List<MediaStream> added = new ArrayList<>();
        if (addedAudio != null) {
            added.add(addedAudio);
        }
        if (addedChat != null) {
            added.add(addedChat);
        }
        MediaSession.Negotiation negotiation = media.negotiate(offer, added, CallStreams.NO_AUDIO);
        if (audioOffered && !negotiation.has(addedAudio != null ? addedAudio : current)) {
            // the offered audio cannot be taken: the re-INVITE is refused, the session stays as it was
            negotiation.discard();
            throw new SdpException(negotiation.refusal());
        }
        if (addedAudio == null && audioOffered && current.changesCodec()) {
            negotiation.discard();
            replies.reply(request, SipServletResponse.SC_NOT_ACCEPTABLE_HERE, "Codec change not supported");
            return;
        }
        SipServletResponse ok = request.createResponse(SipServletResponse.SC_OK);
        ok.setContent(negotiation.answer().toBytes(), "application/sdp");
        ok.send();
        negotiation.accept();
        // the streams change once the answer is out
        if (addedAudio != null) {
            startAudio(addedAudio);
            if (in != null) {
                in.addAudio(participant, addedAudio.payloadType(), CallStreams.codecs(addedAudio));
                receiveDigits(in, addedAudio);
            }
        } else if (!audioOffered && current != null) {
            RtpAudioEndpoint removed = participant.endpoint;
            participant.endpoint = null;
            audio = null;
            if (in != null) {
                in.removeAudio(participant);
            }
            removed.close();
        } else if (current != null) {
            // a participant holding the room (or only listening) may send nothing: no RTP timeout meanwhile
            current.apply();
            boolean hold = current.onHold();
            if (in != null) {
                in.hold(participant, hold);
            } else {
                participant.hold(hold);
            }
        }
        if (addedChat != null && negotiation.has(addedChat)) {
            ChatMember newChat = attachChat(addedChat);
            if (in != null) {
                participant.chat = newChat;
                in.addChat(participant, newChat);
                connectChat(newChat, addedChat);
            }
        } else if (!chatOffered && participant.chat != null) {
            dropChat(in);
        }
        log.info(() -> "re-INVITE from " + participant + ": audio "
                + (participant.endpoint == null ? "none" : audio.direction()) + ", chat "
                + (participant.chat == null ? "none" : "on"));
    }

    /** The participant's chat session once answered: its end of the MSRP session is known. */
    private static ChatMember attachChat(ChatStream chat) {
        ChatMember stream = (ChatMember) chat.handler();
        stream.opened(chat.localUri());
        return stream;
    }

    /**
     * What the call's chat sessions ask of it: the SAS of its ZRTP audio and its confirmation when
     * {@code zrtp_auto_verify} is on (spec §3.8), and the loss of the session's connection.
     */
    private ChatMember.Call chatCall() {
        if (!conference.settings.zrtpAutoVerify()) {
            return new ChatMember.Call(() -> null, () -> { }, this::chatLost);
        }
        return new ChatMember.Call(() -> {
            RtpAudioEndpoint endpoint = participant.endpoint;
            return endpoint == null ? null : endpoint.zrtpSas();
        }, () -> {
            RtpAudioEndpoint endpoint = participant.endpoint;
            if (endpoint != null) {
                endpoint.zrtpSasVerified();
                log.info(() -> participant.uri + " confirmed the ZRTP SAS over a secure chat: verified");
            }
        }, this::chatLost);
    }

    /** The chat's MSRP connection closed (on its thread): the call hears of it on its executor. */
    private void chatLost(ChatMember stream) {
        owner.execute(() -> chatGone(stream));
    }

    /** Opens the chat's connection when the room is the active side (RFC 6135), else waits for the participant's. */
    private void connectChat(ChatMember stream, ChatStream chat) {
        if (chat.peer().weConnect()) {
            conference.connectOut(chat.localUri(), chat.peer().path(), stream::connected, stream.uri() + "'s chat");
        }
    }

    /**
     * The participant's MSRP connection closed while its session was on (client gone, network cut): a chat-only
     * participant is hung up (BYE) and leaves the room; one with audio too stays, without its chat.
     */
    private void chatGone(ChatMember stream) {
        if (participant.chat != stream || of(participant) == null) {
            return; // another chat by now, or the SIP session is gone: the call has ended already
        }
        if (participant.endpoint == null) {
            log.info(() -> participant + ": MSRP connection lost, the call ends");
            hangUpNow("MSRP connection lost");
            return;
        }
        log.info(() -> participant + ": MSRP connection lost, it stays in the room with audio only");
        dropChat(participant.room == null ? null : conference.rooms.find(participant.room));
    }

    /** The participant's chat stream goes: out of the room (when it is in one), its MSRP session closed. */
    private void dropChat(Room in) {
        ChatMember stream = participant.chat;
        if (in != null) {
            in.removeChat(participant, stream);
        }
        participant.chat = null;
        conference.closeChat(stream);
    }

    private boolean answered() {
        return state == State.ANSWERED || state == State.JOINED;
    }

    /** Sends 200 OK with the answer, {@code isfocus} in the Contact (RFC 4579 §3). */
    private void answer() throws IOException {
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
    private boolean acknowledged() {
        if (state != State.ANSWERED) {
            return false;
        }
        state = State.JOINED;
        return true;
    }

    /**
     * The call ended from the other side (BYE, CANCEL) or the session went away: the audio stops at once (its ports
     * free, out of the mix: {@link Participant#hungUp}), then the call leaves the room after what its executor has
     * queued.
     */
    void ended(String why) {
        participant.hungUp();
        owner.execute(() -> end(why));
    }

    private void end(String why) {
        State before = state;
        if (before == State.ENDED) {
            return;
        }
        state = State.ENDED;
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

    /** Ends the call from our side with a BYE (RTP timeout, PIN refused, removed by a REFER, chat lost). */
    void hangUp(String why) {
        owner.execute(() -> hangUpNow(why));
    }

    private void hangUpNow(String why) {
        SipSession session = participant.session;
        boolean wasUp = state == State.JOINED || state == State.ANSWERED;
        if (wasUp && session != null && session.isValid()) {
            try {
                session.createRequest("BYE").send();
            } catch (IOException | IllegalStateException e) {
                log.log(Level.FINE, "cannot send BYE to " + participant, e);
            }
        }
        end(why);
    }
}
