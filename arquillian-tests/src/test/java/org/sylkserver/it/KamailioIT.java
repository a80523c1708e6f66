package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's headline scenarios through a real proxy: Kamailio (started by the test, on a port of its own on
 * loopback) is the registrar of domain example.net, where baresip phones register with digest authentication
 * (RFC 3261 §10, §22), and the gateway's outbound proxy. A sylkRTC client registers its account there through the
 * server and calls a phone registered at Kamailio; a room asked by REFER adds such a phone and removes it again.
 * Requests the applications originate must reach the network (Kamailio), never the container's local rules.
 */
@ExtendWith(ArquillianExtension.class)
class KamailioIT {

    private static final String DOMAIN = "example.net";
    private static final String PASSWORD = "secret";
    private static final Duration SETUP = Duration.ofSeconds(20);
    private static final int PROXY_PORT = Sipp.freePortUnchecked();

    private static final String PROXY = "127.0.0.1:" + PROXY_PORT;
    private static Process kamailio;
    private static Path kamailioLog;

    /** The gateway's outbound proxy and SIP domain are Kamailio's (every application deployed). */
    @Deployment(testable = false)
    static EnterpriseArchive all() throws IOException {
        ServerConfig.write("webrtcgateway.ini", "[General]\noutbound_sip_proxy = " + PROXY + ";transport=udp\nsip_domains = "
                + DOMAIN + "\n");
        return Archives.all();
    }

    /** Kamailio's configuration and log (a static field: Arquillian's extension resolves no method parameters). */
    @TempDir
    static Path kamailioDir;

    @BeforeAll
    static void startKamailio() throws Exception {
        Path dir = kamailioDir;
        String script;
        try (InputStream in = KamailioIT.class.getResourceAsStream("/kamailio/kamailio.cfg")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("@PORT@", String.valueOf(PROXY_PORT));
        }
        Path config = Files.writeString(dir.resolve("kamailio.cfg"), script);
        kamailioLog = dir.resolve("kamailio.log");
        // -DD: in the foreground with its worker processes; -E: log to stderr; no run directory needed (no ctl)
        kamailio = new ProcessBuilder("kamailio", "-f", config.toString(), "-DD", "-E", "-m", "32", "-M", "8",
                "-Y", dir.toString(), "-P", dir.resolve("kamailio.pid").toString())
                .redirectErrorStream(true).redirectOutput(kamailioLog.toFile()).start();
        awaitKamailioLog("SO_RCVBUF is finally", Duration.ofSeconds(20));
    }

    @AfterAll
    static void stopKamailio() throws Exception {
        if (kamailio != null) {
            kamailio.destroy();
            if (!kamailio.waitFor(10, TimeUnit.SECONDS)) {
                kamailio.destroyForcibly();
            }
        }
    }

    @TempDir
    Path work;

    /**
     * spec §4.5.2, §4.5.3 through a proxy: the account's REGISTER leaves through the outbound proxy and is
     * challenged by Kamailio (401, digest in realm example.net), the call goes to the phone Kamailio found in its
     * location table, and the hang-up reaches the phone.
     */
    @Test
    void aSylkRtcClientRegistersAtKamailioAndCallsAPhoneRegisteredThere() throws Exception {
        try (Baresip alice = Baresip.registered(work.resolve("alice"), "alice", DOMAIN, PASSWORD, PROXY,
                Baresip.Codec.PCMU, 440)) {
            alice.await(line -> line.contains("200 OK") && line.contains("binding"), SETUP, "alice's registration");
            SylkRtcClient bob = SylkRtcClient.connect("sylkRTC-2");
            try {
                assertEquals("{\"sylkrtc\":\"ready-event\"}", bob.next());
                bob.send("{\"sylkrtc\":\"account-add\",\"transaction\":\"t0\",\"account\":\"bob@" + DOMAIN
                        + "\",\"password\":\"" + SylkRtcCallIT.md5("bob:" + DOMAIN + ":" + PASSWORD) + "\"}");
                assertEquals(SylkRtcCallIT.ack("t0"), bob.next());
                bob.send("{\"sylkrtc\":\"account-register\",\"transaction\":\"r1\",\"account\":\"bob@" + DOMAIN + "\"}");
                assertEquals(SylkRtcCallIT.ack("r1"), bob.next());
                assertEquals(registrationState("registering"), bob.next());
                assertEquals(registrationState("registered"), bob.next(SETUP));
                awaitKamailioLog("registered sip:bob@" + DOMAIN, SETUP);

                bob.send("{\"sylkrtc\":\"session-create\",\"transaction\":\"t1\",\"account\":\"bob@" + DOMAIN
                        + "\",\"session\":\"s1\",\"uri\":\"alice@" + DOMAIN + "\",\"sdp\":\""
                        + SylkRtcCallIT.BROWSER_OFFER + "\"}");
                String accepted = SylkRtcCallIT.state("s1", "accepted");
                String frame;
                do {
                    frame = bob.next(SETUP);
                    assertTrue(frame != null && !frame.contains("\"terminated\""), "the call failed: " + frame);
                } while (!frame.startsWith(accepted));
                awaitKamailioLog("INVITE for sip:alice@" + DOMAIN, SETUP);
                alice.await(line -> line.contains("Call established") || line.contains("call established"), SETUP,
                        "alice answers the call from bob");

                bob.send("{\"sylkrtc\":\"session-terminate\",\"transaction\":\"t2\",\"session\":\"s1\"}");
                do {
                    frame = bob.next(SETUP);
                    assertTrue(frame != null, "no terminated state");
                } while (!frame.startsWith(SylkRtcCallIT.state("s1", "terminated")));
                alice.await(line -> line.toLowerCase().contains("closed") || line.contains("terminated"), SETUP,
                        "the hang-up reaches alice");
            } finally {
                bob.close();
            }
        }
    }

    /**
     * RFC 4579 §5.5, §5.11 through a proxy: a participant's REFER makes the room call a phone's address at Kamailio,
     * which relays the INVITE to where the phone registered; the sipfrag ends in 200, the phone is in the room, and
     * a REFER with method=BYE takes it out. (The room's INVITE used to come back into the container: 404.)
     */
    @Test
    void aReferAsksARoomToAddAPhoneRegisteredAtKamailio() throws Exception {
        try (Baresip carol = Baresip.registered(work.resolve("carol"), "carol", DOMAIN, PASSWORD, PROXY,
                Baresip.Codec.PCMU, 700);
             Baresip grace = Baresip.dial(work.resolve("grace"), "grace", Baresip.Codec.PCMU, 440, null,
                     "sip:kamailio-room@" + Sipp.SERVER + ":" + Sipp.SIP_PORT)) {
            carol.await(line -> line.contains("200 OK") && line.contains("binding"), SETUP, "carol's registration");
            grace.await(line -> line.contains("Call established"), SETUP, "grace in the room");
            ServerLogs.await("grace@127.0.0.1 (", SETUP);
            String target = "<sip:carol@" + PROXY + ">";
            Sipp.Result add = Sipp.scenario(work.resolve("add"), Scenarios.referToRoom("kamailio-room", "grace", target,
                    "SIP/2\\.0 200")).run();
            assertEquals(0, add.exitCode(), add::toString);
            awaitKamailioLog("INVITE for sip:carol@" + PROXY, SETUP);
            carol.await(line -> line.contains("Call established") || line.contains("call established"), SETUP,
                    "carol answers the room");
            ServerLogs.await("joined room kamailio-room@127.0.0.1 (2 sessions", SETUP);

            Sipp.Result remove = Sipp.scenario(work.resolve("remove"), Scenarios.referToRoom("kamailio-room", "grace",
                    "<sip:carol@" + PROXY + ";method=BYE>", "SIP/2\\.0 200")).run();
            assertEquals(0, remove.exitCode(), remove::toString);
            ServerLogs.await("left room kamailio-room@127.0.0.1: removed by grace@", SETUP);
            carol.await(line -> line.toLowerCase().contains("closed") || line.contains("terminated"), SETUP,
                    "the room's BYE reaches carol through Kamailio");
        }
    }

    private static String registrationState(String state) {
        return "{\"sylkrtc\":\"account-event\",\"account\":\"bob@" + DOMAIN + "\",\"event\":\"registration-state\","
                + "\"state\":\"" + state + "\"}";
    }

    private static void awaitKamailioLog(String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.readString(kamailioLog, StandardCharsets.ISO_8859_1).contains(text)) {
            if (!kamailio.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("Kamailio did not log \"" + text + "\":\n"
                        + Files.readString(kamailioLog, StandardCharsets.ISO_8859_1));
            }
            Thread.sleep(100);
        }
    }
}
