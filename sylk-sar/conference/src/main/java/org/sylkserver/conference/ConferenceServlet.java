package org.sylkserver.conference;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import javax.servlet.ServletException;
import javax.servlet.sip.Address;
import javax.servlet.sip.ServletParseException;
import javax.servlet.sip.SipApplicationSession;
import javax.servlet.sip.SipFactory;
import javax.servlet.sip.SipServletRequest;
import javax.servlet.sip.SipServletResponse;
import javax.servlet.sip.SipURI;

import org.sylkserver.conference.chat.ChatMember;
import org.sylkserver.conference.chat.Identity;
import org.sylkserver.conference.files.FileMedia;
import org.sylkserver.core.SylkRuntime;
import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.session.AudioStream;
import org.sylkserver.core.session.ChatStream;
import org.sylkserver.core.session.MediaSession;
import org.sylkserver.core.session.MediaStream;
import org.sylkserver.core.sip.SylkSipServlet;
import org.sylkserver.media.RtpAudioEndpoint;
import org.sylkserver.media.codec.AudioCodecs;
import org.sylkserver.media.sdp.AudioAnswerer;
import org.sylkserver.media.sdp.AudioOffer;
import org.sylkserver.protocols.sdp.RtpMap;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * The conference application (spec §3): INVITE to any user at the conference host joins (and creates) the room
 * {@code user@host}; SUBSCRIBE with {@code Event: conference} follows it (RFC 4575). The room logic is in
 * {@link Room}; this servlet translates SIP to it.
 */
public class ConferenceServlet extends SylkSipServlet {

    private static final long serialVersionUID = 1L;

    /** Why an offer without audio or chat the room can take is refused (488). */
    private static final String NO_AUDIO = "No audio stream offered";
    /** The room's chat capabilities (spec §3.4), in {@code a=chatroom} of our chat lines. */
    private static final String CHATROOM = "nickname private-messages com.ag-projects.screen-sharing"
            + " com.ag-projects.zrtp-sas";

    /** The running application: rooms, MSRP, clock, timers (made here, kept in the servlet context). */
    private transient Conference conference;
    private transient AudioStream.Settings audioSettings;
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
        audioSettings = AudioStream.Settings.of(SylkRuntime.get().config());
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
            if (!conference.settings.accessList(room).allows(caller)) {
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
        boolean chatOffered = conference.msrp != null && ChatStream.offered(offer, conference.msrpProto);
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
        Address from = request.getFrom();
        Address contact;
        try {
            contact = request.getAddressHeader("Contact");
        } catch (ServletParseException e) {
            contact = null;
        }
        Participant participant = new Participant(request.getCallId(), caller, from.getDisplayName(),
                contact != null ? contact.getURI().toString() : request.getFrom().getURI().toString(),
                request.getRemoteAddr(), request.getSession(), null);
        MediaSession media = new MediaSession(SylkRuntime.get().sdpAddress());
        List<MediaStream> candidates = new ArrayList<>();
        AudioStream audio = null;
        if (audioOffered || !chatOffered) {
            try {
                audio = openAudio(participant, request);
            } catch (IOException e) {
                log.warning("conference call from " + caller + " refused: " + e.getMessage());
                reply(request, SipServletResponse.SC_SERVICE_UNAVAILABLE, "No media ports available");
                return;
            }
            candidates.add(audio);
        }
        ChatStream chat = chatOffered ? chatStream(participant) : null;
        if (chat != null) {
            candidates.add(chat);
        }
        MediaSession.Negotiation negotiation;
        try {
            negotiation = media.negotiate(offer, candidates, NO_AUDIO);
        } catch (SdpException e) {
            notAcceptable(request, e);
            return;
        }
        negotiation.accept();
        ConferenceCall call = new ConferenceCall(conference, room, participant, request, media, null);
        call.sdp = negotiation.answer();
        if (negotiation.has(chat)) {
            participant.chat = attachChat(participant, chat);
            call.chatOffer = chat;
        }
        if (negotiation.has(audio)) {
            startAudio(call, audio);
        }
        SipApplicationSession session = request.getApplicationSession();
        session.setAttribute(ConferenceListener.CALL, call);
        if (conference.settings.answerDelay().isZero() || call.audio == null) {
            call.answer();
        } else {
            request.createResponse(SipServletResponse.SC_RINGING).send();
            conference.timers.createTimer(session, conference.settings.answerDelay().toMillis(), false, ConferenceListener.ANSWER);
        }
    }

    /** A new audio stream for the participant, on a new endpoint whose RTP may also come from where its SIP came. */
    private AudioStream openAudio(Participant participant, javax.servlet.sip.SipServletMessage message)
            throws IOException {
        RtpAudioEndpoint endpoint = SylkRuntime.get().media().openAudioEndpoint(e -> rtpTimeout(participant));
        endpoint.signallingSource(signallingSource(message));
        AudioStream audio = new AudioStream(audioSettings, endpoint);
        audio.onSas(sas -> {
            participant.sas = sas;
            log.info(() -> participant + ": ZRTP secured, SAS " + sas);
            Room room = participant.room != null ? conference.rooms.find(participant.room) : null;
            if (room != null) {
                room.zrtpSas(participant);
            }
        });
        return audio;
    }

    /** The call's audio as answered: the participant's endpoint, its hold state, the media flowing. */
    private static void startAudio(ConferenceCall call, AudioStream audio) {
        call.audio = audio;
        audio.apply();
        call.participant.endpoint = (RtpAudioEndpoint) audio.endpoint();
        call.participant.hold(audio.onHold());
    }

    /** Joins the mixer with the answer's first codec. */
    private void joinRoom(ConferenceCall call) {
        AudioStream audio = call.audio;
        if (audio == null) {
            conference.rooms.join(call.room, call.participant, -1, null);
            return;
        }
        Room room = conference.rooms.join(call.room, call.participant, audio.payloadType(), codecs(audio));
        receiveDigits(room, call.participant, audio);
    }

    /** New codec state for the answer's first payload type, one per call. */
    private static java.util.function.Supplier<org.sylkserver.media.codec.AudioCodec> codecs(AudioStream audio) {
        RtpMap map = audio.codec();
        String encoding = map != null ? map.encoding() : audio.payloadType() == 8 ? "PCMA" : "PCMU";
        int rate = map != null ? map.clockRate() : 8000;
        return () -> AudioCodecs.create(encoding, rate).orElseThrow();
    }

    /** RFC 4733 digits of the call go to the room (the PIN). */
    private static void receiveDigits(Room room, Participant participant, AudioStream audio) {
        audio.receiveDtmf(dtmf -> dtmf.digit().ifPresent(key -> room.digit(participant, key)));
    }

    /**
     * A re-INVITE from a participant (spec §3.2): hold and resume, streams added or removed. Audio and chat may
     * each come or go; an offer with neither is refused with 488, one that removes every stream ends the session.
     */
    private void reInvite(SipServletRequest request) throws IOException {
        ConferenceCall call = (ConferenceCall) request.getApplicationSession().getAttribute(ConferenceListener.CALL);
        if (call == null || !call.answered()) {
            reply(request, SipServletResponse.SC_CALL_LEG_DONE, "Call Does Not Exist");
            return;
        }
        Participant participant = call.participant;
        try {
            SessionDescription offer = sdpOffer(request);
            boolean audioOffered = MediaSession.offers(offer, "audio");
            boolean chatOffered = conference.msrp != null && ChatStream.offered(offer, conference.msrpProto);
            if (MediaSession.removesAll(offer)) {
                // every stream removed (spec §3.2): accept the removal, then end the session
                SipServletResponse ok = request.createResponse(SipServletResponse.SC_OK);
                ok.setContent(call.media.declineAll(offer).toBytes(), "application/sdp");
                ok.send();
                call.hangUp("all streams removed");
                return;
            }
            if (!audioOffered && !chatOffered) {
                reply(request, SipServletResponse.SC_NOT_ACCEPTABLE_HERE, "Neither audio nor chat offered");
                return;
            }
            Room room = conference.rooms.find(call.room);
            if (participant.chat == null) {
                // a chat whose connection was lost is gone from the room: an offered chat is a new one
                call.media.streams().stream().filter(s -> s instanceof ChatStream).toList().forEach(call.media::remove);
            }
            AudioStream audio = call.audio;
            AudioStream addedAudio = audioOffered && audio == null ? openAudio(participant, request) : null;
            ChatStream addedChat = chatOffered && participant.chat == null ? chatStream(participant) : null;
            List<MediaStream> added = new ArrayList<>();
            if (addedAudio != null) {
                added.add(addedAudio);
            }
            if (addedChat != null) {
                added.add(addedChat);
            }
            MediaSession.Negotiation negotiation = call.media.negotiate(offer, added, NO_AUDIO);
            if (audioOffered && !negotiation.has(addedAudio != null ? addedAudio : audio)) {
                // the offered audio cannot be taken: the re-INVITE is refused, the session stays as it was
                negotiation.discard();
                throw new SdpException(negotiation.refusal());
            }
            if (addedAudio == null && audioOffered && audio.changesCodec()) {
                negotiation.discard();
                reply(request, SipServletResponse.SC_NOT_ACCEPTABLE_HERE, "Codec change not supported");
                return;
            }
            SipServletResponse ok = request.createResponse(SipServletResponse.SC_OK);
            ok.setContent(negotiation.answer().toBytes(), "application/sdp");
            ok.send();
            negotiation.accept();
            // the streams change once the answer is out
            if (addedAudio != null) {
                startAudio(call, addedAudio);
                if (room != null) {
                    room.addAudio(participant, addedAudio.payloadType(), codecs(addedAudio));
                    receiveDigits(room, participant, addedAudio);
                }
            } else if (!audioOffered && audio != null) {
                RtpAudioEndpoint removed = participant.endpoint;
                participant.endpoint = null;
                call.audio = null;
                if (room != null) {
                    room.removeAudio(participant);
                }
                removed.close();
            } else if (audio != null) {
                // a participant holding the room (or only listening) may send nothing: no RTP timeout meanwhile
                audio.apply();
                boolean hold = audio.onHold();
                if (room != null) {
                    room.hold(participant, hold);
                } else {
                    participant.hold(hold);
                }
            }
            if (addedChat != null && negotiation.has(addedChat)) {
                ChatMember newChat = attachChat(participant, addedChat);
                if (room != null) {
                    participant.chat = newChat;
                    room.addChat(participant, newChat);
                    connectChat(newChat, addedChat);
                }
            } else if (!chatOffered && participant.chat != null) {
                dropChat(participant, room);
            }
            log.info(() -> "re-INVITE from " + participant + ": audio "
                    + (participant.endpoint == null ? "none" : call.audio.direction()) + ", chat "
                    + (participant.chat == null ? "none" : "on"));
        } catch (SdpException e) {
            notAcceptable(request, e);
        }
    }

    /** The chat stream of a participant's offer: its MSRP session goes to a chat session of the room. */
    private ChatStream chatStream(Participant participant) {
        return new ChatStream(conference.route, CHATROOM, peer -> new ChatMember(participant.uri,
                participant.displayName, peer.path(), peer.toPath()));
    }

    /** The participant's chat session once answered, listening for its connection. */
    private ChatMember attachChat(Participant participant, ChatStream chat) {
        ChatMember stream = (ChatMember) chat.handler();
        stream.localUri = chat.localUri();
        stream.lost = () -> conference.fileTimers.execute(() -> chatLost(participant, stream));
        if (conference.settings.zrtpAutoVerify()) {
            stream.sas = () -> {
                RtpAudioEndpoint audio = participant.endpoint;
                return audio == null ? null : audio.zrtpSas();
            };
            stream.sasVerified = () -> {
                RtpAudioEndpoint audio = participant.endpoint;
                if (audio != null) {
                    audio.zrtpSasVerified();
                    log.info(() -> participant.uri + " confirmed the ZRTP SAS over a secure chat: verified");
                }
            };
        }
        return stream;
    }

    /** Opens the chat's connection when the room is the active side (RFC 6135), else waits for the participant's. */
    private void connectChat(ChatMember stream, ChatStream chat) {
        if (chat.peer().weConnect()) {
            conference.connectOut(stream.localUri, chat.peer().path(), stream::connected, stream.uri() + "'s chat");
        }
    }

    @Override
    protected void doAck(SipServletRequest request) {
        ConferenceCall call = (ConferenceCall) request.getApplicationSession().getAttribute(ConferenceListener.CALL);
        if (call != null && call.acknowledged()) {
            joinRoom(call);
            if (call.chatOffer != null) {
                connectChat(call.participant.chat, call.chatOffer);
            }
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

    /**
     * The participant's MSRP connection closed while its session was on (client gone, network cut): a chat-only
     * participant is hung up (BYE) and leaves the room; one with audio too stays, without its chat.
     */
    private void chatLost(Participant participant, ChatMember stream) {
        if (participant.chat != stream) {
            return;
        }
        ConferenceCall call = ConferenceCall.of(participant);
        if (call == null) {
            return; // the SIP session is gone: the call has ended already
        }
        if (participant.endpoint == null) {
            log.info(() -> participant + ": MSRP connection lost, the call ends");
            call.hangUp("MSRP connection lost");
            return;
        }
        log.info(() -> participant + ": MSRP connection lost, it stays in the room with audio only");
        dropChat(participant, participant.room == null ? null : conference.rooms.find(participant.room));
    }

    /** The participant's chat stream goes: out of the room (when it is in one), its MSRP session closed. */
    private void dropChat(Participant participant, Room room) {
        ChatMember stream = participant.chat;
        if (room != null) {
            room.removeChat(participant, stream);
        }
        participant.chat = null;
        conference.closeChat(stream);
    }

    private void rtpTimeout(Participant participant) {
        ConferenceCall call = ConferenceCall.of(participant);
        if (call != null) {
            call.hangUp("RTP timeout");
        }
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
        Referrals.DialOut out = Referrals.DialOut.of(response);
        if (out != null && response.getMethod().equals("INVITE") && response.getStatus() > 100) {
            referrals.sipfrag(out.referSession(), "SIP/2.0 " + response.getStatus() + " " + response.getReasonPhrase(), false);
        }
    }

    @Override
    protected void doSuccessResponse(SipServletResponse response) throws IOException {
        if (pushes.answered(response)) {
            return;
        }
        Referrals.DialOut out = Referrals.DialOut.of(response);
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
            referrals.sipfrag(out.referSession(), "SIP/2.0 488 Not Acceptable Here", true);
            return;
        }
        String uri = Identity.bare(response.getTo().getURI().toString());
        Address contact;
        try {
            contact = response.getAddressHeader("Contact");
        } catch (ServletParseException e) {
            contact = null;
        }
        Participant participant = new Participant(response.getCallId(), uri, response.getTo().getDisplayName(),
                contact != null ? contact.getURI().toString() : response.getTo().getURI().toString(), null,
                response.getSession(), out.endpoint());
        AudioStream audio = AudioStream.answered(audioSettings, out.endpoint(), answer);
        out.media().answered(audio);
        participant.hold(audio.onHold());
        out.endpoint().signallingSource(signallingSource(response));
        out.endpoint().remote(audio.remoteRtp(), audio.rtcpMux(), audio.clockRate());
        out.endpoint().watchInactivity(audio.direction());
        ConferenceCall call = ConferenceCall.dialledOut(conference, out.room(), participant, out.media(), audio);
        response.getApplicationSession().setAttribute(ConferenceListener.CALL, call);
        joinRoom(call);
        referrals.sipfrag(out.referSession(), "SIP/2.0 200 OK", true);
        log.info(() -> uri + " answered the focus of room " + out.room() + " (invited by " + out.referrer() + ")");
    }

    @Override
    protected void doErrorResponse(SipServletResponse response) {
        log.fine(() -> response.getMethod() + " to " + response.getTo().getURI() + " failed: " + response.getStatus());
        pushes.declined(response);
        Referrals.DialOut out = Referrals.DialOut.of(response);
        if (out != null && response.getMethod().equals("INVITE")) {
            out.endpoint().close();
            referrals.sipfrag(out.referSession(), "SIP/2.0 " + response.getStatus() + " " + response.getReasonPhrase(), true);
        }
    }

}
