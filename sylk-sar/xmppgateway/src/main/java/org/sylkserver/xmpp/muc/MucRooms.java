package org.sylkserver.xmpp.muc;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Logger;

import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaError;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.parts.Resourcepart;
import org.jivesoftware.smackx.muc.packet.MUCUser;
import org.sylkserver.core.SerialExecutor;
import org.sylkserver.xmpp.im.Addresses;
import org.sylkserver.xmpp.im.Stanzas;

/**
 * The multi-user chat rooms of our MUC domains (spec §5.6.1): the XMPP users' stanzas for {@code room@<muc domain>}
 * go to the {@link MucSession} of (user, room), made by a join presence. At most {@code maxSessions} sessions at once
 * (a join beyond is refused with service-unavailable, as a full room is, XEP-0045 §7.2.10).
 */
public final class MucRooms {

    private static final Logger LOG = Logger.getLogger("sylk.xmpp.muc");

    private final ConferenceCall.Dialer dialer;
    private final Consumer<Stanza> xmpp;
    private final int maxSessions;
    private final int maxWaiting;
    /** Sessions by {@code user full JID + " " + room}. */
    private final Map<String, MucSession> sessions = new ConcurrentHashMap<>();
    private final ExecutorService pool;

    /**
     * @param maxSessions {@code max_muc_sessions}
     * @param maxWaiting  {@code muc_queue_size}: messages of a joining user that wait
     */
    public MucRooms(ConferenceCall.Dialer dialer, Consumer<Stanza> xmpp, int maxSessions, int maxWaiting) {
        this.dialer = dialer;
        this.xmpp = xmpp;
        this.maxSessions = maxSessions;
        this.maxWaiting = maxWaiting;
        AtomicInteger count = new AtomicInteger();
        this.pool = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "xmpp-muc-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    private static String key(Jid user, EntityBareJid room) {
        return user + " " + room;
    }

    /**
     * Presence for {@code room/<nick>} (XEP-0045 §7.2): a join when the user is not in the room (any available
     * presence, as §7.2.1 allows), otherwise the session's (leave, nickname change).
     */
    public void presence(Presence presence) {
        if (!(presence.getFrom() instanceof EntityFullJid user) || !(presence.getTo() instanceof EntityFullJid to)) {
            return;
        }
        EntityBareJid room = to.asEntityBareJid();
        Resourcepart nick = to.getResourcepart();
        MucSession session = sessions.get(key(user, room));
        if (session != null) {
            session.presence(presence, nick);
            return;
        }
        if (presence.getType() != Presence.Type.available) {
            return;
        }
        String key = key(user, room);
        SerialExecutor executor = new SerialExecutor(pool, LOG, "MUC occupant " + user + " in " + room);
        MucSession joining = new MucSession(user, room, nick, presence.getStanzaId(), executor, xmpp, maxWaiting,
                () -> sessions.remove(key));
        boolean full;
        synchronized (sessions) {
            if (sessions.containsKey(key)) {
                return; // a second join presence at the same moment: the first one joins
            }
            full = sessions.size() >= maxSessions;
            if (!full) {
                sessions.put(key, joining);
            }
        }
        if (full) {
            LOG.info(() -> "MUC join of " + user + " to " + room + " refused: [muc] max_sessions (" + maxSessions
                    + ") reached");
            xmpp.accept(Stanzas.error(presence, StanzaError.Condition.service_unavailable, StanzaError.Type.WAIT));
            return;
        }
        joining.start(dialer);
    }

    /**
     * A message to a room or an occupant: a mediated invitation (XEP-0045 §7.8.2) becomes a REFER to the conference
     * (spec §5.6.2); an error (one of ours bounced) goes to the occupant's session (§18.1.2); anything else is the
     * sender's session's, or not-acceptable from a non-occupant (§7.4).
     */
    public void message(Message message) {
        EntityBareJid room = message.getTo().asEntityBareJidIfPossible();
        if (room == null) {
            return;
        }
        if (message.getType() == Message.Type.error) {
            MucSession session = sessions.get(key(message.getFrom(), room));
            if (session != null) {
                session.error(message.getError()); // a groupchat of ours bounced: the occupant may be a ghost
            }
            return;
        }
        MUCUser x = MUCUser.from(message);
        if (x != null && x.getInvite() != null && !message.getTo().hasResource()) {
            invite(message, room, x.getInvite());
            return;
        }
        MucSession session = sessions.get(key(message.getFrom(), room));
        if (session == null) {
            xmpp.accept(Stanzas.error(message, StanzaError.Condition.not_acceptable, StanzaError.Type.CANCEL));
            return;
        }
        session.message(message);
    }

    /**
     * Spec §5.6.2: the conference is asked to call the invitee ({@code sip:<invitee bare JID>}) in, From the
     * inviter's SIP address; an invitation without invitee is bad-request (XEP-0045 §7.8.2 requires one). Only an
     * occupant may invite: the conference takes a REFER only from a participant of the room (spec §3.9, 403
     * otherwise), which a user not in the room (or in a room that does not exist) is not, so the gateway answers
     * forbidden at once. A REFER the conference refuses is told to the inviter as an error (beyond the original,
     * which only logs it): 403 forbidden, 404/480 item-not-found, no answer remote-server-timeout, else
     * service-unavailable.
     */
    private void invite(Message message, EntityBareJid room, MUCUser.Invite invite) {
        if (invite.getTo() == null) {
            xmpp.accept(Stanzas.error(message, StanzaError.Condition.bad_request, StanzaError.Type.MODIFY));
            return;
        }
        MucSession inviter = sessions.get(key(message.getFrom(), room));
        if (inviter == null || inviter.state() != MucSession.State.JOINED) {
            LOG.info(() -> "MUC invitation from " + message.getFrom() + " into " + room + " refused: not an occupant");
            xmpp.accept(Stanzas.error(message, StanzaError.Condition.forbidden, StanzaError.Type.AUTH));
            return;
        }
        String from = Addresses.sipUri(message.getFrom());
        String target = "sip:" + invite.getTo().asBareJid();
        LOG.info(() -> "MUC invitation from " + message.getFrom() + " to " + invite.getTo() + " into " + room
                + ": REFER " + target);
        pool.execute(() -> dialer.refer(from, "sip:" + room, target, (status, reason) -> {
            LOG.info(() -> "REFER to " + room + " for " + target + ": " + status + " " + reason);
            if (status < 200 || status >= 300) {
                xmpp.accept(referError(message, status));
            }
        }));
    }

    /** The inviter's error for a REFER the conference did not take (XEP-0045 §7.8.2 errors come from the room). */
    private static Stanza referError(Message invitation, int status) {
        return switch (status) {
            case 403 -> Stanzas.error(invitation, StanzaError.Condition.forbidden, StanzaError.Type.AUTH);
            case 404, 480 -> Stanzas.error(invitation, StanzaError.Condition.item_not_found, StanzaError.Type.CANCEL);
            case 0, 408 -> Stanzas.error(invitation, StanzaError.Condition.remote_server_timeout, StanzaError.Type.WAIT);
            default -> Stanzas.error(invitation, StanzaError.Condition.service_unavailable, StanzaError.Type.CANCEL);
        };
    }

    /** Sessions now (for the tests and the log). */
    public int size() {
        return sessions.size();
    }

    /** The gateway stops: every session ends (its call too). */
    public void close() {
        sessions.values().forEach(MucSession::close);
        pool.shutdown();
    }
}
