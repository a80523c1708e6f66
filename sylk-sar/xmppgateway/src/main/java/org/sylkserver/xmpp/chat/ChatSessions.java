package org.sylkserver.xmpp.chat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Stanza;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.Jid;
import org.sylkserver.xmpp.im.Addresses;
import org.sylkserver.xmpp.im.SipParty;
import org.sylkserver.xmpp.im.SipToXmpp;

/**
 * The open MSRP chat sessions between SIP users and XMPP users (spec §5.4.3), one per (SIP user, XMPP user) pair, at
 * most {@code max_chat_sessions} at once; XMPP chat messages of a pair with a session go into it.
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
    /** By {@code SIP user bare JID + " " + XMPP bare JID}; guarded by this object's monitor. */
    private final Map<String, ChatSession> sessions = new HashMap<>();

    /**
     * @param inactivity  {@code sip_session_timeout}
     * @param receiptWait how long a message's REPORT waits for its XMPP receipt ({@link ChatSession#RECEIPT_WAIT})
     * @param max         {@code max_chat_sessions}
     */
    public ChatSessions(Consumer<Stanza> xmpp, ScheduledExecutorService timer, Duration inactivity,
                        Duration receiptWait, int max) {
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

    /** An XMPP message for one of our users: taken when the pair has a session. */
    public boolean xmppMessage(Message message) {
        if (message.getFrom() == null || message.getTo() == null) {
            return false;
        }
        ChatSession session;
        synchronized (this) {
            session = sessions.get(message.getTo().asBareJid() + " " + message.getFrom().asBareJid());
        }
        // an error comes to the session too: it fails the REPORT of the message it bounces (spec §5.4.3)
        if (session == null || message.getType() == Message.Type.groupchat) {
            return false;
        }
        session.xmppMessage(message);
        return true;
    }

    public synchronized int size() {
        return sessions.size();
    }

    private synchronized void forget(ChatSession session) {
        sessions.remove(key(session.sipUser(), session.xmppPeer()), session);
    }

    private static String key(EntityFullJid sipUser, Jid xmppPeer) {
        return sipUser.asBareJid() + " " + xmppPeer.asBareJid();
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
