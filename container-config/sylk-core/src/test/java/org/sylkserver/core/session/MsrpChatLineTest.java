package org.sylkserver.core.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sylkserver.core.msrp.MsrpRoute;
import org.sylkserver.media.msrp.MsrpConnection;
import org.sylkserver.media.msrp.MsrpServer;
import org.sylkserver.protocols.cpim.CpimMessage;
import org.sylkserver.protocols.msrp.Continuation;
import org.sylkserver.protocols.msrp.MsrpHeader;
import org.sylkserver.protocols.msrp.MsrpRequest;
import org.sylkserver.protocols.msrp.MsrpUri;
import org.sylkserver.protocols.sdp.SessionDescription;

/**
 * The MSRP line of a call into a conference (a video room's chat bridge, a MUC occupant) over loopback TCP against a
 * plain MSRP endpoint playing the conference: the offer (CPIM, {@code a=setup:actpass}), both connection roles of
 * RFC 6135, messages asking for reports and their REPORT becoming the delivery (RFC 4975 §7.1.2), what the conference
 * sends acknowledged with a 200 REPORT, and nicknames asked for with NICKNAME (RFC 7701).
 */
class MsrpChatLineTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final ExecutorService connector = Executors.newCachedThreadPool();
    private MsrpServer ours;
    private MsrpServer conference;

    @AfterEach
    void stop() throws Exception {
        connector.shutdownNow();
        if (ours != null) {
            ours.close();
        }
        if (conference != null) {
            conference.close();
        }
    }

    /** What the line reports. */
    private static final class Reports implements ChatLine.Listener {
        final CountDownLatch connected = new CountDownLatch(1);
        final BlockingQueue<CpimMessage> received = new LinkedBlockingQueue<>();
        final BlockingQueue<String> closed = new LinkedBlockingQueue<>();
        /** Keeps the success REPORTs asked for instead of sending them at once. */
        volatile boolean holdReports;
        final BlockingQueue<ChatLine.Report> held = new LinkedBlockingQueue<>();

        @Override
        public void received(CpimMessage message, ChatLine.Report report) {
            if (holdReports) {
                held.add(report);
                received(message);
            } else {
                ChatLine.Listener.super.received(message, report);
            }
        }

        @Override
        public void connected() {
            connected.countDown();
        }

        @Override
        public void received(CpimMessage message) {
            received.add(message);
        }

        @Override
        public void closed(String why) {
            closed.add(why);
        }
    }

    /** The conference's session: it records the requests and the connection they came on. */
    private static final class Conference implements MsrpServer.Handler {
        final BlockingQueue<MsrpRequest> requests = new LinkedBlockingQueue<>();
        volatile MsrpConnection connection;

        @Override
        public int request(MsrpRequest request, MsrpConnection from) {
            connection = from;
            requests.add(request);
            // RFC 7701 §6.2: 425 for a nickname someone else uses
            return request.method().equals(MsrpRequest.NICKNAME)
                    && request.header("Use-Nickname").orElse("").equals("\"Romeo\"") ? 425 : 200;
        }
    }

    private MsrpChatLine line(Reports reports) throws Exception {
        ours = new MsrpServer(LOOPBACK, 0);
        conference = new MsrpServer(LOOPBACK, 0);
        return new MsrpChatLine(new MsrpRoute(ours, null, "TCP/MSRP"), connector, LOOPBACK, 65536, reports);
    }

    private static String answer(MsrpUri conferenceSession, int port, String setup) {
        return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=message " + port
                + " TCP/MSRP *\r\na=path:" + conferenceSession + "\r\na=accept-types:message/cpim\r\na=setup:" + setup
                + "\r\n";
    }

    private static MsrpUri path(String offer) throws Exception {
        String value = SessionDescription.parse(offer).media().get(0).attributes("path").get(0).trim();
        return MsrpUri.parse(value);
    }

    private static CpimMessage hello() {
        return CpimMessage.builder().from(new CpimMessage.Address("Alice", "sip:alice@example.com"))
                .to(CpimMessage.Address.of("sip:room1@conference.example.com"))
                .contentHeader("Content-Type", "text/plain").content("hello".getBytes(StandardCharsets.UTF_8)).build();
    }

    /**
     * RFC 6135: the conference answers passive, so the line connects and binds; a message asks for reports and the
     * conference's success REPORT is its delivery (RFC 4975 §7.1.2).
     */
    @Test
    void weConnectWhenTheAnswerIsPassive_rfc6135() throws Exception {
        Reports reports = new Reports();
        MsrpChatLine line = line(reports);
        String offer = line.offer();
        assertTrue(offer.contains("m=message " + ours.port() + " TCP/MSRP *"), offer);
        assertTrue(offer.contains("a=accept-types:message/cpim") && offer.contains("a=setup:actpass"), offer);
        Conference room = new Conference();
        MsrpUri session = conference.open(room);
        line.answered(answer(session, conference.port(), "passive"));
        assertTrue(reports.connected.await(5, TimeUnit.SECONDS), "the line connected and bound");
        MsrpRequest bind = room.requests.poll(5, TimeUnit.SECONDS);
        assertNotNull(bind);
        assertEquals(path(offer), bind.fromPath().get(0));

        BlockingQueue<String> delivery = new LinkedBlockingQueue<>();
        line.send(hello(), (code, reason) -> delivery.add(code + " " + reason));
        MsrpRequest sent = room.requests.poll(5, TimeUnit.SECONDS);
        assertNotNull(sent);
        assertEquals("yes", sent.successReport().orElseThrow());
        assertEquals("yes", sent.failureReport().orElseThrow());
        assertEquals(CpimMessage.CONTENT_TYPE, sent.contentType().orElseThrow());
        assertEquals("hello", new String(CpimMessage.parse(sent.body()).content(), StandardCharsets.UTF_8));
        assertEquals(null, delivery.poll(300, TimeUnit.MILLISECONDS), "the 200 response is not the delivery");
        room.connection.send(MsrpRequest.successReport("rep00001", sent, session, sent.body().length));
        assertEquals("200 OK", delivery.poll(5, TimeUnit.SECONDS));

        line.close();
        assertEquals(null, reports.closed.poll(300, TimeUnit.MILLISECONDS), "closing is no loss");
    }

    /**
     * A conference that answers the SEND with 200 but never sends the REPORT asked for (RFC 4975 §7.1.2): the message
     * fails with 408 once the report timeout has passed, instead of staying pending until the chat ends; a REPORT
     * after that changes nothing.
     */
    @Test
    void aMessageWithoutAReportFailsWith408() throws Exception {
        Reports reports = new Reports();
        ours = new MsrpServer(LOOPBACK, 0);
        conference = new MsrpServer(LOOPBACK, 0);
        MsrpChatLine line = new MsrpChatLine(new MsrpRoute(ours, null, "TCP/MSRP"), connector, LOOPBACK, 65536,
                reports, Duration.ofSeconds(1));
        line.offer();
        Conference room = new Conference();
        MsrpUri session = conference.open(room);
        line.answered(answer(session, conference.port(), "passive"));
        assertTrue(reports.connected.await(5, TimeUnit.SECONDS), "the line connected and bound");
        assertNotNull(room.requests.poll(5, TimeUnit.SECONDS), "the bind");

        BlockingQueue<String> delivery = new LinkedBlockingQueue<>();
        line.send(hello(), (code, reason) -> delivery.add(code + " " + reason));
        MsrpRequest sent = room.requests.poll(5, TimeUnit.SECONDS);
        assertNotNull(sent);
        assertEquals(null, delivery.poll(300, TimeUnit.MILLISECONDS), "still waiting for its REPORT");
        assertEquals("408 No REPORT within 1 s", delivery.poll(5, TimeUnit.SECONDS));
        room.connection.send(MsrpRequest.successReport("rep00002", sent, session, sent.body().length));
        assertEquals(null, delivery.poll(300, TimeUnit.MILLISECONDS), "one outcome per message");
        line.close();
    }

    /**
     * RFC 6135: the conference answers active and connects itself; what it sends is taken when CPIM (a 200 REPORT
     * when asked for, RFC 4975 §7.1.2) and refused with 415 otherwise; its connection closing ends the line.
     */
    @Test
    void theConferenceConnectsWhenItAnswersActive_rfc6135() throws Exception {
        Reports reports = new Reports();
        MsrpChatLine line = line(reports);
        MsrpUri ourPath = path(line.offer());
        Conference room = new Conference();
        MsrpUri session = conference.open(room);
        line.answered(answer(session, conference.port(), "active"));
        MsrpConnection connection = conference.connect(session, List.of(ourPath));
        assertTrue(reports.connected.await(5, TimeUnit.SECONDS), "the conference's binding SEND brought it up");

        byte[] cpim = hello().toBytes();
        MsrpRequest message = new MsrpRequest("snd00001", MsrpRequest.SEND, List.of(ourPath), List.of(session),
                List.of(new MsrpHeader("Message-ID", "msg00001"), new MsrpHeader("Success-Report", "yes"),
                        new MsrpHeader("Byte-Range", "1-" + cpim.length + "/" + cpim.length),
                        new MsrpHeader("Content-Type", CpimMessage.CONTENT_TYPE)), cpim, Continuation.COMPLETE);
        assertEquals(200, connection.transaction(message).get(5, TimeUnit.SECONDS).code());
        CpimMessage received = reports.received.poll(5, TimeUnit.SECONDS);
        assertNotNull(received);
        assertEquals("sip:alice@example.com", received.from().orElseThrow().uri());
        MsrpRequest report = room.requests.poll(5, TimeUnit.SECONDS);
        assertNotNull(report, "the line reported the message");
        assertEquals(MsrpRequest.REPORT, report.method());
        assertEquals("msg00001", report.messageId().orElseThrow());
        assertEquals(200, report.status().orElseThrow().code());

        byte[] text = "not cpim".getBytes(StandardCharsets.UTF_8);
        MsrpRequest raw = new MsrpRequest("snd00002", MsrpRequest.SEND, List.of(ourPath), List.of(session),
                List.of(new MsrpHeader("Message-ID", "msg00002"),
                        new MsrpHeader("Byte-Range", "1-" + text.length + "/" + text.length),
                        new MsrpHeader("Content-Type", "text/plain")), text, Continuation.COMPLETE);
        assertEquals(415, connection.transaction(raw).get(5, TimeUnit.SECONDS).code());

        connection.close();
        assertNotNull(reports.closed.poll(5, TimeUnit.SECONDS), "a lost connection ends the line");
        line.close();
    }

    /**
     * A call to us offering a chat (spec §5.4.3): the line answers the chat line active when the offer says actpass
     * (RFC 6135), declines the other lines with port 0 (RFC 3264 §6), connects and binds; a message asking for a
     * success report is reported only when the listener sends its report (a later delivery, RFC 4975 §7.1.2).
     */
    @Test
    void aCallsOfferIsAnswered_rfc6135_rfc3264_6() throws Exception {
        Reports reports = new Reports();
        reports.holdReports = true;
        MsrpChatLine line = line(reports);
        Conference caller = new Conference();
        MsrpUri session = conference.open(caller);
        String offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
                + "m=message " + conference.port() + " TCP/MSRP *\r\na=path:" + session
                + "\r\na=accept-types:message/cpim text/plain\r\na=setup:actpass\r\n";
        String answer = line.answer(offer);
        SessionDescription answered = SessionDescription.parse(answer);
        assertEquals(0, answered.media().get(0).port(), answer);
        assertEquals("active", answered.media().get(1).attributes("setup").get(0), answer);
        assertTrue(reports.connected.await(5, TimeUnit.SECONDS), "the line connected and bound");
        MsrpRequest bind = caller.requests.poll(5, TimeUnit.SECONDS);
        assertNotNull(bind);
        MsrpUri ourPath = MsrpUri.parse(answered.media().get(1).attributes("path").get(0).trim());

        byte[] cpim = hello().toBytes();
        MsrpRequest message = new MsrpRequest("snd00001", MsrpRequest.SEND, List.of(ourPath), List.of(session),
                List.of(new MsrpHeader("Message-ID", "msg00001"), new MsrpHeader("Success-Report", "yes"),
                        new MsrpHeader("Byte-Range", "1-" + cpim.length + "/" + cpim.length),
                        new MsrpHeader("Content-Type", CpimMessage.CONTENT_TYPE)), cpim, Continuation.COMPLETE);
        assertEquals(200, caller.connection.transaction(message).get(5, TimeUnit.SECONDS).code());
        assertNotNull(reports.received.poll(5, TimeUnit.SECONDS));
        ChatLine.Report report = reports.held.poll(5, TimeUnit.SECONDS);
        assertNotNull(report);
        assertEquals(null, caller.requests.poll(300, TimeUnit.MILLISECONDS), "no REPORT before the delivery");
        report.send();
        report.send();
        MsrpRequest sent = caller.requests.poll(5, TimeUnit.SECONDS);
        assertNotNull(sent, "the held report went");
        assertEquals(MsrpRequest.REPORT, sent.method());
        assertEquals("msg00001", sent.messageId().orElseThrow());
        assertEquals(200, sent.status().orElseThrow().code());
        assertEquals(null, caller.requests.poll(300, TimeUnit.MILLISECONDS), "one REPORT only");

        // not delivered (spec §5.4.3: no receipt in time): a failure REPORT with the code, once
        MsrpRequest second = new MsrpRequest("snd00002", MsrpRequest.SEND, List.of(ourPath), List.of(session),
                List.of(new MsrpHeader("Message-ID", "msg00002"), new MsrpHeader("Success-Report", "yes"),
                        new MsrpHeader("Byte-Range", "1-" + cpim.length + "/" + cpim.length),
                        new MsrpHeader("Content-Type", CpimMessage.CONTENT_TYPE)), cpim, Continuation.COMPLETE);
        assertEquals(200, caller.connection.transaction(second).get(5, TimeUnit.SECONDS).code());
        ChatLine.Report failing = reports.held.poll(5, TimeUnit.SECONDS);
        assertNotNull(failing);
        failing.fail(408, "Request Timeout");
        failing.fail(408, "Request Timeout");
        failing.send();
        MsrpRequest failure = caller.requests.poll(5, TimeUnit.SECONDS);
        assertNotNull(failure, "the failure report went");
        assertEquals(MsrpRequest.REPORT, failure.method());
        assertEquals("msg00002", failure.messageId().orElseThrow());
        assertEquals(408, failure.status().orElseThrow().code());
        assertEquals(null, caller.requests.poll(300, TimeUnit.MILLISECONDS), "one REPORT only");

        // RFC 4975 §7.1.2: a sender that says Failure-Report: no gets none
        MsrpRequest quiet = new MsrpRequest("snd00003", MsrpRequest.SEND, List.of(ourPath), List.of(session),
                List.of(new MsrpHeader("Message-ID", "msg00003"), new MsrpHeader("Success-Report", "yes"),
                        new MsrpHeader("Failure-Report", "no"),
                        new MsrpHeader("Byte-Range", "1-" + cpim.length + "/" + cpim.length),
                        new MsrpHeader("Content-Type", CpimMessage.CONTENT_TYPE)), cpim, Continuation.COMPLETE);
        caller.connection.send(quiet); // RFC 4975 §7.1.1: Failure-Report "no" gets no transaction response either
        ChatLine.Report unwanted = reports.held.poll(5, TimeUnit.SECONDS);
        assertNotNull(unwanted);
        unwanted.fail(503, "Service Unavailable");
        assertEquals(null, caller.requests.poll(300, TimeUnit.MILLISECONDS), "no failure REPORT asked for");
        line.close();
    }

    /**
     * RFC 7701 §6.1: a nickname goes as a NICKNAME request in the session with the name in Use-Nickname as a quoted
     * string (RFC 4975 §9 escapes); its response's status is the outcome, 425 when another participant has it
     * (§6.2), and asking before the session is up fails at once.
     */
    @Test
    void aNicknameIsAskedForWithNickname_rfc7701_6() throws Exception {
        Reports reports = new Reports();
        MsrpChatLine line = line(reports);
        line.offer();
        BlockingQueue<String> outcomes = new LinkedBlockingQueue<>();
        line.nickname("early", (code, reason) -> outcomes.add(code + " " + reason));
        assertEquals("0 " + ChatLine.ENDED_REASON, outcomes.poll(5, TimeUnit.SECONDS), "no session yet");

        Conference room = new Conference();
        MsrpUri session = conference.open(room);
        line.answered(answer(session, conference.port(), "passive"));
        assertTrue(reports.connected.await(5, TimeUnit.SECONDS));
        assertNotNull(room.requests.poll(5, TimeUnit.SECONDS), "the binding SEND");

        line.nickname("Juliet \"J\"", (code, reason) -> outcomes.add(code + " " + reason));
        MsrpRequest nickname = room.requests.poll(5, TimeUnit.SECONDS);
        assertNotNull(nickname);
        assertEquals(MsrpRequest.NICKNAME, nickname.method());
        assertEquals("\"Juliet \\\"J\\\"\"", nickname.header("Use-Nickname").orElseThrow());
        assertEquals(List.of(session), nickname.toPath());
        assertEquals("200 OK", outcomes.poll(5, TimeUnit.SECONDS));

        line.nickname("Romeo", (code, reason) -> outcomes.add(code + " " + reason));
        assertTrue(outcomes.poll(5, TimeUnit.SECONDS).startsWith("425 "), "taken");
        line.close();
    }
}
