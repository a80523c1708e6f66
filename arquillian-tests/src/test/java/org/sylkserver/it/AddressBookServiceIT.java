package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The address book (spec §4.14) end to end against its REST service at {@code [General] xcap_url}: a stand-in
 * service on loopback (the JDK's HTTP server), sylkRTC WebSocket clients as alice's devices, sipp as the registrar.
 */
@ExtendWith(ArquillianExtension.class)
class AddressBookServiceIT {

    private static final int PROXY_PORT = Sipp.freePortUnchecked();
    private static final HttpServer SERVICE;
    private static final String ACCOUNT = "alice@example.com";
    /** What the stand-in received: "METHOD path body". */
    private static final List<String> RECEIVED = new CopyOnWriteArrayList<>();
    private static volatile int status = 200;
    private static volatile String answer = "";
    private static volatile CountDownLatch silence;

    static {
        try {
            SERVICE = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SERVICE.createContext("/", AddressBookServiceIT::answer);
        SERVICE.setExecutor(Executors.newCachedThreadPool());
        SERVICE.start();
    }

    private static void answer(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        RECEIVED.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath() + " " + body);
        CountDownLatch quiet = silence;
        if (quiet != null) {
            try {
                quiet.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    @Deployment(testable = false)
    static EnterpriseArchive all() throws IOException {
        ServerConfig.write("webrtcgateway.ini", "[General]\noutbound_sip_proxy = 127.0.0.1:" + PROXY_PORT
                + ";transport=udp\nsip_domains = example.com\nxcap_url = http://127.0.0.1:"
                + SERVICE.getAddress().getPort() + "/xcap/\nxcap_timeout = 2\n");
        return Archives.all();
    }

    /** The other test classes run without this service's xcap_url. */
    @AfterAll
    static void stopService() throws IOException {
        SERVICE.stop(0);
    }

    @TempDir
    Path work;

    private static SylkRtcClient registered(String name) throws Exception {
        SylkRtcClient client = SylkRtcClient.connect("sylkRTC-2");
        assertEquals("{\"sylkrtc\":\"ready-event\"}", client.next());
        client.send("{\"sylkrtc\":\"account-add\",\"transaction\":\"" + name + "a\",\"account\":\"" + ACCOUNT + "\","
                + "\"password\":\"" + SylkRtcCallIT.md5("alice:example.com:secret") + "\"}");
        assertEquals(SylkRtcCallIT.ack(name + "a"), client.next());
        client.send("{\"sylkrtc\":\"account-register\",\"transaction\":\"" + name + "r\",\"account\":\"" + ACCOUNT + "\"}");
        assertEquals(SylkRtcCallIT.ack(name + "r"), client.next());
        client.expect("\"state\":\"registered\"");
        return client;
    }

    /**
     * spec §4.14 Backends: a fetch is the service's book; a contact added on one device is POSTed and announced on
     * both; the service's refusal reaches the client with its {@code detail}; a silent service holds neither the
     * connection nor another client (issue 15: nothing blocks other users) and fails after {@code xcap_timeout}; a
     * service that is down is a clear error.
     */
    @Test
    void theRestServiceKeepsTheBook_spec_4_14() throws Exception {
        Sipp.Running registrar = Sipp.scenario(work.resolve("registrar"), Scenarios.acceptingRegistrar()).waitingForRequests()
                .localPort(PROXY_PORT).calls(2).timeoutSeconds(40).start();
        SylkRtcClient phone = registered("p");
        SylkRtcClient laptop = registered("l");

        answer = "{\"contacts\":[{\"id\":\"c0\",\"name\":\"Carol\",\"uris\":[]}],\"groups\":[],\"policies\":[]}";
        phone.send("{\"sylkrtc\":\"account-fetch-addressbook\",\"transaction\":\"f1\",\"account\":\"" + ACCOUNT + "\"}");
        String fetched = phone.expect("\"event\":\"addressbook-fetched\"");
        assertTrue(fetched.contains("\"name\":\"Carol\""), fetched);
        phone.expect(SylkRtcCallIT.ack("f1"));
        assertEquals("GET /xcap/api/v1/users/alice@example.com/addressbook ", RECEIVED.get(0));

        answer = "";
        phone.send("{\"sylkrtc\":\"account-update-addressbook\",\"transaction\":\"u1\",\"account\":\"" + ACCOUNT
                + "\",\"type\":\"contact\",\"action\":\"add\",\"data\":{\"id\":\"c1\",\"name\":\"Bob\",\"uris\":[],"
                + "\"attributes\":{\"favorite\":true}}}");
        String added = laptop.expect("\"event\":\"addressbook-updated\"", "\"type\":\"contact\"", "\"action\":\"add\"");
        assertTrue(added.contains("\"attributes\":{\"favorite\":true}"), added);
        phone.expect(SylkRtcCallIT.ack("u1"));
        assertTrue(RECEIVED.get(1).startsWith("POST /xcap/api/v1/users/alice@example.com/addressbook/contacts {\"id\":\"c1\""),
                RECEIVED.get(1));

        status = 409;
        answer = "{\"detail\":\"Contact c1 already exists\"}";
        phone.send("{\"sylkrtc\":\"account-update-addressbook\",\"transaction\":\"u2\",\"account\":\"" + ACCOUNT
                + "\",\"type\":\"contact\",\"action\":\"add\",\"data\":{\"id\":\"c1\",\"name\":\"Bob\",\"uris\":[]}}");
        assertEquals("{\"sylkrtc\":\"account-event\",\"account\":\"" + ACCOUNT + "\",\"event\":"
                + "\"addressbook-update-failed\",\"type\":\"contact\",\"action\":\"add\",\"error\":"
                + "\"Contact c1 already exists\",\"id\":\"c1\"}", phone.expect("addressbook-update-failed"));
        phone.expect(SylkRtcCallIT.ack("u2"));

        // a service that does not answer: the phone's connection and the laptop go on meanwhile
        status = 200;
        silence = new CountDownLatch(1);
        long start = System.nanoTime();
        phone.send("{\"sylkrtc\":\"account-fetch-addressbook\",\"transaction\":\"f2\",\"account\":\"" + ACCOUNT + "\"}");
        phone.send("{\"sylkrtc\":\"ping\",\"transaction\":\"p1\"}");
        phone.expect(SylkRtcCallIT.ack("p1"));
        laptop.send("{\"sylkrtc\":\"ping\",\"transaction\":\"p2\"}");
        laptop.expect(SylkRtcCallIT.ack("p2"));
        long pings = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(pings < 1000, "pings answered while the service is silent: " + pings + " ms");
        assertEquals("{\"sylkrtc\":\"error\",\"transaction\":\"f2\",\"error\":\"Address book not available: "
                + "Address book service unavailable\"}", phone.expect("\"transaction\":\"f2\""));
        long failed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(failed >= 1800 && failed < 6000, "failed after xcap_timeout 2 s: " + failed + " ms");
        silence.countDown();
        silence = null;

        SERVICE.stop(0);
        phone.send("{\"sylkrtc\":\"account-fetch-addressbook\",\"transaction\":\"f3\",\"account\":\"" + ACCOUNT + "\"}");
        assertEquals("{\"sylkrtc\":\"error\",\"transaction\":\"f3\",\"error\":\"Address book not available: "
                + "Address book service unavailable\"}", phone.expect("\"transaction\":\"f3\""));
        ServerLogs.await("address book service GET", Duration.ofSeconds(5));
        Sipp.Result result = registrar.await();
        assertEquals(0, result.exitCode(), result::toString);
    }
}
