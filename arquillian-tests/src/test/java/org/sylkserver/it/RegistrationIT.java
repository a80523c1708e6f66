package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * account-add / account-register / account-unregister (spec §4.5.2) from a WebSocket client, with a real SIP
 * REGISTER exchange against a sipp registrar stand-in that checks the digest credentials computed from the HA1.
 */
@ExtendWith(ArquillianExtension.class)
class RegistrationIT {

    private static final int REGISTRAR_PORT;

    static {
        try {
            REGISTRAR_PORT = Sipp.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The gateway reads webrtcgateway.ini when it is deployed: write it first (outbound proxy = the registrar). */
    @Deployment(testable = false)
    static EnterpriseArchive gateway() throws IOException {
        ServerConfig.write("webrtcgateway.ini", "[General]\noutbound_sip_proxy = 127.0.0.1:" + REGISTRAR_PORT
                + ";transport=udp\nsip_domains = example.com\n");
        return Archives.all();
    }

    @TempDir
    Path work;

    private static String ha1(String user, String realm, String password) throws Exception {
        byte[] digest = MessageDigest.getInstance("MD5")
                .digest((user + ":" + realm + ":" + password).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest);
    }

    private static SylkRtcClient readyClient() throws Exception {
        SylkRtcClient client = SylkRtcClient.connect("sylkRTC-2");
        assertEquals("{\"sylkrtc\":\"ready-event\"}", client.next());
        return client;
    }

    private static String add(String transaction, String ha1) {
        return "{\"sylkrtc\":\"account-add\",\"transaction\":\"" + transaction + "\",\"account\":\"sip:alice@example.com\","
                + "\"password\":\"" + ha1 + "\",\"display_name\":\"Alice\",\"user_agent\":\"sylk-it\"}";
    }

    private static String state(String state) {
        return "{\"sylkrtc\":\"account-event\",\"account\":\"alice@example.com\",\"event\":\"registration-state\","
                + "\"state\":\"" + state + "\"}";
    }

    /** RFC 3261 §10.2 and §22.2: registered after the digest challenge; Expires: 0 on unregister. */
    @Test
    void accountRegistersWithDigestFromItsHa1AndUnregisters_spec_4_5_2() throws Exception {
        Sipp.Running registrar = Sipp.scenario(work, Scenarios.registrar("alice", "secret", true))
                .waitingForRequests().localPort(REGISTRAR_PORT).start();
        SylkRtcClient client = readyClient();
        client.send(add("t1", ha1("alice", "example.com", "secret")));
        assertEquals("{\"sylkrtc\":\"ack\",\"transaction\":\"t1\"}", client.next());
        client.send("{\"sylkrtc\":\"account-register\",\"transaction\":\"t2\",\"account\":\"alice@example.com\"}");
        assertEquals("{\"sylkrtc\":\"ack\",\"transaction\":\"t2\"}", client.next());
        assertEquals(state("registering"), client.next());
        assertEquals(state("registered"), client.next(Duration.ofSeconds(10)));
        client.send("{\"sylkrtc\":\"account-unregister\",\"transaction\":\"t3\",\"account\":\"alice@example.com\"}");
        assertEquals("{\"sylkrtc\":\"ack\",\"transaction\":\"t3\"}", client.next());
        Sipp.Result result = registrar.await();
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.messages().contains("User-Agent: sylk-it"), "the account's user agent is sent");
        client.close();
    }

    /** A registrar that refuses the credentials: the account's registration fails with its status (spec §4.5.2). */
    @Test
    void wrongCredentialsReportFailedWithTheSipStatus_spec_4_5_2() throws Exception {
        Sipp.Running registrar = Sipp.scenario(work, Scenarios.registrar("alice", "secret", false))
                .waitingForRequests().localPort(REGISTRAR_PORT).start();
        SylkRtcClient client = readyClient();
        client.send(add("t1", ha1("alice", "example.com", "not the password")));
        client.next();
        client.send("{\"sylkrtc\":\"account-register\",\"transaction\":\"t2\",\"account\":\"alice@example.com\"}");
        assertEquals("{\"sylkrtc\":\"ack\",\"transaction\":\"t2\"}", client.next());
        assertEquals(state("registering"), client.next());
        assertEquals("{\"sylkrtc\":\"account-event\",\"account\":\"alice@example.com\",\"event\":\"registration-state\","
                + "\"state\":\"failed\",\"reason\":\"401 Unauthorized\"}", client.next(Duration.ofSeconds(10)));
        assertEquals(0, registrar.await().exitCode());
        client.close();
    }

    /**
     * The gateway's own page (issue 6: the operator's smoke test) in headless Chromium: typing an account and its
     * password and pressing Register registers it with the registrar; Unregister removes the binding.
     */
    @Test
    void theGatewayPageRegistersAnAccountFromABrowser() throws Exception {
        Sipp.Running registrar = Sipp.scenario(work.resolve("sipp"), Scenarios.registrar("alice", "secret", true))
                .waitingForRequests().localPort(REGISTRAR_PORT).start();
        try (Chromium browser = Chromium.start(work.resolve("profile"))) {
            Chromium.Page page = browser.open("http://127.0.0.1:18088/webrtcgateway/");
            page.evaluate("document.getElementById('account').value = 'sip:alice@example.com'");
            page.evaluate("document.getElementById('password').value = 'secret'");
            page.evaluate("document.getElementById('register').click()");
            page.awaitTrue("document.getElementById('state').textContent === 'registered'", Duration.ofSeconds(15));
            page.evaluate("document.getElementById('unregister').click()");
            page.awaitTrue("document.getElementById('state').textContent === 'not registered'", Duration.ofSeconds(10));
            Sipp.Result result = registrar.await();
            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.messages().contains("User-Agent: SylkServer gateway page"), result::toString);
        }
    }
}
