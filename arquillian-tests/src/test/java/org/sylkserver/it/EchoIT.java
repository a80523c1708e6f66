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
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The echo application (spec §6.1) driven by sipp over UDP, TCP and TLS, with real RTP. */
@ExtendWith(ArquillianExtension.class)
class EchoIT {

    @Deployment(testable = false)
    static WebArchive echo() {
        return Archives.echo();
    }

    @TempDir
    Path work;

    @Test
    void optionsIsAnsweredWithCapabilities() throws Exception {
        Sipp.Result result = Sipp.scenario(work, Scenarios.request("OPTIONS", "echo", List.of(), 200,
                "Allow:.*INVITE", "Accept:.*application/sdp", "Supported:", "Server: SylkServer-")).run();
        assertEquals(0, result.exitCode(), result::toString);
    }

    @Test
    void audioCallOverUdpEchoesRtpByteForByte() throws Exception {
        assertEchoCall("u1");
    }

    @Test
    void audioCallOverTcpEchoesRtp() throws Exception {
        assertEchoCall("t1");
    }

    @Test
    void audioCallOverTlsEchoesRtp() throws Exception {
        assertEchoCall("l1");
    }

    @Test
    void inviteWithoutSdpGets488() throws Exception {
        Sipp.Result result = Sipp.scenario(work, Scenarios.request("INVITE", "echo", List.of(), 488)).run();
        assertEquals(0, result.exitCode(), result::toString);
    }

    @Test
    void messageIsEchoedBackQuotedLineByLine() throws Exception {
        Sipp.Result result = Sipp.scenario(work, Scenarios.messageEcho("echo", "hello",
                "^Echo:", ">> hello")).run();
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.messages().contains("X-Sylk-To-Sip: yes"), result::toString);
    }

    /**
     * Places a call with sipp, sends RTP from the tester's media port to the port in the echo's answer and
     * checks that every packet comes back unchanged (symmetric RTP, RFC 4961).
     */
    private void assertEchoCall(String transport) throws Exception {
        try (DatagramSocket media = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            media.setSoTimeout(2000);
            Path portFile = work.resolve("echo-port");
            Sipp.Running call = Sipp.scenario(work, Scenarios.audioCall("echo", 6000)).transport(transport)
                    .set("rtpport", String.valueOf(media.getLocalPort()))
                    .set("portfile", portFile.toString()).start();
            int echoPort = awaitPort(portFile, call);
            InetAddress server = InetAddress.getByName(Sipp.SERVER);
            Random random = new Random(42);
            for (int seq = 0; seq < 25; seq++) {
                byte[] packet = rtpPacket(seq, random);
                media.send(new DatagramPacket(packet, packet.length, server, echoPort));
                byte[] buffer = new byte[2048];
                DatagramPacket received = new DatagramPacket(buffer, buffer.length);
                media.receive(received);
                assertArrayEquals(packet, Arrays.copyOf(buffer, received.getLength()), "RTP packet " + seq);
                assertEquals(echoPort, received.getPort(), "echo must answer from the port in its SDP");
            }
            Sipp.Result result = call.await();
            assertEquals(0, result.exitCode(), result::toString);
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
