package org.sylkserver.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sylkserver.webrtc.api.SipHeader;
import org.sylkserver.webrtc.api.SipIdentity;
import org.sylkserver.webrtc.registration.CredentialRealms;
import org.sylkserver.webrtc.registration.SipRegistration;

/**
 * The session-* requests (spec §4.4, §4.5.3-4.5.7) and the session state machine (§4.16) over a connection, with a
 * recording SIP side and a recording media bridge in place of the container and the bridge.
 */
class SessionsTest {

    /** What the SIP side was asked to do, as text. */
    private final List<String> sip = new CopyOnWriteArrayList<>();
    /** What the media bridge was asked to do, as text. */
    private final List<String> media = new CopyOnWriteArrayList<>();
    /** The SIP sources the media were told of: only packets from there or the SDP's address may latch. */
    private final List<InetAddress> sipSources = new CopyOnWriteArrayList<>();
    /** Where every recording call's SIP comes from. */
    private static final InetAddress SIP_SOURCE = InetAddress.getLoopbackAddress();
    private final List<SipCall.Listener> dialled = new ArrayList<>();
    /** What each call's media tell it, in the order the media were made. */
    private final List<SessionMedia.Events> watchers = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    /** Turns every SDP into a marked one so that tests see which side's SDP went where. */
    private final class RecordingMedia implements SessionMedia {
        private final String first;

        RecordingMedia(String first) {
            this.first = first;
        }

        @Override
        public String sipOffer() {
            return "sip-offer(" + first + ")";
        }

        @Override
        public String browserAnswer(String sipAnswer) throws MediaException {
            return checked("browser-answer", sipAnswer);
        }

        @Override
        public String browserOffer() {
            return "browser-offer(" + first + ")";
        }

        @Override
        public String sipAnswer(String browserAnswer) throws MediaException {
            return checked("sip-answer", browserAnswer);
        }

        @Override
        public void sipSource(InetAddress source) {
            sipSources.add(source);
        }

        @Override
        public void addBrowserCandidate(String sdpMid, int sdpMLineIndex, String candidate) {
            media.add("candidate " + sdpMid + " " + sdpMLineIndex + " " + candidate);
        }

        @Override
        public String sipReoffer(String browserOffer) throws MediaException {
            return checked("sip-reoffer", browserOffer);
        }

        @Override
        public String browserReanswer(String sipAnswer) throws MediaException {
            return checked("browser-reanswer", sipAnswer);
        }

        @Override
        public String browserReoffer(String sipOffer) throws MediaException {
            return checked("browser-reoffer", sipOffer);
        }

        @Override
        public String sipReanswer(String browserAnswer) throws MediaException {
            return checked("sip-reanswer", browserAnswer);
        }

        @Override
        public void watch(Events events) {
            watchers.add(events);
        }

        @Override
        public void close() {
            media.add("close");
        }

        private String checked(String what, String sdp) throws MediaException {
            if (sdp.startsWith("bad")) {
                throw new MediaException("Invalid SDP: " + sdp);
            }
            return what + "(" + sdp + ")";
        }
    }

    private final SessionMediaFactory mediaFactory = new SessionMediaFactory() {
        @Override
        public SessionMedia fromBrowserOffer(String sdp) throws MediaException {
            if (sdp.startsWith("bad")) {
                throw new MediaException("Invalid SDP offer: no media line");
            }
            return new RecordingMedia(sdp);
        }

        @Override
        public SessionMedia fromSipOffer(String sdp) throws MediaException {
            return fromBrowserOffer(sdp);
        }
    };

    /** A SIP dialog that records every action. */
    private final class RecordingCall implements SipCall {
        private final String callId;

        RecordingCall(String callId) {
            this.callId = callId;
        }

        @Override
        public String callId() {
            return callId;
        }

        @Override
        public InetAddress signallingSource() {
            return SIP_SOURCE;
        }

        @Override
        public void ringing() {
            sip.add("180");
        }

        @Override
        public void answer(String sdp, List<SipHeader> headers) {
            sip.add("200 " + sdp);
        }

        @Override
        public void decline(int status) {
            sip.add("decline " + status);
        }

        @Override
        public void hangUp() {
            sip.add("hang up");
        }

        @Override
        public void reinvite(String sdp, List<SipHeader> headers) {
            sip.add("re-INVITE " + sdp);
        }

        @Override
        public void acceptReinvite(String sdp) {
            sip.add("200 to re-INVITE " + sdp);
        }

        @Override
        public void rejectReinvite(int status) {
            sip.add(status + " to re-INVITE");
        }

        @Override
        public void dtmf(char digit, int durationMillis) {
            sip.add("INFO Signal=" + digit + " Duration=" + durationMillis);
        }

        @Override
        public void message(String contentType, byte[] content) {
            sip.add("MESSAGE " + contentType + "\n" + new String(content, StandardCharsets.UTF_8));
        }
    }

    private final SipCalls calls = (account, uri, sdp, headers, listener) -> {
        if (uri.startsWith("unreachable")) {
            throw new IOException("DNS lookup error: no SIP servers for unreachable.example");
        }
        sip.add("INVITE " + uri + " from " + account.aor() + " " + sdp
                + headers.stream().map(h -> " " + h.getName() + ": " + h.getValue()).reduce("", String::concat));
        dialled.add(listener);
        return new RecordingCall("call-" + dialled.size() + "@gateway");
    };

    /** Every registration made, in order; the test plays their registrar. */
    private final List<SipRegistration> registrations = new CopyOnWriteArrayList<>();
    private final Registrar registrar = (account, listener) -> {
        SipRegistration registration = new SipRegistration(account.aor(), account.ha1(), CredentialRealms.of(account.domain(), null),
                new SipRegistration.RegisterChannel() {
                    @Override
                    public String requestUri() {
                        return "sip:" + account.domain();
                    }

                    @Override
                    public void send(int expires, String authorization) {
                        // the test answers with SipRegistration.response
                    }
                }, listener, timer::schedule);
        registrations.add(registration);
        return registration;
    };

    private final GatewayConfig config = new GatewayConfig(null, List.of("*"), Set.of("*"), null, false,
            Duration.ofSeconds(120), 603, ClientLimits.DEFAULTS, false);
    private final Gateway gateway = gateway(Duration.ofSeconds(60));
    private final SylkRtcConnectionTest.RecordingTransport transport = new SylkRtcConnectionTest.RecordingTransport();
    private final SylkRtcConnection connection = connection(gateway, transport);

    private Gateway gateway(Duration ringTimeout) {
        return new Gateway(config, registrar, calls, new IncomingCalls(timer, ringTimeout), mediaFactory,
                Gateway.notStarted().rooms(), null);
    }

    private static SylkRtcConnection connection(Gateway gateway, SylkRtcConnectionTest.RecordingTransport transport) {
        return new SylkRtcConnection("192.0.2.1:40000", transport, Runnable::run, RequestCatalogue.SYLKRTC_2, gateway);
    }

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    private static void receive(SylkRtcConnection connection, String json) {
        connection.onText(json, true);
    }

    private void receive(String json) {
        receive(connection, json);
    }

    /**
     * Alice added on {@code connection} and registered, her registrar answering {@code status} (spec §4.5.2); the
     * transport emptied.
     */
    private void aliceRegisters(SylkRtcConnection on, SylkRtcConnectionTest.RecordingTransport sent, int status) {
        receive(on, addAlice("t0"));
        receive(on, "{\"sylkrtc\":\"account-register\",\"transaction\":\"r0\",\"account\":\"alice@example.com\"}");
        registrations.get(registrations.size() - 1).response(status, status == 200 ? "OK" : "Forbidden", null, 600);
        assertTrue(sent.sent.get(sent.sent.size() - 1).contains(status == 200 ? "\"registered\"" : "\"failed\""),
                sent.sent.toString());
        sent.sent.clear();
    }

    private static String addAlice(String transaction) {
        return "{\"sylkrtc\":\"account-add\",\"transaction\":\"" + transaction + "\",\"account\":\"alice@example.com\","
                + "\"password\":\"6a1c2f0e8d6f3c5b0a9e1d2c3b4a5f60\",\"display_name\":\"Alice\","
                + "\"incoming_header_prefixes\":[\"X-\"]}";
    }

    private static String create(String transaction, String session, String uri, String sdp) {
        return "{\"sylkrtc\":\"session-create\",\"transaction\":\"" + transaction + "\",\"account\":\"alice@example.com\","
                + "\"session\":\"" + session + "\",\"uri\":\"" + uri + "\",\"sdp\":\"" + sdp + "\"}";
    }

    private static String request(String type, String transaction, String session, String extra) {
        return "{\"sylkrtc\":\"" + type + "\",\"transaction\":\"" + transaction + "\",\"session\":\"" + session + "\""
                + extra + "}";
    }

    private static String ack(String transaction) {
        return "{\"sylkrtc\":\"ack\",\"transaction\":\"" + transaction + "\"}";
    }

    private static String error(String transaction, String text) {
        return "{\"sylkrtc\":\"error\",\"transaction\":\"" + transaction + "\",\"error\":\"" + text + "\"}";
    }

    private static String state(String session, String state, String extra) {
        return "{\"sylkrtc\":\"session-event\",\"session\":\"" + session + "\",\"event\":\"state\",\"state\":\""
                + state + "\"" + extra + "}";
    }

    /** Alice added and an outgoing call s1 to bob in state progress; the transport emptied. */
    private SipCall.Listener callBob() {
        receive(addAlice("t0"));
        receive(create("t1", "s1", "sip:bob@example.org", "offer"));
        assertEquals(List.of(ack("t0"), state("s1", "progress", ""), ack("t1")), transport.sent);
        transport.sent.clear();
        return dialled.get(0);
    }

    /** spec §4.5.3: progress before the ack, ringing, proceeding, accepted with SDP and Call-ID, established. */
    @Test
    void anOutgoingCallReportsEachStepOfTheInvite_spec_4_5_3() {
        receive(addAlice("t0"));
        receive("{\"sylkrtc\":\"session-create\",\"transaction\":\"t1\",\"account\":\"sip:alice@example.com\","
                + "\"session\":\"s1\",\"uri\":\"sip:bob@example.org\",\"sdp\":\"offer\","
                + "\"headers\":[{\"name\":\"X-Campaign\",\"value\":\"42\"}]}");
        assertEquals(List.of("INVITE bob@example.org from alice@example.com sip-offer(offer) X-Campaign: 42"), sip);
        SipCall.Listener bob = dialled.get(0);
        bob.provisional(180, "Ringing", null);
        bob.provisional(183, "Session Progress", null);
        bob.answered("answer", Map.of("X-Info", "abc", "Server", "bob-phone"));
        watchers.get(0).up();
        assertEquals(List.of(ack("t0"), state("s1", "progress", ""), ack("t1"), state("s1", "ringing", ""),
                state("s1", "proceeding", ",\"code\":183"),
                state("s1", "accepted", ",\"sdp\":\"browser-answer(answer)\",\"call_id\":\"call-1@gateway\","
                        + "\"headers\":{\"X-Info\":\"abc\"}"),
                state("s1", "established", "")), transport.sent);
    }

    /** spec §4.5.3: a 183 with SDP is early media; the 2xx after it is accepted without SDP. */
    @Test
    void earlyMediaThenAcceptedWithoutSdp_spec_4_5_3() {
        SipCall.Listener bob = callBob();
        bob.provisional(183, "Session Progress", "early");
        watchers.get(0).up(); // spec §4.5.3 note: with early media, established may precede accepted
        bob.answered("early", Map.of());
        watchers.get(0).up();
        assertEquals(List.of(state("s1", "early-media", ",\"sdp\":\"browser-answer(early)\",\"call_id\":\"call-1@gateway\""),
                state("s1", "established", ""), state("s1", "accepted", "")), transport.sent);
    }

    /**
     * Issue 11 (RTP hijacking): the media learn where the SIP side signals from before they take its SDP, the
     * answer's source for a call we placed, so that only the peer's media latch the SIP leg.
     */
    @Test
    void theMediaOfAnOutgoingCallLearnTheAnswersSipSource() {
        SipCall.Listener bob = callBob();
        assertEquals(List.of(), sipSources, "nothing from the SIP side yet");
        bob.answered("answer", Map.of());
        assertEquals(List.of(SIP_SOURCE), sipSources);
    }

    /** spec §4.5.3: established is the media coming up, not the SIP answer; media that fail end the call. */
    @Test
    void establishedFollowsTheMediaAndFailedMediaEndTheCall_spec_4_5_3() {
        SipCall.Listener bob = callBob();
        bob.answered("answer", Map.of());
        assertEquals(List.of(state("s1", "accepted", ",\"sdp\":\"browser-answer(answer)\",\"call_id\":\"call-1@gateway\"")),
                transport.sent, "no established before the browser's media are up");
        watchers.get(0).lost("DTLS failed: bad certificate");
        assertEquals(state("s1", "terminated", ",\"reason\":\"DTLS failed: bad certificate\""),
                transport.sent.get(transport.sent.size() - 1));
        assertEquals("hang up", sip.get(sip.size() - 1), "the SIP side is hung up");
        assertTrue(media.contains("close"));
        watchers.get(0).up();
        assertEquals(2, transport.sent.size(), "nothing after terminated");
    }

    /** RFC 3261 §9.1 / spec §4.5.5: terminate before the answer cancels; terminated comes before the ack. */
    @Test
    void terminatingBeforeTheAnswerCancels_rfc3261_s9_1() {
        callBob();
        receive(request("session-terminate", "t2", "s1", ""));
        receive(request("session-terminate", "t3", "s1", ""));
        assertEquals(List.of(state("s1", "terminated", ",\"reason\":\"487 Request Terminated\""), ack("t2"),
                error("t3", "Unknown session s1")), transport.sent);
        assertEquals("hang up", sip.get(1));
        assertEquals(List.of("close"), media);
    }

    /** spec §4.5.3: a final error response ends the call with "code reason". */
    @Test
    void aRejectedCallIsTerminatedWithTheSipStatus_spec_4_5_3() {
        SipCall.Listener bob = callBob();
        bob.rejected(486, "Busy Here");
        receive(request("session-trickle", "t2", "s1", ",\"candidates\":[]"));
        assertEquals(List.of(state("s1", "terminated", ",\"reason\":\"486 Busy Here\""),
                error("t2", "Unknown session s1")), transport.sent);
    }

    /** spec §4.4 error texts for session-create. */
    @Test
    void sessionCreateErrors_spec_4_4() {
        receive(addAlice("t0"));
        receive(create("t1", "s1", "bob@example.org", "offer"));
        transport.sent.clear();
        receive("{\"sylkrtc\":\"session-create\",\"transaction\":\"t2\",\"account\":\"carol@example.com\","
                + "\"session\":\"s2\",\"uri\":\"bob@example.org\",\"sdp\":\"offer\"}");
        receive(create("t3", "s1", "bob@example.org", "offer"));
        receive(create("t4", "s4", "bob@example.org", "bad offer"));
        receive("{\"sylkrtc\":\"session-create\",\"transaction\":\"t5\",\"account\":\"alice@example.com\","
                + "\"session\":\"s5\",\"uri\":\"bob@example.org\"}");
        receive(create("t6", "s6", "bob", "offer"));
        receive(create("t7", "s7", "unreachable@unreachable.example", "offer"));
        receive(create("t8", "s7", "bob@example.org", "offer"));
        assertEquals(List.of(error("t2", "Unknown account specified: carol@example.com"),
                error("t3", "Session ID s1 already in use"),
                error("t4", "Invalid SDP offer: no media line"),
                error("t5", "Mandatory property 'sdp' of 'SessionCreateRequest' object is missing"),
                error("t6", "Invalid value for 'uri' property: 'bob' (expected: SIP address of record)"),
                error("t7", "DNS lookup error: no SIP servers for unreachable.example"),
                state("s7", "progress", ""), ack("t8")), transport.sent);
        assertEquals(List.of("close"), media, "the failed dial freed its media");
    }

    /** spec §4.4: the state errors of answer, update, DTMF and messages, and the DTMF digit check. */
    @Test
    void requestsInTheWrongStateAreRefused_spec_4_4() {
        callBob();
        receive(request("session-answer", "t2", "s1", ",\"sdp\":\"answer\""));
        receive(request("session-update", "t3", "s1", ",\"sdp\":\"offer2\""));
        receive(request("session-dtmf-info", "t4", "s1", ",\"digit\":\"5\""));
        receive(request("session-message", "t5", "s1", ",\"message_id\":\"m-1\",\"content\":\"hi\","
                + "\"content_type\":\"text/plain\",\"timestamp\":\"2025-05-01T10:00:00.000Z\""));
        receive(request("session-answer", "t6", "nope", ",\"sdp\":\"answer\""));
        receive(request("session-trickle", "t7", "s1", ",\"candidates\":[{\"sdpMid\":\"0\"}]"));
        assertEquals(List.of(error("t2", "Cannot answer outgoing session s1"),
                error("t3", "Invalid state for updating session s1: progress"),
                error("t4", "Invalid state session s1: progress for DTMF info"),
                error("t5", "Invalid state session s1: progress for sending messages"),
                error("t6", "Unknown session nope"),
                error("t7", "Mandatory property 'candidate' of 'IceCandidate' object is missing")), transport.sent);
    }

    /** spec §4.5.5: DTMF as SIP INFO in early media or later; digits 0-9 * # A-D only. */
    @Test
    void dtmfGoesOutAsSipInfo_spec_4_5_5() {
        SipCall.Listener bob = callBob();
        bob.answered("answer", Map.of());
        transport.sent.clear();
        receive(request("session-dtmf-info", "t2", "s1", ",\"digit\":\"5\""));
        receive(request("session-dtmf-info", "t3", "s1", ",\"digit\":\"#\",\"duration\":250"));
        receive(request("session-dtmf-info", "t4", "s1", ",\"digit\":\"x\""));
        assertEquals(List.of(ack("t2"), ack("t3"),
                error("t4", "Invalid value for 'digit' property: 'x' (expected: 1 to 32 of 0123456789*#ABCD)")),
                transport.sent);
        assertEquals(List.of("INFO Signal=5 Duration=100", "INFO Signal=# Duration=250"), sip.subList(1, 3));
    }

    /**
     * spec §4.5.5 with sylkrtc.js, whose {@code sendDtmf(tones)} puts every tone in one {@code digit}: each digit
     * goes out as its own INFO, in order; a string with one bad character sends nothing.
     */
    @Test
    void severalDigitsInOneRequestGoOutAsOneInfoEach_spec_4_5_5() {
        SipCall.Listener bob = callBob();
        bob.answered("answer", Map.of());
        transport.sent.clear();
        receive(request("session-dtmf-info", "t2", "s1", ",\"digit\":\"4321#\""));
        receive(request("session-dtmf-info", "t3", "s1", ",\"digit\":\"12x\""));
        receive(request("session-dtmf-info", "t4", "s1", ",\"digit\":\"\""));
        receive(request("session-dtmf-info", "t5", "s1", ",\"digit\":\"" + "1".repeat(33) + "\""));
        String expected = "(expected: 1 to 32 of 0123456789*#ABCD)";
        assertEquals(List.of(ack("t2"), error("t3", "Invalid value for 'digit' property: '12x' " + expected),
                error("t4", "Invalid value for 'digit' property: '' " + expected),
                error("t5", "Invalid value for 'digit' property: '" + "1".repeat(33) + "' " + expected)),
                transport.sent);
        assertEquals(List.of("INFO Signal=4 Duration=100", "INFO Signal=3 Duration=100", "INFO Signal=2 Duration=100",
                "INFO Signal=1 Duration=100", "INFO Signal=# Duration=100"), sip.subList(1, sip.size()));
    }

    /** spec §4.5.5: trickled candidates reach the media; an empty list is the end of candidates. */
    @Test
    void trickledCandidatesReachTheMedia_spec_4_5_5() {
        callBob();
        receive(request("session-trickle", "t2", "s1", ",\"candidates\":[{\"candidate\":\"candidate:1 1 udp 1 "
                + "192.0.2.1 5000 typ host\",\"sdpMLineIndex\":0,\"sdpMid\":\"0\"}]"));
        receive(request("session-trickle", "t3", "s1", ",\"candidates\":[]"));
        assertEquals(List.of(ack("t2"), ack("t3")), transport.sent);
        assertEquals(List.of("candidate 0 0 candidate:1 1 udp 1 192.0.2.1 5000 typ host", "candidate null 0 null"),
                media);
    }

    /** spec §4.5.6: a local re-INVITE (local-updating) and a remote one (remote-updating), both back to established. */
    @Test
    void reInvitesBothWays_spec_4_5_6() {
        SipCall.Listener bob = callBob();
        bob.answered("answer", Map.of());
        transport.sent.clear();
        receive(request("session-update", "t2", "s1", ",\"sdp\":\"offer2\""));
        receive(request("session-update", "t3", "s1", ",\"sdp\":\"offer3\""));
        bob.reanswered("answer2");
        bob.reoffered("offer4");
        receive(request("session-update", "t4", "s1", ",\"sdp\":\"answer4\""));
        assertEquals(List.of(ack("t2"), error("t3", "Invalid state for updating session s1: local-updating"),
                "{\"sylkrtc\":\"session-event\",\"session\":\"s1\",\"event\":\"update\",\"state\":\"accepted\","
                        + "\"sdp\":\"browser-reanswer(answer2)\"}",
                "{\"sylkrtc\":\"session-event\",\"session\":\"s1\",\"event\":\"update\",\"state\":\"received\","
                        + "\"sdp\":\"browser-reoffer(offer4)\"}",
                ack("t4")), transport.sent);
        assertEquals(List.of("re-INVITE sip-reoffer(offer2)", "200 to re-INVITE sip-reanswer(answer4)"),
                sip.subList(1, 3));
    }

    /** RFC 3261 §14.2: a re-INVITE while ours is pending gets 491. */
    @Test
    void aCrossingReInviteGets491_rfc3261_s14_2() {
        SipCall.Listener bob = callBob();
        bob.answered("answer", Map.of());
        receive(request("session-update", "t2", "s1", ",\"sdp\":\"offer2\""));
        bob.reoffered("offer4");
        assertEquals("491 to re-INVITE", sip.get(sip.size() - 1));
    }

    /** spec §4.5.7: CPIM with the message id; the final response becomes a disposition notification. */
    @Test
    void inCallMessagesAreCpimAndReportTheirDelivery_spec_4_5_7() {
        SipCall.Listener bob = callBob();
        bob.answered("answer", Map.of());
        transport.sent.clear();
        receive(request("session-message", "t2", "s1", ",\"message_id\":\"m-1\",\"content\":\"hello\","
                + "\"content_type\":\"text/plain\",\"timestamp\":\"2025-05-01T10:00:00.000Z\""));
        bob.messageDelivered(200, "OK");
        bob.messageReceived("text/plain", "hi there".getBytes(StandardCharsets.UTF_8));
        String cpim = sip.get(1);
        assertTrue(cpim.startsWith("MESSAGE message/cpim\n"), cpim);
        assertTrue(cpim.contains("From: \"Alice\" <sip:alice@example.com>"), cpim);
        assertTrue(cpim.contains("To: <sip:bob@example.org>"), cpim);
        assertTrue(cpim.contains("imdn.Message-ID: m-1"), cpim);
        assertTrue(cpim.endsWith("\r\n\r\nhello"), cpim);
        assertEquals(ack("t2"), transport.sent.get(0));
        assertEquals("{\"sylkrtc\":\"session-event\",\"session\":\"s1\",\"event\":\"disposition-notification\","
                + "\"message_id\":\"m-1\",\"message_timestamp\":\"2025-05-01T10:00:00+00:00\",\"state\":\"accepted\","
                + "\"code\":200,\"reason\":\"OK\"}", transport.sent.get(1));
        assertTrue(transport.sent.get(2).startsWith("{\"sylkrtc\":\"session-event\",\"session\":\"s1\","
                + "\"event\":\"message\",\"sender\":{\"uri\":\"bob@example.org\",\"display_name\":null},"), transport.sent.get(2));
        assertTrue(transport.sent.get(2).endsWith("\"content_type\":\"text/plain\",\"content\":\"hi there\"}"),
                transport.sent.get(2));
    }

    /** spec §4.5.3: a BYE from the other side ends the call; closing the connection hangs up (§4.2). */
    @Test
    void byeFromTheRemoteSideAndConnectionCloseEndCalls_spec_4_5_3() {
        SipCall.Listener bob = callBob();
        bob.answered("answer", Map.of());
        bob.ended();
        receive(create("t2", "s2", "carol@example.org", "offer"));
        dialled.get(1).answered("answer", Map.of());
        connection.onClose(1000, "bye");
        assertEquals(state("s1", "terminated", ",\"reason\":\"200 OK\""), transport.sent.get(1));
        assertEquals("hang up", sip.get(sip.size() - 1));
        assertEquals(List.of("close", "close"), media);
    }

    private IncomingInvite invite() {
        return new IncomingInvite("8d1a2b3c@10.0.0.5", new SipIdentity("bob@example.org", "Bob"), "sipoffer",
                Map.of("X-Tenant", "acme", "Via", "SIP/2.0/UDP 10.0.0.5"));
    }

    private static final String INCOMING_ID = "494b06cf-b414-a951-898f-0a099e15a134";

    /**
     * spec §4.5.4: the call is offered to every connection with the account, session id from the Call-ID; the first
     * to answer gets it (200, accepted before the ack, established on the ACK), the other is told it ended.
     */
    @Test
    void anIncomingCallRingsEveryConnectionAndTheFirstAnswerWins_spec_4_5_4() {
        SylkRtcConnectionTest.RecordingTransport other = new SylkRtcConnectionTest.RecordingTransport();
        SylkRtcConnection second = connection(gateway, other);
        aliceRegisters(connection, transport, 200);
        aliceRegisters(second, other, 200);
        RecordingCall call = new RecordingCall("8d1a2b3c@10.0.0.5");
        SipCall.Listener sipSide = gateway.incoming().offer("alice@example.com", invite(), call, 603);
        String incoming = "{\"sylkrtc\":\"account-event\",\"account\":\"alice@example.com\",\"event\":\"incoming-session\","
                + "\"session\":\"" + INCOMING_ID + "\",\"originator\":{\"uri\":\"bob@example.org\",\"display_name\":\"Bob\"},"
                + "\"sdp\":\"browser-offer(sipoffer)\",\"call_id\":\"8d1a2b3c@10.0.0.5\",\"headers\":{\"X-Tenant\":\"acme\"}}";
        assertEquals(List.of(incoming), transport.sent);
        assertEquals(List.of(incoming), other.sent);
        receive(request("session-answer", "t1", INCOMING_ID, ",\"sdp\":\"answer\""));
        sipSide.confirmed();
        watchers.get(0).up();
        assertEquals(List.of(state(INCOMING_ID, "accepted", ""), ack("t1"), state(INCOMING_ID, "established", "")),
                transport.sent.subList(1, 4));
        assertEquals(state(INCOMING_ID, "terminated", ",\"reason\":\"200 Call completed elsewhere\""), other.sent.get(1));
        assertEquals(List.of("180", "200 sip-answer(answer)"), sip);
        receive(second, request("session-answer", "t2", INCOMING_ID, ",\"sdp\":\"answer\""));
        assertEquals(error("t2", "Unknown session " + INCOMING_ID), other.sent.get(2));
    }

    /** Issue 11 (RTP hijacking): the media of an incoming call learn where its INVITE came from. */
    @Test
    void theMediaOfAnIncomingCallLearnTheInvitesSipSource() {
        aliceRegisters(connection, transport, 200);
        gateway.incoming().offer("alice@example.com", invite(), new RecordingCall("8d1a2b3c@10.0.0.5"), 603);
        assertEquals(List.of(SIP_SOURCE), sipSources);
    }

    /** spec §4.5.4: declined (decline_code) only once every connection declined. */
    @Test
    void anIncomingCallIsDeclinedWhenEveryConnectionDeclines_spec_4_5_4() {
        SylkRtcConnectionTest.RecordingTransport other = new SylkRtcConnectionTest.RecordingTransport();
        SylkRtcConnection second = connection(gateway, other);
        aliceRegisters(connection, transport, 200);
        aliceRegisters(second, other, 200);
        gateway.incoming().offer("alice@example.com", invite(), new RecordingCall("8d1a2b3c@10.0.0.5"), 603);
        receive(request("session-terminate", "t1", INCOMING_ID, ""));
        assertEquals(List.of("180"), sip);
        second.onClose(1001, "gone");
        assertEquals(List.of("180", "decline 603"), sip);
        assertEquals(List.of(state(INCOMING_ID, "terminated", ",\"reason\":\"603 Decline\""), ack("t1")),
                transport.sent.subList(1, 3));
    }

    /** spec §4.5.4: the caller cancels: terminated and a missed-session event. */
    @Test
    void aCancelledIncomingCallIsMissed_spec_4_5_4() {
        aliceRegisters(connection, transport, 200);
        SipCall.Listener sipSide = gateway.incoming().offer("alice@example.com", invite(),
                new RecordingCall("8d1a2b3c@10.0.0.5"), 603);
        sipSide.cancelled();
        assertEquals(List.of(state(INCOMING_ID, "terminated", ",\"reason\":\"487 Request Terminated\""),
                "{\"sylkrtc\":\"account-event\",\"account\":\"alice@example.com\",\"event\":\"missed-session\","
                        + "\"originator\":{\"uri\":\"bob@example.org\",\"display_name\":\"Bob\"}}"),
                transport.sent.subList(1, 3));
    }

    /** A call nobody answers in time is declined with decline_code and reported as missed. */
    @Test
    void anUnansweredIncomingCallIsDeclinedAndMissed_spec_4_5_4() throws Exception {
        Gateway quick = gateway(Duration.ofMillis(50));
        SylkRtcConnectionTest.RecordingTransport client = new SylkRtcConnectionTest.RecordingTransport();
        SylkRtcConnection alice = connection(quick, client);
        aliceRegisters(alice, client, 200);
        quick.incoming().offer("alice@example.com", invite(), new RecordingCall("8d1a2b3c@10.0.0.5"), 603);
        // the single timer thread runs its tasks in time order: once this one ran, the timeout has fired
        timer.schedule(() -> { }, 100, TimeUnit.MILLISECONDS).get(5, TimeUnit.SECONDS);
        assertEquals(List.of("180", "decline 603"), sip);
        assertEquals(state(INCOMING_ID, "terminated", ",\"reason\":\"603 Decline\""), client.sent.get(1));
        assertTrue(client.sent.get(2).contains("\"event\":\"missed-session\""), client.sent.get(2));
    }

    /**
     * Issue 11, the hijack: a second connection adds the same account (any password) and registers with a wrong one,
     * a third only adds it; neither sees the call, which rings only where the account's registrar accepted the
     * credentials (spec §4.4 auth_state). With only the two of them, the call is not offered at all.
     */
    @Test
    void onlyConnectionsWhereTheAccountIsAuthenticatedGetItsCalls_issue11() {
        SylkRtcConnectionTest.RecordingTransport failedSent = new SylkRtcConnectionTest.RecordingTransport();
        SylkRtcConnection failed = connection(gateway, failedSent);
        SylkRtcConnectionTest.RecordingTransport addedSent = new SylkRtcConnectionTest.RecordingTransport();
        SylkRtcConnection added = connection(gateway, addedSent);
        aliceRegisters(failed, failedSent, 403);
        receive(added, addAlice("t0"));
        addedSent.sent.clear();
        assertEquals(null, gateway.incoming().offer("alice@example.com", invite(), new RecordingCall("c1@10.0.0.5"),
                603), "nobody may take alice's calls");
        aliceRegisters(connection, transport, 200);
        gateway.incoming().offer("alice@example.com", invite(), new RecordingCall("8d1a2b3c@10.0.0.5"), 603);
        assertTrue(transport.sent.get(0).contains("\"event\":\"incoming-session\""), transport.sent.toString());
        assertEquals(List.of(), failedSent.sent);
        assertEquals(List.of(), addedSent.sent);
    }

    /**
     * Issue 11: a client's extra headers (spec §4.4 {@code headers}) are X- headers and a few descriptive ones; identity
     * and routing headers, X-Sylk-* (SylkServer's own routing, spec §2.2), bad names and values with a CR LF (a header
     * smuggled in) are dropped, and the call goes on without them.
     */
    @Test
    void onlyApplicationHeadersOfTheClientReachSip_issue11() {
        receive(addAlice("t0"));
        String[][] headers = {{"From", "<sip:ceo@example.com>"}, {"P-Asserted-Identity", "<sip:ceo@example.com>"},
                {"p-preferred-identity", "<sip:ceo@example.com>"}, {"Contact", "<sip:evil@192.0.2.66>"},
                {"Via", "SIP/2.0/UDP 192.0.2.66"}, {"Route", "<sip:192.0.2.66;lr>"}, {"Call-ID", "x"},
                {"CSeq", "1 INVITE"}, {"Authorization", "Digest x"}, {"To", "<sip:x@example.com>"},
                {"X-Sylk-App", "conference"}, {"X-Bad", "1\\r\\nFrom: <sip:ceo@example.com>"}, {"X Bad", "1"},
                {"X-Campaign", "42"}, {"Subject", "hello"}};
        StringBuilder json = new StringBuilder();
        for (String[] header : headers) {
            json.append(json.length() == 0 ? "" : ",").append("{\"name\":\"").append(header[0])
                    .append("\",\"value\":\"").append(header[1]).append("\"}");
        }
        receive("{\"sylkrtc\":\"session-create\",\"transaction\":\"t1\",\"account\":\"alice@example.com\","
                + "\"session\":\"s1\",\"uri\":\"sip:bob@example.org\",\"sdp\":\"offer\",\"headers\":[" + json + "]}");
        assertEquals(List.of("INVITE bob@example.org from alice@example.com sip-offer(offer) X-Campaign: 42"
                + " Subject: hello"), sip);
        assertEquals(ack("t1"), transport.sent.get(transport.sent.size() - 1));
    }

    /** No connection has the account: the SIP side answers the INVITE itself. */
    @Test
    void aCallForAnAccountNobodyHasIsNotOffered() {
        assertEquals(null, gateway.incoming().offer("alice@example.com", invite(),
                new RecordingCall("8d1a2b3c@10.0.0.5"), 603));
        assertEquals(List.of(), sip);
    }

    /** Removing the account ends its calls. */
    @Test
    void removingTheAccountEndsItsCalls() {
        callBob();
        receive("{\"sylkrtc\":\"account-remove\",\"transaction\":\"t2\",\"account\":\"alice@example.com\"}");
        assertEquals(List.of(ack("t2")), transport.sent);
        assertEquals("hang up", sip.get(1));
        assertEquals(List.of("close"), media);
    }
}
