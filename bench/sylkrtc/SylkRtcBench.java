import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * sylkRTC connection and round-trip benchmark (issue 6): opens many idle WebSocket connections, then sends
 * requests at a fixed rate spread over them and measures each request's round trip (send to answer) on a
 * monotonic clock. Two modes: {@code sylkrtc} sends {@code ping} requests and waits for their {@code ack} (spec
 * §4.5.1), {@code echo} sends the same text to a plain echo endpoint (the baseline: the container's WebSocket cost
 * without sylkRTC). Runs with the JDK alone: {@code java bench/sylkrtc/SylkRtcBench.java --help}.
 */
public final class SylkRtcBench {

    private static final class Options {
        URI url = URI.create("ws://127.0.0.1:28088/webrtcgateway/ws");
        String mode = "sylkrtc";
        int connections = 1000;
        int rate = 1000;
        int seconds = 20;
        int warmupSeconds = 5;
    }

    private static final class Connection implements WebSocket.Listener {
        final CountDownLatch ready = new CountDownLatch(1);
        final StringBuilder partial = new StringBuilder();
        final boolean sylkrtc;
        WebSocket socket;

        Connection(boolean sylkrtc) {
            this.sylkrtc = sylkrtc;
            if (!sylkrtc) {
                ready.countDown();
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                if (text.contains("\"ready-event\"")) {
                    ready.countDown();
                } else {
                    answered(text);
                }
            }
            webSocket.request(1);
            return null;
        }
    }

    private static final ConcurrentHashMap<Long, Long> PENDING = new ConcurrentHashMap<>();
    private static final AtomicLong ANSWERED = new AtomicLong();
    private static final AtomicInteger ERRORS = new AtomicInteger();
    private static volatile boolean measuring;
    private static long[] latencies = new long[0];
    private static final AtomicInteger LATENCY_COUNT = new AtomicInteger();

    public static void main(String[] args) throws Exception {
        Options options = parse(args);
        if (options == null) {
            return;
        }
        boolean sylkrtc = options.mode.equals("sylkrtc");
        HttpClient client = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(2)).build();
        List<Connection> connections = new ArrayList<>();
        long openStart = System.nanoTime();
        List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
        for (int i = 0; i < options.connections; i++) {
            Connection connection = new Connection(sylkrtc);
            WebSocket.Builder builder = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30));
            if (sylkrtc) {
                builder.subprotocols("sylkRTC-2");
            }
            opening.add(builder.buildAsync(options.url, connection).thenApply(socket -> connection.socket = socket));
            connections.add(connection);
            // at most 200 handshakes in flight: the server's accept queue is not the thing measured
            if (opening.size() >= 200) {
                CompletableFuture.allOf(opening.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                opening.clear();
            }
            if ((i + 1) % 1000 == 0) {
                System.err.printf("  %d connections open%n", i + 1);
            }
        }
        CompletableFuture.allOf(opening.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        for (Connection connection : connections) {
            if (!connection.ready.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("a connection got no ready-event within 30 s");
            }
        }
        double openSeconds = (System.nanoTime() - openStart) / 1e9;
        System.out.printf("mode=%s connections=%d opened in %.1f s (%.0f/s)%n", options.mode, connections.size(),
                openSeconds, connections.size() / openSeconds);

        run(connections, options.rate, options.warmupSeconds, false);
        latencies = new long[options.rate * options.seconds + 1000];
        LATENCY_COUNT.set(0);
        ANSWERED.set(0);
        long sent = run(connections, options.rate, options.seconds, true);
        Thread.sleep(2000);
        int count = Math.min(LATENCY_COUNT.get(), latencies.length);
        long[] sorted = Arrays.copyOf(latencies, count);
        Arrays.sort(sorted);
        System.out.printf("rate=%d req/s for %d s: sent=%d answered=%d lost=%d errors=%d%n", options.rate,
                options.seconds, sent, count, sent - count, ERRORS.get());
        System.out.printf("round trip ms: p50=%.3f p90=%.3f p99=%.3f p99.9=%.3f max=%.3f%n", percentile(sorted, 50),
                percentile(sorted, 90), percentile(sorted, 99), percentile(sorted, 99.9),
                sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
        for (Connection connection : connections) {
            connection.socket.abort();
        }
        System.exit(0);
    }

    /** Sends {@code rate} requests per second for {@code seconds}, round robin over the connections. */
    private static long run(List<Connection> connections, int rate, int seconds, boolean measure) throws Exception {
        measuring = measure;
        long total = (long) rate * seconds;
        long start = System.nanoTime();
        long periodNanos = 1_000_000_000L / rate;
        long id = measure ? 1_000_000_000L : 0;
        for (long n = 0; n < total; n++) {
            long due = start + n * periodNanos;
            long wait = due - System.nanoTime();
            if (wait > 200_000) {
                TimeUnit.NANOSECONDS.sleep(wait - 100_000);
            }
            while (System.nanoTime() < due) {
                Thread.onSpinWait();
            }
            Connection connection = connections.get((int) (n % connections.size()));
            long transaction = id + n;
            String text = connection.sylkrtc ? "{\"sylkrtc\":\"ping\",\"transaction\":\"" + transaction + "\"}"
                    : "{\"transaction\":\"" + transaction + "\"}";
            PENDING.put(transaction, System.nanoTime());
            // one frame at a time per WebSocket: chain on the previous send of this connection
            synchronized (connection) {
                connection.socket.sendText(text, true).exceptionally(e -> {
                    ERRORS.incrementAndGet();
                    return null;
                }).get(5, TimeUnit.SECONDS);
            }
        }
        return total;
    }

    private static void answered(String text) {
        int at = text.indexOf("\"transaction\":\"");
        if (at < 0) {
            ERRORS.incrementAndGet();
            return;
        }
        int start = at + 15;
        long transaction = Long.parseLong(text.substring(start, text.indexOf('"', start)));
        Long sentAt = PENDING.remove(transaction);
        if (sentAt == null) {
            return;
        }
        if (!text.contains("\"ack\"") && text.contains("\"sylkrtc\"")) {
            ERRORS.incrementAndGet();
        }
        if (measuring && transaction >= 1_000_000_000L) {
            int index = LATENCY_COUNT.getAndIncrement();
            if (index < latencies.length) {
                latencies[index] = System.nanoTime() - sentAt;
            }
        }
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    private static Options parse(String[] args) {
        Options options = new Options();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--url" -> options.url = URI.create(value);
                case "--mode" -> options.mode = value;
                case "--connections" -> options.connections = Integer.parseInt(value);
                case "--rate" -> options.rate = Integer.parseInt(value);
                case "--seconds" -> options.seconds = Integer.parseInt(value);
                case "--warmup" -> options.warmupSeconds = Integer.parseInt(value);
                case "--help", "-h" -> {
                    System.out.println("""
                            usage: java bench/sylkrtc/SylkRtcBench.java [options]
                              --url URL          WebSocket URL (default ws://127.0.0.1:28088/webrtcgateway/ws)
                              --mode MODE        sylkrtc (ping -> ack, subprotocol sylkRTC-2) or echo (plain echo endpoint)
                              --connections N    idle connections to open first (default 1000)
                              --rate R           requests per second, spread over the connections (default 1000)
                              --seconds S        measured seconds (default 20), after --warmup seconds (default 5)""");
                    return null;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (see --help)");
            }
            i++;
        }
        if (!options.mode.equals("sylkrtc") && !options.mode.equals("echo")) {
            throw new IllegalArgumentException("--mode must be sylkrtc or echo, got " + options.mode);
        }
        return options;
    }
}
