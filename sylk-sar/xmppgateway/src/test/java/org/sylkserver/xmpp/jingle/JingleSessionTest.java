package org.sylkserver.xmpp.jingle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smackx.jingle.element.Jingle;
import org.jivesoftware.smackx.jingle.element.JingleAction;
import org.jivesoftware.smackx.jingle.element.JingleContent;
import org.jivesoftware.smackx.jingle.element.JingleReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.FullJid;
import org.jxmpp.jid.impl.JidCreate;

/** The Jingle session state machine (XEP-0166 §6: pending → active → ended) with spec §5.7's 3 s stanza timeout. */
class JingleSessionTest {

    private static final FullJid US = JidCreate.fullFromOrThrowUnchecked("alice@sip.example/gw");
    private static final FullJid THEM = JidCreate.fullFromOrThrowUnchecked("romeo@xmpp.example/phone");
    private static final JingleRequest.Content AUDIO = new JingleRequest.Content("audio",
            JingleContent.Creator.initiator, JingleContent.Senders.both,
            new RtpDescription("audio", List.of(new RtpDescription.PayloadType(0, "PCMU", 8000, 1)), List.of(), false,
                    false),
            new JingleTransport.RawUdp(List.of(new JingleTransport.RawCandidate(1, 0, "c1", "192.0.2.1", 40000))));

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final BlockingQueue<IQ> sent = new LinkedBlockingQueue<>();
    private final List<String> events = new CopyOnWriteArrayList<>();

    private final JingleSession.Listener listener = new JingleSession.Listener() {
        @Override
        public void accepted(JingleRequest.Content content) {
            events.add("accepted " + content.name());
        }

        @Override
        public void ringing() {
            events.add("ringing");
        }

        @Override
        public void hold(boolean held) {
            events.add(held ? "held" : "resumed");
        }

        @Override
        public void ended(JingleReason.Reason reason) {
            events.add("ended " + reason);
        }
    };

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    private JingleSession session(boolean initiator, Duration stanzaTimeout, Duration answerWait) {
        return new JingleSession("s1", US, THEM, initiator, sent::add, timer, stanzaTimeout, answerWait, listener);
    }

    private JingleSession session(boolean initiator) {
        return session(initiator, JingleSession.STANZA_TIMEOUT, Duration.ofSeconds(60));
    }

    /** A request of the remote party for the session, as the gateway hands it over: the IQ and its reading. */
    private IQ receive(JingleSession session, String action, String children) throws Exception {
        String xml = "<iq type='set' id='r1' from='" + THEM + "' to='" + US + "'><jingle xmlns='urn:xmpp:jingle:1'"
                + " action='" + action + "' sid='s1'>" + children + "</jingle></iq>";
        IQ iq = Jingle.builder("r1").ofType(IQ.Type.set).from(THEM).to(US).setAction(JingleAction.fromString(action))
                .setSessionId("s1").build();
        return session.received(iq, JingleRequest.read(JingleRequest.jingleElement(xml)));
    }

    private IQ nextSent() throws InterruptedException {
        IQ iq = sent.poll(10, TimeUnit.SECONDS); // generous: the first log line of a JVM can take seconds on a busy machine
        assertNotNull(iq, "nothing sent");
        return iq;
    }

    private static String xml(IQ iq) {
        return iq.toXML(XmlEnvironment.EMPTY).toString();
    }

    private static IQ resultOf(IQ ours) {
        return IQ.createResultIQ(ours);
    }

    @Test
    void anInitiatedSessionBecomesActiveOnAccept_XEP0166_6_5() throws Exception {
        JingleSession session = session(true);
        session.initiate(AUDIO);
        Jingle initiate = (Jingle) nextSent();
        assertEquals(JingleAction.session_initiate, initiate.getAction());
        assertEquals(US, initiate.getInitiator());
        assertTrue(xml(initiate).contains("<payload-type id='0' name='PCMU' clockrate='8000'"), xml(initiate));
        assertTrue(xml(initiate).contains("xmlns='urn:xmpp:jingle:transports:raw-udp:1'"), xml(initiate));
        assertTrue(session.response(resultOf(initiate)));
        assertEquals(JingleSession.State.PENDING, session.state());

        assertEquals(IQ.Type.result, receive(session, "session-info",
                "<ringing xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>").getType());
        IQ answer = receive(session, "session-accept", "<content creator='initiator' name='audio'>"
                + AUDIO.description().toElement().toXML() + AUDIO.transport().toElement().toXML() + "</content>");

        assertEquals(IQ.Type.result, answer.getType());
        assertEquals(JingleSession.State.ACTIVE, session.state());
        assertEquals(List.of("ringing", "accepted audio"), events);
    }

    @Test
    void aResponderAcceptsWithItsAnswerAndRingsFirst_XEP0167_8_4() throws Exception {
        JingleSession session = session(false);
        session.ringing();
        IQ ringing = nextSent();
        assertTrue(xml(ringing).contains("action='session-info' sid='s1'><ringing xmlns='urn:xmpp:jingle:apps:rtp:info:1'"), xml(ringing));
        session.accept(AUDIO);
        Jingle accept = (Jingle) nextSent();
        assertEquals(JingleAction.session_accept, accept.getAction());
        assertEquals(US, accept.getResponder());
        assertEquals(JingleSession.State.ACTIVE, session.state());
        assertThrows(IllegalStateException.class, () -> session.accept(AUDIO));
    }

    @Test
    void actionsTheStateDoesNotAllowAreOutOfOrder_XEP0166_8() throws Exception {
        JingleSession responder = session(false);
        IQ error = receive(responder, "session-accept", "<content creator='initiator' name='audio'/>");
        assertEquals(StanzaError.Condition.unexpected_request, error.getError().getCondition());
        assertTrue(xml(error).contains("<out-of-order xmlns='urn:xmpp:jingle:errors:1'/>"), xml(error));
        assertEquals(StanzaError.Condition.unexpected_request,
                receive(responder, "session-initiate", "").getError().getCondition());
        assertEquals(JingleSession.State.PENDING, responder.state());
    }

    /**
     * XEP-0176 §5.5: candidates the peer trickles in transport-info once the session is up are acknowledged; they
     * change nothing in the session (our lite agent learns the peer's address from its checks).
     */
    @Test
    void trickledCandidatesAreAcknowledged_XEP0176_5_5() throws Exception {
        JingleSession session = session(false);
        IQ answer = receive(session, "transport-info", "<content creator='initiator' name='voice'>"
                + "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='8hhy' pwd='asd88fgpdd777uzjYhagZg'>"
                + "<candidate component='1' foundation='2' generation='0' id='t1' ip='192.0.2.3' network='0'"
                + " port='45664' priority='1694498815' protocol='udp' type='srflx' rel-addr='10.0.1.1'"
                + " rel-port='8998'/></transport></content>");
        assertEquals(IQ.Type.result, answer.getType());
        assertTrue(events.isEmpty(), events.toString());
    }

    @Test
    void unknownInformationIsUnsupportedInfo_XEP0166_6_8() throws Exception {
        JingleSession session = session(false);
        IQ error = receive(session, "session-info", "<dance xmlns='urn:example:dance'/>");
        assertEquals(StanzaError.Condition.feature_not_implemented, error.getError().getCondition());
        assertTrue(xml(error).contains("<unsupported-info xmlns='urn:xmpp:jingle:errors:1'/>"), xml(error));
        assertEquals(IQ.Type.result, receive(session, "session-info", "").getType(), "a ping is answered");
    }

    @Test
    void holdAndActiveBothWays_XEP0167_8_1_8_2() throws Exception {
        JingleSession session = session(false);
        session.accept(AUDIO);
        nextSent();
        receive(session, "session-info", "<hold xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>");
        receive(session, "session-info", "<active xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>");
        receive(session, "session-info", "<unhold xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>");
        assertEquals(List.of("held", "resumed", "resumed"), events);

        session.hold(true);
        assertTrue(xml(nextSent()).contains("<hold xmlns='urn:xmpp:jingle:apps:rtp:info:1'"));
        session.hold(false);
        assertTrue(xml(nextSent()).contains("<active xmlns='urn:xmpp:jingle:apps:rtp:info:1'"));
    }

    @Test
    void theirTerminateEndsTheSessionWithTheirReasonAndLaterRequestsAreForAnUnknownSession() throws Exception {
        JingleSession session = session(true);
        session.initiate(AUDIO);
        assertEquals(IQ.Type.result, receive(session, "session-terminate", "<reason><busy/></reason>").getType());
        assertEquals(JingleSession.State.ENDED, session.state());
        assertEquals(List.of("ended busy"), events);

        IQ late = receive(session, "session-info", "");
        assertEquals(StanzaError.Condition.item_not_found, late.getError().getCondition());
        assertTrue(xml(late).contains("<unknown-session xmlns='urn:xmpp:jingle:errors:1'/>"), xml(late));
    }

    @Test
    void ourTerminateSendsTheReasonOnce_XEP0166_6_7() throws Exception {
        JingleSession session = session(false);
        session.terminate(JingleReason.Reason.decline);
        session.terminate(JingleReason.Reason.decline);
        Jingle terminate = (Jingle) nextSent();
        assertEquals(JingleAction.session_terminate, terminate.getAction());
        assertEquals(JingleReason.Reason.decline, terminate.getReason().asEnum());
        assertTrue(sent.isEmpty());
        assertTrue(events.isEmpty(), "the caller knows why it ended the session");
    }

    @Test
    void anUnansweredInitiateEndsTheSessionAfterTheStanzaTimeout_spec_5_7() throws Exception {
        JingleSession session = session(true, Duration.ofMillis(100), Duration.ofSeconds(60));
        session.initiate(AUDIO);
        nextSent();
        Thread.sleep(400);
        assertEquals(JingleSession.State.ENDED, session.state());
        assertEquals(List.of("ended timeout"), events);
    }

    @Test
    void anAnsweredInitiateDoesNotTimeOut() throws Exception {
        JingleSession session = session(true, Duration.ofMillis(100), Duration.ofSeconds(60));
        session.initiate(AUDIO);
        session.response(resultOf(nextSent()));
        Thread.sleep(400);
        assertEquals(JingleSession.State.PENDING, session.state());
        assertTrue(events.isEmpty());
    }

    @Test
    void anInitiateRefusedBecauseTheResourceIsGoneEndsTheSessionAsGone() throws Exception {
        JingleSession session = session(true);
        session.initiate(AUDIO);
        IQ initiate = nextSent();
        session.response(IQ.createErrorResponse(initiate, StanzaError.Condition.service_unavailable));
        assertEquals(List.of("ended gone"), events);
        assertEquals(JingleSession.State.ENDED, session.state());
    }

    @Test
    void aFailedInformationalStanzaDoesNotEndTheSession() throws Exception {
        JingleSession session = session(false, Duration.ofMillis(100), Duration.ofSeconds(60));
        session.accept(AUDIO);
        session.response(resultOf(nextSent()));
        session.hold(true);
        session.response(IQ.createErrorResponse(nextSent(), StanzaError.Condition.feature_not_implemented));
        Thread.sleep(300);
        assertEquals(JingleSession.State.ACTIVE, session.state());
        assertTrue(events.isEmpty());
    }

    @Test
    void aSessionNeverAcceptedTimesOut() throws Exception {
        JingleSession session = session(false, JingleSession.STANZA_TIMEOUT, Duration.ofMillis(100));
        Jingle terminate = (Jingle) sent.poll(10, TimeUnit.SECONDS);
        assertNotNull(terminate);
        assertEquals(JingleAction.session_terminate, terminate.getAction());
        assertEquals(JingleReason.Reason.timeout, terminate.getReason().asEnum());
        assertEquals(JingleSession.State.ENDED, session.state());
        assertEquals(List.of("ended timeout"), events);
    }

    @Test
    void anAcceptedSessionDoesNotTimeOut() throws Exception {
        JingleSession session = session(false, JingleSession.STANZA_TIMEOUT, Duration.ofMillis(100));
        session.accept(AUDIO);
        session.response(resultOf(nextSent()));
        Thread.sleep(300);
        assertEquals(JingleSession.State.ACTIVE, session.state());
        assertTrue(sent.isEmpty());
    }
}
