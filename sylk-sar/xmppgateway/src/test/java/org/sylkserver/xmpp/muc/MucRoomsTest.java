package org.sylkserver.xmpp.muc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.muc.packet.MUCUser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;
import org.sylkserver.core.session.ChatLine;
import org.sylkserver.protocols.cpim.CpimMessage;

/** The rooms' routing and limit (spec §5.6.1): one session per (user, room), {@code max_sessions}, non-occupants. */
class MucRoomsTest {

    private final BlockingQueue<String> dialed = new LinkedBlockingQueue<>();
    private final BlockingQueue<Stanza> sent = new LinkedBlockingQueue<>();
    private MucRooms rooms;

    private final BlockingQueue<String> referred = new LinkedBlockingQueue<>();
    /** The conference's final answer to the REFERs. */
    private volatile int referStatus = 202;
    /** The calls' listeners, which the tests drive as the conference would. */
    private final BlockingQueue<ConferenceCall.Listener> calls = new LinkedBlockingQueue<>();
    private final BlockingQueue<ChatLine.Listener> lines = new LinkedBlockingQueue<>();
    private final ConferenceCall.Dialer dialer = new ConferenceCall.Dialer() {
        @Override
        public ChatLine line(ChatLine.Listener listener) {
            lines.add(listener);
            return new ChatLine() {
                @Override
                public String offer() {
                    return "v=0\r\n";
                }

                @Override
                public String answer(String offer) {
                    throw new UnsupportedOperationException("this line places calls");
                }

                @Override
                public void answered(String sdp) {
                }

                @Override
                public void send(CpimMessage message, Delivery delivery) {
                }

                @Override
                public void sendQuietly(CpimMessage message) {
                }

                @Override
                public void nickname(String nickname, Delivery outcome) {
                    outcome.outcome(200, "OK");
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public ConferenceCall dial(String fromUri, String gr, String roomUri, String sdp,
                                   ConferenceCall.Listener listener) {
            dialed.add(fromUri + " " + roomUri);
            calls.add(listener);
            return new ConferenceCall() {
                @Override
                public void subscribe() {
                    listener.unsubscribed("no conference events in this test");
                }

                @Override
                public void hangUp() {
                }
            };
        }

        @Override
        public void refer(String fromUri, String roomUri, String targetUri, ConferenceCall.ReferAnswer answer) {
            referred.add(fromUri + " " + roomUri + " " + targetUri);
            answer.answered(referStatus, "as the test says");
        }
    };

    @AfterEach
    void close() {
        rooms.close();
    }

    private static Presence join(String user, String occupant, String id) {
        return StanzaBuilder.buildPresence(id).from(JidCreate.fromOrThrowUnchecked(user))
                .to(JidCreate.fromOrThrowUnchecked(occupant)).build();
    }

    /** XEP-0045 §7.2.10: a join beyond {@code max_sessions} is service-unavailable (wait), with the join's id. */
    @Test
    void joinsBeyondMaxSessionsAreRefused_xep0045_7_2_10() throws Exception {
        rooms = new MucRooms(dialer, sent::add, 1, 10);
        rooms.presence(join("juliet@xmpp.test/balcony", "muc1@conference.example.com/Juliet", "j1"));
        assertEquals("sip:juliet@xmpp.test sip:muc1@conference.example.com", dialed.poll(5, TimeUnit.SECONDS));
        rooms.presence(join("juliet@xmpp.test/balcony", "muc1@conference.example.com/Juliet", "j1-again"));
        assertEquals(1, rooms.size(), "the same user and room: the same session");
        rooms.presence(join("romeo@xmpp.test/garden", "muc2@conference.example.com/Romeo", "r1"));
        Stanza refused = sent.poll(5, TimeUnit.SECONDS);
        assertNotNull(refused);
        assertEquals("r1", refused.getStanzaId());
        assertEquals(Presence.Type.error, ((Presence) refused).getType());
        assertEquals(StanzaError.Condition.service_unavailable, refused.getError().getCondition());
        assertEquals(StanzaError.Type.WAIT, refused.getError().getType());
    }

    /** XEP-0045 §7.4: a message to a room from someone not in it is not-acceptable. */
    @Test
    void aNonOccupantsMessageIsNotAcceptable_xep0045_7_4() throws Exception {
        rooms = new MucRooms(dialer, sent::add, 10, 10);
        rooms.message(StanzaBuilder.buildMessage("m1").ofType(Message.Type.groupchat)
                .from(JidCreate.fromOrThrowUnchecked("mallory@xmpp.test/x"))
                .to(JidCreate.fromOrThrowUnchecked("muc1@conference.example.com")).setBody("hi").build());
        Stanza refused = sent.poll(5, TimeUnit.SECONDS);
        assertNotNull(refused);
        assertEquals(StanzaError.Condition.not_acceptable, refused.getError().getCondition());
        assertEquals("mallory@xmpp.test/x", refused.getTo().toString());
    }

    private static final String FOCUS_ANSWER = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
            + "t=0 0\r\nm=message 2855 TCP/TLS/MSRP *\r\na=path:msrps://127.0.0.1:2855/abc;tcp\r\n"
            + "a=accept-types:message/cpim\r\na=chatroom:nickname private-messages\r\na=setup:passive\r\n";

    /** Juliet joins muc1 (spec §5.6.1): the conference answers as a focus with nicknames; her self-presence. */
    private void julietJoins() throws Exception {
        rooms.presence(join("juliet@xmpp.test/balcony", "muc1@conference.example.com/Juliet", "j1"));
        calls.poll(5, TimeUnit.SECONDS).answered(FOCUS_ANSWER, true);
        lines.poll(5, TimeUnit.SECONDS).connected();
        Stanza self = sent.poll(5, TimeUnit.SECONDS);
        assertNotNull(self, "juliet's self-presence");
        assertEquals("muc1@conference.example.com/Juliet", self.getFrom().toString());
        Stanza subject = sent.poll(5, TimeUnit.SECONDS);
        assertNotNull(subject, "then the room's subject (XEP-0045 §7.2.15)");
        assertEquals(Message.Type.groupchat, ((Message) subject).getType());
    }

    /**
     * XEP-0045 §18.1.2: a groupchat message of the room bounced because our link to the occupant's server failed
     * (remote-server-not-found, the error the S2S service hands back for what it could not deliver) removes the
     * occupant: its session ends (BYE to the conference) and the rooms forget it.
     */
    @Test
    void aBouncedGroupchatRemovesTheOccupant_xep0045_18_1_2() throws Exception {
        rooms = new MucRooms(dialer, sent::add, 10, 10);
        julietJoins();
        Message bounced = StanzaBuilder.buildMessage("MUC.1").ofType(Message.Type.error)
                .from(JidCreate.fromOrThrowUnchecked("juliet@xmpp.test/balcony"))
                .to(JidCreate.fromOrThrowUnchecked("muc1@conference.example.com/Carol")).build();
        bounced.setError(StanzaError.getBuilder(StanzaError.Condition.remote_server_not_found)
                .setType(StanzaError.Type.CANCEL).build());
        rooms.message(bounced);
        Stanza left = sent.poll(5, TimeUnit.SECONDS);
        assertNotNull(left, "juliet's own unavailable presence");
        assertEquals(Presence.Type.unavailable, ((Presence) left).getType());
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (rooms.size() > 0 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertEquals(0, rooms.size(), "the session is over");
    }

    private static Message invitation(String id, String from) {
        MUCUser x = new MUCUser();
        x.setInvite(new MUCUser.Invite(null, JidCreate.entityBareFromOrThrowUnchecked("romeo@example.com")));
        return StanzaBuilder.buildMessage(id).from(JidCreate.fromOrThrowUnchecked(from))
                .to(JidCreate.fromOrThrowUnchecked("muc1@conference.example.com")).addExtension(x).build();
    }

    /**
     * XEP-0045 §7.8.2, spec §5.6.2: an occupant's mediated invitation to the room becomes a REFER to the conference
     * from the inviter's SIP address for the invitee's; the conference's 202 is no error.
     */
    @Test
    void anOccupantsMediatedInvitationBecomesARefer_spec_5_6_2() throws Exception {
        rooms = new MucRooms(dialer, sent::add, 10, 10);
        julietJoins();
        rooms.message(invitation("i1", "juliet@xmpp.test/balcony"));
        assertEquals("sip:juliet@xmpp.test sip:muc1@conference.example.com sip:romeo@example.com",
                referred.poll(5, TimeUnit.SECONDS));
        assertEquals(null, sent.poll(200, TimeUnit.MILLISECONDS), "no error");
    }

    /**
     * Spec §5.6.2 with §3.9: the conference refuses a REFER from anyone not in the room with 403, so an invitation
     * from a non-occupant (also to a room that does not exist, where nobody is) is forbidden at once, without a
     * REFER (XEP-0045 §7.8.2: the error comes from the room, with the invitation's id).
     */
    @Test
    void aNonOccupantsInvitationIsForbiddenWithoutRefer_spec_5_6_2() throws Exception {
        rooms = new MucRooms(dialer, sent::add, 10, 10);
        rooms.message(invitation("i2", "mallory@xmpp.test/x"));
        Stanza refused = sent.poll(5, TimeUnit.SECONDS);
        assertNotNull(refused);
        assertEquals("i2", refused.getStanzaId());
        assertEquals(Message.Type.error, ((Message) refused).getType());
        assertEquals(StanzaError.Condition.forbidden, refused.getError().getCondition());
        assertEquals("muc1@conference.example.com", refused.getFrom().toString());
        assertEquals("mallory@xmpp.test/x", refused.getTo().toString());
        assertEquals(null, referred.poll(200, TimeUnit.MILLISECONDS), "no REFER");
    }

    /** Spec §5.6.2: a REFER the conference refuses (403, 405 end the attempt) reaches the inviter as an error. */
    @Test
    void aRefusedReferIsAnErrorToTheInviter_spec_5_6_2() throws Exception {
        rooms = new MucRooms(dialer, sent::add, 10, 10);
        julietJoins();
        referStatus = 403;
        rooms.message(invitation("i3", "juliet@xmpp.test/balcony"));
        assertNotNull(referred.poll(5, TimeUnit.SECONDS));
        Stanza refused = sent.poll(5, TimeUnit.SECONDS);
        assertNotNull(refused, "the inviter hears of the 403");
        assertEquals("i3", refused.getStanzaId());
        assertEquals(StanzaError.Condition.forbidden, refused.getError().getCondition());
        referStatus = 405;
        rooms.message(invitation("i4", "juliet@xmpp.test/balcony"));
        assertEquals(StanzaError.Condition.service_unavailable, sent.poll(5, TimeUnit.SECONDS).getError().getCondition());
        referStatus = 0;
        rooms.message(invitation("i5", "juliet@xmpp.test/balcony"));
        assertEquals(StanzaError.Condition.remote_server_timeout,
                sent.poll(5, TimeUnit.SECONDS).getError().getCondition(), "not sent, or no answer");
    }

    /** XEP-0045 §7.8.2: an invitation without invitee is bad-request. */
    @Test
    void anInvitationWithoutInviteeIsABadRequest_xep0045_7_8_2() throws Exception {
        rooms = new MucRooms(dialer, sent::add, 10, 10);
        MUCUser x = new MUCUser();
        x.setInvite(new MUCUser.Invite(null, (org.jxmpp.jid.EntityBareJid) null));
        rooms.message(StanzaBuilder.buildMessage("i6").from(JidCreate.fromOrThrowUnchecked("juliet@xmpp.test/b"))
                .to(JidCreate.fromOrThrowUnchecked("muc1@conference.example.com")).addExtension(x).build());
        assertEquals(StanzaError.Condition.bad_request, sent.poll(5, TimeUnit.SECONDS).getError().getCondition());
    }
}
