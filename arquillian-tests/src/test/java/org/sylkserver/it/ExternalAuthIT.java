package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * External authentication ({@code auth.ini}, spec §4.12) end to end: {@code imap.example} authenticates against a
 * real Dovecot over TLS (started by the test, {@link Dovecot}), {@code sip.example} registers with the HA1 the server
 * computes from the plaintext password (sipp as its registrar, checking the digest).
 */
@ExtendWith(ArquillianExtension.class)
class ExternalAuthIT {

    private static final int PROXY_PORT = Sipp.freePortUnchecked();
    private static final Dovecot IMAP;

    static {
        try {
            IMAP = Dovecot.start("alice", "wonderland");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Deployment(testable = false)
    static EnterpriseArchive all() throws IOException {
        ServerConfig.write("webrtcgateway.ini", "[General]\noutbound_sip_proxy = 127.0.0.1:" + PROXY_PORT
                + ";transport=udp\nsip_domains = imap.example, sip.example\n");
        ServerConfig.write("auth.ini", "[ExternalAuth]\nenable = true\nimap_ca_cert_file = "
                + IMAP.certificate() + "\nimap_timeout = 5\n\n[imap.example]\nauth_type = IMAP\nimap_server = "
                + IMAP.address() + "\n\n[sip.example]\nauth_type = SIP\n");
        return Archives.all();
    }

    @AfterAll
    static void cleanUp() throws Exception {
        IMAP.close();
    }

    @TempDir
    Path work;

    private static SylkRtcClient added(String account, String password) throws Exception {
        SylkRtcClient client = SylkRtcClient.connect("sylkRTC-2");
        assertEquals("{\"sylkrtc\":\"ready-event\"}", client.next());
        client.send("{\"sylkrtc\":\"account-add\",\"transaction\":\"a\",\"account\":\"" + account + "\","
                + "\"password\":\"" + password + "\"}");
        assertEquals(SylkRtcCallIT.ack("a"), client.next());
        return client;
    }

    private static String register(SylkRtcClient client, String account, String transaction) throws Exception {
        client.send("{\"sylkrtc\":\"account-register\",\"transaction\":\"" + transaction + "\",\"account\":\""
                + account + "\"}");
        assertEquals(SylkRtcCallIT.ack(transaction), client.next());
        assertEquals(state(account, "registering", null), client.next());
        return client.next(Duration.ofSeconds(10));
    }

    private static String state(String account, String state, String reason) {
        return "{\"sylkrtc\":\"account-event\",\"account\":\"" + account + "\",\"event\":\"registration-state\","
                + "\"state\":\"" + state + "\"" + (reason == null ? "" : ",\"reason\":\"" + reason + "\"") + "}";
    }

    private static String fetch(SylkRtcClient client, String account, String transaction) throws Exception {
        client.send("{\"sylkrtc\":\"account-fetch-addressbook\",\"transaction\":\"" + transaction
                + "\",\"account\":\"" + account + "\"}");
        return client.expect("\"transaction\":\"" + transaction + "\"");
    }

    /** Q17: the client sends its plaintext password; the REGISTER's digest is made from MD5(user:domain:password). */
    @Test
    void sipDomainRegistersWithTheHa1ComputedFromThePlaintextPassword_quirkQ17() throws Exception {
        Sipp.Running registrar = Sipp.scenario(work, Scenarios.registrar("bob", "s3cret", false, "sip.example"))
                .waitingForRequests().localPort(PROXY_PORT).start();
        SylkRtcClient client = added("bob@sip.example", "s3cret");
        assertEquals(state("bob@sip.example", "registered", null), register(client, "bob@sip.example", "r"));
        assertEquals(0, registrar.await().exitCode());
        client.close();
    }

    /**
     * spec §4.12: the IMAP login stands for the REGISTER (none is sent: nothing answers at the proxy) and authenticates
     * the account; a wrong password is the spec's failure reason and leaves it unauthenticated; with the IMAP server
     * down the failure says so at once, and the connection answers meanwhile.
     */
    @Test
    void imapLoginAuthenticatesTheAccount_spec_4_12() throws Exception {
        SylkRtcClient right = added("alice@imap.example", "wonderland");
        assertEquals(state("alice@imap.example", "registered", null), register(right, "alice@imap.example", "r1"));
        assertTrue(fetch(right, "alice@imap.example", "f1").contains("\"sylkrtc\":\"ack\""));
        ServerLogs.await("account alice@imap.example authenticated by IMAP login", Duration.ofSeconds(5));

        // after this failure Dovecot delays the next login from this address (its auth penalty): it comes last
        SylkRtcClient wrong = added("alice@imap.example", "looking-glass");
        assertEquals(state("alice@imap.example", "failed", "external authentication failed (wrong username or password?)"),
                register(wrong, "alice@imap.example", "r2"));
        assertEquals("{\"sylkrtc\":\"error\",\"transaction\":\"f2\",\"error\":\"Account not authenticated\"}",
                fetch(wrong, "alice@imap.example", "f2"));
        wrong.close();

        IMAP.close();
        SylkRtcClient down = added("alice@imap.example", "wonderland");
        long start = System.nanoTime();
        down.send("{\"sylkrtc\":\"account-register\",\"transaction\":\"r3\",\"account\":\"alice@imap.example\"}");
        down.send("{\"sylkrtc\":\"ping\",\"transaction\":\"p\"}");
        // the ping's ack and the registering event may come in either order
        assertEquals(SylkRtcCallIT.ack("r3"), down.next());
        assertEquals(Set.of(SylkRtcCallIT.ack("p"), state("alice@imap.example", "registering", null)),
                Set.of(down.next(), down.next()));
        assertEquals(state("alice@imap.example", "failed",
                "external authentication failed (authentication server unavailable)"), down.next(Duration.ofSeconds(10)));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 5000, "a clear failure, at once when the server refuses connections: " + millis + " ms");
        ServerLogs.await("IMAP server " + IMAP.address() + " unavailable for the login of alice", Duration.ofSeconds(5));
        down.close();
        right.close();
    }
}
