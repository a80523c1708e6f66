package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A plain WebSocket client of the sylkRTC endpoint (JDK HttpClient) that queues every text frame and close code. */
final class SylkRtcClient implements WebSocket.Listener {

    static final URI ENDPOINT = URI.create("ws://127.0.0.1:18088/webrtcgateway/ws");

    final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    final BlockingQueue<Integer> closes = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    WebSocket socket;

    static SylkRtcClient connect(String... subprotocols) throws Exception {
        return connect(ENDPOINT, subprotocols);
    }

    /** A client of the endpoint at {@code endpoint} (a server the test runs itself). */
    static SylkRtcClient connect(URI endpoint, String... subprotocols) throws Exception {
        SylkRtcClient client = new SylkRtcClient();
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        client.socket = builder.buildAsync(endpoint, client).get(10, TimeUnit.SECONDS);
        return client;
    }

    /**
     * A connection where {@code user}@example.com (password "secret") is added and registered, its transactions named
     * after {@code name}: the registration goes through registering to registered (spec §4.5.2).
     */
    static SylkRtcClient registered(String user, String name) throws Exception {
        SylkRtcClient client = connect("sylkRTC-2");
        assertEquals("{\"sylkrtc\":\"ready-event\"}", client.next());
        String account = user + "@example.com";
        client.send("{\"sylkrtc\":\"account-add\",\"transaction\":\"" + name + "a\",\"account\":\"" + account + "\","
                + "\"password\":\"" + SylkRtcCallIT.md5(user + ":example.com:secret") + "\"}");
        assertEquals(SylkRtcCallIT.ack(name + "a"), client.next());
        client.send("{\"sylkrtc\":\"account-register\",\"transaction\":\"" + name + "r\",\"account\":\"" + account
                + "\"}");
        assertEquals(SylkRtcCallIT.ack(name + "r"), client.next());
        client.expect("\"state\":\"registering\"");
        client.expect("\"state\":\"registered\"");
        return client;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            frames.add(partial.toString());
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closes.add(statusCode);
        return null;
    }

    /** The next frame, or null after 5 s. */
    String next() throws InterruptedException {
        return next(Duration.ofSeconds(5));
    }

    String next(Duration timeout) throws InterruptedException {
        return frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The first frame containing every one of {@code parts}, skipping others; fails after 10 s without it. */
    String expect(String... parts) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            String frame = next(Duration.ofMillis(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            if (frame == null) {
                break;
            }
            seen.add(frame);
            if (List.of(parts).stream().allMatch(frame::contains)) {
                return frame;
            }
        }
        throw new AssertionError("no frame with " + List.of(parts) + " among " + seen);
    }

    void send(String text) {
        socket.sendText(text, true).join();
    }

    void close() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }
}
