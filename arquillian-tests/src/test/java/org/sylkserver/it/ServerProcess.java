package org.sylkserver.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The assembled distribution ({@code container-config/target/sylk-server}) run as its own process, as
 * {@code ./sylk-server} runs it: for tests of the command line and of what happens to the process itself (a kill).
 * The process is the server's JVM, started directly (no wrapper script), so killing it kills the server.
 */
final class ServerProcess {

    static final Path DISTRIBUTION = Path.of(System.getProperty("sylk.distribution",
            "../container-config/target/sylk-server")).toAbsolutePath().normalize();

    private ServerProcess() {
    }

    /** The command that runs the server's main class with the distribution's JVM options and {@code args}. */
    static List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + DISTRIBUTION.resolve("conf/jvm.options"), "-Dsylk.home=" + DISTRIBUTION,
                "-cp", DISTRIBUTION.resolve("lib") + "/*", "org.sylkserver.core.SylkServer"));
        command.addAll(List.of(args));
        return command;
    }

    /** Starts the server with {@code args}, output appended to {@code log}, and waits until it has started. */
    static Process start(Path log, String... args) throws Exception {
        long before = Files.exists(log) ? Files.size(log) : 0;
        Process process = new ProcessBuilder(command(args)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!startedSince(log, before)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new AssertionError("server did not start:\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
            Thread.sleep(200);
        }
        return process;
    }

    private static boolean startedSince(Path log, long offset) throws Exception {
        byte[] bytes = Files.readAllBytes(log);
        int from = (int) Math.min(offset, bytes.length);
        return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8).contains(" started: ");
    }

    /** Stops the server as an operator does (SIGTERM), forcibly after 30 s. */
    static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
