import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.sylkserver.media.msrp.MsrpConnection;
import org.sylkserver.media.msrp.MsrpServer;
import org.sylkserver.protocols.msrp.Continuation;
import org.sylkserver.protocols.msrp.MsrpHeader;
import org.sylkserver.protocols.msrp.MsrpRequest;
import org.sylkserver.protocols.msrp.MsrpUri;

/**
 * MSRP benchmark (issue 5), run by {@code bench/msrp.sh} with the distribution's jars on the class path. Modes:
 *
 * <ul>
 *   <li>{@code chat}: N participants join one conference room over SIP/TCP (or, with {@code --paths}, the
 *       sessions of a {@code relay}), bind their MSRP connections, and send CPIM messages as fast as the server
 *       answers them, at most {@code --window} unanswered per participant (or, with {@code --interval} N, one message
 *       per participant every N ms at most, as bench/soak.sh paces its chat). Every receiver counts, per sender, the
 *       sequence numbers it got (carried in the text: the switch gives each copy a new Message-ID), so that loss
 *       and duplicates are checked message by message, and times each copy from the sender's write to its
 *       arrival.</li>
 *   <li>{@code relay}: the baseline, the media engine's {@link MsrpServer} alone: N sessions, each SEND copied
 *       to the N-1 other sessions' connections as the chat switch does, without SIP, CPIM or the room.</li>
 *   <li>{@code upload}: an RFC 5547 push of a file into a room in chunks, timed from the first byte to the success
 *       REPORT.</li>
 *   <li>{@code copy}: the baseline of the upload, the same bytes over a plain TLS (or TCP) socket on loopback into
 *       a file.</li>
 * </ul>
 *
 * Client sockets trust any certificate: the servers' are self-signed.
 */
public final class MsrpBench {

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        switch (args.length == 0 ? "" : args[0]) {
            case "chat" -> chat(options);
            case "relay" -> relay(options);
            case "upload" -> upload(options);
            case "copy" -> copy(options);
            default -> System.err.println("usage: MsrpBench chat|relay|upload|copy --option value ... (see bench/msrp.sh)");
        }
    }

    // ------------------------------------------------------------------------------------------------ chat

    private static void chat(Map<String, String> o) throws Exception {
        int participants = Integer.parseInt(o.getOrDefault("participants", "10"));
        int window = Integer.parseInt(o.getOrDefault("window", "32"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "3"));
        int seconds = Integer.parseInt(o.getOrDefault("seconds", "10"));
        long intervalNanos = Long.parseLong(o.getOrDefault("interval", "0")) * 1_000_000L;
        String room = o.getOrDefault("room", "benchroom");
        List<Participant> all = new ArrayList<>();
        if (o.containsKey("paths")) {
            List<String> paths = Files.readAllLines(Path.of(o.get("paths")));
            for (int i = 0; i < participants; i++) {
                all.add(new Participant(i, participants, window, intervalNanos, room, paths.get(i)));
            }
        } else {
            String[] sip = o.get("sip").split(":");
            for (int i = 0; i < participants; i++) {
                Participant p = new Participant(i, participants, window, intervalNanos, room, null);
                p.sip = new Sip(sip[0], Integer.parseInt(sip[1]), "bench" + i, room);
                all.add(p);
            }
            for (Participant p : all) {
                String ok = p.sip.invite("m=message 9 " + o.getOrDefault("proto", "TCP/TLS/MSRP") + " *\r\n"
                        + "a=accept-types:message/cpim text/plain\r\na=accept-wrapped-types:*\r\na=path:"
                        + p.ownPath(o.getOrDefault("proto", "TCP/TLS/MSRP").contains("TLS")) + "\r\na=setup:active\r\n");
                Matcher path = Pattern.compile("a=path:(\\S+)").matcher(ok);
                if (!ok.startsWith("SIP/2.0 200") || !path.find()) {
                    throw new IllegalStateException("bench" + p.index + " could not join: " + ok);
                }
                p.serverPath = path.group(1);
            }
        }
        for (Participant p : all) {
            p.connect();
        }
        Thread.sleep(500); // the join notices and history replays go by
        for (Participant p : all) {
            p.start();
        }
        Thread.sleep(warmup * 1000L);
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        long acked0 = sum(all, p -> p.acked.get());
        long delivered0 = sum(all, p -> p.delivered.get());
        for (Participant p : all) {
            p.measureFrom = t0;
        }
        Thread.sleep(seconds * 1000L);
        long t1 = System.nanoTime();
        long cpu1 = os.getProcessCpuTime();
        long acked1 = sum(all, p -> p.acked.get());
        long delivered1 = sum(all, p -> p.delivered.get());
        for (Participant p : all) {
            p.sending = false;
        }
        // drain: every SEND answered, every copy arrived (or 30 s without progress)
        long expected = 0;
        long lastProgress = System.nanoTime();
        long before = -1;
        while (System.nanoTime() - lastProgress < 30_000_000_000L) {
            expected = sum(all, p -> p.acked.get()) * (participants - 1);
            long now = sum(all, p -> p.delivered.get());
            if (sum(all, p -> p.inFlight.get()) == 0 && now >= expected) {
                break;
            }
            if (now != before) {
                before = now;
                lastProgress = System.nanoTime();
            }
            Thread.sleep(50);
        }
        double secs = (t1 - t0) / 1e9;
        long lost = 0;
        long duplicates = 0;
        long sentTotal = 0;
        for (Participant sender : all) {
            sentTotal += sender.acked.get();
            for (Participant receiver : all) {
                if (receiver != sender) {
                    BitSet got = receiver.got[sender.index];
                    synchronized (got) {
                        // acknowledged messages are numbered 0..acked-1 (answers come in order on one connection)
                        lost += sender.acked.get() - got.get(0, (int) sender.acked.get()).cardinality();
                    }
                }
            }
            for (Participant receiver : all) {
                duplicates += receiver.duplicates.get();
            }
        }
        duplicates /= participants;
        long refused = sum(all, p -> p.refused.get());
        long[] latencies = all.stream().flatMapToLong(p -> Arrays.stream(p.latencies, 0, p.latencyCount)).sorted()
                .toArray();
        System.out.printf("participants %d, senders %d, window %d, %d s measured after %d s of warm-up%n",
                participants, participants, window, seconds, warmup);
        System.out.printf("sent (answered 200) %,d = %,.0f msg/s; refused %d%n", acked1 - acked0,
                (acked1 - acked0) / secs, refused);
        System.out.printf("delivered %,d = %,.0f msg/s (%.2f copies per message sent)%n", delivered1 - delivered0,
                (delivered1 - delivered0) / secs, (delivered1 - delivered0) / (double) Math.max(1, acked1 - acked0));
        System.out.printf("latency send->delivery over %,d copies: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                latencies.length, percentile(latencies, 0.50), percentile(latencies, 0.99),
                latencies.length == 0 ? 0 : latencies[latencies.length - 1] / 1e6);
        System.out.printf("client CPU while measured: %.0f%% (100%% = one core)%n", 100.0 * (cpu1 - cpu0) / (t1 - t0));
        System.out.printf("check over the whole run: %,d messages sent, %,d copies expected, %,d missing, "
                + "%,d duplicated, %,d unmatched: %s%n", sentTotal, sentTotal * (participants - 1), lost, duplicates,
                sum(all, p -> p.other.get()), lost == 0 && duplicates == 0 && refused == 0 ? "ZERO LOSS" : "LOSS");
        System.out.printf("RESULT chat sent_per_s=%.0f delivered_per_s=%.0f p50_ms=%.2f p99_ms=%.2f lost=%d%n",
                (acked1 - acked0) / secs, (delivered1 - delivered0) / secs, percentile(latencies, 0.50),
                percentile(latencies, 0.99), lost + duplicates + refused);
        for (Participant p : all) {
            p.close();
        }
        System.exit(0);
    }

    private static double percentile(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e6;
    }

    private static long sum(List<Participant> all, java.util.function.ToLongFunction<Participant> f) {
        return all.stream().mapToLong(f).sum();
    }

    /**
     * One chat participant: a writer thread that sends its SENDs (window permitting) and the 200s it owes, and a
     * reader thread that never blocks on writing, so that a slow server cannot wedge the client.
     */
    private static final class Participant {
        final int index;
        final int window;
        /** Nanoseconds between two messages of this participant (0: as fast as the window allows). */
        final long intervalNanos;
        long nextSendAt;
        final String room;
        final BitSet[] got;
        final AtomicLong acked = new AtomicLong();
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong duplicates = new AtomicLong();
        final AtomicLong other = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final AtomicInteger inFlight = new AtomicInteger();
        final ConcurrentLinkedQueue<byte[]> owed = new ConcurrentLinkedQueue<>();
        volatile boolean sending = true;
        /** The writer is parked with nothing to write: only then is waking it worth a system call. */
        volatile boolean idle;
        volatile long measureFrom = Long.MAX_VALUE;
        long[] latencies = new long[1 << 16];
        int latencyCount;
        Sip sip;
        String serverPath;
        MsrpLink link;
        Thread writer;

        Participant(int index, int participants, int window, long intervalNanos, String room, String serverPath) {
            this.index = index;
            this.window = window;
            this.intervalNanos = intervalNanos;
            this.room = room;
            this.serverPath = serverPath;
            this.got = new BitSet[participants];
            for (int i = 0; i < participants; i++) {
                got[i] = new BitSet();
            }
        }

        String ownPath(boolean tls) {
            return (tls ? "msrps" : "msrp") + "://127.0.0.1:9/bench" + index + "s;tcp";
        }

        void connect() throws Exception {
            link = new MsrpLink(serverPath, ownPath(serverPath.startsWith("msrps:")));
            link.bind("bind" + index);
        }

        void start() {
            writer = new Thread(this::write, "writer-" + index);
            Thread reader = new Thread(this::read, "reader-" + index);
            reader.setDaemon(true);
            writer.setDaemon(true);
            reader.start();
            writer.start();
        }

        private void write() {
            byte[] prefix = ("From: <sip:bench" + index + "@127.0.0.1>\r\nTo: <sip:" + room
                    + "@127.0.0.1>\r\nDateTime: 2026-12-01T10:00:00Z\r\n\r\nContent-Type: text/plain\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            long seq = 0;
            try {
                while (true) {
                    boolean wrote = false;
                    byte[] response;
                    while ((response = owed.poll()) != null) {
                        link.out.write(response);
                        wrote = true;
                    }
                    while (maySend()) {
                        nextSendAt = System.nanoTime() + intervalNanos;
                        inFlight.incrementAndGet();
                        String text = "bench " + index + " " + seq + " " + System.nanoTime()
                                + " the quick brown fox jumps over the lazy dog";
                        byte[] body = Arrays.copyOf(prefix, prefix.length + text.length());
                        System.arraycopy(text.getBytes(StandardCharsets.US_ASCII), 0, body, prefix.length,
                                text.length());
                        link.send("s" + index + "x" + seq, "m" + index + "x" + seq, "message/cpim", body, null);
                        seq++;
                        wrote = true;
                    }
                    if (wrote) {
                        link.out.flush();
                    } else {
                        idle = true;
                        if (owed.isEmpty() && !maySend()) {
                            LockSupport.parkNanos(1_000_000);
                        }
                        idle = false;
                    }
                }
            } catch (IOException e) {
                if (sending) {
                    System.err.println("bench" + index + " writer: " + e);
                }
            }
        }

        private boolean maySend() {
            return sending && inFlight.get() < window && (intervalNanos == 0 || System.nanoTime() >= nextSendAt);
        }

        private void read() {
            try {
                while (true) {
                    MsrpLink.Frame f = link.next();
                    if (f.code >= 0) {
                        if (f.code == 200) {
                            acked.incrementAndGet();
                        } else {
                            refused.incrementAndGet();
                        }
                        inFlight.decrementAndGet();
                        wake();
                        continue;
                    }
                    if (!f.method.equals("SEND")) {
                        continue;
                    }
                    owed.add(link.ok(f.tid));
                    wake();
                    counted(f);
                }
            } catch (IOException e) {
                if (sending) {
                    System.err.println("bench" + index + " reader: " + e);
                }
            }
        }

        private void wake() {
            if (idle) {
                LockSupport.unpark(writer);
            }
        }

        /** Finds "bench <sender> <seq> <nanos>" in a delivered copy. */
        private void counted(MsrpLink.Frame f) {
            int at = indexOf(f.buf, f.bodyStart, f.bodyEnd, BENCH);
            if (at < 0) {
                other.incrementAndGet();
                return;
            }
            long arrived = System.nanoTime();
            long[] numbers = new long[3];
            int p = at + BENCH.length;
            for (int k = 0; k < 3; k++) {
                long v = 0;
                while (f.buf[p] >= '0' && f.buf[p] <= '9') {
                    v = v * 10 + (f.buf[p++] - '0');
                }
                numbers[k] = v;
                p++;
            }
            BitSet from = got[(int) numbers[0]];
            boolean duplicate;
            synchronized (from) {
                duplicate = from.get((int) numbers[1]);
                from.set((int) numbers[1]);
            }
            if (duplicate) {
                duplicates.incrementAndGet();
                return;
            }
            delivered.incrementAndGet();
            if (numbers[2] >= measureFrom) {
                if (latencyCount == latencies.length) {
                    latencies = Arrays.copyOf(latencies, latencies.length * 2);
                }
                latencies[latencyCount++] = arrived - numbers[2];
            }
        }

        /**
         * Leaves: for a room's participant, ends its SIP dialog first (RFC 3261 §15; closing the MSRP connection first
         * would have the room end the session too, crossing our BYE), then closes the MSRP connection.
         */
        void close() {
            if (sip != null) {
                try {
                    sip.bye();
                } catch (IOException e) {
                    System.err.println("bench" + index + " BYE: " + e);
                }
            }
            link.close();
        }
    }

    private static final byte[] BENCH = "bench ".getBytes(StandardCharsets.US_ASCII);

    // ------------------------------------------------------------------------------------------------ relay

    /**
     * The baseline of the chat: {@link MsrpServer} with N sessions whose SENDs are copied to the other sessions, on
     * the connection thread that read them, as {@code ChatStream} does. Writes the sessions' URIs to
     * {@code --paths}, one a line, and runs until killed.
     */
    private static void relay(Map<String, String> o) throws Exception {
        int participants = Integer.parseInt(o.getOrDefault("participants", "10"));
        SSLContext tls = o.containsKey("keystore") ? serverContext(o.get("keystore"), o.get("password")) : null;
        MsrpServer server = new MsrpServer(InetAddress.getLoopbackAddress(), 0, tls);
        MsrpUri[] local = new MsrpUri[participants];
        MsrpUri[] remote = new MsrpUri[participants];
        AtomicReferenceArray<MsrpConnection> connections = new AtomicReferenceArray<>(participants);
        SecureRandom random = new SecureRandom();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < participants; i++) {
            int me = i;
            local[i] = server.open((request, connection) -> {
                if (connections.get(me) != connection) { // a new run's participant binds its connection
                    remote[me] = request.fromPath().get(0); // published by the set below
                    connections.set(me, connection);
                }
                if (!request.method().equals(MsrpRequest.SEND) || !request.hasBody()) {
                    return 200;
                }
                for (int j = 0; j < participants; j++) {
                    MsrpConnection to = connections.get(j);
                    if (j == me || to == null) {
                        continue;
                    }
                    byte[] id = new byte[8];
                    random.nextBytes(id);
                    String hex = HexFormat.of().formatHex(id);
                    try {
                        to.send(new MsrpRequest("r" + hex, MsrpRequest.SEND, List.of(remote[j]), List.of(local[j]),
                                List.of(new MsrpHeader("Message-ID", "m" + hex),
                                        new MsrpHeader("Byte-Range", "1-" + request.body().length + "/"
                                                + request.body().length),
                                        new MsrpHeader("Content-Type", "message/cpim")),
                                request.body(), Continuation.COMPLETE));
                    } catch (IOException e) {
                        System.err.println("relay: " + e);
                    }
                }
                return 200;
            });
            lines.add(local[i].toString());
        }
        Files.write(Path.of(o.get("paths")), lines);
        System.out.println("relay ready on port " + server.port());
        Thread.sleep(Long.MAX_VALUE);
    }

    // ------------------------------------------------------------------------------------------------ upload

    private static void upload(Map<String, String> o) throws Exception {
        long size = Long.parseLong(o.getOrDefault("mb", "100")) * 1024 * 1024;
        int chunk = Integer.parseInt(o.getOrDefault("chunk-kb", "1024")) * 1024;
        int window = Integer.parseInt(o.getOrDefault("window", "8"));
        String room = o.getOrDefault("room", "fileroom");
        String proto = o.getOrDefault("proto", "TCP/TLS/MSRP");
        boolean tls = proto.contains("TLS");
        String[] sipAddress = o.get("sip").split(":");
        byte[] block = block();
        String hash = sha1Selector(block, size);

        // a room exists only while someone is in it (spec §3.2): a chat participant holds it open
        Sip watcher = new Sip(sipAddress[0], Integer.parseInt(sipAddress[1]), "watcher", room);
        String joined = watcher.invite("m=message 9 " + proto + " *\r\na=accept-types:message/cpim text/plain\r\n"
                + "a=path:" + (tls ? "msrps" : "msrp") + "://127.0.0.1:9/watch0001;tcp\r\na=setup:active\r\n");
        Matcher watchPath = Pattern.compile("a=path:(\\S+)").matcher(joined);
        if (!joined.startsWith("SIP/2.0 200") || !watchPath.find()) {
            throw new IllegalStateException("the watcher could not join: " + joined);
        }
        MsrpLink watch = new MsrpLink(watchPath.group(1), (tls ? "msrps" : "msrp") + "://127.0.0.1:9/watch0001;tcp");
        watch.bind("bindwatch");
        Thread watching = new Thread(() -> {
            try {
                while (true) {
                    MsrpLink.Frame f = watch.next();
                    if (f.code < 0 && f.method.equals("SEND")) {
                        synchronized (watch.out) {
                            watch.out.write(watch.ok(f.tid));
                            watch.out.flush();
                        }
                    }
                }
            } catch (IOException ignored) {
                // closed at the end
            }
        });
        watching.setDaemon(true);
        watching.start();

        String own = (tls ? "msrps" : "msrp") + "://127.0.0.1:9/upload0001;tcp";
        String name = "bench-" + (size >> 20) + "MB.bin";
        String ok;
        // the watcher joins the room when the server handles its ACK, which a cold server may do after this INVITE
        for (int attempt = 1; ; attempt++) {
            Sip uploader = new Sip(sipAddress[0], Integer.parseInt(sipAddress[1]), "uploader", room);
            ok = uploader.invite("m=message 9 " + proto + " *\r\na=sendonly\r\na=accept-types:*\r\na=path:" + own
                    + "\r\na=setup:active\r\na=file-selector:name:\"" + name + "\" type:application/octet-stream size:"
                    + size + " hash:" + hash + "\r\na=file-transfer-id:bench" + System.nanoTime() + "\r\n");
            if (!ok.startsWith("SIP/2.0 404") || attempt == 50) {
                break;
            }
            Thread.sleep(100);
        }
        Matcher path = Pattern.compile("a=path:(\\S+)").matcher(ok);
        if (!ok.startsWith("SIP/2.0 200") || !path.find()) {
            throw new IllegalStateException("the upload was refused: " + ok);
        }
        MsrpLink link = new MsrpLink(path.group(1), own);
        link.bind("bindupload");

        AtomicInteger inFlight = new AtomicInteger();
        AtomicLong reported = new AtomicLong();
        String[] report = new String[1];
        CountDownLatch done = new CountDownLatch(1);
        Thread sender = Thread.currentThread();
        Thread reader = new Thread(() -> {
            try {
                while (true) {
                    MsrpLink.Frame f = link.next();
                    if (f.code >= 0) {
                        if (f.code != 200) {
                            report[0] = "chunk refused with " + f.code;
                            done.countDown();
                            return;
                        }
                        inFlight.decrementAndGet();
                        LockSupport.unpark(sender);
                    } else if (f.method.equals("REPORT")) {
                        reported.set(System.nanoTime());
                        report[0] = new String(f.buf, f.headStart, f.bodyEnd - f.headStart, StandardCharsets.UTF_8);
                        done.countDown();
                    }
                }
            } catch (IOException e) {
                report[0] = "connection: " + e;
                done.countDown();
            }
        });
        reader.setDaemon(true);
        reader.start();
        long started = System.nanoTime();
        long offset = 0;
        int n = 0;
        while (offset < size && done.getCount() > 0) {
            while (inFlight.get() >= window) {
                LockSupport.parkNanos(1_000_000);
            }
            int length = (int) Math.min(chunk, size - offset);
            inFlight.incrementAndGet();
            link.sendChunk("c" + n++ + "x" + System.identityHashCode(link), "file" + System.identityHashCode(link),
                    block, offset, length, size, offset + length == size ? '$' : '+');
            link.out.flush();
            offset += length;
        }
        done.await();
        long took = reported.get() - started;
        boolean success = report[0] != null && report[0].contains("Status: 000 200");
        System.out.printf("upload %s of %,d bytes in chunks of %d KiB, window %d: %s%n", proto, size, chunk / 1024,
                window, success ? "success REPORT" : "FAILED: " + report[0]);
        System.out.printf("RESULT upload proto=%s mb=%d seconds=%.2f mb_per_s=%.1f%n", proto, size >> 20, took / 1e9,
                success ? size / 1048576.0 / (took / 1e9) : 0);
        System.exit(success ? 0 : 1);
    }

    /** 16 MiB of seeded random bytes; a file of any size is this block repeated. */
    private static byte[] block() {
        byte[] block = new byte[16 << 20];
        new Random(5547).nextBytes(block);
        return block;
    }

    private static String sha1Selector(byte[] block, long size) throws Exception {
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        for (long at = 0; at < size; at += block.length) {
            sha1.update(block, 0, (int) Math.min(block.length, size - at));
        }
        return "sha-1:" + HexFormat.ofDelimiter(":").withUpperCase().formatHex(sha1.digest());
    }

    // ------------------------------------------------------------------------------------------------ copy

    /** The upload's baseline: the same bytes through one TLS (or TCP) socket on loopback into a file. */
    private static void copy(Map<String, String> o) throws Exception {
        long size = Long.parseLong(o.getOrDefault("mb", "100")) * 1024 * 1024;
        boolean tls = o.containsKey("keystore");
        Path target = Path.of(o.get("file"));
        byte[] block = block();
        ServerSocket listener = tls
                ? serverContext(o.get("keystore"), o.get("password")).getServerSocketFactory().createServerSocket(0)
                : new ServerSocket(0);
        AtomicLong received = new AtomicLong();
        Thread receiver = new Thread(() -> {
            try (Socket s = listener.accept(); InputStream in = s.getInputStream();
                 FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                         StandardOpenOption.TRUNCATE_EXISTING)) {
                byte[] buffer = new byte[64 * 1024];
                long total = 0;
                int n;
                while (total < size && (n = in.read(buffer)) > 0) {
                    ByteBuffer data = ByteBuffer.wrap(buffer, 0, n);
                    while (data.hasRemaining()) {
                        out.write(data);
                    }
                    total += n;
                }
                received.set(total);
            } catch (IOException e) {
                System.err.println("copy receiver: " + e);
            }
        });
        receiver.start();
        try (Socket s = tls ? trustAll().getSocketFactory().createSocket("127.0.0.1", listener.getLocalPort())
                : new Socket("127.0.0.1", listener.getLocalPort())) {
            if (s instanceof SSLSocket ssl) {
                ssl.startHandshake();
            }
            OutputStream out = s.getOutputStream();
            long started = System.nanoTime();
            for (long at = 0; at < size; at += 1 << 20) {
                out.write(block, (int) (at % block.length), (int) Math.min(1 << 20, size - at));
            }
            out.flush();
            receiver.join();
            long took = System.nanoTime() - started;
            System.out.printf("RESULT copy proto=%s mb=%d seconds=%.2f mb_per_s=%.1f%n", tls ? "TLS" : "TCP",
                    size >> 20, took / 1e9, received.get() == size ? size / 1048576.0 / (took / 1e9) : 0);
        }
        Files.deleteIfExists(target);
    }

    // ------------------------------------------------------------------------------------------------ wire

    static SSLContext serverContext(String keystore, String password) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(Path.of(keystore))) {
            keys.load(in, password.toCharArray());
        }
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keys, password.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(managers.getKeyManagers(), null, null);
        return context;
    }

    static SSLContext trustAll() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, new SecureRandom());
        return context;
    }

    static int indexOf(byte[] buf, int from, int to, byte[] pattern) {
        outer:
        for (int i = from; i + pattern.length <= to; i++) {
            for (int k = 0; k < pattern.length; k++) {
                if (buf[i + k] != pattern[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** A client MSRP connection: writes requests and responses, reads whole messages (RFC 4975 §7.1 framing). */
    static final class MsrpLink {

        /** A received message: {@code code} >= 0 for a response, else a request {@code method}. */
        record Frame(String tid, int code, String method, byte[] buf, int headStart, int bodyStart, int bodyEnd) {
        }

        final Socket socket;
        final OutputStream out;
        final InputStream in;
        /** The To-Path and From-Path lines of every request and response sent. */
        final byte[] paths;
        final String serverPath;
        final String ownPath;
        private byte[] buf = new byte[4 << 20];
        private int start;
        private int end;

        MsrpLink(String serverPath, String ownPath) throws Exception {
            Matcher address = Pattern.compile("msrps?://([^:/]+):(\\d+)/").matcher(serverPath);
            if (!address.find()) {
                throw new IllegalArgumentException(serverPath);
            }
            this.serverPath = serverPath;
            this.ownPath = ownPath;
            String host = address.group(1);
            int port = Integer.parseInt(address.group(2));
            socket = serverPath.startsWith("msrps:") ? trustAll().getSocketFactory().createSocket(host, port)
                    : new Socket(host, port);
            socket.setTcpNoDelay(true);
            out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            in = socket.getInputStream();
            paths = ("\r\nTo-Path: " + serverPath + "\r\nFrom-Path: " + ownPath + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
        }

        /** RFC 4975 §5.4: the active side binds the connection with an empty SEND, which must get its 200. */
        void bind(String tid) throws IOException {
            out.write(("MSRP " + tid + " SEND" + new String(paths, StandardCharsets.US_ASCII) + "Message-ID: " + tid
                    + "\r\nByte-Range: 1-0/0\r\n-------" + tid + "$\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            while (true) {
                Frame f = next();
                if (f.code < 0) {
                    // a room sends its welcome and history before it answers the bind
                    if (f.method.equals("SEND")) {
                        out.write(ok(f.tid));
                        out.flush();
                    }
                } else if (f.code == 200 && f.tid.equals(tid)) {
                    return;
                } else {
                    throw new IOException("bind " + tid + " answered " + f.code);
                }
            }
        }

        /** A complete SEND (one chunk), written to the buffer: the caller flushes. */
        void send(String tid, String messageId, String contentType, byte[] body, String extra) throws IOException {
            out.write(("MSRP " + tid + " SEND").getBytes(StandardCharsets.US_ASCII));
            out.write(paths);
            out.write(("Message-ID: " + messageId + "\r\nByte-Range: 1-" + body.length + "/" + body.length
                    + "\r\nContent-Type: " + contentType + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.write(("\r\n-------" + tid + "$\r\n").getBytes(StandardCharsets.US_ASCII));
        }

        /** One chunk of a file: bytes {@code [offset, offset + length)} of the repeated {@code block}. */
        void sendChunk(String tid, String messageId, byte[] block, long offset, int length, long total, char flag)
                throws IOException {
            out.write(("MSRP " + tid + " SEND").getBytes(StandardCharsets.US_ASCII));
            out.write(paths);
            out.write(("Message-ID: " + messageId + "\r\nSuccess-Report: yes\r\nByte-Range: " + (offset + 1) + "-"
                    + (offset + length) + "/" + total + "\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            int at = (int) (offset % block.length);
            int first = Math.min(length, block.length - at);
            out.write(block, at, first);
            if (first < length) {
                out.write(block, 0, length - first);
            }
            out.write(("\r\n-------" + tid + flag + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }

        /** The 200 a received SEND is owed (RFC 4975 §7.2: no Failure-Report header means "yes"). */
        byte[] ok(String tid) {
            return ("MSRP " + tid + " 200 OK" + new String(paths, StandardCharsets.US_ASCII) + "-------" + tid
                    + "$\r\n").getBytes(StandardCharsets.US_ASCII);
        }

        /** The next whole message; its bytes stay valid until the next call. */
        Frame next() throws IOException {
            int scanned = start;
            while (true) {
                int lineEnd = indexOf(buf, start, end, CRLF);
                if (lineEnd > 0) {
                    int sp1 = start + 5;
                    int sp2 = sp1;
                    while (sp2 < lineEnd && buf[sp2] != ' ') {
                        sp2++;
                    }
                    String tid = new String(buf, sp1, sp2 - sp1, StandardCharsets.US_ASCII);
                    byte[] endLine = ("\r\n-------" + tid).getBytes(StandardCharsets.US_ASCII);
                    int e = indexOf(buf, Math.max(lineEnd, scanned), end, endLine);
                    if (e >= 0 && e + endLine.length + 3 <= end) {
                        String rest = new String(buf, sp2 + 1, lineEnd - sp2 - 1, StandardCharsets.US_ASCII);
                        int code = -1;
                        String method = rest;
                        if (!rest.isEmpty() && Character.isDigit(rest.charAt(0))) {
                            code = Integer.parseInt(rest.substring(0, 3));
                            method = null;
                        }
                        int blank = indexOf(buf, lineEnd, e, BLANK);
                        int bodyStart = blank < 0 ? e : blank + 4;
                        Frame f = new Frame(tid, code, method, buf, lineEnd + 2, bodyStart, e);
                        start = e + endLine.length + 3;
                        return f;
                    }
                    if (e < 0) {
                        scanned = Math.max(lineEnd, end - endLine.length);
                    }
                }
                if (end == buf.length) {
                    int used = end - start;
                    if (used > buf.length / 2) {
                        buf = Arrays.copyOf(buf, buf.length * 2);
                    }
                    System.arraycopy(buf, start, buf, 0, used);
                    scanned -= start;
                    end = used;
                    start = 0;
                }
                int n = in.read(buf, end, buf.length - end);
                if (n < 0) {
                    throw new IOException("connection closed");
                }
                end += n;
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] BLANK = {'\r', '\n', '\r', '\n'};

    /** A SIP user agent over TCP, enough to join a room: INVITE, its final answer, ACK. */
    static final class Sip {
        final Socket socket;
        final InputStream in;
        final String user;
        final String room;
        final String host;
        final int port;
        final String callId;
        final long unique = System.nanoTime();

        Sip(String host, int port, String user, String room) throws IOException {
            this.host = host;
            this.port = port;
            this.user = user;
            this.room = room;
            this.socket = new Socket(host, port);
            this.in = new java.io.BufferedInputStream(socket.getInputStream());
            this.callId = user + "-" + unique + "@127.0.0.1";
        }

        private String toTag;

        private String headers(String method, String branch, String toTag) {
            return "Via: SIP/2.0/TCP 127.0.0.1:" + socket.getLocalPort() + ";branch=z9hG4bK" + branch + unique
                    + "\r\nFrom: <sip:" + user + "@127.0.0.1>;tag=" + user + unique + "\r\nTo: <sip:" + room
                    + "@127.0.0.1>" + (toTag == null ? "" : ";tag=" + toTag) + "\r\nCall-ID: " + callId
                    + "\r\nCSeq: " + (method.equals("BYE") ? 2 : 1) + " " + method + "\r\nMax-Forwards: 70\r\nContact: <sip:"
                    + user + "@127.0.0.1:"
                    + socket.getLocalPort() + ";transport=tcp>\r\n";
        }

        /** INVITE with an SDP of {@code media} lines; ACKs a 2xx; returns the final response. */
        String invite(String media) throws IOException {
            String sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" + media;
            write("INVITE sip:" + room + "@" + host + ":" + port + " SIP/2.0\r\n" + headers("INVITE", "inv", null)
                    + "Content-Type: application/sdp\r\nContent-Length: " + sdp.length() + "\r\n\r\n" + sdp);
            String response;
            do {
                response = read();
            } while (response.startsWith("SIP/2.0 1") || !response.startsWith("SIP/2.0"));
            if (response.startsWith("SIP/2.0 2")) {
                Matcher tag = Pattern.compile("(?im)^To:.*;tag=([^;\\s]+)").matcher(response);
                tag.find();
                toTag = tag.group(1);
                write("ACK sip:" + room + "@" + host + ":" + port + " SIP/2.0\r\n" + headers("ACK", "ack", tag.group(1))
                        + "Content-Length: 0\r\n\r\n");
            }
            return response;
        }

        /** Ends the dialog that {@link #invite} set up, waits for the BYE's final answer, and closes the connection. */
        void bye() throws IOException {
            try (socket) {
                if (toTag == null) {
                    return;
                }
                write("BYE sip:" + room + "@" + host + ":" + port + " SIP/2.0\r\n" + headers("BYE", "bye", toTag)
                        + "Content-Length: 0\r\n\r\n");
                socket.setSoTimeout(10_000);
                String response;
                do {
                    response = read();
                } while (!response.matches("(?s)SIP/2\\.0 [2-6].*")); // requests and provisionals go by
                if (!response.startsWith("SIP/2.0 2")) {
                    throw new IOException("BYE answered " + response.lines().findFirst().orElse(""));
                }
            }
        }

        private void write(String message) throws IOException {
            socket.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
        }

        private String read() throws IOException {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("SIP connection closed");
                }
                if (head.length() == 0 && (b == '\r' || b == '\n')) {
                    continue; // keep-alive CRLFs
                }
                head.append((char) b);
            }
            Matcher length = Pattern.compile("(?im)^(?:Content-Length|l)\\s*:\\s*(\\d+)").matcher(head);
            int n = length.find() ? Integer.parseInt(length.group(1)) : 0;
            return head + new String(in.readNBytes(n), StandardCharsets.UTF_8);
        }
    }
}
