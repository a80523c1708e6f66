package org.sylkserver.xmpp.muc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.jivesoftware.smackx.muc.packet.MUCUser;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.sylkserver.core.session.ChatLine;
import org.sylkserver.protocols.cpim.CpimMessage;

/**
 * The MUC occupant's state machine (spec §5.6.1) against a fake call and MSRP line: the join in XEP-0045 §7.2.3's
 * order, its failures as error presence (§7.2.9), messages and their reflection (§7.4), the conference's messages and
 * history (§7.2.14), occupants from conference-info, nickname change (§7.6), leaving (§7.14) and being ended (307).
 */
class MucSessionTest {

    private static final String ROOM = "muc1@conference.example.com";
    private static final String ANSWER = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=message 2855 TCP/TLS/MSRP *\r\na=path:msrps://127.0.0.1:2855/abc;tcp\r\n"
            + "a=accept-types:message/cpim\r\na=chatroom:nickname private-messages\r\na=setup:passive\r\n";

    private final EntityFullJid juliet = JidCreate.entityFullFromOrThrowUnchecked("juliet@xmpp.test/balcony");
    private final List<Stanza> sent = new ArrayList<>();
    private final FakeLine line = new FakeLine();
    private final FakeCall call = new FakeCall();
    private boolean over;
    private final MucSession session = new MucSession(juliet, JidCreate.entityBareFromOrThrowUnchecked(ROOM),
            Resourcepart.fromOrThrowUnchecked("Juliet"), "join-1", Runnable::run, sent::add, 2, () -> over = true);

    private static final class FakeLine implements ChatLine {
        Listener listener;
        String answer;
        final List<CpimMessage> messages = new ArrayList<>();
        final List<Delivery> deliveries = new ArrayList<>();
        final List<String> nicknames = new ArrayList<>();
        final List<Delivery> nicknameOutcomes = new ArrayList<>();
        boolean closed;

        @Override
        public String offer() {
            return "v=0\r\nm=message 9 TCP/TLS/MSRP *\r\n";
        }

        @Override
        public String answer(String offer) {
            throw new UnsupportedOperationException("this line places calls");
        }

        @Override
        public void answered(String sdp) {
            answer = sdp;
        }

        @Override
        public void send(CpimMessage message, Delivery delivery) {
            messages.add(message);
            deliveries.add(delivery);
        }

        @Override
        public void sendQuietly(CpimMessage message) {
        }

        @Override
        public void nickname(String nickname, Delivery outcome) {
            nicknames.add(nickname);
            nicknameOutcomes.add(outcome);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static final class FakeCall implements ConferenceCall {
        Listener listener;
        String from;
        String gr;
        String to;
        boolean subscribed;
        boolean hungUp;

        @Override
        public void subscribe() {
            subscribed = true;
        }

        @Override
        public void hangUp() {
            hungUp = true;
        }
    }

    private final ConferenceCall.Dialer dialer = new ConferenceCall.Dialer() {
        @Override
        public ChatLine line(ChatLine.Listener listener) {
            line.listener = listener;
            return line;
        }

        @Override
        public ConferenceCall dial(String fromUri, String gr, String roomUri, String sdp,
                                   ConferenceCall.Listener listener) {
            call.listener = listener;
            call.from = fromUri;
            call.gr = gr;
            call.to = roomUri;
            return call;
        }

        @Override
        public void refer(String fromUri, String roomUri, String targetUri, ConferenceCall.ReferAnswer answer) {
            throw new AssertionError("an occupant's session does not invite");
        }
    };

    private static byte[] info(String users) {
        return ConferenceInfoReaderTest.document("full", users);
    }

    private static final String CAROL = "<user entity='sip:carol@example.com'><display-text>Carol</display-text></user>";
    private static final String JULIET = "<user entity='sip:juliet@xmpp.test'><display-text>Juliet</display-text></user>";

    /** Up to the nickname being granted: the conference is followed, nothing told to the user yet. */
    private void upToListing() {
        session.start(dialer);
        assertEquals("sip:juliet@xmpp.test", call.from);
        assertEquals("62616c636f6e79", call.gr, "spec §5.3: the resource hex-encoded in gr");
        assertEquals("sip:" + ROOM, call.to);
        call.listener.answered(ANSWER, true);
        assertEquals(ANSWER, line.answer);
        line.listener.connected();
        assertEquals(List.of("Juliet"), line.nicknames, "RFC 7701 NICKNAME with the MUC nickname");
        line.nicknameOutcomes.get(0).outcome(200, "OK");
        assertTrue(call.subscribed, "RFC 4575 subscription once named");
        assertEquals(MucSession.State.LISTING, session.state());
        assertTrue(sent.isEmpty(), sent::toString);
    }

    private void joined() {
        upToListing();
        call.listener.conferenceInfo(info(CAROL + JULIET));
        assertEquals(MucSession.State.JOINED, session.state());
        sent.clear();
    }

    private static Set<MUCUser.Status> statuses(Stanza stanza) {
        MUCUser x = MUCUser.from(stanza);
        assertNotNull(x, stanza::toString);
        return x.getStatus();
    }

    /**
     * XEP-0045 §7.2.3: the other occupants' presence first (not the user's own conference user), then the user's own
     * with status 110 and its real JID, then the subject (§7.2.15).
     */
    @Test
    void theJoinListsOccupantsThenSelfPresenceWith110_xep0045_7_2_3() {
        upToListing();
        call.listener.conferenceInfo(info(CAROL + JULIET));
        assertEquals(3, sent.size(), sent::toString);
        Presence carol = (Presence) sent.get(0);
        assertEquals(ROOM + "/Carol", carol.getFrom().toString());
        assertEquals(Presence.Type.available, carol.getType());
        assertEquals("carol@example.com", MUCUser.from(carol).getItem().getJid().toString());
        Presence self = (Presence) sent.get(1);
        assertEquals(ROOM + "/Juliet", self.getFrom().toString());
        assertEquals(juliet, self.getTo());
        assertTrue(statuses(self).contains(MUCUser.Status.PRESENCE_TO_SELF_110));
        assertTrue(statuses(self).contains(MucSession.NON_ANONYMOUS_100), "§7.2.4: real JIDs are shown");
        Message subject = (Message) sent.get(2);
        assertEquals(ROOM, subject.getFrom().toString());
        assertNotNull(subject.getSubject(), "§7.2.15: a subject message, empty when none was set");
    }

    /** Spec §5.6.1 step 2, XEP-0045 §7.2.9: the nickname in use (425) is a conflict error with the join's id. */
    @Test
    void aNicknameInUseIsAConflict_xep0045_7_2_9() {
        session.start(dialer);
        call.listener.answered(ANSWER, true);
        line.listener.connected();
        line.nicknameOutcomes.get(0).outcome(425, "Nickname reserved or already in use");
        Presence error = (Presence) sent.get(0);
        assertEquals(Presence.Type.error, error.getType());
        assertEquals("join-1", error.getStanzaId());
        assertEquals(StanzaError.Condition.conflict, error.getError().getCondition());
        assertEquals(ROOM + "/Juliet", error.getFrom().toString());
        assertTrue(call.hungUp && line.closed && over);
    }

    /** Spec §5.6.1 step 2: an answer that is no focus's (or has no nicknames) ends the bridge with an error. */
    @Test
    void anAnswerWithoutFocusOrNicknamesIsRefused_spec_5_6_1() {
        session.start(dialer);
        call.listener.answered(ANSWER, false);
        assertEquals(Presence.Type.error, ((Presence) sent.get(0)).getType());
        assertTrue(call.hungUp);
        assertFalse(MucSession.offersNicknames(ANSWER.replace("a=chatroom:nickname private-messages\r\n", "")));
        assertTrue(MucSession.offersNicknames(ANSWER));
    }

    /** The conference refusing the call: 403 is forbidden (XEP-0045 §7.2.8), others service-unavailable. */
    @Test
    void aRefusedCallIsAnErrorPresence() {
        session.start(dialer);
        call.listener.rejected(403, "Forbidden");
        assertEquals(StanzaError.Condition.forbidden, ((Presence) sent.get(0)).getError().getCondition());
        assertEquals(MucSession.State.ENDED, session.state());
    }

    /**
     * XEP-0045 §7.4 and spec §5.6.1 step 5: a groupchat message goes as CPIM From the nickname and the user's SIP
     * URI; once the conference reports it delivered it is reflected from the occupant JID with its id; a message
     * the conference did not take comes back as an error.
     */
    @Test
    void groupchatIsSentAndReflected_xep0045_7_4() {
        joined();
        session.message(groupchat("m1", "hello room"));
        CpimMessage cpim = line.messages.get(0);
        assertEquals("Juliet", cpim.from().orElseThrow().displayName());
        assertEquals("sip:juliet@xmpp.test", cpim.from().orElseThrow().uri());
        assertEquals("hello room", new String(cpim.content(), StandardCharsets.UTF_8));
        assertTrue(sent.isEmpty(), "no reflection before the report");
        line.deliveries.get(0).outcome(200, "OK");
        Message reflection = (Message) sent.get(0);
        assertEquals("m1", reflection.getStanzaId());
        assertEquals(ROOM + "/Juliet", reflection.getFrom().toString());
        assertEquals("hello room", reflection.getBody());

        session.message(groupchat("m2", "lost"));
        line.deliveries.get(1).outcome(0, "Chat session ended");
        assertEquals(Message.Type.error, ((Message) sent.get(1)).getType());
    }

    /** Messages sent while joining wait (at most the queue size; one more is resource-constraint) and go after it. */
    @Test
    void messagesWaitForTheJoin() {
        upToListing();
        session.message(groupchat("w1", "first"));
        session.message(groupchat("w2", "second"));
        session.message(groupchat("w3", "third"));
        assertEquals(StanzaError.Condition.resource_constraint, ((Message) sent.get(0)).getError().getCondition());
        assertTrue(line.messages.isEmpty());
        call.listener.conferenceInfo(info(JULIET));
        assertEquals(2, line.messages.size());
        assertEquals("first", new String(line.messages.get(0).content(), StandardCharsets.UTF_8));
    }

    /**
     * Spec §5.6.1 step 4: a conference message becomes groupchat from the sender's occupant JID with an id
     * {@code MUC.<hex>}, a notice comes from the room; what came before the join (history) follows the
     * self-presence with its time (XEP-0045 §7.2.14).
     */
    @Test
    void theConferencesMessagesBecomeGroupchat_spec_5_6_1_step4() {
        upToListing();
        line.listener.received(cpim("Carol", "sip:carol@example.com", "earlier words"));
        assertTrue(sent.isEmpty(), "history waits for the join");
        call.listener.conferenceInfo(info(CAROL + JULIET));
        Message history = (Message) sent.get(2);
        assertEquals("earlier words", history.getBody());
        assertNotNull(history.getExtension(DelayInformation.class), "delayed delivery (XEP-0203)");
        sent.clear();

        line.listener.received(cpim("Carol", "sip:carol@example.com", "now"));
        Message now = (Message) sent.get(0);
        assertEquals(ROOM + "/Carol", now.getFrom().toString());
        assertEquals(Message.Type.groupchat, now.getType());
        assertTrue(now.getStanzaId().matches("MUC\\.[0-9a-f]{16}"), now.getStanzaId());

        line.listener.received(cpim("Conference Room", "sip:" + ROOM, "a notice"));
        assertEquals(ROOM, sent.get(1).getFrom().toString(), "the room's own words come from the room");
    }

    /** Spec §5.6.1 step 3: a user gone from the conference-info leaves the room (unavailable presence). */
    @Test
    void aDepartedConferenceUserLeavesTheRoom() {
        joined();
        call.listener.conferenceInfo(info(JULIET));
        Presence gone = (Presence) sent.get(0);
        assertEquals(ROOM + "/Carol", gone.getFrom().toString());
        assertEquals(Presence.Type.unavailable, gone.getType());
    }

    /** XEP-0045 §7.14, spec §5.6.1 step 7: unavailable presence leaves: the user's own 110, then BYE. */
    @Test
    void unavailablePresenceLeaves_xep0045_7_14() {
        joined();
        session.presence(StanzaBuilder.buildPresence().ofType(Presence.Type.unavailable).from(juliet)
                .to(JidCreate.fromOrThrowUnchecked(ROOM + "/Juliet")).build(), Resourcepart.fromOrThrowUnchecked("Juliet"));
        Presence left = (Presence) sent.get(0);
        assertEquals(Presence.Type.unavailable, left.getType());
        assertTrue(statuses(left).contains(MUCUser.Status.PRESENCE_TO_SELF_110));
        assertFalse(statuses(left).contains(MUCUser.Status.KICKED_307));
        assertTrue(call.hungUp && over);
        assertEquals(1, sent.size());
    }

    /** The user's server bouncing a presence the room sent: an error presence from juliet to her occupant JID. */
    private void bounce(StanzaError.Condition condition) {
        Presence error = StanzaBuilder.buildPresence().ofType(Presence.Type.error).from(juliet)
                .to(JidCreate.fromOrThrowUnchecked(ROOM + "/Juliet")).build();
        error.setError(StanzaError.getBuilder(condition).setType(StanzaError.Type.CANCEL).build());
        session.presence(error, Resourcepart.fromOrThrowUnchecked("Juliet"));
    }

    /**
     * XEP-0045 §18.1.2: a delivery-related error (here the user's server cannot reach it: recipient-unavailable)
     * makes the occupant a ghost, removed as if it had sent unavailable presence: its own unavailable presence with
     * 110 and 333 (§11.1), then BYE, which takes it out of the conference and so out of the other occupants' rooms
     * (their sessions see it leave the conference-info). Before, the error presence was ignored and the ghost stayed.
     */
    @Test
    void aBouncedPresenceRemovesTheOccupant_xep0045_18_1_2() {
        joined();
        bounce(StanzaError.Condition.recipient_unavailable);
        Presence left = (Presence) sent.get(0);
        assertEquals(Presence.Type.unavailable, left.getType());
        assertEquals(ROOM + "/Juliet", left.getFrom().toString());
        assertTrue(statuses(left).containsAll(Set.of(MUCUser.Status.PRESENCE_TO_SELF_110,
                MucSession.REMOVED_BY_ERROR_333)), left::toString);
        assertFalse(statuses(left).contains(MUCUser.Status.KICKED_307));
        assertTrue(call.hungUp && line.closed && over, "the SIP call ends: BYE");
        assertEquals(MucSession.State.ENDED, session.state());
        assertEquals(1, sent.size(), sent::toString);
    }

    /** XEP-0045 §18.1.2 names delivery errors only: a client refusing one stanza (not-acceptable) keeps its seat. */
    @Test
    void anotherErrorLeavesTheOccupantInTheRoom_xep0045_18_1_2() {
        joined();
        bounce(StanzaError.Condition.not_acceptable);
        assertTrue(sent.isEmpty(), sent::toString);
        assertFalse(call.hungUp);
        assertEquals(MucSession.State.JOINED, session.state());
    }

    /** The same for a groupchat message of ours bounced while the user is still joining: the join just ends. */
    @Test
    void aBouncedMessageBeforeTheJoinEndsItQuietly_xep0045_18_1_2() {
        upToListing();
        session.error(StanzaError.getBuilder(StanzaError.Condition.remote_server_timeout)
                .setType(StanzaError.Type.WAIT).build());
        assertTrue(sent.isEmpty(), "nothing more for a user who cannot be reached: " + sent);
        assertTrue(call.hungUp && over);
    }

    /** Spec §5.6.1 step 8: the conference hanging up removes the user with status 307 (kicked). */
    @Test
    void theConferenceEndingIsAKick_spec_5_6_1_step8() {
        joined();
        call.listener.ended();
        Presence kicked = (Presence) sent.get(0);
        assertEquals(Presence.Type.unavailable, kicked.getType());
        assertTrue(statuses(kicked).containsAll(Set.of(MUCUser.Status.KICKED_307, MUCUser.Status.PRESENCE_TO_SELF_110)));
        assertTrue(line.closed);
    }

    /** XEP-0045 §7.6, spec §5.6.1 step 7: a new nickname is asked for; granted, the old name leaves with 303. */
    @Test
    void aNicknameChange_xep0045_7_6() {
        joined();
        Resourcepart romeo = Resourcepart.fromOrThrowUnchecked("Jules");
        session.presence(StanzaBuilder.buildPresence("n1").from(juliet)
                .to(JidCreate.fromOrThrowUnchecked(ROOM + "/Jules")).build(), romeo);
        assertEquals("Jules", line.nicknames.get(1));
        line.nicknameOutcomes.get(1).outcome(200, "OK");
        Presence old = (Presence) sent.get(0);
        assertEquals(ROOM + "/Juliet", old.getFrom().toString());
        assertTrue(statuses(old).contains(MUCUser.Status.NEW_NICKNAME_303));
        assertEquals("Jules", MUCUser.from(old).getItem().getNick().toString());
        Presence renamed = (Presence) sent.get(1);
        assertEquals(ROOM + "/Jules", renamed.getFrom().toString());

        session.presence(StanzaBuilder.buildPresence("n2").from(juliet)
                .to(JidCreate.fromOrThrowUnchecked(ROOM + "/Carol")).build(), Resourcepart.fromOrThrowUnchecked("Carol"));
        line.nicknameOutcomes.get(2).outcome(425, "in use");
        assertEquals(StanzaError.Condition.conflict, ((Presence) sent.get(2)).getError().getCondition());
    }

    /** Spec §5.6.1 step 6: a subject goes as text "Conference title set to: ..." and is reflected as the subject. */
    @Test
    void aSubjectChange_spec_5_6_1_step6() {
        joined();
        session.message(StanzaBuilder.buildMessage("s1").ofType(Message.Type.groupchat).from(juliet)
                .to(JidCreate.fromOrThrowUnchecked(ROOM)).setSubject("Balcony").build());
        assertEquals("Conference title set to: Balcony",
                new String(line.messages.get(0).content(), StandardCharsets.UTF_8));
        line.deliveries.get(0).outcome(200, "OK");
        assertEquals("Balcony", ((Message) sent.get(0)).getSubject());
    }

    /** Spec §5.6.1 step 9: private messages are not supported: feature-not-implemented. */
    @Test
    void privateMessagesAreRefused_spec_5_6_1_step9() {
        joined();
        session.message(StanzaBuilder.buildMessage("p1").ofType(Message.Type.chat).from(juliet)
                .to(JidCreate.fromOrThrowUnchecked(ROOM + "/Carol")).setBody("psst").build());
        assertEquals(StanzaError.Condition.feature_not_implemented, ((Message) sent.get(0)).getError().getCondition());
        assertTrue(line.messages.isEmpty());
    }

    /** A conference user whose display text is no resourcepart is named by its URI. */
    @Test
    void nicknamesOfConferenceUsers() {
        assertEquals("Carol", MucSession.nickOf("Carol", "sip:carol@example.com").toString());
        assertEquals("carol@example.com", MucSession.nickOf(null, "sip:carol@example.com").toString());
        assertEquals("carol@example.com", MucSession.nickOf("  ", "sips:carol@example.com").toString());
    }

    private Message groupchat(String id, String body) {
        return StanzaBuilder.buildMessage(id).ofType(Message.Type.groupchat).from(juliet)
                .to(JidCreate.fromOrThrowUnchecked(ROOM)).setBody(body).build();
    }

    private static CpimMessage cpim(String display, String uri, String text) {
        return CpimMessage.builder().from(new CpimMessage.Address(display, uri)).to(CpimMessage.Address.of("sip:" + ROOM))
                .contentHeader("Content-Type", "text/plain").content(text.getBytes(StandardCharsets.UTF_8)).build();
    }
}
