import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A lighter sender than sipp for bench/messaging.sh (SENDER=flood): the same CPIM MESSAGEs as
 * bench/sipp/message-uac.xml, one transaction each, paced at a set rate over one UDP socket, with RFC 3261 §17.1.2.2
 * retransmissions (timer E from 500 ms doubling to 4 s) and a 10 s time limit per transaction (sipp's scenario has the
 * same). On this 2-core machine sipp itself tops out near 2,800 MESSAGEs/s, below the 5,000/s goal; this sender
 * builds each request from a template and matches answers by the number in their Call-ID, nothing else.
 *
 * <p>Usage: java SipFlood.java HOST:PORT APP RATE COUNT
 *
 * <p>Prints one line as bench/messaging.sh's sipp_run does: {@code <achieved/s> <failed> <p50 ms> <p99 ms> <refused>},
 * achieved being the MESSAGEs answered 200 over the time from the first send to the last answer, failed those not
 * answered 200 (refused: answered with another final response), p50/p99 the MESSAGE -> 200 round trip. A second line on
 * standard error gives the sender's own CPU time, to compare with sipp's.
 */
public final class SipFlood {

    private static final long T1 = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long T2 = TimeUnit.SECONDS.toNanos(4);
    private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(10);

    public static void main(String[] args) throws Exception {
        String[] target = args[0].split(":");
        String app = args[1];
        int rate = Integer.parseInt(args[2]);
        int count = Integer.parseInt(args[3]);
        DatagramChannel channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 8 << 20);
        channel.setOption(StandardSocketOptions.SO_SNDBUF, 8 << 20);
        channel.bind(new InetSocketAddress("127.0.0.1", 0));
        // not connected: the container may answer from another socket than the one it listens on
        InetSocketAddress server = new InetSocketAddress(target[0], Integer.parseInt(target[1]));
        int localPort = ((InetSocketAddress) channel.getLocalAddress()).getPort();
        String run = UUID.randomUUID().toString().substring(0, 8);

        long[] sent = new long[count];
        long[] retransmitAt = new long[count];
        long[] interval = new long[count];
        long[] answered = new long[count]; // round trip in ns; 0 while unanswered, -1 when refused
        AtomicInteger done = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        long[] lastAnswer = {0};

        Thread receiver = new Thread(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(65536);
            try {
                while (done.get() < count) {
                    buffer.clear();
                    channel.receive(buffer);
                    long now = System.nanoTime();
                    int length = buffer.position();
                    byte[] bytes = buffer.array();
                    if (length < 12 || bytes[0] != 'S' || bytes[1] != 'I' || bytes[2] != 'P') {
                        continue;
                    }
                    int status = (bytes[8] - '0') * 100 + (bytes[9] - '0') * 10 + (bytes[10] - '0');
                    if (status < 200) {
                        continue;
                    }
                    int index = callNumber(bytes, length, run);
                    if (index < 0 || index >= count || answered[index] != 0 || sent[index] == 0) {
                        continue; // not ours, or an answer to a retransmission
                    }
                    if (status == 200) {
                        answered[index] = Math.max(1, now - sent[index]);
                    } else {
                        answered[index] = -1;
                        refused.incrementAndGet();
                    }
                    lastAnswer[0] = now;
                    done.incrementAndGet();
                }
            } catch (ClosedChannelException closed) {
                // the run's time limit
            } catch (Exception e) {
                e.printStackTrace();
            }
        }, "receiver");
        receiver.setDaemon(true);
        receiver.start();

        double cpuBefore = cpuMillis(); // after the launcher's compilation
        long start = System.nanoTime();
        long period = TimeUnit.SECONDS.toNanos(1) / rate;
        int retransmitFrom = 0;
        int retransmissions = 0;
        for (int i = 0; i < count; i++) {
            long due = start + i * period;
            long now = System.nanoTime();
            if (due > now + 50_000) {
                LockSupport.parkNanos(due - now);
            }
            now = System.nanoTime();
            sent[i] = now;
            interval[i] = T1;
            retransmitAt[i] = now + T1;
            channel.send(ByteBuffer.wrap(request(app, run, i, localPort)), server);
            if ((i & 255) == 0) {
                int[] scan = retransmit(channel, server, app, run, localPort, sent, answered, retransmitAt, interval, retransmitFrom, i, now);
                retransmitFrom = scan[0];
                retransmissions += scan[1];
            }
        }
        long lastSent = System.nanoTime();
        while (done.get() < count && System.nanoTime() - lastSent < TIMEOUT) {
            Thread.sleep(20);
            int[] scan = retransmit(channel, server, app, run, localPort, sent, answered, retransmitAt, interval, retransmitFrom,
                    count, System.nanoTime());
            retransmitFrom = scan[0];
            retransmissions += scan[1];
        }
        channel.close();

        long[] times = Arrays.stream(answered).filter(t -> t > 0).sorted().toArray();
        int ok = times.length;
        int failed = count - ok;
        double seconds = ((lastAnswer[0] == 0 ? System.nanoTime() : lastAnswer[0]) - start) / 1e9;
        System.out.printf("%.0f %d %.2f %.2f %d%n", ok / seconds, failed, percentile(times, 0.5), percentile(times, 0.99),
                refused.get());
        System.err.printf("flood: %d MESSAGEs, %d retransmissions, sender CPU %.0f ms (%.1f us per MESSAGE)%n", count,
                retransmissions, cpuMillis() - cpuBefore, (cpuMillis() - cpuBefore) * 1000 / count);
    }

    /** RFC 3261 §17.1.2.2: unanswered requests again after T1, 2 T1, ... up to T2 apart. Returns {from, sent}. */
    private static int[] retransmit(DatagramChannel channel, InetSocketAddress server, String app, String run, int localPort, long[] sent,
                                    long[] answered, long[] retransmitAt, long[] interval, int from, int upTo, long now)
            throws Exception {
        while (from < upTo && (answered[from] != 0 || now - sent[from] > TIMEOUT)) {
            from++;
        }
        int again = 0;
        for (int i = from; i < upTo && now - sent[i] > T1; i++) {
            if (answered[i] == 0 && now >= retransmitAt[i] && now - sent[i] <= TIMEOUT) {
                channel.send(ByteBuffer.wrap(request(app, run, i, localPort)), server);
                interval[i] = Math.min(2 * interval[i], T2);
                retransmitAt[i] = now + interval[i];
                again++;
            }
        }
        return new int[] {from, again};
    }

    /** The MESSAGE of bench/sipp/message-uac.xml, number {@code n}; its Call-ID is {@code <n>-<run>@bench}. */
    private static byte[] request(String app, String run, int n, int localPort) {
        String body = "From: \"Bob\" <sip:bob@example.com>\r\n"
                + "To: <sip:carol@example.com>\r\n"
                + "DateTime: 2026-01-01T10:00:00Z\r\n"
                + "NS: imdn <urn:ietf:params:imdn>\r\n"
                + "imdn.Message-ID: " + app + "-" + run + "-" + n + "\r\n"
                + "imdn.Disposition-Notification: positive-delivery, display\r\n"
                + "\r\n"
                + "Content-Type: application/x-bench\r\n"
                + "\r\n"
                + "Hello Carol, this is message " + n;
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        String head = "MESSAGE sip:carol@example.com SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + localPort + ";branch=z9hG4bK-" + run + "-" + n + "\r\n"
                + "From: \"Bob\" <sip:bob@example.com>;tag=" + n + "\r\n"
                + "To: <sip:carol@example.com>\r\n"
                + "Call-ID: " + n + "-" + run + "@bench\r\n"
                + "CSeq: 1 MESSAGE\r\n"
                + "Max-Forwards: 70\r\n"
                + "X-Sylk-App: " + app + "\r\n"
                + "Content-Type: message/cpim\r\n"
                + "Content-Length: " + content.length + "\r\n"
                + "\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.UTF_8);
        byte[] packet = Arrays.copyOf(headBytes, headBytes.length + content.length);
        System.arraycopy(content, 0, packet, headBytes.length, content.length);
        return packet;
    }

    /** The number of a Call-ID {@code <n>-<run>@bench} in an answer (full or compact header name), or -1. */
    private static int callNumber(byte[] bytes, int length, String run) {
        for (int i = 0; i < length - 4; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            int value;
            if ((bytes[i + 1] == 'C' || bytes[i + 1] == 'c') && length - i > 9
                    && new String(bytes, i + 1, 8, StandardCharsets.US_ASCII).equalsIgnoreCase("Call-ID:")) {
                value = i + 9;
            } else if ((bytes[i + 1] == 'i' || bytes[i + 1] == 'I') && bytes[i + 2] == ':') {
                value = i + 3;
            } else {
                continue;
            }
            while (value < length && bytes[value] == ' ') {
                value++;
            }
            int n = 0;
            int digits = 0;
            while (value < length && bytes[value] >= '0' && bytes[value] <= '9') {
                n = n * 10 + (bytes[value++] - '0');
                digits++;
            }
            if (digits == 0 || value + 1 + run.length() > length || bytes[value] != '-'
                    || !new String(bytes, value + 1, run.length(), StandardCharsets.US_ASCII).equals(run)) {
                return -1;
            }
            return n;
        }
        return -1;
    }

    private static double percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1e6;
    }

    private static double cpuMillis() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e6;
    }
}
