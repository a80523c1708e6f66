package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The echo application (spec §6.1) driven by sipp over UDP, TCP and TLS, with real RTP. */
@ExtendWith(ArquillianExtension.class)
class EchoIT {

    @Deployment(testable = false)
    static EnterpriseArchive echo() {
        return Archives.all();
    }

    @TempDir
    Path work;

    @Test
    void optionsIsAnsweredWithCapabilities() throws Exception {
        Sipp.Result result = Sipp.scenario(work, Scenarios.request("OPTIONS", "echo", List.of(), 200,
                "Allow:.*INVITE", "Accept:.*application/sdp", "Supported:", "Server: SylkServer-")).run();
        assertEquals(0, result.exitCode(), result::toString);
        // arquillian.xml turns [Server] trace_sip on: both directions are in the trace file (spec §7.3)
        Path trace = Path.of(System.getProperty("sylk.work", "target/sylk-it"), "var/log/sylkserver/sip_trace.log");
        String traced = Files.readString(trace);
        assertTrue(traced.contains("OPTIONS sip:echo@127.0.0.1:" + Sipp.SIP_PORT) && traced.contains("isSender=\"true\""),
                "SIP trace in " + trace);
    }

    @Test
    void audioCallOverUdpEchoesPcmuThroughTheServersCodec() throws Exception {
        assertEchoCall("u1");
    }

    @Test
    void audioCallOverTcpEchoesRtp() throws Exception {
        assertEchoCall("t1");
    }

    /** RFC 4733 §2.3 telephone-events (PT 101 as offered) sent into an echo call are reported once each. */
    @Test
    void dtmfKeyPressesAreReportedOnceEach_rfc4733() throws Exception {
        try (DatagramSocket media = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            media.setSoTimeout(2000);
            Path portFile = work.resolve("echo-port");
            Sipp.Running call = Sipp.scenario(work, Scenarios.audioCall("echo", media.getLocalPort(), portFile, 4000)).start();
            int echoPort = awaitPort(portFile, call);
            InetAddress server = InetAddress.getByName(Sipp.SERVER);
            int seq = 1000;
            long timestamp = 160_000;
            for (char digit : new char[] {'5', '#'}) {
                int event = digit == '#' ? 11 : digit - '0';
                // start (marker), two updates, then the end packet three times (RFC 4733 §2.5.1)
                int[][] packets = {{1, 0, 400}, {0, 0, 800}, {0, 0, 1200}, {0, 1, 1600}, {0, 1, 1600}, {0, 1, 1600}};
                for (int[] p : packets) {
                    ByteBuffer rtp = ByteBuffer.allocate(16);
                    rtp.put((byte) 0x80).put((byte) ((p[0] == 1 ? 0x80 : 0) | 101)).putShort((short) seq++)
                            .putInt((int) timestamp).putInt(0x5eed1234);
                    rtp.put((byte) event).put((byte) ((p[1] == 1 ? 0x80 : 0) | 10)).putShort((short) p[2]);
                    media.send(new DatagramPacket(rtp.array(), 16, server, echoPort));
                    media.receive(new DatagramPacket(new byte[2048], 2048));
                }
                timestamp += 3200;
            }
            assertEquals(0, call.await().exitCode());
        }
        String log = Files.readString(Path.of(System.getProperty("sylk.work", "target/sylk-it"), "server.log"));
        assertEquals(1, count(log, "DTMF 5 from sip:tester@"), "digit 5 reported exactly once");
        assertEquals(1, count(log, "DTMF # from sip:tester@"), "digit # reported exactly once");
        assertTrue(log.contains("DTMF 5 from sip:tester@127.0.0.1:") && log.contains("(200 ms)"), "duration 1600/8000 s");
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    /** Debian's sipp has no TLS, so this call is placed by the JDK's TLS client with hand-written SIP. */
    @Test
    void audioCallOverTlsEchoesRtp() throws Exception {
        try (SipConnection tls = SipConnection.tls(Sipp.SERVER, Sipp.TLS_PORT);
             DatagramSocket media = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            assertTrue(tls.peerCertificate().getSubjectX500Principal().getName().contains("O=SylkServer"),
                    "the self-signed certificate created on first start is presented");
            media.setSoTimeout(2000);
            String callId = "tls-" + System.nanoTime();
            String local = "127.0.0.1:" + tls.localPort();
            String sdp = "v=0\no=tester 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n"
                    + "m=audio " + media.getLocalPort() + " RTP/AVP 0\na=rtpmap:0 PCMU/8000\n";
            String sdpCrlf = sdp.replace("\n", "\r\n");
            tls.send("INVITE sip:echo@127.0.0.1:" + Sipp.TLS_PORT + ";transport=tls SIP/2.0\n"
                    + "Via: SIP/2.0/TLS " + local + ";branch=z9hG4bK-" + callId + "-1\n"
                    + "From: <sip:tester@127.0.0.1>;tag=tls1\nTo: <sip:echo@127.0.0.1>\nCall-ID: " + callId + "\n"
                    + "CSeq: 1 INVITE\nContact: <sip:tester@" + local + ";transport=tls>\nMax-Forwards: 70\n"
                    + "Content-Type: application/sdp\nContent-Length: " + sdpCrlf.length() + "\n\n" + sdp);
            String ok = tls.receiveFinal();
            assertTrue(ok.startsWith("SIP/2.0 200"), ok);
            java.util.regex.Matcher port = java.util.regex.Pattern.compile("m=audio (\\d+) ").matcher(ok);
            java.util.regex.Matcher to = java.util.regex.Pattern.compile("(?m)^To: (.*)$").matcher(ok);
            assertTrue(port.find() && to.find(), ok);
            String toHeader = to.group(1).trim();
            tls.send("ACK sip:echo@127.0.0.1:" + Sipp.TLS_PORT + ";transport=tls SIP/2.0\n"
                    + "Via: SIP/2.0/TLS " + local + ";branch=z9hG4bK-" + callId + "-2\n"
                    + "From: <sip:tester@127.0.0.1>;tag=tls1\nTo: " + toHeader + "\nCall-ID: " + callId + "\n"
                    + "CSeq: 1 ACK\nMax-Forwards: 70\nContent-Length: 0\n\n");
            assertRtpEchoed(media, Integer.parseInt(port.group(1)));
            tls.send("BYE sip:echo@127.0.0.1:" + Sipp.TLS_PORT + ";transport=tls SIP/2.0\n"
                    + "Via: SIP/2.0/TLS " + local + ";branch=z9hG4bK-" + callId + "-3\n"
                    + "From: <sip:tester@127.0.0.1>;tag=tls1\nTo: " + toHeader + "\nCall-ID: " + callId + "\n"
                    + "CSeq: 2 BYE\nMax-Forwards: 70\nContent-Length: 0\n\n");
            String byeOk = tls.receiveFinal();
            assertTrue(byeOk.startsWith("SIP/2.0 200") && byeOk.contains("CSeq: 2 BYE"), byeOk);
        }
    }

    @Test
    void reInviteToHoldIsAnsweredRecvonlyWithTheNextSdpVersion_rfc3264_s8_4() throws Exception {
        Sipp.Result result = Sipp.scenario(work, Scenarios.callPutOnHold("echo")).run();
        assertEquals(0, result.exitCode(), result::toString);
    }

    @Test
    void inviteWithoutSdpGets488() throws Exception {
        Sipp.Result result = Sipp.scenario(work, Scenarios.request("INVITE", "echo", List.of(), 488)).run();
        assertEquals(0, result.exitCode(), result::toString);
    }

    @Test
    void messageIsEchoedBackQuotedLineByLine() throws Exception {
        int replyPort = Sipp.freePort();
        Sipp.Running receiver = Sipp.scenario(work.resolve("receiver"), Scenarios.messageReceive("^Echo:", ">> hello"))
                .localPort(replyPort).start();
        Thread.sleep(300); // let the receiver bind its port
        Sipp.Result sent = Sipp.scenario(work.resolve("sender"), Scenarios.messageSend("echo", "hello", replyPort)).run();
        assertEquals(0, sent.exitCode(), sent::toString);
        Sipp.Result echoed = receiver.await();
        assertEquals(0, echoed.exitCode(), echoed::toString);
        assertTrue(echoed.messages().contains("X-Sylk-To-Sip: yes"), echoed::toString);
        assertTrue(echoed.messages().contains("From: <sip:echo@"), "From and To are swapped: " + echoed);
    }

    @Test
    void messageWithoutBodyGets400() throws Exception {
        Sipp.Result result = Sipp.scenario(work, Scenarios.request("MESSAGE", "echo",
                List.of("Content-Type: text/plain"), 400, "SIP/2.0 400 Empty body")).run();
        assertEquals(0, result.exitCode(), result::toString);
    }

    /**
     * Places a call with sipp, sends RTP from the tester's media port to the port in the echo's answer and
     * checks that every packet comes back unchanged (symmetric RTP, RFC 4961).
     */
    private void assertEchoCall(String transport) throws Exception {
        try (DatagramSocket media = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            media.setSoTimeout(2000);
            Path portFile = work.resolve("echo-port");
            Sipp.Running call = Sipp.scenario(work,
                    Scenarios.audioCall("echo", media.getLocalPort(), portFile, 6000)).transport(transport).start();
            assertRtpEchoed(media, awaitPort(portFile, call));
            Sipp.Result result = call.await();
            assertEquals(0, result.exitCode(), result::toString);
        }
    }

    /**
     * Sends PCMU packets and checks what comes back: the echo decodes and encodes PCMU again (issue 3), which
     * keeps every mu-law code except 0x7F ("negative zero", decoded to 0 and encoded as 0xFF); each packet
     * starts with 0x7F so that the test sees the round trip.
     */
    private static void assertRtpEchoed(DatagramSocket media, int echoPort) throws Exception {
        InetAddress server = InetAddress.getByName(Sipp.SERVER);
        Random random = new Random(42);
        for (int seq = 0; seq < 25; seq++) {
            byte[] packet = rtpPacket(seq, random);
            packet[12] = 0x7f;
            media.send(new DatagramPacket(packet, packet.length, server, echoPort));
            byte[] buffer = new byte[2048];
            DatagramPacket received = new DatagramPacket(buffer, buffer.length);
            media.receive(received);
            byte[] expected = packet.clone();
            for (int i = 12; i < expected.length; i++) {
                if (expected[i] == 0x7f) {
                    expected[i] = (byte) 0xff;
                }
            }
            assertArrayEquals(expected, Arrays.copyOf(buffer, received.getLength()), "RTP packet " + seq);
            assertEquals(echoPort, received.getPort(), "echo must answer from the port in its SDP");
        }
    }

    private static int awaitPort(Path portFile, Sipp.Running call) throws Exception {
        for (int i = 0; i < 150; i++) {
            if (Files.exists(portFile)) {
                String text = Files.readString(portFile).trim();
                if (!text.isEmpty()) {
                    return Integer.parseInt(text);
                }
            }
            if (!call.process().isAlive()) {
                throw new AssertionError("sipp ended before the call was answered: " + call.await());
            }
            Thread.sleep(100);
        }
        throw new AssertionError("echo did not answer within 15 s");
    }

    /** RFC 3550 §5.1 header (V=2, PT 0 PCMU) and 160 bytes of payload. */
    private static byte[] rtpPacket(int seq, Random random) {
        ByteBuffer packet = ByteBuffer.allocate(12 + 160);
        packet.put((byte) 0x80).put((byte) 0).putShort((short) seq).putInt(seq * 160).putInt(0x5eed1234);
        byte[] payload = new byte[160];
        random.nextBytes(payload);
        packet.put(payload);
        return packet.array();
    }
}
