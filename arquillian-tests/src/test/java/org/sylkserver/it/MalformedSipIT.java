package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken SIP (RFC 3261 §7, §20) gets a clear error or is dropped, and the server keeps serving
 * everyone else: after each case a normal request still succeeds.
 */
@ExtendWith(ArquillianExtension.class)
class MalformedSipIT {

    @Deployment(testable = false)
    static EnterpriseArchive echo() {
        return Archives.all();
    }

    @TempDir
    Path work;

    private void assertServerStillAnswers() throws Exception {
        Sipp.Result result = Sipp.scenario(work.resolve("check-" + System.nanoTime()),
                Scenarios.request("OPTIONS", "echo", List.of(), 200)).run();
        assertEquals(0, result.exitCode(), result::toString);
    }

    /**
     * RFC 3261 §8.2.1, §21.5.2: a method SIP does not define gets 501, a REGISTER (no application is a registrar)
     * 405 with Allow, both from the application the rules select. The container answered both 404 itself, logging a
     * DispatcherException with its stack trace at ERROR for each.
     */
    @Test
    void unknownMethodGets501AndRegister405WithoutAStackTrace_rfc3261_s8_2_1() throws Exception {
        long before = ServerLogs.count("DispatcherException");
        Sipp.Result unknown = Sipp.scenario(work.resolve("unknown"),
                Scenarios.request("NEWMETHOD", "somebody", List.of(), 501)).run();
        assertEquals(0, unknown.exitCode(), unknown::toString);
        Sipp.Result register = Sipp.scenario(work.resolve("register"),
                Scenarios.request("REGISTER", "somebody", List.of("Expires: 60"), 405, "Allow: INVITE")).run();
        assertEquals(0, register.exitCode(), register::toString);
        assertEquals(before, ServerLogs.count("DispatcherException"), "no new stack trace in the server log");
    }

    /**
     * RFC 3261 §12.2.2: a BYE of no dialog we have (here without a To tag, as sipp sends one for a call it gave up on)
     * gets 481. The container logged each at ERROR with the request and a stack trace, about 30 lines a stranger
     * could make us write per datagram; now one throttled line.
     */
    @Test
    void aByeOfNoDialogGets481WithoutAStackTrace_rfc3261_s12_2_2() throws Exception {
        long before = ServerLogs.count("DispatcherException");
        for (String user : List.of("echo", "room-of-nobody")) {
            Sipp.Result bye = Sipp.scenario(work.resolve("bye-" + user), Scenarios.request("BYE", user, List.of(), 481)).run();
            assertEquals(0, bye.exitCode(), bye::toString);
        }
        assertEquals(before, ServerLogs.count("DispatcherException"), "no new stack trace in the server log");
    }

    @Test
    void garbageDatagramsAreDropped() throws Exception {
        try (DatagramSocket socket = new DatagramSocket()) {
            InetAddress server = InetAddress.getByName(Sipp.SERVER);
            Random random = new Random(7);
            for (int i = 0; i < 200; i++) {
                byte[] junk = new byte[1 + random.nextInt(1400)];
                random.nextBytes(junk);
                socket.send(new DatagramPacket(junk, junk.length, server, Sipp.SIP_PORT));
            }
            byte[] huge = new byte[65000];
            java.util.Arrays.fill(huge, (byte) 'A');
            socket.send(new DatagramPacket(huge, huge.length, server, Sipp.SIP_PORT));
        }
        assertServerStillAnswers();
    }

    /**
     * A CSeq that does not parse leaves nothing to build a response from (RFC 3261 §8.2.6 copies CSeq): the message
     * gets no response (the stack's non-blocking listener drops it and leaves the connection to its idle timeout,
     * the blocking one closed it); other connections are not affected.
     */
    @Test
    void requestWithUnparseableCSeqOverTcpClosesOnlyThatConnection() throws Exception {
        try (SipConnection tcp = SipConnection.tcp(Sipp.SERVER, Sipp.SIP_PORT)) {
            String local = "127.0.0.1:" + tcp.localPort();
            tcp.send("OPTIONS sip:echo@127.0.0.1 SIP/2.0\n"
                    + "Via: SIP/2.0/TCP " + local + ";branch=z9hG4bK-bad1\n"
                    + "From: <sip:tester@127.0.0.1>;tag=b1\nTo: <sip:echo@127.0.0.1>\nCall-ID: bad-cseq-1\n"
                    + "CSeq: notanumber OPTIONS\nMax-Forwards: 70\nContent-Length: 0\n\n");
            try {
                assertEquals(null, tcp.receive(), "the connection is closed without a response");
            } catch (java.net.SocketTimeoutException noResponse) {
                // dropped without a response, the connection left open until tcp_idle_timeout
            }
        }
        assertServerStillAnswers();
    }

    /** RFC 3261 §12.2.2: a request inside a dialog the server does not have (it has a To tag) gets 481. */
    @Test
    void requestOfAnUnknownDialogGets481() throws Exception {
        String scenario = Scenarios.request("MESSAGE", "echo", List.of("Content-Type: text/plain"), "hello", 481)
                .replace("To: <sip:echo@[remote_ip]:[remote_port]>\n", "To: <sip:echo@[remote_ip]:[remote_port]>;tag=gone\n");
        assertTrue(scenario.contains(";tag=gone"), scenario);
        Sipp.Result result = Sipp.scenario(work, scenario).run();
        assertEquals(0, result.exitCode(), result::toString);
        assertServerStillAnswers();
    }

    @Test
    void messageWithBrokenCpimGets400WithTheReason() throws Exception {
        Sipp.Result result = Sipp.scenario(work, Scenarios.request("MESSAGE", "echo",
                List.of("Content-Type: message/cpim"), "this is not CPIM", 400, "SIP/2.0 400 Invalid CPIM")).run();
        assertEquals(0, result.exitCode(), result::toString);
        assertServerStillAnswers();
    }

    @Test
    void inviteWithBrokenSdpGets488WithAWarning() throws Exception {
        Sipp.Result result = Sipp.scenario(work, Scenarios.request("INVITE", "echo",
                List.of("Content-Type: application/sdp"), "v=0\nm=audio notaport RTP/AVP 0\n", 488,
                "Warning: 399 SylkServer")).run();
        assertEquals(0, result.exitCode(), result::toString);
        assertServerStillAnswers();
    }

    @Test
    void contentLengthLargerThanTheBodyDoesNotHangTheServer() throws Exception {
        try (SipConnection tcp = SipConnection.tcp(Sipp.SERVER, Sipp.SIP_PORT)) {
            tcp.sendRaw(("MESSAGE sip:echo@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK-x\r\n"
                    + "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:echo@127.0.0.1>\r\nCall-ID: short-body\r\n"
                    + "CSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: 5000\r\n\r\nhello")
                    .getBytes(StandardCharsets.UTF_8));
            assertServerStillAnswers();
        }
    }
}
