package org.sylkserver.webrtc.addressbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.json.Json;
import javax.json.JsonObject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/** The REST address-book backend (spec §4.14 "Backends") against a stand-in service on loopback. */
class XcapAddressBooksTest {

    private static final JsonObject BOB = json("{'id':'c1','name':'Bob','uris':[{'id':'u1','uri':'bob@example.com'}],"
            + "'attributes':{'favorite':true}}");

    /** What the stand-in received: "METHOD path body". */
    private final List<String> received = new CopyOnWriteArrayList<>();
    private HttpServer service;
    private volatile int status = 200;
    private volatile String answer = "";
    private final CountDownLatch release = new CountDownLatch(1);

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text.replace('\'', '"'))).readObject();
    }

    @BeforeEach
    void start() throws IOException {
        service = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        service.createContext("/", this::answer);
        service.createContext("/slow/", exchange -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answer(exchange);
        });
        service.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        service.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        service.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        received.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath() + " " + body);
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, status == 204 || bytes.length == 0 ? -1 : bytes.length);
        if (status != 204 && bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    private XcapAddressBooks books(String path) {
        return new XcapAddressBooks(URI.create("http://127.0.0.1:" + service.getAddress().getPort() + path),
                Duration.ofSeconds(2), 64 * 1024);
    }

    @Test
    void fetchIsAGetOfTheAccountsBook_spec_4_14() {
        answer = "{\"contacts\":[{\"id\":\"c1\",\"name\":\"Bob\"}],\"groups\":[],\"policies\":[]}";
        AddressBook book = books("/").fetch("alice@example.com").join();
        assertEquals(List.of("GET /api/v1/users/alice@example.com/addressbook "), received);
        assertEquals("Bob", book.toJson().getJsonArray("contacts").getJsonObject(0).getString("name"));
    }

    @Test
    void contactsArePostedPutAndDeleted_spec_4_14() {
        XcapAddressBooks books = books("/xcap");
        answer = "{\"id\":\"c1\",\"name\":\"Bob\",\"stored\":true}";
        AddressBook.Update added = books.update("alice@example.com", "contact", "add", BOB).join();
        assertEquals("POST /xcap/api/v1/users/alice@example.com/addressbook/contacts", received.get(0).split(" ", 3)[0]
                + " " + received.get(0).split(" ", 3)[1]);
        JsonObject posted = json(received.get(0).split(" ", 3)[2].replace('"', '\''));
        assertEquals(json("{'favorite':true}"), posted.getJsonObject("attributes"), "free-form attributes sent (Q11)");
        assertEquals("u1", posted.getJsonObject("defaultUri").getString("id"));
        assertEquals(true, added.object().getBoolean("stored"), "the service's answer is announced");
        assertEquals("contact", added.type());

        books.update("alice@example.com", "contact", "update", BOB).join();
        assertTrue(received.get(1).startsWith("PUT /xcap/api/v1/users/alice@example.com/addressbook/contacts/c1 {"),
                received.get(1));
        status = 204;
        AddressBook.Update deleted = books.update("alice@example.com", "contact", "delete", json("{'id':'c 1/x'}"))
                .join();
        assertEquals("DELETE /xcap/api/v1/users/alice@example.com/addressbook/contacts/c%201%2Fx ", received.get(2));
        assertEquals(json("{'id':'c 1/x'}"), deleted.object(), "204 on DELETE echoes the request's data");
    }

    @Test
    void aRefusalCarriesTheServicesDetail_spec_4_14() {
        status = 409;
        answer = "{\"detail\":\"Contact already exists\"}";
        Throwable refused = assertThrows(CompletionException.class,
                () -> books("/").update("alice@example.com", "contact", "add", BOB).join()).getCause();
        assertInstanceOf(AddressBook.Refused.class, refused);
        assertEquals("Contact already exists", refused.getMessage());
        status = 200;
        answer = "<html>not a book</html>";
        assertEquals("Address book service sent no address book", assertThrows(CompletionException.class,
                () -> books("/").fetch("alice@example.com").join()).getCause().getMessage());
        status = 500;
        answer = "oops";
        assertEquals("Address book service answered 500", assertThrows(CompletionException.class,
                () -> books("/").fetch("alice@example.com").join()).getCause().getMessage());
    }

    /** xcap_max_response_size: an answer larger than the limit is cut off, not read into the heap. */
    @Test
    void anOversizedAnswerIsRefused_xcap_max_response_size() {
        answer = "{\"contacts\":[" + "{\"id\":\"c\",\"name\":\"x\"},".repeat(10_000) + "{}],\"groups\":[],\"policies\":[]}";
        Throwable failure = assertThrows(CompletionException.class,
                () -> books("/").fetch("alice@example.com").join()).getCause();
        assertInstanceOf(IOException.class, failure);
        assertEquals("answer larger than xcap_max_response_size 65536", failure.getCause().getMessage());
    }

    @Test
    void groupsHaveNoRouteAtTheService_spec_4_14() {
        Throwable refused = assertThrows(CompletionException.class, () -> books("/").update("alice@example.com",
                "group", "add", json("{'id':'g1','name':'Friends'}")).join()).getCause();
        assertInstanceOf(AddressBook.Refused.class, refused);
        assertTrue(received.isEmpty(), "no request for what the service has no route for");
    }

    @Test
    void aServiceDownOrSilentIsAnIoFailureWithinTheTimeout_issue15() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        XcapAddressBooks down = new XcapAddressBooks(URI.create("http://127.0.0.1:" + closed + "/"),
                Duration.ofSeconds(2), 64 * 1024);
        assertInstanceOf(IOException.class, assertThrows(CompletionException.class,
                () -> down.fetch("alice@example.com").join()).getCause());

        long start = System.nanoTime();
        Throwable silent = assertThrows(CompletionException.class,
                () -> books("/slow").fetch("alice@example.com").join()).getCause();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertInstanceOf(IOException.class, silent);
        assertTrue(millis >= 1900 && millis < 5000, "bounded by xcap_timeout: " + millis + " ms");
    }
}
