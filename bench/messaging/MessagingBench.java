import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Messaging benchmark client (issue 14), driven by {@code bench/messaging.sh}. sylkRTC accounts are
 * {@code <name>@example.com} with password {@code secret}; the server's outbound proxy (a sipp UAS) accepts their
 * REGISTERs and MESSAGEs. Runs with the JDK alone: {@code java bench/messaging/MessagingBench.java MODE OPTIONS}.
 * <ul>
 * <li>{@code outgoing URL ACCOUNTS MESSAGES WINDOW TAG}: ACCOUNTS accounts, one connection each, each sends MESSAGES
 * {@code account-message}s with at most WINDOW unanswered; times each from send to its {@code ack} (stored) and to
 * its {@code accepted} disposition notification (the SIP MESSAGE got its 200), on a monotonic clock; message ids
 * are {@code TAG-<n>}, so runs with different tags add to the journal instead of being de-duplicated, and {@code n}
 * counts over all accounts: no two accounts share an id, as no two clients' UUIDs do (with shared ids the Cassandra
 * store's id table led all but one account to a filtering read of its whole journal per message, session 22).</li>
 * <li>{@code incoming URL ACCOUNT CONNECTIONS EXPECTED READYFILE}: CONNECTIONS devices of ACCOUNT registered, then
 * READYFILE is created; counts the {@code message} events each gets until each has EXPECTED (or 60 s without one)
 * and prints the rate from the first event to the last.</li>
 * <li>{@code sync URL ACCOUNT LIMIT WARM REPEAT [FRESH]}: times {@code account-sync-conversations} with
 * {@code limit}, from the request to the {@code sync-conversations} event (and to the event's first part, when the
 * server's answer began): WARM times on one connection as a JIT warm-up (printed, not counted), then REPEAT times on
 * it; then FRESH times on a new connection each (register, one sync, close), with the percentiles of those first
 * syncs.</li>
 * </ul>
 */
public final class MessagingBench {

    private static final Pattern ANSWER = Pattern.compile("^\\{\"sylkrtc\":\"(ack|error)\",\"transaction\":\"([^\"]+)\"");
    private static final Pattern ACCEPTED = Pattern.compile(
            "\"event\":\"disposition-notification\",\"message_id\":\"([^\"]+)\".*\"state\":\"(accepted|failed)\"");

    /**
     * One sylkRTC connection (the JDK's WebSocket client); every text message queued. Session 22 tried framing by hand
     * over a plain socket: its CPU per account-message (48-200 us) was no steadier or lower than this client's
     * (about 105 us), so the library stays.
     */
    static final class Device implements WebSocket.Listener {
        final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        /** When the first part of the message received last came (System.nanoTime). */
        volatile long messageStarted;
        WebSocket socket;

        static Device register(URI url, String account, String name) throws Exception {
            Device device = new Device();
            device.socket = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("sylkRTC-2")
                    .buildAsync(url, device).get(20, TimeUnit.SECONDS);
            device.expect("ready-event");
            String user = account.substring(0, account.indexOf('@'));
            String ha1 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                    .digest((user + ":example.com:secret").getBytes(StandardCharsets.UTF_8)));
            device.send("{\"sylkrtc\":\"account-add\",\"transaction\":\"" + name + "a\",\"account\":\"" + account
                    + "\",\"password\":\"" + ha1 + "\"}");
            device.expect("\"" + name + "a\"");
            device.send("{\"sylkrtc\":\"account-register\",\"transaction\":\"" + name + "r\",\"account\":\"" + account + "\"}");
            device.expect("\"state\":\"registered\"");
            return device;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            if (partial.length() == 0) {
                messageStarted = System.nanoTime();
            }
            partial.append(data);
            if (last) {
                frames.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        void send(String text) {
            socket.sendText(text, true).join();
        }

        /** A close with status 1000 (normal closure). */
        void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        }

        String expect(String part) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                String frame = frames.poll(1, TimeUnit.SECONDS);
                if (frame != null && frame.contains(part)) {
                    return frame;
                }
            }
            throw new IllegalStateException("no frame with " + part);
        }
    }

    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[1]);
        switch (args[0]) {
            case "outgoing" -> outgoing(url, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    args[5]);
            case "incoming" -> incoming(url, args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]), Path.of(args[5]));
            case "sync" -> sync(url, args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]), args.length > 6 ? Integer.parseInt(args[6]) : 0);
            default -> throw new IllegalArgumentException("mode: outgoing, incoming or sync");
        }
        System.exit(0);
    }

    private static void outgoing(URI url, int accounts, int messages, int window, String tag) throws Exception {
        List<Device> devices = new ArrayList<>();
        for (int i = 1; i <= accounts; i++) {
            devices.add(Device.register(url, "alice-" + i + "@example.com", "d" + i));
        }
        long[] acked = new long[accounts * messages];
        long[] accepted = new long[accounts * messages];
        int[] failures = new int[2];
        long start = System.nanoTime();
        long cpuStart = processCpuNanos();
        List<Thread> threads = new ArrayList<>();
        for (int d = 0; d < accounts; d++) {
            int index = d;
            Thread thread = new Thread(() -> {
                try {
                    send(devices.get(index), "alice-" + (index + 1) + "@example.com", tag, index * messages, messages,
                            window, acked, accepted, failures);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int total = accounts * messages;
        System.out.printf("outgoing: %d account-messages from %d accounts (window %d each) in %.2f s: %.0f msg/s;"
                + " %d errors, %d failed%n", total, accounts, window, seconds, total / seconds, failures[0], failures[1]);
        System.out.println("  send -> ack (stored):          " + percentiles(acked));
        System.out.println("  send -> accepted (SIP 200):    " + percentiles(accepted));
        System.out.printf("  client CPU %.0f us per account-message%n", (processCpuNanos() - cpuStart) / 1e3 / total);
    }

    /** This JVM's CPU time (all threads), ns: the client shares the machine's two cores with the server. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** One device's messages; {@code acked}/{@code accepted}[first + i] get message i's latencies in ns. */
    private static void send(Device device, String account, String tag, int first, int count, int window, long[] acked,
                             long[] accepted, int[] failures) throws InterruptedException {
        long[] sentAt = new long[count];
        int sent = 0;
        int answered = 0;
        int done = 0;
        while (done < count || answered < count) {
            while (sent < count && sent - answered < window) {
                sentAt[sent] = System.nanoTime();
                device.send("{\"sylkrtc\":\"account-message\",\"transaction\":\"" + sent + "\",\"account\":\"" + account
                        + "\",\"uri\":\"bob@example.com\",\"message_id\":\"" + tag + "-" + (first + sent)
                        + "\",\"content\":\"Hello Bob, this is message " + sent + "\",\"content_type\":\"text/plain\","
                        + "\"timestamp\":\"2026-01-01T10:00:00.000Z\"}");
                sent++;
            }
            String frame = device.frames.poll(30, TimeUnit.SECONDS);
            if (frame == null) {
                System.out.println("  " + account + ": no answer for 30 s (" + answered + " answered, " + done
                        + " accepted of " + count + ")");
                return;
            }
            long now = System.nanoTime();
            Matcher answer = ANSWER.matcher(frame);
            if (answer.find()) {
                int i = Integer.parseInt(answer.group(2));
                acked[first + i] = now - sentAt[i];
                answered++;
                if (answer.group(1).equals("error")) {
                    synchronized (failures) {
                        failures[0]++;
                    }
                    done++;
                }
                continue;
            }
            Matcher state = ACCEPTED.matcher(frame);
            if (state.find()) {
                int i = Integer.parseInt(state.group(1).substring(tag.length() + 1)) - first;
                accepted[first + i] = now - sentAt[i];
                done++;
                if (state.group(2).equals("failed")) {
                    synchronized (failures) {
                        failures[1]++;
                    }
                }
            }
        }
    }

    private static void incoming(URI url, String account, int connections, int expected, Path ready) throws Exception {
        List<Device> devices = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            devices.add(Device.register(url, account, "c" + i));
        }
        for (Device device : devices) {
            device.frames.clear();
        }
        Files.writeString(ready, "ready\n");
        List<Thread> threads = new ArrayList<>();
        String[] results = new String[connections];
        for (int i = 0; i < connections; i++) {
            int index = i;
            Thread thread = new Thread(() -> {
                Device device = devices.get(index);
                int events = 0;
                long first = 0;
                long last = 0;
                try {
                    while (events < expected) {
                        String frame = device.frames.poll(60, TimeUnit.SECONDS);
                        if (frame == null) {
                            break;
                        }
                        if (frame.contains("\"event\":\"message\"")) {
                            last = System.nanoTime();
                            first = events == 0 ? last : first;
                            events++;
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                double seconds = (last - first) / 1e9;
                results[index] = String.format("connection %d: %d of %d message events, %.0f events/s from the first to"
                        + " the last", index + 1, events, expected, seconds > 0 ? (events - 1) / seconds : 0.0);
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        for (String result : results) {
            System.out.println("  " + result);
        }
    }

    private static void sync(URI url, String account, int limit, int warm, int repeat, int fresh) throws Exception {
        Device device = Device.register(url, account, "s");
        // JIT warm-up, as every other part of the benchmark has one: the server's and this client's first syncs run
        // cold code (the first one of a server took 350 ms on a quiet machine, the next ones 180, 125, 85 ms); shown,
        // not counted
        for (int i = 0; i < warm; i++) {
            long[] time = syncOnce(device, account, limit, "warm" + i);
            System.out.printf("  warm-up sync %d (not counted): %d entries in %.1f ms (its first part after %.1f ms)%n",
                    i + 1, time[2], time[0] / 1e6, time[1] / 1e6);
        }
        for (int i = 0; i < repeat; i++) {
            long[] time = syncOnce(device, account, limit, "sync" + i);
            System.out.printf("  sync %d: %d entries (%d KiB) in %.1f ms (its first part after %.1f ms)%n", i + 1, time[2],
                    time[3] / 1024, time[0] / 1e6, time[1] / 1e6);
        }
        device.close();
        if (fresh == 0) {
            return;
        }
        // a client's first sync on a connection of its own, FRESH times one after the other (the server and this client
        // warm): what a device that connects and syncs waits for
        long[] whole = new long[fresh];
        long[] firstPart = new long[fresh];
        for (int i = 0; i < fresh; i++) {
            Device connection = Device.register(url, account, "f" + i);
            long[] time = syncOnce(connection, account, limit, "fresh" + i);
            whole[i] = time[0];
            firstPart[i] = time[1];
            connection.close();
        }
        System.out.println("  first sync of a fresh connection, request -> whole event: " + percentiles(whole));
        System.out.println("  first sync of a fresh connection, request -> its first part: " + percentiles(firstPart));
    }

    /**
     * One sync: ns from the request to the whole {@code sync-conversations} event, ns to the event's first part (the
     * server's answer began; the rest is transfer and this client's reading), entries, characters.
     */
    private static long[] syncOnce(Device device, String account, int limit, String transaction) throws Exception {
        device.frames.clear();
        long start = System.nanoTime();
        device.send("{\"sylkrtc\":\"account-sync-conversations\",\"transaction\":\"" + transaction + "\",\"account\":\""
                + account + "\",\"limit\":" + limit + "}");
        String event = device.expect("\"event\":\"sync-conversations\"");
        long whole = System.nanoTime() - start;
        long answered = device.messageStarted - start;
        int entries = event.split("\"message_id\":", -1).length - 1;
        return new long[] {whole, answered, entries, event.length()};
    }

    /** p50, p99, max in ms of the non-zero entries (zero: never answered). */
    private static String percentiles(long[] nanos) {
        long[] values = Arrays.stream(nanos).filter(v -> v > 0).sorted().toArray();
        if (values.length == 0) {
            return "none";
        }
        return String.format("p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d)", values[values.length / 2] / 1e6,
                values[Math.min(values.length - 1, (int) (values.length * 0.99))] / 1e6, values[values.length - 1] / 1e6,
                values.length);
    }
}
