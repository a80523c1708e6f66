package org.sylkserver.xmpp.chat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaError;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.Jid;
import org.sylkserver.xmpp.im.Addresses;
import org.sylkserver.xmpp.im.SipParty;
import org.sylkserver.xmpp.im.SipToXmpp;
import org.sylkserver.xmpp.im.Stanzas;
import org.sylkserver.xmpp.muc.ConferenceCall;

/**
 * The open MSRP chat sessions between SIP users and XMPP users (spec §5.4.3), one per (SIP user, XMPP user) pair, at
 * most {@code max_chat_sessions} at once, whichever side started them; XMPP chat messages of a pair with a session go
 * into it, and with {@code use_msrp_for_chat} one for a pair without a session starts one ({@link #xmppChat}).
 */
public final class ChatSessions {

    /** Whether a SIP user's call is taken: the session, or the refusal's status and reason. */
    public record Opening(ChatSession session, int status, String reason) {
    }

    private final Consumer<Stanza> xmpp;
    private final ScheduledExecutorService timer;
    private final Duration inactivity;
    private final Duration receiptWait;
    private final int max;
    private final ConferenceCall.Dialer dialer;
    private final Duration answerWait;
    /** By {@code SIP user bare JID + " " + XMPP bare JID}; guarded by this object's monitor. */
    private final Map<String, ChatSession> sessions = new HashMap<>();
    /** The sessions an XMPP user started, with the XMPP domain that started them (its share is capped). */
    private final Map<ChatSession, String> startedFrom = new HashMap<>();

    /**
     * @param inactivity  {@code sip_session_timeout}
     * @param receiptWait how long a message's REPORT waits for its XMPP receipt ({@link ChatSession#RECEIPT_WAIT})
     * @param max         {@code max_chat_sessions}
     * @param dialer      calls SIP users for the sessions XMPP users start
     * @param answerWait  how long such a call may take to be up
     */
    public ChatSessions(Consumer<Stanza> xmpp, ScheduledExecutorService timer, Duration inactivity,
                        Duration receiptWait, int max, ConferenceCall.Dialer dialer, Duration answerWait) {
        this.dialer = dialer;
        this.answerWait = answerWait;
        this.xmpp = xmpp;
        this.timer = timer;
        this.inactivity = inactivity;
        this.receiptWait = receiptWait;
        this.max = max;
    }

    /**
     * A SIP user calls an XMPP user with a chat (spec §5.4.3 steps 2-3): 400 for addresses that are no JIDs, 488
     * while the pair has a session, 503 beyond {@code max_chat_sessions};
     * else the new session, which the caller answers with.
     *
     * @param caller the SIP user: Contact user@host and its {@code gr} (or a generated resource)
     * @param callee the Request-URI: the XMPP user, its {@code gr} the resource if any
     */
    public Opening open(SipParty caller, SipParty callee) {
        EntityFullJid sipUser;
        Jid xmppPeer;
        try {
            sipUser = Addresses.fullJid(caller.user(), caller.host(), caller.gr());
            xmppPeer = SipToXmpp.recipientJid(callee);
        } catch (IllegalArgumentException e) {
            return new Opening(null, 400, "Not an XMPP address");
        }
        String key = key(sipUser, xmppPeer);
        synchronized (this) {
            if (sessions.containsKey(key)) {
                return new Opening(null, 488, "Chat session already open");
            }
            if (sessions.size() >= max) {
                return new Opening(null, 503, "Too many chat sessions");
            }
            ChatSession session = new ChatSession(sipUser, xmppPeer, xmpp, timer, inactivity, receiptWait, this::forget);
            sessions.put(key, session);
            return new Opening(session, 0, null);
        }
    }

    /** An XMPP message for one of our users: taken when the pair has a session (not a normal one with a body). */
    public boolean xmppMessage(Message message) {
        if (message.getFrom() == null || message.getTo() == null) {
            return false;
        }
        ChatSession session;
        synchronized (this) {
            session = sessions.get(key(message.getTo(), message.getFrom()));
        }
        // an error comes to the session too: it fails the REPORT of the message it bounces (spec §5.4.3); a normal
        // message with a body is always a SIP MESSAGE (spec §5.4.2)
        if (session == null || message.getType() == Message.Type.groupchat
                || message.getType() == Message.Type.normal && message.getBody() != null) {
            return false;
        }
        // ended between the look-up and now: what a message for no session gets
        return session.xmppMessage(message);
    }

    /**
     * Spec §5.4.3, XMPP-originated: a {@code chat} message for a SIP user goes into the pair's session, or, when the
     * pair has none and the message has a body, starts one that calls the SIP user, the message waiting in it.
     * Beyond {@code max_chat_sessions}, or beyond {@link #perDomainLimit} sessions started from the sender's domain,
     * the message bounces with {@code resource-constraint}; bodiless ones without a session (chat states) are
     * dropped.
     */
    public void xmppChat(Message message) {
        if (message.getFrom() == null || message.getTo() == null || message.getTo().getLocalpartOrNull() == null) {
            return;
        }
        // twice at most: a session found may end (refused, timed out) before it takes the message; it is then
        // forgotten here at once and the message starts a session of its own (spec §5.4.3), never lost
        for (int attempt = 0; attempt < 2; attempt++) {
            ChatSession session;
            boolean made = false;
            synchronized (this) {
                String key = key(message.getTo(), message.getFrom());
                session = sessions.get(key);
                if (session != null && session.state() == ChatSession.State.ENDED) {
                    forget(session);
                    session = null;
                }
                if (session == null) {
                    if (message.getBody() == null || message.getBody().isEmpty()) {
                        return;
                    }
                    String domain = message.getFrom().getDomain().toString();
                    if (sessions.size() < max && startedFrom.values().stream().filter(domain::equals).count()
                            < perDomainLimit(max)) {
                        EntityFullJid sipUser = Addresses.fullJid(message.getTo().getLocalpartOrThrow().toString(),
                                message.getTo().getDomain().toString(), null);
                        session = new ChatSession(sipUser, message.getFrom(), xmpp, timer, inactivity, receiptWait,
                                this::forget);
                        sessions.put(key(sipUser, message.getFrom()), session);
                        startedFrom.put(session, domain);
                        made = true;
                    }
                }
            }
            if (session == null) {
                xmpp.accept(Stanzas.error(message, StanzaError.Condition.resource_constraint, StanzaError.Type.WAIT));
                return;
            }
            if (session.xmppMessage(message)) {
                if (made) {
                    session.dial(dialer, answerWait);
                }
                return;
            }
        }
        xmpp.accept(Stanzas.error(message, StanzaError.Condition.recipient_unavailable, StanzaError.Type.WAIT));
    }

    public synchronized int size() {
        return sessions.size();
    }

    private synchronized void forget(ChatSession session) {
        sessions.remove(key(session.sipUser(), session.xmppPeer()), session);
        startedFrom.remove(session);
    }

    private static String key(Jid sipUser, Jid xmppPeer) {
        return sipUser.asBareJid() + " " + xmppPeer.asBareJid();
    }

    /**
     * How many sessions the users of one XMPP domain may start at once: a quarter of {@code max_chat_sessions}
     * (at least one), so that one remote server, whose every call may wait 90 s for an answer, cannot take every
     * session from the SIP users and the other domains.
     */
    static int perDomainLimit(int max) {
        return Math.max(1, max / 4);
    }

    /** Ends every session (the gateway stops): their calls are hung up. */
    public void close() {
        java.util.List<ChatSession> open;
        synchronized (this) {
            open = java.util.List.copyOf(sessions.values());
        }
        open.forEach(session -> session.end("the XMPP gateway stops"));
    }
}
