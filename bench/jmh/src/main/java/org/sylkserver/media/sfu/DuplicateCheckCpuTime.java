package org.sylkserver.media.sfu;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.srtp.CryptoSuite;
import org.sylkserver.media.srtp.SdesCrypto;
import org.sylkserver.media.srtp.SrtpTransformer;

/**
 * CPU time (of the measuring thread: the machine is shared) per packet of what keeps an SFU from forwarding a packet
 * twice: the publisher's {@link LossDetector} (each video packet checked against the last 1024 and noted), a feed's
 * {@link StreamRewriter} (with its guard against numbers from before a switch), and for scale what a feed pays per
 * packet anyway, SRTP protection of a 1,200-byte payload.
 *
 * <pre>java -cp bench/jmh/target/benchmarks.jar org.sylkserver.media.sfu.DuplicateCheckCpuTime [rounds]</pre>
 *
 * Each round runs every measurement once (1,000,000 packets, after as many for warm-up); the lowest of the rounds is
 * printed with the median, in ns per packet.
 */
public final class DuplicateCheckCpuTime {

    private static final int PACKETS = 1_000_000;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private DuplicateCheckCpuTime() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        LossDetector loss = new LossDetector();
        StreamRewriter rewriter = new StreamRewriter(7, 0, 0, 3000);
        byte[] packet = new byte[12 + 1200 + 16];
        new SecureRandom().nextBytes(packet);
        packet[0] = (byte) 0x80;
        packet[1] = 96;
        ByteBuffer buffer = ByteBuffer.wrap(packet);
        SrtpTransformer sender = SrtpTransformer.forSending(SdesCrypto.generate(1,
                CryptoSuite.AES_CM_128_HMAC_SHA1_80, new SecureRandom()));
        int[] sequence = new int[4]; // one per step: each stream goes on where it was
        long[] sink = {0};

        Map<String, Runnable> steps = new LinkedHashMap<>();
        steps.put("LossDetector, video in order", () -> {
            int s = sequence[0]++ & 0xffff;
            if (!loss.arrived(7, s)) {
                sink[0] += loss.received(7, s);
            }
        });
        steps.put("LossDetector, 1 in 50 lost and repaired", () -> {
            int s = sequence[1]++ & 0xffff;
            if (s % 50 == 0) {
                return; // lost
            }
            if (s % 50 == 20 && loss.missing(7, (s - 20) & 0xffff)) {
                sink[0] += loss.received(7, (s - 20) & 0xffff); // its repair
            }
            if (!loss.arrived(7, s)) {
                sink[0] += loss.received(7, s);
            }
        });
        steps.put("StreamRewriter.rewrite", () -> {
            buffer.clear().limit(12 + 1200);
            buffer.putShort(2, (short) sequence[2]++);
            buffer.putInt(8, 4321); // the publisher's SSRC (the rewriting put the feed's)
            if (rewriter.rewrite(buffer, RtpHeader.parse(buffer))) {
                sink[0]++;
            }
        });
        steps.put("SrtpTransformer.protectRtp 1200 B", () -> {
            buffer.clear().limit(12 + 1200);
            buffer.putShort(2, (short) sequence[3]++);
            buffer.putInt(8, 1234);
            try {
                sender.protectRtp(buffer);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        Map<String, long[]> results = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (Map.Entry<String, Runnable> step : steps.entrySet()) {
                measure(step.getValue());
                results.computeIfAbsent(step.getKey(), k -> new long[rounds])[round] = measure(step.getValue());
            }
        }
        System.out.printf("%-45s %10s %10s%n", "ns of CPU per packet", "lowest", "median");
        for (Map.Entry<String, long[]> result : results.entrySet()) {
            long[] nanos = result.getValue().clone();
            Arrays.sort(nanos);
            System.out.printf("%-45s %10.1f %10.1f%n", result.getKey(), nanos[0] / (double) PACKETS,
                    nanos[nanos.length / 2] / (double) PACKETS);
        }
        System.out.println("(" + sink[0] + ")");
        sender.close();
    }

    private static long measure(Runnable step) {
        long start = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < PACKETS; i++) {
            step.run();
        }
        return THREADS.getCurrentThreadCpuTime() - start;
    }
}
