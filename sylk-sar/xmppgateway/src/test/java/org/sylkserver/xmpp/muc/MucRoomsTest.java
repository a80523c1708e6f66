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
    private final ConferenceCall.Dialer dialer = new ConferenceCall.Dialer() {
        @Override
        public ChatLine line(ChatLine.Listener listener) {
            return new ChatLine() {
                @Override
                public String offer() {
                    return "v=0\r\n";
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
            return new ConferenceCall() {
                @Override
                public void subscribe() {
                }

                @Override
                public void hangUp() {
                }
            };
        }

        @Override
        public void refer(String fromUri, String roomUri, String targetUri) {
            referred.add(fromUri + " " + roomUri + " " + targetUri);
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

    /**
     * XEP-0045 §7.8.2, spec §5.6.2: a mediated invitation to the room becomes a REFER to the conference from the
     * inviter's SIP address for the invitee's; one without invitee is bad-request.
     */
    @Test
    void aMediatedInvitationBecomesARefer_spec_5_6_2() throws Exception {
        rooms = new MucRooms(dialer, sent::add, 10, 10);
        MUCUser x = new MUCUser();
        x.setInvite(new MUCUser.Invite(null, JidCreate.entityBareFromOrThrowUnchecked("romeo@example.com")));
        rooms.message(StanzaBuilder.buildMessage("i1").from(JidCreate.fromOrThrowUnchecked("juliet@xmpp.test/balcony"))
                .to(JidCreate.fromOrThrowUnchecked("muc1@conference.example.com")).addExtension(x).build());
        assertEquals("sip:juliet@xmpp.test sip:muc1@conference.example.com sip:romeo@example.com",
                referred.poll(5, TimeUnit.SECONDS));
        assertEquals(null, sent.poll(200, TimeUnit.MILLISECONDS), "no error");
    }
}
