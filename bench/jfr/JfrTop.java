import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Counts a JFR recording's execution samples (jdk.ExecutionSample) by frame: the top frames (where the CPU was) and
 * the methods on the stack (inclusive), as shares of all samples, optionally only those of threads whose name
 * contains a string and those within a time window. Used to profile the benchmarks' servers.
 *
 * <p>Usage: {@code java bench/jfr/JfrTop.java recording.jfr [--thread NAME] [--from ISO-INSTANT] [--to ISO-INSTANT]
 * [--top N] [--having METHOD]}; {@code --having} counts only the samples with a method whose name contains METHOD
 * on their stack (who calls it: the inclusive list).
 */
public final class JfrTop {

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        String thread = null;
        String having = null;
        Instant from = Instant.MIN;
        Instant to = Instant.MAX;
        int top = 30;
        for (int i = 1; i < args.length; i += 2) {
            switch (args[i]) {
                case "--thread" -> thread = args[i + 1];
                case "--having" -> having = args[i + 1];
                case "--from" -> from = Instant.parse(args[i + 1]);
                case "--to" -> to = Instant.parse(args[i + 1]);
                case "--top" -> top = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        int samples = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null
                    || event.getStartTime().isBefore(from) || event.getStartTime().isAfter(to)) {
                continue;
            }
            String name = event.getThread("sampledThread") == null ? "?"
                    : String.valueOf(event.getThread("sampledThread").getJavaName());
            if (thread != null && !name.contains(thread)) {
                continue;
            }
            if (having != null && !onStack(event.getStackTrace().getFrames(), having)) {
                continue;
            }
            samples++;
            threads.merge(name.replaceAll("[0-9]+", "N"), 1, Integer::sum);
            List<RecordedFrame> frames = event.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            self.merge(method(frames.get(0)), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame frame : frames) {
                String method = method(frame);
                if (seen.add(method)) {
                    inclusive.merge(method, 1, Integer::sum);
                }
            }
        }
        System.out.println(samples + " samples");
        print("threads", threads, samples, top);
        print("top frames (self)", self, samples, top);
        print("on the stack (inclusive)", inclusive, samples, top);
    }

    private static boolean onStack(List<RecordedFrame> frames, String having) {
        for (RecordedFrame frame : frames) {
            if (method(frame).contains(having)) {
                return true;
            }
        }
        return false;
    }

    private static String method(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private static void print(String title, Map<String, Integer> counts, int samples, int top) {
        System.out.println("== " + title);
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(e -> System.out.printf("%5.1f %% %6d  %s%n", 100.0 * e.getValue() / Math.max(1, samples),
                        e.getValue(), e.getKey()));
    }
}
