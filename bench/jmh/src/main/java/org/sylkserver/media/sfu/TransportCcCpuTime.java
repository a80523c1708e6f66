package org.sylkserver.media.sfu;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.sylkserver.media.HeaderExtension;
import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.rtcp.TransportFeedback;

/**
 * CPU time (of the measuring thread: the machine is shared) of transport-wide congestion control
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01) in the SFU. Per forwarded packet: a feed's copy of the
 * publisher's packet with the transport-wide block in place of the publisher's extensions ({@code
 * Feed.copyWithTransportSequence}) against the plain copy a feed without it makes, numbering it (finding the element,
 * writing the number) and noting it sent ({@link FeedBandwidth#sent}: estimator ring and probe window). Per feedback
 * message of the feed's browser (20 packets, 100 ms of a 200 packets/s feed): parsing it, and parsing plus
 * {@link FeedBandwidth#feedback}. Per packet a publisher sends: {@link ArrivalFeedback#received} (a message encoded
 * every 100 ms, counted in).
 *
 * <pre>java -cp bench/jmh/target/benchmarks.jar org.sylkserver.media.sfu.TransportCcCpuTime [rounds]</pre>
 *
 * Each round runs every measurement once (N operations after as many for warm-up); the lowest of the rounds is
 * printed with the median, in ns per operation.
 */
public final class TransportCcCpuTime {

    private static final int OPERATIONS = 1_000_000;
    private static final int PER_MESSAGE = 20;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private TransportCcCpuTime() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        // a publisher's video packet as Chrome sends it: audio level (id 1) and transport-wide number (id 3) elements
        ByteBuffer publisher = ByteBuffer.allocate(12 + 12 + 1200);
        publisher.put((byte) 0x90).put((byte) 96).putShort((short) 1).putInt(3000).putInt(1234)
                .putInt(0xBEDE0002).put((byte) 0x10).put((byte) 0x7f).put((byte) 0x31).putShort((short) 7)
                .put(new byte[3]).put(new byte[1200]).flip();
        RtpHeader header = RtpHeader.parse(publisher);
        byte[] copy = new byte[1300];
        int[] counter = new int[4];
        long[] sink = {0};
        FeedBandwidth forwarding = new FeedBandwidth();
        FeedBandwidth receiving = new FeedBandwidth();
        ArrivalFeedback arrivals = new ArrivalFeedback(1, 0);
        // feedback messages reporting every sequence number in turn, 5 ms apart, one in 50 lost
        ByteBuffer[] messages = new ByteBuffer[65536 / PER_MESSAGE];
        for (int m = 0; m < messages.length; m++) {
            long[] report = new long[PER_MESSAGE];
            for (int i = 0; i < PER_MESSAGE; i++) {
                int sequence = m * PER_MESSAGE + i;
                report[i] = sequence % 50 == 0 ? TransportFeedback.NOT_RECEIVED : 1_000_000L + sequence * 5_000L;
            }
            if (report[0] == TransportFeedback.NOT_RECEIVED && report[1] == TransportFeedback.NOT_RECEIVED) {
                report[1] = 1_000_000L;
            }
            messages[m] = TransportFeedback.encode(1, 2, m * PER_MESSAGE, m & 0xff, report);
        }

        Map<String, Runnable> steps = new LinkedHashMap<>();
        steps.put("per packet: plain copy (no transport-cc)", () -> {
            publisher.get(publisher.position(), copy, 0, publisher.remaining());
            sink[0] += copy[5];
        });
        steps.put("per packet: copy with the transport-wide block", () -> {
            sink[0] += Feed.copyWithTransportSequence(publisher, header, 5, copy);
        });
        steps.put("per packet: number it (parse, find, write)", () -> {
            ByteBuffer packet = ByteBuffer.wrap(copy, 0, 12 + 8 + 1200);
            long element = HeaderExtension.find(packet, RtpHeader.parse(packet), 5);
            packet.putShort(HeaderExtension.offset(element), (short) counter[0]++);
        });
        steps.put("per packet: FeedBandwidth.sent", () -> {
            int sequence = counter[1]++ & 0xffff;
            forwarding.sent(sequence, sequence * 5_000_000L, 1220);
        });
        steps.put("per packet: ArrivalFeedback.received (publisher)", () -> {
            int sequence = counter[2]++;
            ByteBuffer message = arrivals.received(sequence & 0xffff, 1234, sequence * 5_000_000L);
            if (message != null) {
                sink[0] += message.remaining();
            }
        });
        steps.put("per message of 20: TransportFeedback.parse", () -> {
            sink[0] += TransportFeedback.parse(messages[counter[3]++ % messages.length].duplicate()).size();
        });
        int[] message = {0};
        steps.put("per message of 20: parse + FeedBandwidth.feedback", () -> {
            int m = message[0]++ % messages.length;
            for (TransportFeedback parsed : TransportFeedback.parse(messages[m].duplicate())) {
                receiving.feedback(parsed, (m + 1) * PER_MESSAGE * 5_000_000L);
            }
        });
        // the receiving feed must know the packets its feedback is about: all of them noted sent beforehand
        for (int sequence = 0; sequence < 65536; sequence++) {
            receiving.sent(sequence, sequence * 5_000_000L, 1220);
        }

        Map<String, long[]> results = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (Map.Entry<String, Runnable> step : steps.entrySet()) {
                int operations = step.getKey().startsWith("per message") ? OPERATIONS / 10 : OPERATIONS;
                measure(step.getValue(), operations);
                results.computeIfAbsent(step.getKey(), k -> new long[rounds])[round]
                        = measure(step.getValue(), operations) * OPERATIONS / operations;
            }
        }
        System.out.printf("%-52s %10s %10s%n", "ns of CPU per operation", "lowest", "median");
        for (Map.Entry<String, long[]> result : results.entrySet()) {
            long[] nanos = result.getValue().clone();
            Arrays.sort(nanos);
            System.out.printf("%-52s %10.1f %10.1f%n", result.getKey(), nanos[0] / (double) OPERATIONS,
                    nanos[nanos.length / 2] / (double) OPERATIONS);
        }
        System.out.println("(" + sink[0] + ")");
    }

    private static long measure(Runnable step, int operations) {
        long start = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < operations; i++) {
            step.run();
        }
        return THREADS.getCurrentThreadCpuTime() - start;
    }
}
