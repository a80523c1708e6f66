import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
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
     * One sylkRTC connection over a plain socket, RFC 6455 framing written here; every text message queued. Not the
     * JDK's {@code java.net.http.WebSocket}: that client cost 80-110 us of CPU per account-message (an ack and an
     * event read, a request written, each through its scheduler and executor hand-offs), a fifth of the two cores
     * the server shares with it (issue 14, session 22). Each request is still written on its own (one frame, one
     * write), as a browser sends it.
     */
    static final class Device {
        final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        /** When the first frame of the message received last came (System.nanoTime). */
        volatile long messageStarted;
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;

        private Device(URI url) throws IOException {
            socket = new Socket(url.getHost(), url.getPort());
            socket.setTcpNoDelay(true);
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 65536));
            out = new BufferedOutputStream(socket.getOutputStream(), 8192);
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            String key = Base64.getEncoder().encodeToString(nonce);
            out.write(("GET " + url.getRawPath() + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + url.getPort()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
                    + "\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sylkRTC-2\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = readLine();
            if (!status.startsWith("HTTP/1.1 101")) {
                throw new IOException("no WebSocket upgrade: " + status);
            }
            while (!readLine().isEmpty()) {
                // the handshake's headers: the server chose the only subprotocol offered and no extension
            }
        }

        private String readLine() throws IOException {
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed in the handshake");
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }

        static Device register(URI url, String account, String name) throws Exception {
            Device device = new Device(url);
            Thread reader = new Thread(device::read, "ws-reader-" + name);
            reader.setDaemon(true);
            reader.start();
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

        /** The reader thread: queues each text message (fragments joined), answers pings, ends at close or EOF. */
        private void read() {
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            try {
                while (true) {
                    int first = in.readUnsignedByte();
                    int second = in.readUnsignedByte();
                    long length = second & 0x7f;
                    if (length == 126) {
                        length = in.readUnsignedShort();
                    } else if (length == 127) {
                        length = in.readLong();
                    }
                    byte[] payload = new byte[(int) length];
                    in.readFully(payload);
                    int opcode = first & 0x0f;
                    if (opcode == 0x8) {
                        return;
                    }
                    if (opcode == 0x9) {
                        write(0x8a, payload);
                        continue;
                    }
                    if (opcode == 0x1 || opcode == 0x0) {
                        if (message.size() == 0 && opcode == 0x1) {
                            messageStarted = System.nanoTime();
                        }
                        message.write(payload);
                        if ((first & 0x80) != 0) {
                            frames.add(message.toString(StandardCharsets.UTF_8));
                            message.reset();
                        }
                    }
                }
            } catch (IOException e) {
                // the connection ended: the waiting side times out on its queue
            }
        }

        /** One frame, masked as a client's must be (RFC 6455 §5.3), in one write. */
        private synchronized void write(int firstByte, byte[] payload) throws IOException {
            out.write(firstByte);
            if (payload.length < 126) {
                out.write(0x80 | payload.length);
            } else if (payload.length < 65536) {
                out.write(0x80 | 126);
                out.write(payload.length >>> 8);
                out.write(payload.length);
            } else {
                out.write(0x80 | 127);
                for (int shift = 56; shift >= 0; shift -= 8) {
                    out.write((int) ((long) payload.length >>> shift));
                }
            }
            int mask = ThreadLocalRandom.current().nextInt();
            byte[] key = {(byte) (mask >>> 24), (byte) (mask >>> 16), (byte) (mask >>> 8), (byte) mask};
            out.write(key);
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= key[i & 3];
            }
            out.write(payload);
            out.flush();
        }

        void send(String text) {
            try {
                write(0x81, text.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** A close frame with status 1000 (normal closure), then the socket closed. */
        void close() throws IOException {
            write(0x88, new byte[] {0x03, (byte) 0xe8});
            socket.close();
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
