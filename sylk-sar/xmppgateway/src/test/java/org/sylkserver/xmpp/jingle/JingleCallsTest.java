package org.sylkserver.xmpp.jingle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
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
import org.jivesoftware.smackx.jingle.element.JingleReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;
import org.sylkserver.protocols.sdp.SessionDescription;

/** XMPP → SIP Jingle calls (spec §5.7) and their limits, without a container. */
class JingleCallsTest {

    private static final String ROMEO = "romeo@xmpp.example/phone";
    private static final String ALICE = "alice@sip.example/jingle";
    private static final String PCMU_OFFER = "<content creator='initiator' name='voice'>"
            + "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'><payload-type id='0' name='PCMU'"
            + " clockrate='8000'/></description><transport xmlns='urn:xmpp:jingle:transports:raw-udp:1'>"
            + "<candidate component='1' generation='0' id='c1' ip='192.0.2.30' port='20000'/></transport></content>";
    private static final SessionDescription OUR_SIP_OFFER = sdp("192.0.2.1", 50000);
    private static final SessionDescription SIP_ANSWER = sdp("192.0.2.40", 30000);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final BlockingQueue<IQ> sent = new LinkedBlockingQueue<>();
    private final List<String> sip = new CopyOnWriteArrayList<>();
    private final List<JingleCalls.SipEvents> sipCalls = new CopyOnWriteArrayList<>();
    private final List<String> media = new CopyOnWriteArrayList<>();
    private boolean codecsInCommon = true;
    /** Whether the bridges find the offer's encryption impossible to meet (XEP-0167 §7). */
    private boolean encryptionUnmet;

    private static SessionDescription sdp(String ip, int port) {
        try {
            return SessionDescription.parse("v=0\r\no=- 1 1 IN IP4 " + ip + "\r\ns=-\r\nc=IN IP4 " + ip
                    + "\r\nt=0 0\r\nm=audio " + port + " RTP/AVP 0\r\n");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The media failure callbacks the bridges were given, one per call. */
    private final List<JingleCalls.MediaFailure> silences = new CopyOnWriteArrayList<>();

    private final JingleCalls.AudioBridges bridges = new JingleCalls.AudioBridges() {
        @Override
        public JingleCalls.AudioBridge open(JingleSdp.Media offer, JingleCalls.MediaFailure silence) {
            if (!codecsInCommon) {
                return null;
            }
            if (encryptionUnmet) {
                silence.failed(JingleReason.Reason.security_error);
                return null;
            }
            silences.add(silence);
            media.add("open " + offer.transport());
            return new JingleCalls.AudioBridge() {
                @Override
                public SessionDescription sipOffer() {
                    return OUR_SIP_OFFER;
                }

                @Override
                public JingleSdp.Media answer(SessionDescription sipAnswer, java.net.InetAddress source) throws org.sylkserver.protocols.sdp.SdpException {
                    media.add("answer " + sipAnswer.connection());
                    return JingleSdp.fromSdp(OUR_SIP_OFFER); // our Jingle-side endpoint
                }

                @Override
                public SessionDescription sipReOffer(boolean held) {
                    return direction(OUR_SIP_OFFER, held ? "sendonly" : "sendrecv");
                }

                @Override
                public SessionDescription sipReAnswer(SessionDescription reOffer)
                        throws org.sylkserver.protocols.sdp.SdpException {
                    if (reOffer.media().get(0).port() != SIP_ANSWER.media().get(0).port()) {
                        throw new org.sylkserver.protocols.sdp.SdpException("moved");
                    }
                    String theirs = reOffer.direction(reOffer.media().get(0));
                    return direction(OUR_SIP_OFFER, theirs.equals("sendonly") ? "recvonly" : theirs);
                }

                @Override
                public void transportInfo(JingleTransport transport) {
                    media.add("transport-info " + transport);
                }

                @Override
                public void close() {
                    media.add("close");
                }
            };
        }

        @Override
        public JingleCalls.SipOfferBridge open(SessionDescription sipOffer, java.net.InetAddress source,
                                               JingleCalls.MediaFailure silence) {
            throw new AssertionError("SIP users' calls are JingleDialTest's");
        }
    };

    private final JingleCalls.SipCalls sipSide = (from, to, offer, events) -> {
        sip.add("INVITE " + from + " -> " + to + " c=" + offer.connection());
        sipCalls.add(events);
        return new JingleCalls.SipCall() {
            @Override
            public void hangUp() {
                sip.add("hang up");
            }

            @Override
            public void reOffer(SessionDescription reOffer) {
                sip.add("re-INVITE " + reOffer.direction(reOffer.media().get(0)));
            }
        };
    };

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    private JingleCalls calls(int max, Duration answerWait) {
        return new JingleCalls(sent::add, timer, Set.of("sip.example"), bridges, sipSide, max, answerWait);
    }

    private static IQ iq(String action, String sid, String children) {
        return Jingle.builder("r-" + sid + action).ofType(IQ.Type.set).from(JidCreate.fullFromOrThrowUnchecked(ROMEO))
                .to(JidCreate.fullFromOrThrowUnchecked(ALICE)).setAction(JingleAction.fromString(action))
                .setSessionId(sid).build();
    }

    private static String xml(String action, String sid, String children) {
        return "<iq type='set' id='r1' from='" + ROMEO + "' to='" + ALICE + "'><jingle xmlns='urn:xmpp:jingle:1'"
                + " action='" + action + "' initiator='" + ROMEO + "' sid='" + sid + "'>" + children + "</jingle></iq>";
    }

    private IQ request(JingleCalls calls, String action, String sid, String children) {
        IQ iq = iq(action, sid, children);
        calls.request(iq, xml(action, sid, children));
        return answerTo(iq);
    }

    /** The answer sent to {@code request} (taken out of the sent stanzas; those before it stay). */
    private IQ answerTo(IQ request) {
        for (IQ iq : sent) {
            if (iq.getStanzaId().equals(request.getStanzaId()) && iq.isResponseIQ()) {
                sent.remove(iq);
                return iq;
            }
        }
        throw new AssertionError("no answer to " + request + " among " + sent);
    }

    private Jingle nextJingle() throws InterruptedException {
        IQ iq = sent.poll(10, TimeUnit.SECONDS); // generous: the first log line of a JVM can take seconds on a busy machine
        assertNotNull(iq, "nothing sent");
        return (Jingle) iq;
    }

    @Test
    void anAudioOfferRingsAndCallsTheSipUserAndTheAnswerAcceptsTheSession() throws Exception {
        JingleCalls calls = calls(4, Duration.ofSeconds(60));

        IQ initiate = iq("session-initiate", "s1", PCMU_OFFER);
        calls.request(initiate, xml("session-initiate", "s1", PCMU_OFFER));
        IQ ack = sent.poll(10, TimeUnit.SECONDS);
        // XEP-0166 §6.3: the initiate is acknowledged before anything else of the session is sent
        assertEquals(initiate.getStanzaId(), ack.getStanzaId());
        assertEquals(IQ.Type.result, ack.getType());

        Jingle ringing = nextJingle();
        assertEquals(JingleAction.session_info, ringing.getAction());
        assertTrue(ringing.toXML(XmlEnvironment.EMPTY).toString().contains("<ringing"));
        // From = the XMPP user as a SIP URI, To = our user, the offer = our media endpoint, not the XMPP client
        assertEquals(List.of("INVITE sip:romeo@xmpp.example -> sip:alice@sip.example c=IN IP4 192.0.2.1"), sip);

        sipCalls.get(0).answered(SIP_ANSWER, null);

        Jingle accept = nextJingle();
        assertEquals(JingleAction.session_accept, accept.getAction());
        String xml = accept.toXML(XmlEnvironment.EMPTY).toString();
        assertTrue(xml.contains("ip='192.0.2.1' port='50000'"), "our endpoint is the Jingle party's peer: " + xml);
        assertEquals("answer IN IP4 192.0.2.40", media.get(1));
        assertEquals(1, calls.size());
    }

    /**
     * XEP-0320 §1 with a hash function we cannot check (RFC 8122 §5): the offer's certificate could not be
     * authenticated, so the session is terminated with security-error (XEP-0166 §7.4) before any SIP call or media.
     */
    @Test
    void aDtlsFingerprintWithAnUnknownHashEndsWithSecurityError_XEP0320_1() throws Exception {
        JingleCalls calls = calls(4, Duration.ofSeconds(60));
        String offer = "<content creator='initiator' name='voice'><description xmlns='urn:xmpp:jingle:apps:rtp:1'"
                + " media='audio'><payload-type id='0' name='PCMU' clockrate='8000'/></description>"
                + "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='8hhy' pwd='asd88fgpdd777uzjYhagZg'>"
                + "<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='x-whirl-512' setup='actpass'>"
                + "02:1A:CC:54</fingerprint></transport></content>";
        assertEquals(IQ.Type.result, request(calls, "session-initiate", "s1", offer).getType());
        Jingle terminate = nextJingle();
        assertEquals(JingleAction.session_terminate, terminate.getAction());
        assertEquals(JingleReason.Reason.security_error, terminate.getReason().asEnum());
        assertTrue(sip.isEmpty() && media.isEmpty(), sip + " " + media);
        assertEquals(0, calls.size());
    }

    /** A media failure of the bridge (here a refused DTLS handshake) ends both sides with its reason. */
    @Test
    void aMediaFailureEndsTheCallWithItsReason_XEP0166_7_4() throws Exception {
        JingleCalls calls = calls(4, Duration.ofSeconds(60));
        request(calls, "session-initiate", "s1", PCMU_OFFER);
        nextJingle(); // ringing
        sipCalls.get(0).answered(SIP_ANSWER, null);
        assertEquals(JingleAction.session_accept, nextJingle().getAction());
        silences.get(0).failed(JingleReason.Reason.security_error);
        Jingle terminate = nextJingle();
        assertEquals(JingleReason.Reason.security_error, terminate.getReason().asEnum());
        assertEquals(0, calls.size());
    }

    /**
     * XEP-0167 §7: an offer whose encryption the media cannot meet (the bridges say security-error and give no
     * bridge) is terminated once, with security-error, not unsupported-applications; no SIP call is placed.
     */
    @Test
    void anOfferWhoseEncryptionCannotBeMetEndsWithSecurityError_XEP0167_7() throws Exception {
        JingleCalls calls = calls(4, Duration.ofSeconds(60));
        encryptionUnmet = true;
        assertEquals(IQ.Type.result, request(calls, "session-initiate", "s1", PCMU_OFFER).getType());
        Jingle terminate = nextJingle();
        assertEquals(JingleAction.session_terminate, terminate.getAction());
        assertEquals(JingleReason.Reason.security_error, terminate.getReason().asEnum());
        assertEquals(null, sent.poll(200, TimeUnit.MILLISECONDS), "one terminate");
        assertTrue(sip.isEmpty(), sip.toString());
        assertEquals(0, calls.size());
    }

    /**
     * XEP-0176 §5.5: the Jingle party's transport-info is acknowledged, then its transport goes to the call's media
     * (where a DTLS fingerprint sent there, XEP-0320 §1, is taken).
     */
    @Test
    void aTransportInfoIsAcknowledgedAndReachesTheMedia_XEP0176_5_5() throws Exception {
        JingleCalls calls = calls(4, Duration.ofSeconds(60));
        request(calls, "session-initiate", "s1", PCMU_OFFER);
        String info = "<content creator='initiator' name='voice'><transport"
                + " xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='8hhy' pwd='asd88fgpdd777uzjYhagZg'>"
                + "<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='actpass'>"
                + "02:1A:CC:54</fingerprint></transport></content>";
        assertEquals(IQ.Type.result, request(calls, "transport-info", "s1", info).getType());
        String reached = media.get(media.size() - 1);
        assertTrue(reached.startsWith("transport-info IceUdp[ufrag=8hhy") && reached.contains("sha-256"), reached);
    }

    @Test
    void aSipBusyEndsTheSessionAsBusy() throws Exception {
        JingleCalls calls = calls(4, Duration.ofSeconds(60));
        request(calls, "session-initiate", "s1", PCMU_OFFER);
        nextJingle();
        sipCalls.get(0).failed(486);
        Jingle terminate = nextJingle();
        assertEquals(JingleAction.session_terminate, terminate.getAction());
        assertEquals(JingleReason.Reason.busy, terminate.getReason().asEnum());
        assertEquals(0, calls.size());
        assertEquals("close", media.get(media.size() - 1));
        assertTrue(!sip.contains("hang up"), "a failed INVITE needs no CANCEL");
    }

    @Test
    void aByeEndsTheSessionAndAJingleTerminateHangsUpTheSipCall() throws Exception {
        JingleCalls calls = calls(8, Duration.ofSeconds(60));
        request(calls, "session-initiate", "s1", PCMU_OFFER);
        request(calls, "session-initiate", "s2", PCMU_OFFER);
        sipCalls.get(0).answered(SIP_ANSWER, null);
        sipCalls.get(1).answered(SIP_ANSWER, null);
        sent.clear();

        sipCalls.get(0).hungUp();
        Jingle terminate = nextJingle();
        assertEquals("s1", terminate.getSid());
        assertEquals(JingleReason.Reason.success, terminate.getReason().asEnum());

        assertEquals(IQ.Type.result, request(calls, "session-terminate", "s2", "<reason><success/></reason>").getType());
        assertEquals(List.of("hang up"), sip.subList(2, sip.size()));
        assertEquals(0, calls.size());
    }

    @Test
    void anOfferWithoutRtpAudioIsUnsupportedApplications() throws Exception {
        JingleCalls calls = calls(4, Duration.ofSeconds(60));
        assertEquals(IQ.Type.result, request(calls, "session-initiate", "s1", "<content creator='initiator'"
                + " name='file'><description xmlns='urn:xmpp:jingle:apps:file-transfer:5'/></content>").getType());
        assertEquals(JingleReason.Reason.unsupported_applications, nextJingle().getReason().asEnum());

        codecsInCommon = false;
        request(calls, "session-initiate", "s2", PCMU_OFFER);
        assertEquals(JingleReason.Reason.unsupported_applications, nextJingle().getReason().asEnum());
        assertTrue(sip.isEmpty());
        assertEquals(0, calls.size());
    }

    @Test
    void callsBeyondTheCapAreRefusedBusy() throws Exception {
        JingleCalls calls = calls(1, Duration.ofSeconds(60));
        request(calls, "session-initiate", "s1", PCMU_OFFER);
        nextJingle();
        request(calls, "session-initiate", "s2", PCMU_OFFER);
        Jingle refusal = nextJingle();
        assertEquals("s2", refusal.getSid());
        assertEquals(JingleReason.Reason.busy, refusal.getReason().asEnum());
        assertEquals(1, sip.size());
    }

    /** One XMPP domain holds at most a quarter of the calls: a federated server cannot take them all. */
    @Test
    void oneDomainGetsAQuarterOfTheCalls() throws Exception {
        JingleCalls calls = calls(8, Duration.ofSeconds(60));
        request(calls, "session-initiate", "s1", PCMU_OFFER);
        nextJingle();
        request(calls, "session-initiate", "s2", PCMU_OFFER);
        nextJingle();
        request(calls, "session-initiate", "s3", PCMU_OFFER);
        Jingle refusal = nextJingle();
        assertEquals("s3", refusal.getSid());
        assertEquals(JingleReason.Reason.busy, refusal.getReason().asEnum());
        assertEquals(2, sip.size());
    }

    @Test
    void unknownSessionsAndMalformedRequests_XEP0166_8() {
        JingleCalls calls = calls(4, Duration.ofSeconds(60));
        IQ unknown = request(calls, "session-info", "nope", "");
        assertEquals(StanzaError.Condition.item_not_found, unknown.getError().getCondition());
        assertTrue(unknown.toXML(XmlEnvironment.EMPTY).toString().contains("unknown-session"));

        IQ bad = iq("session-initiate", "s1", "");
        calls.request(bad, "<iq type='set' id='r1' from='" + ROMEO + "'><jingle xmlns='urn:xmpp:jingle:1'"
                + " action='session-initiate'/></iq>");
        IQ malformed = answerTo(bad);
        assertEquals(StanzaError.Condition.bad_request, malformed.getError().getCondition());
        assertEquals(0, calls.size());
    }

    /**
     * An answered call whose media stopped (a party that vanished without hanging up) ends on both sides:
     * session-terminate with connectivity-error (XEP-0166 §7.4), the SIP call hung up, the media closed.
     */
    @Test
    void aCallWhoseMediaStoppedEndsOnBothSides() throws Exception {
        JingleCalls calls = calls(4, Duration.ofSeconds(60));
        request(calls, "session-initiate", "s1", PCMU_OFFER);
        nextJingle(); // ringing
        sipCalls.get(0).answered(SIP_ANSWER, null);
        assertEquals(JingleAction.session_accept, nextJingle().getAction());

        silences.get(0).failed(JingleReason.Reason.connectivity_error);
        silences.get(0).failed(JingleReason.Reason.connectivity_error); // both endpoints may report it

        Jingle terminate = nextJingle();
        assertEquals(JingleAction.session_terminate, terminate.getAction());
        assertEquals(JingleReason.Reason.connectivity_error, terminate.getReason().asEnum());
        assertEquals(List.of("hang up"), sip.subList(1, sip.size()));
        assertEquals("close", media.get(media.size() - 1));
        assertEquals(0, calls.size());
        assertEquals(null, sent.poll(200, TimeUnit.MILLISECONDS), "one terminate only");
    }

    /** {@code sdp} with its audio stream's direction set. */
    private static SessionDescription direction(SessionDescription sdp, String direction) {
        try {
            return SessionDescription.parse(sdp.toString().replaceAll("a=(sendrecv|sendonly|recvonly|inactive)\r\n",
                    "") + "a=" + direction + "\r\n");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An answered call: the initiate acknowledged, ringing, the SIP answer, our accept. */
    private JingleCalls answeredCall() throws Exception {
        JingleCalls calls = calls(4, Duration.ofSeconds(60));
        request(calls, "session-initiate", "s1", PCMU_OFFER);
        nextJingle(); // ringing
        sipCalls.get(0).answered(SIP_ANSWER, null);
        assertEquals(JingleAction.session_accept, nextJingle().getAction());
        return calls;
    }

    /**
     * Spec §5.7: the SIP party's re-INVITE holding the call (sendonly, RFC 3264 §8.4) is answered recvonly and
     * becomes session-info hold (XEP-0167 §8.2); sendrecv again becomes active (§8.1); a re-INVITE moving the
     * media is refused (null: 488).
     */
    @Test
    void aSipHoldBecomesJingleHoldAndOtherReInvitesAreRefused() throws Exception {
        answeredCall();
        SessionDescription answer = sipCalls.get(0).reOffered(direction(SIP_ANSWER, "sendonly"));
        assertEquals("recvonly", answer.direction(answer.media().get(0)));
        assertTrue(nextJingle().toXML(XmlEnvironment.EMPTY).toString().contains("<hold"));

        sipCalls.get(0).reOffered(direction(SIP_ANSWER, "sendrecv"));
        assertTrue(nextJingle().toXML(XmlEnvironment.EMPTY).toString().contains("<active"));

        assertEquals(null, sipCalls.get(0).reOffered(sdp("192.0.2.40", 30002)));
        assertEquals(null, sent.poll(200, TimeUnit.MILLISECONDS), "nothing told the Jingle party");
    }

    /** Spec §5.7: the Jingle party's hold (XEP-0167 §8.2) and active (§8.1) become SIP re-INVITEs. */
    @Test
    void aJingleHoldBecomesASipReInvite() throws Exception {
        JingleCalls calls = answeredCall();
        String hold = "<hold xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>";
        assertEquals(IQ.Type.result, request(calls, "session-info", "s1", hold).getType());
        assertEquals(IQ.Type.result, request(calls, "session-info", "s1",
                "<active xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>").getType());
        assertEquals(List.of("re-INVITE sendonly", "re-INVITE sendrecv"), sip.subList(1, sip.size()));
    }

    @Test
    void aCallTheSipUserNeverAnswersTimesOut() throws Exception {
        JingleCalls calls = calls(4, Duration.ofMillis(150));
        request(calls, "session-initiate", "s1", PCMU_OFFER);
        Jingle terminate = nextJingle();
        if (terminate.getAction() == JingleAction.session_info) {
            terminate = nextJingle(); // the ringing; on a loaded machine the 150 ms can be over before it is sent
        }
        assertEquals(JingleReason.Reason.timeout, terminate.getReason().asEnum());
        for (int i = 0; i < 100 && sip.size() < 2; i++) {
            Thread.sleep(10); // the SIP call is hung up on the timer's thread just after the terminate is sent
        }
        assertEquals(List.of("hang up"), sip.subList(1, sip.size()));
        assertEquals(0, calls.size());
    }

    @Test
    void sipFailuresMapToJingleReasons_RFC3261_21() {
        assertEquals(JingleReason.Reason.busy, JingleCalls.reason(486));
        assertEquals(JingleReason.Reason.decline, JingleCalls.reason(603));
        assertEquals(JingleReason.Reason.gone, JingleCalls.reason(480));
        assertEquals(JingleReason.Reason.timeout, JingleCalls.reason(408));
        assertEquals(JingleReason.Reason.incompatible_parameters, JingleCalls.reason(488));
        assertEquals(JingleReason.Reason.general_error, JingleCalls.reason(500));
    }
}
