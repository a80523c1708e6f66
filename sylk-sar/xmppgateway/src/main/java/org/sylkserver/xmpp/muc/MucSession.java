package org.sylkserver.xmpp.muc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Date;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.logging.Logger;

import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.MessageBuilder;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.PresenceBuilder;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.jivesoftware.smackx.muc.MUCAffiliation;
import org.jivesoftware.smackx.muc.MUCRole;
import org.jivesoftware.smackx.muc.packet.MUCItem;
import org.jivesoftware.smackx.muc.packet.MUCUser;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.jxmpp.stringprep.XmppStringprepException;
import org.sylkserver.core.session.ChatLine;
import org.sylkserver.protocols.cpim.CpimMessage;
import org.sylkserver.protocols.sdp.SdpException;
import org.sylkserver.protocols.sdp.SessionDescription;
import org.sylkserver.xmpp.im.Addresses;
import org.sylkserver.xmpp.im.Html;

/**
 * One XMPP user in one multi-user chat room, bridged to the room's SIP conference (spec §5.6.1): a SIP call from the
 * user's SIP address to the conference with an MSRP chat stream, the MUC nickname as the chat nickname (RFC 7701),
 * the conference's users (RFC 4575) as the room's occupants.
 *
 * <p>States: {@code CALLING} (the INVITE is out) → {@code CONNECTING} (answered by a focus offering nicknames; the
 * MSRP session is being made) → {@code NAMING} (NICKNAME asked) → {@code LISTING} (nickname granted; the conference
 * subscription asked) → {@code JOINED} (the first conference-info, or none to come: the occupants' presence, then the
 * user's own with status 110, then the subject, XEP-0045 §7.2.3, §7.2.15) → {@code ENDED}. A join that fails before
 * {@code JOINED} is answered with an error presence (XEP-0045 §7.2.6-§7.2.10: 425 → conflict); a session that ends
 * after it, for another reason than the user's leaving, with unavailable presence and status 307 (spec §5.6.1 step
 * 8). Groupchat messages of the user sent before {@code JOINED} wait (at most {@code maxWaiting}); the conference's
 * messages before it (its history) are given after the self-presence with their time (XEP-0203).
 *
 * <p>Threads: the public methods queue their work on the session's serial {@code executor}, where everything runs;
 * the call and the line report on their threads and are queued there too.
 */
public final class MucSession {

    public enum State { CALLING, CONNECTING, NAMING, LISTING, JOINED, ENDED }

    private static final Logger LOG = Logger.getLogger("sylk.xmpp.muc");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** XEP-0045 §7.2.4: every occupant may see the real JIDs. */
    static final MUCUser.Status NON_ANONYMOUS_100 = MUCUser.Status.create(100);
    /** XEP-0045 §11.1: an occupant removed because of an error reply (status 333). */
    static final MUCUser.Status REMOVED_BY_ERROR_333 = MUCUser.Status.create(333);
    /**
     * XEP-0045 §18.1.2: the delivery-related errors after which an occupant is a ghost (gone offline since joining)
     * and is removed as if it had sent unavailable presence.
     */
    private static final Set<StanzaError.Condition> DELIVERY_FAILURES = EnumSet.of(StanzaError.Condition.gone,
            StanzaError.Condition.item_not_found, StanzaError.Condition.recipient_unavailable,
            StanzaError.Condition.redirect, StanzaError.Condition.remote_server_not_found,
            StanzaError.Condition.remote_server_timeout);
    /** Spec §5.6.1 step 6: how a subject reaches the conference. */
    static final String SUBJECT_PREFIX = "Conference title set to: ";

    private final EntityFullJid user;
    private final EntityBareJid room;
    private final String joinId;
    private final Executor executor;
    private final Consumer<Stanza> xmpp;
    private final int maxWaiting;
    private final Runnable ended;
    private Resourcepart nick;
    // volatile: moved on the session's executor, read by the rooms (whether an inviter is in the room)
    private volatile State state = State.CALLING;
    private ChatLine line;
    private ConferenceCall call;
    /** The user's groupchat messages waiting for {@code JOINED}. */
    private final Deque<Message> waiting = new ArrayDeque<>();
    /** The conference's messages before {@code JOINED}: its history for joiners. */
    private final Deque<Message> early = new ArrayDeque<>();
    /** The other occupants: conference user entity → their nickname in the room. */
    private Map<String, Resourcepart> occupants = new LinkedHashMap<>();
    private String subject = "";

    /**
     * @param user       the occupant's real JID
     * @param room       the room
     * @param nick       the nickname of the join presence
     * @param joinId     the join presence's id, which an error presence repeats
     * @param executor   the session's serial executor
     * @param xmpp       sends a stanza to the XMPP world
     * @param maxWaiting messages that may wait for the join
     * @param ended      told once when the session is over (the rooms forget it)
     */
    public MucSession(EntityFullJid user, EntityBareJid room, Resourcepart nick, String joinId, Executor executor,
                      Consumer<Stanza> xmpp, int maxWaiting, Runnable ended) {
        this.user = user;
        this.room = room;
        this.nick = nick;
        this.joinId = joinId;
        this.executor = executor;
        this.xmpp = xmpp;
        this.maxWaiting = maxWaiting;
        this.ended = ended;
    }

    public State state() {
        return state;
    }

    public EntityFullJid user() {
        return user;
    }

    public EntityBareJid room() {
        return room;
    }

    /** Spec §5.6.1 step 1: the call to {@code sip:<room>} from {@code sip:<user>}, the resource in {@code gr}. */
    public void start(ConferenceCall.Dialer dialer) {
        executor.execute(() -> call(dialer));
    }

    private void call(ConferenceCall.Dialer dialer) {
        try {
            line = dialer.line(new ChatLine.Listener() {
                @Override
                public void connected() {
                    executor.execute(MucSession.this::lineConnected);
                }

                @Override
                public void received(CpimMessage message) {
                    executor.execute(() -> MucSession.this.received(message));
                }

                @Override
                public void closed(String why) {
                    executor.execute(() -> end("MSRP connection: " + why, StanzaError.Condition.remote_server_timeout));
                }
            });
            call = dialer.dial(Addresses.sipUri(user), Addresses.gruuOf(user.getResourcepart().toString()),
                    "sip:" + room, line.offer(), new CallListener());
            LOG.info(() -> this + ": calling the conference");
        } catch (IOException | RuntimeException e) {
            end("cannot call the conference: " + e.getMessage(), StanzaError.Condition.remote_server_not_found);
        }
    }

    // ---- the XMPP user's stanzas ----

    /**
     * The user's presence to {@code room/<nickname>} while in the room: unavailable leaves (XEP-0045 §7.14), another
     * nickname changes it (§7.6), anything else (a status change) stays here: the conference has no way to show it.
     */
    public void presence(Presence presence, Resourcepart to) {
        executor.execute(() -> userPresence(presence, to));
    }

    private void userPresence(Presence presence, Resourcepart to) {
        if (state == State.ENDED) {
            return;
        }
        if (presence.getType() == Presence.Type.error) {
            bounced(presence.getError());
            return;
        }
        if (presence.getType() == Presence.Type.unavailable) {
            if (state == State.JOINED) {
                xmpp.accept(occupantPresence(nick, Presence.Type.unavailable, user, MUCUser.Status.PRESENCE_TO_SELF_110));
            }
            end("the user left", null);
            return;
        }
        if (presence.getType() != Presence.Type.available || to.equals(nick)) {
            return;
        }
        if (state != State.JOINED) {
            xmpp.accept(errorPresence(to, presence.getStanzaId(), StanzaError.Condition.not_acceptable,
                    StanzaError.Type.MODIFY));
            return;
        }
        String id = presence.getStanzaId();
        line.nickname(to.toString(), (code, reason) -> executor.execute(() -> renamed(to, id, code, reason)));
    }

    /**
     * An error from the user answering a stanza the room sent it (a presence or a message bounced by the user's
     * server or client): the user may have gone offline since joining.
     */
    public void error(StanzaError error) {
        executor.execute(() -> bounced(error));
    }

    /**
     * XEP-0045 §18.1.2: after a delivery-related error the user is a ghost, treated as if it had sent unavailable
     * presence (§7.14): its own unavailable presence, with 333 (§11.1: removed because of an error), and the session
     * ends, which takes the user out of the conference and so out of the other occupants' rooms. Other errors (a
     * client refusing one stanza) change nothing.
     */
    private void bounced(StanzaError error) {
        if (state == State.ENDED || error == null || !DELIVERY_FAILURES.contains(error.getCondition())) {
            return;
        }
        if (state == State.JOINED) {
            xmpp.accept(occupantPresence(nick, Presence.Type.unavailable, user, MUCUser.Status.PRESENCE_TO_SELF_110,
                    REMOVED_BY_ERROR_333));
        }
        end("the user is unreachable: " + error.getCondition(), null);
    }

    /** XEP-0045 §7.6: the old name leaves with 303 and the new one, then the new one comes; 425 is a conflict. */
    private void renamed(Resourcepart to, String id, int code, String reason) {
        if (state != State.JOINED) {
            return;
        }
        if (code != 200) {
            LOG.info(() -> this + ": nickname " + to + " refused: " + code + " " + reason);
            xmpp.accept(errorPresence(to, id, code == 425 ? StanzaError.Condition.conflict
                    : StanzaError.Condition.not_acceptable, StanzaError.Type.CANCEL));
            return;
        }
        MUCUser leaving = new MUCUser();
        leaving.setItem(new MUCItem(MUCAffiliation.member, MUCRole.participant, null, null, user, to, null));
        leaving.addStatusCode(MUCUser.Status.NEW_NICKNAME_303);
        leaving.addStatusCode(MUCUser.Status.PRESENCE_TO_SELF_110);
        xmpp.accept(StanzaBuilder.buildPresence().ofType(Presence.Type.unavailable).from(occupant(nick)).to(user)
                .addExtension(leaving).build());
        nick = to;
        xmpp.accept(occupantPresence(nick, Presence.Type.available, user, MUCUser.Status.PRESENCE_TO_SELF_110));
    }

    /**
     * The user's message to the room: groupchat goes to the conference (its body, or its subject as spec §5.6.1
     * step 6 says) and is reflected once the conference took it (XEP-0045 §7.4); private messages are not supported
     * (spec §5.6.1 step 9: feature-not-implemented).
     */
    public void message(Message message) {
        executor.execute(() -> fromUser(message));
    }

    private void fromUser(Message message) {
        if (message.getType() != Message.Type.groupchat) {
            xmpp.accept(errorMessage(message, StanzaError.Condition.feature_not_implemented, StanzaError.Type.CANCEL));
            return;
        }
        if (state == State.ENDED) {
            xmpp.accept(errorMessage(message, StanzaError.Condition.not_acceptable, StanzaError.Type.CANCEL));
            return;
        }
        if (message.getBody() == null && message.getSubject() == null) {
            return; // a chat state alone: the conference's is-composing is not bridged
        }
        if (state != State.JOINED) {
            if (waiting.size() >= maxWaiting) {
                xmpp.accept(errorMessage(message, StanzaError.Condition.resource_constraint, StanzaError.Type.WAIT));
            } else {
                waiting.add(message);
            }
            return;
        }
        send(message);
    }

    private void send(Message message) {
        String text = message.getBody() != null ? message.getBody() : SUBJECT_PREFIX + message.getSubject();
        CpimMessage cpim = CpimMessage.builder()
                .from(new CpimMessage.Address(nick.toString(), Addresses.sipUri(user)))
                .to(CpimMessage.Address.of("sip:" + room))
                .dateTime(OffsetDateTime.now(ZoneOffset.UTC))
                .contentHeader("Content-Type", "text/plain")
                .content(text.getBytes(StandardCharsets.UTF_8))
                .build();
        line.send(cpim, (code, reason) -> executor.execute(() -> delivered(message, code, reason)));
    }

    /** XEP-0045 §7.4: the message comes back from the user's occupant JID, with its id; a failure is an error. */
    private void delivered(Message message, int code, String reason) {
        if (state == State.ENDED) {
            return;
        }
        if (code != 200) {
            LOG.info(() -> this + ": message not taken by the conference: " + code + " " + reason);
            xmpp.accept(errorMessage(message, StanzaError.Condition.recipient_unavailable, StanzaError.Type.WAIT));
            return;
        }
        MessageBuilder reflection = StanzaBuilder.buildMessage(message.getStanzaId()).ofType(Message.Type.groupchat)
                .from(occupant(nick)).to(user);
        if (message.getBody() != null) {
            reflection.setBody(message.getBody());
        }
        if (message.getSubject() != null) {
            subject = message.getSubject();
            reflection.setSubject(subject);
        }
        xmpp.accept(reflection.build());
    }

    // ---- the conference ----

    private void answered(String sdp, boolean focus) {
        if (state != State.CALLING) {
            return;
        }
        if (sdp == null) {
            end("the conference answered without SDP", StanzaError.Condition.service_unavailable);
            return;
        }
        // spec §5.6.1 step 2: a focus whose chat has nicknames, else no room
        if (!focus || !offersNicknames(sdp)) {
            end("the answer is not a conference's with nicknames (isfocus " + focus + ")",
                    StanzaError.Condition.service_unavailable);
            return;
        }
        state = State.CONNECTING;
        try {
            line.answered(sdp);
        } catch (SdpException e) {
            end("the conference's answer: " + e.getMessage(), StanzaError.Condition.service_unavailable);
        }
    }

    /** RFC 7701 §5.1: {@code a=chatroom:nickname ...} on the chat line. */
    static boolean offersNicknames(String sdp) {
        try {
            return SessionDescription.parse(sdp).media().stream()
                    .flatMap(m -> m.attributes("chatroom").stream())
                    .anyMatch(value -> List.of(value.strip().toLowerCase(Locale.ROOT).split("\\s+")).contains("nickname"));
        } catch (SdpException e) {
            return false;
        }
    }

    private void lineConnected() {
        if (state != State.CONNECTING) {
            return;
        }
        state = State.NAMING;
        Resourcepart asked = nick;
        line.nickname(asked.toString(), (code, reason) -> executor.execute(() -> named(code, reason)));
    }

    /** Spec §5.6.1 step 2: the nickname granted, the conference is followed; 425 → conflict (XEP-0045 §7.2.9). */
    private void named(int code, String reason) {
        if (state != State.NAMING) {
            return;
        }
        if (code == 425) {
            end("nickname " + nick + " in use", StanzaError.Condition.conflict);
            return;
        }
        if (code != 200) {
            end("nickname refused: " + code + " " + reason, StanzaError.Condition.service_unavailable);
            return;
        }
        state = State.LISTING;
        call.subscribe();
    }

    /** Spec §5.6.1 step 3: the conference's users become occupants; the first document completes the join. */
    private void conferenceInfo(byte[] document) {
        if (state != State.LISTING && state != State.JOINED) {
            return;
        }
        ConferenceInfoReader.Document info;
        try {
            info = ConferenceInfoReader.read(document);
        } catch (IllegalArgumentException e) {
            LOG.info(() -> this + ": conference-info not understood: " + e.getMessage());
            return;
        }
        Map<String, Resourcepart> now = info.full() ? new LinkedHashMap<>() : new LinkedHashMap<>(occupants);
        String self = Addresses.sipUri(user);
        for (ConferenceInfoReader.User conferenceUser : info.users()) {
            String entity = conferenceUser.entity();
            if (entity.equalsIgnoreCase(self)) {
                continue;
            }
            if (conferenceUser.deleted()) {
                now.remove(entity);
            } else {
                now.put(entity, nickOf(conferenceUser.displayText(), entity));
            }
        }
        for (Map.Entry<String, Resourcepart> gone : occupants.entrySet()) {
            Resourcepart stays = now.get(gone.getKey());
            if (stays == null || !stays.equals(gone.getValue())) {
                xmpp.accept(occupantPresence(gone.getValue(), Presence.Type.unavailable, realJid(gone.getKey()), null));
            }
        }
        for (Map.Entry<String, Resourcepart> present : now.entrySet()) {
            Resourcepart before = occupants.get(present.getKey());
            if (before == null || !before.equals(present.getValue())) {
                xmpp.accept(occupantPresence(present.getValue(), Presence.Type.available, realJid(present.getKey()),
                        null));
            }
        }
        occupants = now;
        if (state == State.LISTING) {
            joined();
        }
    }

    /** XEP-0045 §7.2.3, §7.2.15: the user's own presence (110) after the others', then history, then the subject. */
    private void joined() {
        state = State.JOINED;
        LOG.info(() -> this + ": joined with " + occupants.size() + " other occupants");
        // §7.2.4: the room shows real JIDs (non-anonymous), which the self-presence says with 100
        xmpp.accept(occupantPresence(nick, Presence.Type.available, user, NON_ANONYMOUS_100,
                MUCUser.Status.PRESENCE_TO_SELF_110));
        while (!early.isEmpty()) {
            xmpp.accept(early.poll());
        }
        xmpp.accept(StanzaBuilder.buildMessage(mucId()).ofType(Message.Type.groupchat).from(room).to(user)
                .setSubject(subject).build());
        while (!waiting.isEmpty()) {
            send(waiting.poll());
        }
    }

    private void unsubscribed(String why) {
        LOG.info(() -> this + ": no conference events: " + why);
        if (state == State.LISTING) {
            joined(); // the room works without its occupant list
        }
    }

    /** Spec §5.6.1 step 4: the conference's text becomes groupchat from the sender's occupant JID, the room's notices from the room. */
    private void received(CpimMessage message) {
        if (state == State.ENDED) {
            return;
        }
        String type = message.contentType() == null || message.contentType().isEmpty() ? "text/plain"
                : message.contentType().toLowerCase(Locale.ROOT);
        String content = new String(message.content(), StandardCharsets.UTF_8);
        String body;
        if (type.startsWith("text/plain")) {
            body = content;
        } else if (type.startsWith("text/html")) {
            body = Html.text(content);
        } else {
            return; // is-composing, files: nothing a MUC occupant is shown
        }
        Jid from = room;
        CpimMessage.Address sender = message.from().orElse(null);
        // the room's own notices (a status message, or From the room itself) come from the room's bare JID
        if (!message.isStatus() && sender != null && !sender.uri().equalsIgnoreCase("sip:" + room)) {
            Resourcepart known = occupants.get(sender.uri());
            from = occupant(known != null ? known : nickOf(sender.displayName(), sender.uri()));
        }
        MessageBuilder stanza = StanzaBuilder.buildMessage(mucId()).ofType(Message.Type.groupchat).from(from).to(user)
                .setBody(body);
        if (state != State.JOINED) {
            // the conference's history for joiners: shown after the self-presence, with its time (XEP-0045 §7.2.14)
            OffsetDateTime time = message.dateTime().orElse(OffsetDateTime.now(ZoneOffset.UTC));
            stanza.addExtension(new DelayInformation(Date.from(time.toInstant()), room.toString(), null));
            if (early.size() < maxWaiting) {
                early.add(stanza.build());
            }
            return;
        }
        xmpp.accept(stanza.build());
    }

    /** The user left (nothing to tell), or the session failed (an error presence before the join, 307 after it). */
    private void end(String why, StanzaError.Condition failure) {
        if (state == State.ENDED) {
            return;
        }
        State was = state;
        state = State.ENDED;
        LOG.info(() -> this + ": ended in " + was + ": " + why);
        if (failure != null) {
            if (was == State.JOINED) {
                xmpp.accept(occupantPresence(nick, Presence.Type.unavailable, user, MUCUser.Status.KICKED_307,
                        MUCUser.Status.PRESENCE_TO_SELF_110));
            } else {
                xmpp.accept(errorPresence(nick, joinId, failure, failure == StanzaError.Condition.conflict
                        ? StanzaError.Type.CANCEL : StanzaError.Type.WAIT));
            }
        }
        for (Message message : waiting) {
            xmpp.accept(errorMessage(message, StanzaError.Condition.recipient_unavailable, StanzaError.Type.WAIT));
        }
        waiting.clear();
        early.clear();
        if (call != null) {
            call.hangUp();
        }
        if (line != null) {
            line.close();
        }
        ended.run();
    }

    /** The session ends without telling the user (the gateway stops). */
    public void close() {
        executor.execute(() -> end("the gateway stops", null));
    }

    // ---- stanzas ----

    private EntityFullJid occupant(Resourcepart name) {
        return JidCreate.entityFullFrom(room, name);
    }

    /** XEP-0045 §7.2.3: an occupant's presence, its real JID in the item (the rooms are not anonymous). */
    private Presence occupantPresence(Resourcepart name, Presence.Type type, Jid realJid, MUCUser.Status... statuses) {
        MUCUser x = new MUCUser();
        x.setItem(new MUCItem(MUCAffiliation.member, MUCRole.participant, null, null, realJid, null, null));
        if (statuses != null) {
            for (MUCUser.Status status : statuses) {
                x.addStatusCode(status);
            }
        }
        return StanzaBuilder.buildPresence().ofType(type).from(occupant(name)).to(user).addExtension(x).build();
    }

    /** XEP-0045 §7.2.6-§7.2.10: a join (or nickname change) refused, from the occupant JID asked for, same id. */
    private Presence errorPresence(Resourcepart name, String id, StanzaError.Condition condition,
                                   StanzaError.Type type) {
        PresenceBuilder presence = (id == null ? StanzaBuilder.buildPresence() : StanzaBuilder.buildPresence(id))
                .ofType(Presence.Type.error).from(occupant(name)).to(user);
        presence.setError(StanzaError.getBuilder(condition).setType(type).build());
        return presence.build();
    }

    private Message errorMessage(Message message, StanzaError.Condition condition, StanzaError.Type type) {
        MessageBuilder error = (message.getStanzaId() == null ? StanzaBuilder.buildMessage()
                : StanzaBuilder.buildMessage(message.getStanzaId())).ofType(Message.Type.error)
                .from(message.getTo()).to(message.getFrom());
        error.setError(StanzaError.getBuilder(condition).setType(type).build());
        return error.build();
    }

    /**
     * The name a conference user goes by in the room (spec §5.6.1 step 3): its display text, else its URI without
     * scheme; a name that is no resourcepart falls back to the URI.
     */
    static Resourcepart nickOf(String displayText, String entity) {
        String bare = entity.replaceFirst("^(?i)sips?:", "");
        if (displayText != null && !displayText.isBlank()) {
            try {
                return Resourcepart.from(displayText.strip());
            } catch (XmppStringprepException e) {
                // not usable as a resource: the URI names it
            }
        }
        try {
            return Resourcepart.from(bare);
        } catch (XmppStringprepException e) {
            return Resourcepart.fromOrThrowUnchecked("participant-" + Integer.toHexString(entity.hashCode()));
        }
    }

    /** The real JID of a conference user: its SIP URI as a JID (spec §5.3), or none. */
    private static Jid realJid(String entity) {
        try {
            return JidCreate.entityBareFrom(entity.replaceFirst("^(?i)sips?:", ""));
        } catch (XmppStringprepException | RuntimeException e) {
            return null;
        }
    }

    /** Spec §5.6.1 step 4: ids of the messages the room sends, {@code MUC.<hex>}. */
    static String mucId() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return "MUC." + HexFormat.of().formatHex(bytes);
    }

    /** The call's events, moved to the executor. */
    private final class CallListener implements ConferenceCall.Listener {
        @Override
        public void answered(String sdp, boolean focus) {
            executor.execute(() -> MucSession.this.answered(sdp, focus));
        }

        @Override
        public void rejected(int status, String reason) {
            executor.execute(() -> end("the conference refused the call: " + status + " " + reason,
                    status == 403 ? StanzaError.Condition.forbidden
                            : status == 404 ? StanzaError.Condition.item_not_found
                            : StanzaError.Condition.service_unavailable));
        }

        @Override
        public void ended() {
            executor.execute(() -> end("the conference hung up", StanzaError.Condition.service_unavailable));
        }

        @Override
        public void conferenceInfo(byte[] document) {
            executor.execute(() -> MucSession.this.conferenceInfo(document));
        }

        @Override
        public void unsubscribed(String why) {
            executor.execute(() -> MucSession.this.unsubscribed(why));
        }
    }

    @Override
    public String toString() {
        return "MUC occupant " + user + " in " + room + "/" + nick;
    }
}
