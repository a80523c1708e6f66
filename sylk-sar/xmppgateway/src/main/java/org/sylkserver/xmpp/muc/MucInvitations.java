package org.sylkserver.xmpp.muc;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smackx.muc.packet.MUCUser;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.jxmpp.stringprep.XmppStringprepException;
import org.sylkserver.xmpp.im.Addresses;
import org.sylkserver.xmpp.im.SipParty;

/**
 * A conference calling an XMPP user in (spec §5.6.3): the focus's INVITE becomes a mediated invitation (XEP-0045
 * §7.8.2) from the room to the user, {@code <invite from="inviter"/>} with an id {@code MUC.<hex>}. The INVITE is not
 * accepted (the user comes in by joining, §5.6.1): it is ended with 480 once the user joins the room, or with 408
 * after {@code wait} without a join. The original meant to do the same and left the INVITE pending instead (quirk
 * Q13). A second invitation of the same user to the same room while one is pending is 480; a Referred-By that names
 * no one is 488.
 */
public final class MucInvitations {

    /** Default time a user has to join after an invitation (spec §5.6.3: 90 s). */
    public static final Duration WAIT = Duration.ofSeconds(90);

    private static final Logger LOG = Logger.getLogger("sylk.xmpp.muc");

    /** How the pending INVITE is ended: its final response. */
    @FunctionalInterface
    public interface Answer {
        void end(int status, String reason);
    }

    /** The immediate answer to an invitation: 0 when it is pending (the invitation is on its way). */
    public record Outcome(int status, String reason) {
        static final Outcome PENDING = new Outcome(0, null);
    }

    private final Consumer<Stanza> xmpp;
    private final Duration wait;
    /** Pending INVITEs by {@code room + " " + user bare JID}. */
    private final Map<String, Answer> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "xmpp-muc-invitations");
        thread.setDaemon(true);
        return thread;
    });

    public MucInvitations(Consumer<Stanza> xmpp, Duration wait) {
        this.xmpp = xmpp;
        this.wait = wait;
    }

    /**
     * The focus's INVITE: From the room ({@code roomUri}), to {@code requestUri} (the user, its resource in
     * {@code gr}), {@code referredBy} the inviter.
     */
    /**
     * The inviter named by a focus's {@code Referred-By} (RFC 3892: a name-addr or addr-spec): its bare JID.
     *
     * @throws IllegalArgumentException when it is missing or names no user@host (the caller answers 488)
     */
    public static EntityBareJid inviter(String referredBy) {
        String by = referredBy == null ? "" : referredBy.strip();
        int open = by.indexOf('<');
        int close = by.indexOf('>', open + 1);
        SipParty party = SipParty.parse(open >= 0 && close > open ? by.substring(open + 1, close) : by);
        return Addresses.bareJid(party.user(), party.host());
    }

    public Outcome invite(String roomUri, String requestUri, String referredBy, Answer answer) {
        EntityBareJid room;
        Jid user;
        EntityBareJid inviter;
        try {
            SipParty roomParty = SipParty.parse(roomUri);
            room = Addresses.bareJid(roomParty.user(), roomParty.host());
            SipParty userParty = SipParty.parse(requestUri);
            String resource = Addresses.resourceOf(userParty.gr());
            user = resource == null ? Addresses.bareJid(userParty.user(), userParty.host())
                    : JidCreate.entityFullFrom(Addresses.bareJid(userParty.user(), userParty.host()),
                    Resourcepart.from(resource));
        } catch (IllegalArgumentException | XmppStringprepException e) {
            return new Outcome(400, "Not an XMPP address");
        }
        try {
            inviter = inviter(referredBy);
        } catch (IllegalArgumentException e) {
            return new Outcome(488, "Invalid Referred-By");
        }
        String key = room + " " + user.asBareJid();
        if (pending.putIfAbsent(key, answer) != null) {
            return new Outcome(480, "Invitation pending");
        }
        MUCUser x = new MUCUser();
        x.setInvite(new MUCUser.Invite(null, inviter, null));
        xmpp.accept(StanzaBuilder.buildMessage(MucSession.mucId()).from(room).to(user).addExtension(x).build());
        LOG.info(() -> "conference " + room + " invites " + user + " (from " + inviter + ")");
        timer.schedule(() -> ended(key, answer, 408, "Request Timeout"), wait.toMillis(), TimeUnit.MILLISECONDS);
        return Outcome.PENDING;
    }

    /** The user joins the room (spec §5.6.1 goes on by itself): a pending invitation's INVITE ends with 480. */
    public void joined(EntityBareJid room, BareJid user) {
        String key = room + " " + user;
        Answer answer = pending.get(key);
        if (answer != null) {
            ended(key, answer, 480, "Temporarily Unavailable");
        }
    }

    private void ended(String key, Answer answer, int status, String reason) {
        if (pending.remove(key, answer)) {
            answer.end(status, reason);
        }
    }

    public void close() {
        timer.shutdownNow();
    }
}
