package org.sylkserver.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The log of the server under test ({@code ${sylk.work}/server.log}), for tests that wait for an event. */
final class ServerLogs {

    private ServerLogs() {
    }

    /**
     * The last line of the server log containing {@code text}, once there is one: the applications log an event
     * once it is complete, which may be after the client saw its effect.
     */
    static String await(String text, Duration timeout) throws Exception {
        return await(text, 1, timeout);
    }

    /** The lines of the server log so far that contain {@code text}. */
    static long count(String text) throws Exception {
        return Files.readAllLines(log()).stream().filter(line -> line.contains(text)).count();
    }

    private static Path log() {
        return Path.of(System.getProperty("sylk.work", "target/sylk-it"), "server.log");
    }

    /** The last line containing {@code text} once there are {@code count} such lines (e.g. two PINs accepted). */
    static String await(String text, int count, Duration timeout) throws Exception {
        Path log = log();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> lines = Files.readAllLines(log).stream().filter(line -> line.contains(text)).toList();
            if (lines.size() >= count) {
                return lines.get(lines.size() - 1);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("server log has " + lines.size() + " of " + count + " \"" + text
                        + "\" within " + timeout);
            }
            Thread.sleep(100);
        }
    }
}
