package org.sylkserver.webrtc.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.webrtc.api.SipIdentity;

/** Push notifications for messages (spec §4.11) against a local HTTP receiver standing in for sylk-push. */
class PushNotificationsTest {

    @TempDir
    Path directory;
    private SqliteMessageStore store;
    private HttpServer receiver;
    private final BlockingQueue<String> posts = new LinkedBlockingQueue<>();
    private volatile int status = 200;
    private volatile String answer = "{}";
    private volatile long delayMillis;

    @BeforeEach
    void start() throws Exception {
        store = SqliteMessageStore.open(directory, false);
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/push", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            posts.add(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("User-Agent") + " " + body);
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] reply = answer.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        receiver.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        receiver.start();
        store.putDeviceToken(new DeviceToken("bob@example.com", "com.example.sylk", "d1", "ios", "voip", "background", false, null));
        store.add(new StoredMessage("bob@example.com", "alice@example.com", StoredMessage.INCOMING, "m0", "text/plain",
                "earlier", OffsetDateTime.parse("2026-01-01T10:00:00Z"), Instant.now(), List.of("display"), "received"));
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
        store.close();
    }

    private PushNotifications push() {
        return new PushNotifications(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/push"), store);
    }

    /**
     * spec §4.11: one POST per token, the background token for iOS, the badge the messages waiting to be displayed
     * (the original's 1 + earlier ones: here the message is stored before it is pushed).
     */
    @Test
    void aMessageIsPushedToEveryDevice_spec_4_11() throws Exception {
        store.putDeviceToken(new DeviceToken("bob@example.com", "com.example.sylk", "d2", "android", "fcm", null, true, null));
        store.add(new StoredMessage("bob@example.com", "alice@example.com", StoredMessage.INCOMING, "m1", "text/plain",
                "Hello Bob", OffsetDateTime.parse("2026-01-01T10:01:00Z"), Instant.now(), List.of("display"), "received"));
        push().message("bob@example.com", new SipIdentity("alice@example.com", "Alice"), "text/plain", "Hello Bob");
        List<String> received = List.of(posts.poll(5, TimeUnit.SECONDS), posts.poll(5, TimeUnit.SECONDS));
        String ios = received.stream().filter(post -> post.contains("\"device-id\":\"d1\"")).findFirst().orElseThrow();
        assertTrue(ios.startsWith("POST SylkServer {\"platform\":\"ios\",\"app-id\":\"com.example.sylk\",\"token\":\"background\","
                + "\"device-id\":\"d1\",\"silent\":0,\"call-id\":\""), ios);
        assertTrue(ios.endsWith("\"event\":\"message\",\"from\":\"alice@example.com\",\"from-display-name\":\"Alice\","
                + "\"media-type\":\"sms\",\"to\":\"bob@example.com\",\"badge\":2,\"content-type\":\"text/plain\","
                + "\"content\":\"Hello Bob\"}"), ios);
        String android = received.stream().filter(post -> post.contains("\"device-id\":\"d2\"")).findFirst().orElseThrow();
        assertTrue(android.contains("\"token\":\"fcm\",\"device-id\":\"d2\",\"silent\":1"), android);
    }

    /** spec §4.11: a 410 naming the token deletes it; another 410 or error leaves the tokens alone. */
    @Test
    void aGoneTokenIsDeleted_spec_4_11() throws Exception {
        status = 410;
        answer = "{\"data\": {\"token\": \"someone else\"}}";
        push().message("bob@example.com", new SipIdentity("alice@example.com", null), "text/plain", "1");
        posts.poll(5, TimeUnit.SECONDS);
        Thread.sleep(300);
        assertEquals(1, store.deviceTokens("bob@example.com").size());
        answer = "{\"data\": {\"token\": \"background\"}}";
        push().message("bob@example.com", new SipIdentity("alice@example.com", null), "text/plain", "2");
        posts.poll(5, TimeUnit.SECONDS);
        long deadline = System.currentTimeMillis() + 5000;
        while (!store.deviceTokens("bob@example.com").isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(List.of(), store.deviceTokens("bob@example.com"));
    }

    /** issue 14: a slow or absent push server never delays delivery: the call returns at once. */
    @Test
    void aSlowOrAbsentPushServerDelaysNothing() throws Exception {
        delayMillis = 3000;
        long start = System.nanoTime();
        push().message("bob@example.com", new SipIdentity("alice@example.com", null), "text/plain", "slow");
        receiver.stop(0);
        new PushNotifications(URI.create("http://127.0.0.1:9/push"), store)
                .message("bob@example.com", new SipIdentity("alice@example.com", null), "text/plain", "nobody");
        assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(500), "push blocked the caller");
    }
}
