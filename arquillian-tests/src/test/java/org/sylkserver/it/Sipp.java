package org.sylkserver.it;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code sipp} (Debian package sip-tester) with a scenario written by the test.
 *
 * <p>sipp exits 0 only when every message of the scenario was exchanged as written (expected response codes,
 * regular-expression checks with {@code check_it="true"}), so a test asserts on {@link Result#exitCode()} and,
 * for diagnostics, gets sipp's message trace.
 */
public final class Sipp {

    /** Address and ports of the server under test, as configured in arquillian.xml. */
    public static final String SERVER = "127.0.0.1";
    public static final int SIP_PORT = 15060;
    public static final int TLS_PORT = 15061;

    private final Path directory;
    private final String scenario;
    private String transport = "u1";
    private int localPort;
    private String localAddress = "127.0.0.1";
    private boolean server;
    private int timeoutSeconds = 20;
    private int calls = 1;
    private int serverPort = SIP_PORT;
    private int rate;
    private boolean traceMessages = true;

    private Sipp(Path directory, String scenario) {
        this.directory = directory;
        this.scenario = scenario;
    }

    /** A sipp run of the given scenario XML text, with its files in {@code directory}. */
    public static Sipp scenario(Path directory, String scenarioXml) {
        return new Sipp(directory, scenarioXml);
    }

    /** sipp transport: {@code u1} UDP (default) or {@code t1} TCP (Debian's sipp is built without TLS). */
    public Sipp transport(String sippTransport) {
        this.transport = sippTransport;
        return this;
    }

    /** The source address sipp binds to (anything in 127.0.0.0/8). */
    public Sipp from(String address) {
        this.localAddress = address;
        return this;
    }

    /** The local port sipp uses (default: a free one). */
    public Sipp localPort(int port) {
        this.localPort = port;
        return this;
    }

    /**
     * Makes sipp wait for the server's requests (a UAS, e.g. a registrar stand-in) on {@link #localPort} instead
     * of sending to the server.
     */
    public Sipp waitingForRequests() {
        this.server = true;
        return this;
    }

    /** How long the whole scenario may take (default 20 s; {@link Running#await()} waits at most 60 s). */
    public Sipp timeoutSeconds(int seconds) {
        this.timeoutSeconds = seconds;
        return this;
    }

    /**
     * How many calls (sipp's unit: one Call-ID each, so a UAS taking one request per Call-ID, e.g. several MESSAGEs,
     * counts each) the run has before it ends (default 1).
     */
    public Sipp calls(int count) {
        this.calls = count;
        return this;
    }

    /** Sends to the server on {@code port} of {@link #SERVER} instead of {@link #SIP_PORT} (a server the test runs). */
    public Sipp serverPort(int port) {
        this.serverPort = port;
        return this;
    }

    /** Starts {@code perSecond} calls a second (sipp {@code -r}) instead of sipp's default 10. */
    public Sipp rate(int perSecond) {
        this.rate = perSecond;
        return this;
    }

    /**
     * Keeps no trace of the messages (for runs of thousands of calls, where the trace would cost more than the
     * test); {@link Result#messages()} is then empty. What the scenario's {@code <log>} actions write is kept.
     */
    public Sipp withoutMessageTrace() {
        this.traceMessages = false;
        return this;
    }

    /** Runs sipp in the background; {@link Running#await()} collects the result. */
    public Running start() throws IOException {
        Files.createDirectories(directory);
        Path scenarioFile = directory.resolve("scenario.xml");
        Files.writeString(scenarioFile, scenario, StandardCharsets.ISO_8859_1);
        Path messages = directory.resolve("messages.log");
        Path errors = directory.resolve("errors.log");
        Path log = directory.resolve("log.log");
        List<String> command = new ArrayList<>(List.of("sipp"));
        if (!server) {
            command.add(SERVER + ":" + serverPort);
        }
        command.addAll(List.of("-sf", scenarioFile.toString(), "-m", String.valueOf(calls), "-nostdin", "-timeout", timeoutSeconds + "s",
                "-timeout_error",
                "-i", localAddress, "-p", String.valueOf(localPort > 0 ? localPort : freePort()), "-t", transport,
                "-trace_err", "-error_file", errors.toString(), "-trace_logs", "-log_file", log.toString()));
        if (traceMessages) {
            command.addAll(List.of("-trace_msg", "-message_file", messages.toString()));
        }
        if (rate > 0) {
            command.addAll(List.of("-r", String.valueOf(rate), "-l", String.valueOf(calls)));
        }
        Process process = new ProcessBuilder(command).directory(directory.toFile())
                .redirectErrorStream(true).redirectOutput(directory.resolve("sipp.out").toFile()).start();
        return new Running(process, messages, errors, log);
    }

    /** Runs sipp to completion. */
    public Result run() throws IOException, InterruptedException {
        return start().await();
    }

    /** A sipp process started by {@link #start()}. */
    public record Running(Process process, Path messages, Path errors, Path log) {
        public Result await() throws IOException, InterruptedException {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("sipp did not finish within 60 s");
            }
            return new Result(process.exitValue(), read(messages), read(errors), read(log));
        }

        private static String read(Path file) throws IOException {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
        }
    }

    /**
     * What sipp did: exit code 0 means every step of the scenario succeeded; {@code log} is what the scenario's
     * {@code <log>} actions wrote.
     */
    public record Result(int exitCode, String messages, String errors, String log) {
        @Override
        public String toString() {
            return "sipp exit code " + exitCode + "\n--- errors ---\n" + errors + "\n--- messages ---\n" + messages;
        }
    }

    /** As {@link #freePort}, for a test class's static field: an I/O error fails the class's setup. */
    public static int freePortUnchecked() {
        try {
            return freePort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A port that is free for both UDP and TCP on the loopback interface right now. */
    public static int freePort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket tcp = new ServerSocket(0)) {
                int port = tcp.getLocalPort();
                try (DatagramSocket udp = new DatagramSocket(port)) {
                    return port;
                } catch (IOException busy) {
                    // taken for UDP; try another
                }
            }
        }
        throw new IOException("no free port");
    }
}
