import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The client of bench/filetransfer.sh: registers alice@example.com on a sylkRTC connection (which lets this address
 * upload as alice, spec §4.10.2), then for each file uploads and downloads it through the gateway's file transfer and
 * through the baseline (Tomcat's DefaultServlet: PUT and GET), {@code runs} times each, and prints MB/s (10^6 bytes
 * per second) per run and the median of each run's sylk/baseline ratio. Before and after the biggest upload it
 * prints "mark <epoch ms>" lines, the window in which the script samples the server's heap.
 *
 * <p>Each timed transfer starts after a pause ({@code SETTLE_MS}, default 300 ms): an upload's notifications (journal
 * entries, SIP MESSAGEs, spec §4.10.1) go out after its answer, and without the pause they ran during the download that
 * followed it, which the baseline's GET never shares with anything; the pause times each transfer on its own.
 *
 * <p>Usage: java FileTransferBench.java BASE_URL RUNS FILE...
 */
public final class FileTransferBench {

    public static void main(String[] args) throws Exception {
        String base = args[0];
        int runs = Integer.parseInt(args[1]);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
        WebSocket socket = http.newWebSocketBuilder().subprotocols("sylkRTC-2")
                .buildAsync(URI.create(base.replace("http", "ws") + "/webrtcgateway/ws"), new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            frames.add(text.toString());
                            text.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }
                }).join();
        String ha1 = hex(MessageDigest.getInstance("MD5").digest("alice:example.com:secret".getBytes(StandardCharsets.UTF_8)));
        socket.sendText("{\"sylkrtc\":\"account-add\",\"transaction\":\"a\",\"account\":\"alice@example.com\","
                + "\"password\":\"" + ha1 + "\"}", true).join();
        socket.sendText("{\"sylkrtc\":\"account-register\",\"transaction\":\"r\",\"account\":\"alice@example.com\"}", true)
                .join();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (String frame; ; ) {
            frame = frames.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (frame == null) {
                throw new IllegalStateException("alice did not register");
            }
            if (frame.contains("\"state\":\"registered\"")) {
                break;
            }
        }
        String hashes = md5("alice@example.com") + "/" + md5("bob@example.com");
        Path biggest = null;
        for (int i = 2; i < args.length; i++) {
            Path file = Path.of(args[i]);
            if (biggest == null || Files.size(file) > Files.size(biggest)) {
                biggest = file;
            }
        }
        // warm-up, not counted: both paths WARMUP times with the first file (JIT, connection pool, first-request set-up)
        Path first = Path.of(args[2]);
        // a handful left the upload's own code in the interpreter for the timed runs (JIT tiers start at 200 calls);
        // 100 of 1 MiB left C2 compiling the upload's notifications during the timed runs (16-19 ms of compiler CPU
        // per upload, median ratio 70 %; 2.5 ms and 91 % after 1,000): by default 1,000 transfers of a 1 MiB first
        // file, fewer of a bigger one (its per-request work weighs less), at least 5
        long firstMiB = Math.max(1, Files.size(first) >> 20);
        int warmups = Integer.parseInt(System.getenv().getOrDefault("WARMUP",
                String.valueOf(Math.max(5, 1000 / firstMiB))));
        for (int w = 0; w < warmups; w++) {
            String warm = UUID.randomUUID().toString();
            expect(http.send(HttpRequest.newBuilder(URI.create(base + "/ftbaseline/warm.bin"))
                    .PUT(HttpRequest.BodyPublishers.ofFile(first)).build(), HttpResponse.BodyHandlers.ofString()), 201, 204);
            expect(http.send(HttpRequest.newBuilder(URI.create(base + "/ftbaseline/warm.bin")).build(),
                    HttpResponse.BodyHandlers.discarding()), 200);
            expect(http.send(HttpRequest.newBuilder(URI.create(base + "/webrtcgateway/filetransfer/alice@example.com/"
                    + "bob@example.com/" + warm + "/warm.bin")).POST(HttpRequest.BodyPublishers.ofFile(first)).build(),
                    HttpResponse.BodyHandlers.ofString()), 200);
            expect(http.send(HttpRequest.newBuilder(URI.create(base + "/webrtcgateway/filetransfer/" + hashes + "/" + warm
                    + "/warm.bin")).build(), HttpResponse.BodyHandlers.discarding()), 200);
        }
        Thread.sleep(3000); // the warm-up uploads' notifications go out
        System.out.printf("%-10s %-22s %s%n", "file", "what", "MB/s per run");
        for (int i = 2; i < args.length; i++) {
            Path file = Path.of(args[i]);
            long size = Files.size(file);
            String name = file.getFileName().toString();
            List<Double> up = new ArrayList<>();
            List<Double> down = new ArrayList<>();
            List<Double> baseUp = new ArrayList<>();
            List<Double> baseDown = new ArrayList<>();
            ServerCpu upCpu = new ServerCpu();
            ServerCpu downCpu = new ServerCpu();
            ServerCpu baseUpCpu = new ServerCpu();
            ServerCpu baseDownCpu = new ServerCpu();
            for (int run = 0; run < runs; run++) {
                String id = UUID.randomUUID().toString();
                boolean marked = file.equals(biggest) && run == 0;
                Transfer baseline = () -> {
                    baseUp.add(rate(size, baseUpCpu, () -> expect(http.send(HttpRequest.newBuilder(URI.create(base
                            + "/ftbaseline/" + name)).PUT(HttpRequest.BodyPublishers.ofFile(file)).build(),
                            HttpResponse.BodyHandlers.ofString()), 201, 204)));
                    baseDown.add(rate(size, baseDownCpu, () -> expect(http.send(HttpRequest.newBuilder(URI.create(base
                            + "/ftbaseline/" + name)).build(), HttpResponse.BodyHandlers.discarding()), 200)));
                };
                Transfer sylk = () -> {
                    if (marked) {
                        System.out.println("mark " + System.currentTimeMillis());
                    }
                    up.add(rate(size, upCpu, () -> expect(http.send(HttpRequest.newBuilder(URI.create(base
                            + "/webrtcgateway/filetransfer/alice@example.com/bob@example.com/" + id + "/" + name))
                            .header("Content-Type", "application/octet-stream")
                            .POST(HttpRequest.BodyPublishers.ofFile(file)).build(),
                            HttpResponse.BodyHandlers.ofString()), 200)));
                    if (marked) {
                        System.out.println("mark " + System.currentTimeMillis());
                    }
                    down.add(rate(size, downCpu, () -> expect(http.send(HttpRequest.newBuilder(URI.create(base
                            + "/webrtcgateway/filetransfer/" + hashes + "/" + id + "/" + name)).build(),
                            HttpResponse.BodyHandlers.discarding()), 200)));
                };
                // alternating which path goes first, so that neither always follows the other's after-effects
                if (run % 2 == 0) {
                    baseline.run();
                    sylk.run();
                } else {
                    sylk.run();
                    baseline.run();
                }
            }
            print(name, "upload   sylk", up);
            print(name, "upload   baseline PUT", baseUp);
            print(name, "download sylk", down);
            print(name, "download baseline GET", baseDown);
            ratios(name, "upload   sylk / PUT", up, baseUp);
            ratios(name, "download sylk / GET", down, baseDown);
            if (SERVER != null) {
                upCpu.print(name, "upload   sylk");
                baseUpCpu.print(name, "upload   baseline PUT");
                downCpu.print(name, "download sylk");
                baseDownCpu.print(name, "download baseline GET");
            }
        }
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
    }

    @FunctionalInterface
    private interface Transfer {
        void run() throws Exception;
    }

    private static final long SETTLE_MS = Long.parseLong(System.getenv().getOrDefault("SETTLE_MS", "300"));
    /** The server's /proc directory when SERVER_PID is set: its CPU time is then read around each transfer. */
    private static final Path SERVER = System.getenv("SERVER_PID") == null ? null
            : Path.of("/proc", System.getenv("SERVER_PID"));

    /**
     * Times one transfer after a pause ({@code SETTLE_MS}); with {@code SERVER_PID}, adds to {@code cpu} the server's
     * CPU time from the transfer's start to the end of the pause after it, which holds what the server does for the
     * request after answering it (an upload's notifications).
     */
    private static double rate(long size, ServerCpu cpu, Transfer transfer) throws Exception {
        Thread.sleep(SETTLE_MS);
        Map<String, Long> before = threadCpuNanos();
        long start = System.nanoTime();
        transfer.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (SERVER != null) {
            Thread.sleep(SETTLE_MS);
            cpu.add(before, threadCpuNanos());
        }
        return size / 1e6 / seconds;
    }

    /**
     * The server's threads' time on a CPU so far (the first field of each thread's schedstat, in ns) by thread name
     * (the kernel's, digits as N: a pool's threads are one name), empty without SERVER_PID.
     */
    private static Map<String, Long> threadCpuNanos() throws IOException {
        Map<String, Long> byName = new HashMap<>();
        if (SERVER == null) {
            return byName;
        }
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(SERVER.resolve("task"))) {
            for (Path thread : threads) {
                try {
                    String line = Files.readString(thread.resolve("schedstat"));
                    String name = Files.readString(thread.resolve("comm")).strip().replaceAll("[0-9]+", "N");
                    byName.merge(name, Long.parseLong(line.substring(0, line.indexOf(' '))), Long::sum);
                } catch (NoSuchFileException ended) {
                    // a thread that ended meanwhile: its time is in neither reading
                }
            }
        }
        return byName;
    }

    /** The server's CPU time per transfer of one kind: in all, and by thread name. */
    private static final class ServerCpu {
        private final List<Double> millis = new ArrayList<>();
        private final Map<String, Long> byThread = new HashMap<>();

        void add(Map<String, Long> before, Map<String, Long> after) {
            long sum = 0;
            for (Map.Entry<String, Long> thread : after.entrySet()) {
                long used = thread.getValue() - before.getOrDefault(thread.getKey(), 0L);
                sum += used;
                byThread.merge(thread.getKey(), used, Long::sum);
            }
            millis.add(sum / 1e6);
        }

        /** The median and quartiles per transfer, and the threads' means (the biggest). */
        void print(String file, String what) {
            List<Double> sorted = new ArrayList<>(millis);
            Collections.sort(sorted);
            StringBuilder threads = new StringBuilder();
            byThread.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(6)
                    .forEach(t -> threads.append(String.format(" %s=%.2f", t.getKey(), t.getValue() / 1e6 / millis.size())));
            System.out.printf("%-10s %-22s server CPU ms per transfer: median %.2f (quartiles %.2f-%.2f); mean by"
                    + " thread:%s%n", file, what, sorted.get(sorted.size() / 2), sorted.get(sorted.size() / 4),
                    sorted.get(sorted.size() * 3 / 4), threads);
        }
    }

    private static void expect(HttpResponse<?> response, int... statuses) {
        for (int status : statuses) {
            if (response.statusCode() == status) {
                return;
            }
        }
        throw new IllegalStateException(response.request().method() + " " + response.uri() + ": "
                + response.statusCode() + " " + response.body());
    }

    private static void print(String file, String what, List<Double> rates) {
        List<Double> sorted = new ArrayList<>(rates);
        Collections.sort(sorted);
        StringBuilder line = new StringBuilder();
        for (double rate : rates) {
            line.append(String.format("%8.1f", rate));
        }
        System.out.printf("%-10s %-22s %s   (median %.1f)%n", file, what, line, sorted.get(sorted.size() / 2));
    }

    /**
     * Each run's ratio of the two paths, timed a few hundred milliseconds apart, and their median: on a shared
     * machine a run's rates move together with the load, so the paired ratio spreads less than the two medians'.
     */
    private static void ratios(String file, String what, List<Double> sylk, List<Double> baseline) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < sylk.size(); i++) {
            ratios.add(100 * sylk.get(i) / baseline.get(i));
        }
        List<Double> sorted = new ArrayList<>(ratios);
        Collections.sort(sorted);
        System.out.printf("%-10s %-22s median of the runs' ratios %.0f %% (quartiles %.0f-%.0f %%)%n", file, what,
                sorted.get(sorted.size() / 2), sorted.get(sorted.size() / 4), sorted.get(sorted.size() * 3 / 4));
    }

    private static String md5(String aor) throws Exception {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("MD5").digest(aor.getBytes(StandardCharsets.UTF_8)));
    }

    private static String hex(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            text.append(String.format("%02x", b));
        }
        return text.toString();
    }
}
