package org.sylkserver.xmpp.muc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smackx.muc.packet.MUCUser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;

/** A conference calling an XMPP user in (spec §5.6.3), with its INVITE ended as quirk Q13 meant to. */
class MucInvitationsTest {

    private final List<Stanza> sent = new ArrayList<>();
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private MucInvitations invitations;

    @AfterEach
    void close() {
        invitations.close();
    }

    private MucInvitations.Outcome invite(String referredBy) {
        return invitations.invite("sip:muc1@conference.example.com", "sip:juliet@xmpp.test;gr=62616c636f6e79",
                referredBy, (status, reason) -> answers.add(status + " " + reason));
    }

    /**
     * Spec §5.6.3, XEP-0045 §7.8.2: the invitation comes from the room with the inviter and an id MUC.hex, to the
     * resource of the gr; a second one while it is pending is 480; the user's join ends the INVITE with 480 (Q13: the
     * original left it pending).
     */
    @Test
    void theInvitationGoesAndTheJoinEndsTheInvite_spec_5_6_3() throws Exception {
        invitations = new MucInvitations(sent::add, MucInvitations.WAIT);
        assertEquals(0, invite("<sip:carol@example.com>").status());
        Message message = (Message) sent.get(0);
        assertEquals("muc1@conference.example.com", message.getFrom().toString());
        assertEquals("juliet@xmpp.test/balcony", message.getTo().toString());
        assertTrue(message.getStanzaId().startsWith("MUC."), message.getStanzaId());
        assertEquals("carol@example.com", MUCUser.from(message).getInvite().getFrom().toString());

        assertEquals(480, invite("<sip:carol@example.com>").status(), "one pending invitation per room and user");
        invitations.joined(JidCreate.entityBareFromOrThrowUnchecked("muc1@conference.example.com"),
                JidCreate.bareFromOrThrowUnchecked("juliet@xmpp.test"));
        assertEquals("480 Temporarily Unavailable", answers.poll(1, TimeUnit.SECONDS));
        assertNull(answers.poll(200, TimeUnit.MILLISECONDS), "answered once");
    }

    /** Spec §5.6.3: no join within the wait: 408. */
    @Test
    void noJoinIsATimeout_spec_5_6_3() throws Exception {
        invitations = new MucInvitations(sent::add, Duration.ofMillis(100));
        invite("Carol <sip:carol@example.com>");
        assertEquals("408 Request Timeout", answers.poll(5, TimeUnit.SECONDS));
    }

    /** Spec §5.6.3: a Referred-By that names no one is 488; nothing is sent. */
    @Test
    void anInvalidReferredByIs488_spec_5_6_3() {
        invitations = new MucInvitations(sent::add, MucInvitations.WAIT);
        assertEquals(488, invite(null).status());
        assertEquals(488, invite("<tel:+123>").status());
        assertTrue(sent.isEmpty());
    }
}
