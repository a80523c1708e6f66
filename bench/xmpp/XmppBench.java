import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jivesoftware.smack.ConnectionConfiguration;
import org.jivesoftware.smack.SmackException;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * XMPP gateway benchmark client (issue 16), driven by {@code bench/xmpp.sh}. One JVM holds every end, so latencies
 * are measured on one monotonic clock: each message carries its send time ({@code System.nanoTime()}) in its body.
 * <ul>
 * <li>romeo and juliet: Smack clients of Prosody ({@code xmpp.test}, c2s on loopback).</li>
 * <li>alice: a SIP user agent of our domain ({@code sylk.test}) sending MESSAGEs over UDP to our server, with the
 * non-INVITE retransmissions of RFC 3261 §17.1.2.2 (timer E from 500 ms, doubling up to 4 s; given up after 32 s).</li>
 * <li>bob's proxy: our server's {@code outbound_proxy}, a UDP UAS that answers every MESSAGE 200 and counts it.</li>
 * </ul>
 * Per rate, four steps of the same length, one after the other:
 * {@code c2c} romeo -> juliet through Prosody alone (the baseline); {@code sip->xmpp} alice -> juliet
 * (MESSAGE -> our gateway -> S2S -> Prosody -> juliet); {@code xmpp->sip} romeo -> bob@sylk.test (Prosody -> S2S ->
 * our gateway -> MESSAGE -> proxy); {@code sip-echo} alice -> our echo application (the SIP container's own MESSAGE
 * rate, nothing sent on). Each step reports sent, received, lost, the rate received, latency p50/p99/max, SIP
 * failures, and the CPU (ms per message) of our server, of Prosody and of this client; under the server's steps its
 * CPU by thread group and its collector's figures in the step (from its G1 log).
 *
 * <p>Steady state: before the steps, a warm-up of {@code WARMUP_SECONDS} each way at the highest rate (C2 compiles
 * then, not in the steps); before each step a pause of {@code PAUSE_SECONDS} (the container keeps a UDP non-INVITE
 * server transaction 32 s for Timer J: after the pause no step runs with the previous one's).
 *
 * <p>Usage: {@code java -cp <smack> XmppBench.java SIP_PORT PROXY_PORT C2S_PORT SERVER_PID PROSODY_PID SECONDS
 * WARMUP_SECONDS PAUSE_SECONDS GC_LOG RATE...} (GC_LOG: the server's {@code -Xlog:gc:file=GC_LOG:time})
 */
public final class XmppBench {

    private static final String XMPP_DOMAIN = "xmpp.test";
    private static final String SIP_DOMAIN = "sylk.test";
    private static final Pattern MARK = Pattern.compile("(c2c|s2x|x2s|echo) (\\d+) (\\d+) (\\d+)");
    private static final long CLOCK_TICK_NANOS = 10_000_000L; // USER_HZ 100 on Linux

    /** One step's books: what was sent when, what arrived, what SIP answered. */
    static final class Step {
        final String kind;
        final int run;
        final int count;
        final long[] sentAt;
        final long[] latency;
        final int[] status;
        final AtomicInteger received = new AtomicInteger();
        final AtomicInteger duplicates = new AtomicInteger();
        final AtomicInteger answered = new AtomicInteger();
        final AtomicInteger retransmissions = new AtomicInteger();
        final AtomicLong lastArrival = new AtomicLong();

        Step(String kind, int run, int count) {
            this.kind = kind;
            this.run = run;
            this.count = count;
            this.sentAt = new long[count];
            this.latency = new long[count];
            this.status = new int[count];
        }

        String mark(int seq, long now) {
            return kind + " " + run + " " + seq + " " + now;
        }

        /** A message of this step arrived at its receiver. */
        void arrived(int seq, long sent, long now) {
            if (seq < 0 || seq >= count) {
                return;
            }
            synchronized (latency) {
                if (latency[seq] != 0) {
                    duplicates.incrementAndGet();
                    return;
                }
                latency[seq] = Math.max(1, now - sent);
            }
            received.incrementAndGet();
            lastArrival.accumulateAndGet(now, Math::max);
        }
    }

    private static volatile Step current;
    private static final Map<String, Integer> RUNS = new LinkedHashMap<>();

    public static void main(String[] args) throws Exception {
        int sipPort = Integer.parseInt(args[0]);
        int proxyPort = Integer.parseInt(args[1]);
        int c2sPort = Integer.parseInt(args[2]);
        long serverPid = Long.parseLong(args[3]);
        long prosodyPid = Long.parseLong(args[4]);
        int seconds = Integer.parseInt(args[5]);
        int warmup = Integer.parseInt(args[6]);
        pauseSeconds = Integer.parseInt(args[7]);
        gcLog = Path.of(args[8]);
        int[] rates = Arrays.stream(args, 9, args.length).mapToInt(Integer::parseInt).toArray();
        int highest = Arrays.stream(rates).max().orElseThrow();

        XMPPTCPConnection romeo = client("romeo", c2sPort);
        XMPPTCPConnection juliet = client("juliet", c2sPort);
        juliet.addSyncStanzaListener(stanza -> {
            long now = System.nanoTime();
            String body = ((Message) stanza).getBody();
            if (body != null) {
                record(body, now);
            }
        }, StanzaTypeFilter.MESSAGE);
        EntityBareJid julietJid = JidCreate.entityBareFrom("juliet@" + XMPP_DOMAIN);
        EntityBareJid bobJid = JidCreate.entityBareFrom("bob@" + SIP_DOMAIN);
        SipAgent alice = new SipAgent(new InetSocketAddress("127.0.0.1", sipPort));
        ProxyUas proxy = new ProxyUas(proxyPort);

        Sender c2c = (step, seq) -> xmpp(romeo, julietJid, step, seq);
        Sender sipToXmpp = (step, seq) -> alice.send(step, seq, "juliet@" + XMPP_DOMAIN, "xmppgateway", "text/plain");
        Sender xmppToSip = (step, seq) -> xmpp(romeo, bobJid, step, seq);
        Sender echo = (step, seq) -> alice.send(step, seq, "echo-test@" + SIP_DOMAIN, "echo", "application/x-bench");
        Processes cpu = new Processes(serverPid, prosodyPid);

        // the S2S links (DNS, TCP, STARTTLS, dialback both ways) are made by the first message each way
        Result inLink = run("s2x", 1, 1, sipToXmpp, cpu, true, 30);
        Result outLink = run("x2s", 1, 1, xmppToSip, cpu, false, 30);
        System.out.printf("S2S links made by the first message: sylk.test -> xmpp.test %s, xmpp.test -> sylk.test %s%n",
                inLink.firstLatency(), outLink.firstLatency());
        if (warmup > 0) {
            // a ramp (a quarter of the time each at 1/4, 2/4, 3/4 and all of the rate): a cold server sent the whole
            // rate at once falls behind, and the retransmissions of a SIP sender keep it there
            System.out.printf("== warming up (JIT, S2S links both ways), not counted: %d s each way, rising to %d/s%n",
                    warmup, highest);
            for (String kind : new String[] {"c2c", "s2x", "x2s", "echo"}) {
                Sender sender = switch (kind) {
                    case "c2c" -> c2c;
                    case "s2x" -> sipToXmpp;
                    case "x2s" -> xmppToSip;
                    default -> echo;
                };
                Result result = null;
                for (int quarter = 1; quarter <= 4; quarter++) {
                    result = run(kind, Math.max(1, highest * quarter / 4), Math.max(1, warmup / 4), sender, cpu,
                            kind.equals("s2x") || kind.equals("echo"), 5);
                    System.out.println("  warm-up " + result.line());
                }
                System.out.println(result.threads(6));
            }
        }
        System.out.printf("load average before the steps: %s%n", loadAverage());
        System.out.println("rate/s  step        sent (rate)       received  lost  msgs/s  latency p50 / p99 / max ms"
                + "      SIP failed  CPU ms/msg: ours prosody client  vs c2c");
        for (int rate : rates) {
            Result baseline = measured("c2c", rate, seconds, c2c, cpu, false);
            System.out.println(baseline.line());
            Result in = measured("s2x", rate, seconds, sipToXmpp, cpu, true);
            System.out.println(in.line() + String.format("  %.2f", in.ratio(baseline)));
            System.out.println(in.threads(8));
            System.out.println(in.gc());
            Result out = measured("x2s", rate, seconds, xmppToSip, cpu, false);
            System.out.println(out.line() + String.format("  %.2f", out.ratio(baseline)));
            System.out.println(out.threads(8));
            System.out.println(out.gc());
            Result sipEcho = measured("echo", rate, seconds, echo, cpu, true);
            System.out.println(sipEcho.line() + String.format("  %.2f", sipEcho.ratio(baseline)));
            System.out.println(sipEcho.threads(8));
            System.out.println(sipEcho.gc());
        }
        System.out.printf("load average after the steps: %s%n", loadAverage());
        System.out.printf("proxy UAS: %d MESSAGEs answered (%d retransmissions seen)%n", proxy.requests.get(),
                proxy.duplicates.get());
        romeo.disconnect();
        juliet.disconnect();
        System.exit(0);
    }

    /** Seconds of pause before each measured step (Timer J of the previous one's transactions runs out meanwhile). */
    private static int pauseSeconds;
    /** The server's G1 log ({@code -Xlog:gc:file=...:time}). */
    private static Path gcLog;

    /** A measured step, after the pause. */
    private static Result measured(String kind, int rate, int seconds, Sender sender, Processes cpu, boolean sip)
            throws Exception {
        Thread.sleep(pauseSeconds * 1000L);
        return run(kind, rate, seconds, sender, cpu, sip, 5);
    }

    interface Sender {
        void send(Step step, int seq) throws Exception;
    }

    private static XMPPTCPConnection client(String user, int port) throws Exception {
        XMPPTCPConnection connection = new XMPPTCPConnection(XMPPTCPConnectionConfiguration.builder()
                .setXmppDomain(XMPP_DOMAIN).setHost("127.0.0.1").setPort(port)
                .setSecurityMode(ConnectionConfiguration.SecurityMode.disabled)
                .setUsernameAndPassword(user, "any").setResource("bench").build());
        connection.connect().login();
        return connection;
    }

    private static void xmpp(XMPPTCPConnection from, EntityBareJid to, Step step, int seq)
            throws SmackException.NotConnectedException, InterruptedException {
        long now = System.nanoTime();
        step.sentAt[seq] = now;
        from.sendStanza(from.getStanzaFactory().buildMessageStanza().to(to).setBody(step.mark(seq, now)).build());
    }

    /** A body (XMPP, or SIP, CPIM-wrapped or not) with a step's mark: counted if it belongs to the current step. */
    static void record(CharSequence body, long now) {
        Matcher mark = MARK.matcher(body);
        Step step = current;
        if (step != null && mark.find() && mark.group(1).equals(step.kind)
                && Integer.parseInt(mark.group(2)) == step.run) {
            step.arrived(Integer.parseInt(mark.group(3)), Long.parseLong(mark.group(4)), now);
        }
    }

    /**
     * One step: {@code rate * seconds} messages at an even pace, then waiting for the stragglers until
     * {@code patience} seconds pass without progress.
     */
    private static Result run(String kind, int rate, int seconds, Sender sender, Processes cpu, boolean sip,
                              int patience) throws Exception {
        int run = RUNS.merge(kind, 1, Integer::sum);
        Step step = new Step(kind, run, rate * seconds);
        current = step;
        long[] before = cpu.ticks();
        Map<String, Long> threadsBefore = cpu.threads();
        long wallStart = System.currentTimeMillis();
        long start = System.nanoTime();
        long interval = 1_000_000_000L / rate;
        long nextProgress = start + 2_000_000_000L;
        for (int seq = 0; seq < step.count; seq++) {
            long due = start + seq * interval;
            long wait = due - System.nanoTime();
            if (wait > 20_000) {
                LockSupport.parkNanos(wait);
            }
            sender.send(step, seq);
            if (System.nanoTime() > nextProgress) {
                nextProgress += 2_000_000_000L;
                System.err.printf("  ... %s %d/s: %d sent, %d received, %d answered%n", kind, rate, seq + 1,
                        step.received.get(), step.answered.get());
            }
        }
        long sendEnd = System.nanoTime();
        // the stragglers: until all arrived (and, for SIP, were answered) or patience runs out
        int seen = -1;
        long quietSince = System.nanoTime();
        while (true) {
            int now = step.received.get() + step.answered.get();
            int expected = step.count * (sip ? 2 : 1);
            if (kind.equals("echo")) {
                expected = step.count; // the echo application sends nothing on: only answers count
                now = step.answered.get();
            }
            if (now >= expected) {
                break;
            }
            if (now != seen) {
                seen = now;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > patience * 1_000_000_000L) {
                break;
            }
            Thread.sleep(50);
        }
        long[] after = cpu.ticks();
        Map<String, Long> threadsAfter = cpu.threads();
        long wallEnd = System.currentTimeMillis();
        if (kind.equals("echo")) {
            // the answer is the delivery: the MESSAGE -> 200 round trip
            for (int seq = 0; seq < step.count; seq++) {
                if (step.status[seq] >= 200 && step.status[seq] < 300) {
                    step.received.incrementAndGet();
                }
            }
        }
        current = null;
        return new Result(step, rate, start, sendEnd, before, after, sip, threadsBefore, threadsAfter, wallStart,
                wallEnd);
    }

    /** A step's figures. */
    record Result(Step step, int rate, long start, long sendEnd, long[] before, long[] after, boolean sip,
                  Map<String, Long> threadsBefore, Map<String, Long> threadsAfter, long wallStart, long wallEnd) {

        private static final Pattern GC_PAUSE = Pattern.compile(
                "^\\[([^\\]]+)\\].*?(Pause \\w+).*? (\\d+)M->(\\d+)M\\((\\d+)M\\) ([0-9.]+)ms");
        private static final DateTimeFormatter GC_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

        /**
         * Our server's collections in the step (from its G1 log): the heap after the first and the last, and the
         * most (what the step's messages still held: Timer J's transactions and the like); the pauses and their
         * time; full collections.
         */
        String gc() {
            List<long[]> pauses = new ArrayList<>(); // after MB, heap MB, micros, full
            try {
                for (String line : Files.readAllLines(gcLog)) {
                    Matcher pause = GC_PAUSE.matcher(line);
                    if (!pause.find()) {
                        continue;
                    }
                    long at = OffsetDateTime.parse(pause.group(1), GC_TIME).toInstant().toEpochMilli();
                    if (at >= wallStart && at <= wallEnd) {
                        pauses.add(new long[] {Long.parseLong(pause.group(4)), Long.parseLong(pause.group(5)),
                                Math.round(Double.parseDouble(pause.group(6)) * 1000),
                                pause.group(2).equals("Pause Full") ? 1 : 0});
                    }
                }
            } catch (IOException | RuntimeException e) {
                return "          our GC: no log (" + e + ")";
            }
            if (pauses.isEmpty()) {
                return "          our GC: no collection in the step";
            }
            long first = pauses.get(0)[0];
            long last = pauses.get(pauses.size() - 1)[0];
            long most = pauses.stream().mapToLong(p -> p[0]).max().orElse(0);
            long heap = pauses.get(pauses.size() - 1)[1];
            double paused = pauses.stream().mapToLong(p -> p[2]).sum() / 1000.0;
            long full = pauses.stream().filter(p -> p[3] == 1).count();
            return String.format(Locale.ROOT, "          our GC: heap after collection %d -> %d MB (most %d) of %d MB, "
                            + "%d pauses, %.0f ms paused, %d full", first, last, most, heap, pauses.size(), paused, full);
        }

        double receivedPerSecond() {
            double seconds = (Math.max(step.lastArrival.get(), sendEnd) - start) / 1e9;
            return seconds > 0 ? step.received.get() / seconds : 0;
        }

        String firstLatency() {
            return step.latency[0] > 0 ? String.format("%.0f ms", step.latency[0] / 1e6) : "not made";
        }

        double ratio(Result baseline) {
            return baseline.receivedPerSecond() > 0 ? receivedPerSecond() / baseline.receivedPerSecond() : 0;
        }

        String line() {
            long[] values = Arrays.stream(step.latency).filter(v -> v > 0).sorted().toArray();
            String latency = values.length == 0 ? "none" : String.format("%.1f / %.1f / %.1f",
                    values[values.length / 2] / 1e6, values[Math.min(values.length - 1, (int) (values.length * 0.99))] / 1e6,
                    values[values.length - 1] / 1e6);
            int failed = 0;
            if (sip) {
                for (int status : step.status) {
                    failed += status >= 200 && status < 300 ? 0 : 1;
                }
            }
            int lost = step.count - step.received.get();
            double n = step.count;
            String name = switch (step.kind) {
                case "c2c" -> "c2c";
                case "s2x" -> "sip->xmpp";
                case "x2s" -> "xmpp->sip";
                default -> "sip-echo";
            };
            return String.format(Locale.ROOT, "%6d  %-10s %6d (%5.0f/s)  %8d  %4d  %6.0f  %-26s  %s  %5.3f %5.3f %5.3f",
                    rate, name, step.count, step.count / ((sendEnd - start) / 1e9), step.received.get(), lost,
                    receivedPerSecond(), latency, sip ? String.format("%5d (%d rtx)", failed, step.retransmissions.get())
                            : "    -        ",
                    ms(after[0] - before[0], n), ms(after[1] - before[1], n), ms(after[2] - before[2], n));
        }

        /**
         * Our server's CPU in the step by thread group (a pool's threads are one group: digits in names read N), in
         * ms per message, the largest first (at most {@code max}).
         */
        String threads(int max) {
            Map<String, Long> groups = new LinkedHashMap<>();
            threadsAfter.forEach((thread, ticks) -> groups.merge(thread.substring(thread.indexOf(' ') + 1),
                    ticks - threadsBefore.getOrDefault(thread, 0L), Long::sum));
            StringBuilder line = new StringBuilder("          our threads (ms/msg):");
            groups.entrySet().stream().filter(e -> e.getValue() > 0)
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(max)
                    .forEach(e -> line.append(String.format(Locale.ROOT, " %s=%.3f", e.getKey(),
                            ms(e.getValue(), step.count))));
            return line.toString();
        }

        private static double ms(long ticks, double messages) {
            return ticks * (CLOCK_TICK_NANOS / 1e6) / messages;
        }
    }

    /** CPU clock ticks (user + system) of our server, Prosody and this JVM. */
    record Processes(long server, long prosody) {
        long[] ticks() {
            return new long[] {ticks(server), ticks(prosody), ticks(ProcessHandle.current().pid())};
        }

        /**
         * Our server's threads: {@code "<tid> <name>"} (the kernel's name, at most 15 characters, digits as N,
         * blanks as _) -> user + system clock ticks, as bench/lib.sh's thread_ticks.
         */
        Map<String, Long> threads() {
            Map<String, Long> threads = new LinkedHashMap<>();
            try (var tasks = Files.list(Path.of("/proc/" + server + "/task"))) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        int open = stat.indexOf('(');
                        int close = stat.lastIndexOf(')');
                        String name = stat.substring(open + 1, close).replaceAll("[0-9]+", "N").replace(' ', '_');
                        String[] fields = stat.substring(close + 2).split(" ");
                        threads.put(task.getFileName() + " " + name,
                                Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
                    } catch (IOException | RuntimeException e) {
                        // the thread ended meanwhile
                    }
                }
            } catch (IOException e) {
                // no such process
            }
            return threads;
        }

        private static long ticks(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }
    }

    private static String loadAverage() {
        try {
            String[] load = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return load[0] + " " + load[1] + " " + load[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * alice@sylk.test: MESSAGEs over UDP, one transaction each (own Call-ID), retransmitted as RFC 3261 §17.1.2.2
     * says until a final response; the responses are matched by Call-ID.
     */
    static final class SipAgent {
        private static final Pattern STATUS = Pattern.compile("^SIP/2\\.0 (\\d{3})");
        private static final Pattern CALL_ID = Pattern.compile("(?im)^(?:Call-ID|i)\\s*:\\s*b(\\d+)-(\\d+)-(\\d+)");
        private final DatagramChannel channel;
        private final InetSocketAddress local;

        SipAgent(InetSocketAddress server) throws IOException {
            channel = DatagramChannel.open();
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 8 << 20);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, 8 << 20);
            channel.bind(new InetSocketAddress("127.0.0.1", 0));
            channel.connect(server);
            local = (InetSocketAddress) channel.getLocalAddress();
            Thread reader = new Thread(this::read, "sip-uac-reader");
            reader.setDaemon(true);
            reader.start();
            Thread timer = new Thread(this::retransmit, "sip-uac-timer-e");
            timer.setDaemon(true);
            timer.start();
        }

        /** Retransmission n of a request is due RETRANSMIT_AT[n] ms after its first sending. */
        private static final long[] RETRANSMIT_AT = {500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500};
        private volatile Step retransmitting;
        private volatile byte[][] requests = new byte[0][];
        private volatile int[] retransmitted = new int[0];

        void send(Step step, int seq, String to, String app, String contentType) throws IOException {
            if (retransmitting != step) {
                requests = new byte[step.count][];
                retransmitted = new int[step.count];
                retransmitting = step;
            }
            long now = System.nanoTime();
            step.sentAt[seq] = now;
            String body = step.mark(seq, now);
            String kindCode = step.kind.equals("echo") ? "1" : "0";
            String request = "MESSAGE sip:" + to + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:" + local.getPort() + ";rport;branch=z9hG4bK" + kindCode + "x"
                    + step.run + "x" + seq + "\r\n"
                    + "Max-Forwards: 70\r\n"
                    + "From: <sip:alice@" + SIP_DOMAIN + ">;tag=a" + step.run + "\r\n"
                    + "To: <sip:" + to + ">\r\n"
                    + "Call-ID: b" + kindCode + "-" + step.run + "-" + seq + "\r\n"
                    + "CSeq: 1 MESSAGE\r\n"
                    + "X-Sylk-App: " + app + "\r\n"
                    + "Content-Type: " + contentType + "\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body;
            byte[] bytes = request.getBytes(StandardCharsets.UTF_8);
            requests[seq] = bytes;
            channel.write(ByteBuffer.wrap(bytes));
        }

        private void read() {
            ByteBuffer buffer = ByteBuffer.allocate(65536);
            while (true) {
                try {
                    buffer.clear();
                    channel.read(buffer);
                    long now = System.nanoTime();
                    String response = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
                    Matcher status = STATUS.matcher(response);
                    Matcher callId = CALL_ID.matcher(response);
                    Step step = current;
                    if (!status.find() || !callId.find() || step == null) {
                        continue;
                    }
                    int code = Integer.parseInt(status.group(1));
                    boolean echo = callId.group(1).equals("1");
                    if (code < 200 || echo != step.kind.equals("echo") || Integer.parseInt(callId.group(2)) != step.run) {
                        continue;
                    }
                    int seq = Integer.parseInt(callId.group(3));
                    synchronized (step.status) {
                        if (step.status[seq] != 0) {
                            continue;
                        }
                        step.status[seq] = code;
                    }
                    step.answered.incrementAndGet();
                    if (echo) {
                        step.latency[seq] = Math.max(1, now - step.sentAt[seq]);
                        step.lastArrival.accumulateAndGet(now, Math::max);
                    }
                } catch (IOException e) {
                    return;
                }
            }
        }

        /** Timer E (500 ms, doubling, at most 4 s) for unanswered MESSAGEs; timer F (32 s) gives them up. */
        private void retransmit() {
            while (true) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
                Step step = retransmitting;
                byte[][] sent = requests;
                int[] done = retransmitted;
                if (step == null || step != current) {
                    continue;
                }
                long now = System.nanoTime();
                for (int seq = 0; seq < sent.length; seq++) {
                    if (sent[seq] == null || step.status[seq] != 0) {
                        continue;
                    }
                    long age = now - step.sentAt[seq];
                    if (age > 32_000_000_000L) {
                        step.status[seq] = 408;
                        sent[seq] = null;
                        continue;
                    }
                    if (done[seq] < RETRANSMIT_AT.length && age >= RETRANSMIT_AT[done[seq]] * 1_000_000L) {
                        done[seq]++;
                        try {
                            channel.write(ByteBuffer.wrap(sent[seq]));
                            step.retransmissions.incrementAndGet();
                        } catch (IOException e) {
                            return;
                        }
                    }
                }
            }
        }
    }

    /** Our server's outbound proxy: answers every MESSAGE 200 and hands its body to {@link #record}. */
    static final class ProxyUas {
        private static final Pattern HEADER = Pattern.compile("(?im)^(Via|v|From|f|To|t|Call-ID|i|CSeq)\\s*:.*$");
        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger duplicates = new AtomicInteger();
        private final DatagramChannel channel;

        ProxyUas(int port) throws IOException {
            channel = DatagramChannel.open();
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 8 << 20);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, 8 << 20);
            channel.bind(new InetSocketAddress("127.0.0.1", port));
            Thread thread = new Thread(this::serve, "sip-proxy-uas");
            thread.setDaemon(true);
            thread.start();
        }

        private void serve() {
            ByteBuffer buffer = ByteBuffer.allocate(65536);
            while (true) {
                try {
                    buffer.clear();
                    InetSocketAddress from = (InetSocketAddress) channel.receive(buffer);
                    long now = System.nanoTime();
                    String request = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
                    if (request.startsWith("SIP/2.0")) {
                        continue;
                    }
                    int headersEnd = request.indexOf("\r\n\r\n");
                    String headers = headersEnd < 0 ? request : request.substring(0, headersEnd);
                    StringBuilder response = new StringBuilder("SIP/2.0 200 OK\r\n");
                    Matcher header = HEADER.matcher(headers);
                    while (header.find()) {
                        String line = header.group();
                        response.append(line);
                        if (header.group(1).equalsIgnoreCase("To") || header.group(1).equals("t")) {
                            if (!line.contains(";tag=")) {
                                response.append(";tag=proxy");
                            }
                        }
                        response.append("\r\n");
                    }
                    response.append("Content-Length: 0\r\n\r\n");
                    channel.send(ByteBuffer.wrap(response.toString().getBytes(StandardCharsets.UTF_8)), from);
                    if (request.startsWith("MESSAGE ")) {
                        requests.incrementAndGet();
                        Step step = current;
                        int before = step == null ? 0 : step.duplicates.get();
                        if (headersEnd >= 0) {
                            record(request.substring(headersEnd + 4), now);
                        }
                        if (step != null && step.duplicates.get() > before) {
                            duplicates.incrementAndGet();
                        }
                    }
                } catch (IOException e) {
                    return;
                }
            }
        }
    }
}
