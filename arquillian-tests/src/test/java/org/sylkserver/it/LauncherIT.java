package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The assembled server's command line (spec §7.4): help, and configuration errors that stop start-up. */
class LauncherIT {

    private static final Path DISTRIBUTION = Path.of(System.getProperty("sylk.distribution",
            "../container-config/target/sylk-server")).toAbsolutePath().normalize();

    @TempDir
    Path work;

    private record Run(int exitCode, String output) {
    }

    private Run launch(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + DISTRIBUTION.resolve("conf/jvm.options"), "-Dsylk.home=" + DISTRIBUTION,
                "-cp", DISTRIBUTION.resolve("lib") + "/*", "org.sylkserver.core.SylkServer"));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(work, "launcher", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(exited, "the launcher must exit by itself; it printed:\n" + output);
        return new Run(process.exitValue(), output);
    }

    @Test
    void helpExplainsTheOptions() throws Exception {
        Run run = launch("--help");
        assertEquals(0, run.exitCode());
        assertTrue(run.output().contains("--config-dir DIR"), run.output());
        assertTrue(run.output().contains("--set SECTION.OPTION=VALUE"), run.output());
    }

    @Test
    void unknownOptionIsAUsageError() throws Exception {
        Run run = launch("--frobnicate");
        assertEquals(2, run.exitCode());
        assertTrue(run.output().contains("sylk-server: unknown option '--frobnicate'"), run.output());
    }

    @Test
    void badValueStopsStartUpNamingFileOptionAndValue() throws Exception {
        Files.writeString(work.resolve("config.ini"), "[SIP]\nlocal_tcp_port = 5070\nlocal_tls_port = fivethousand\n");
        Run run = launch("--config-dir", work.toString(), "--var-dir", work.resolve("var").toString());
        assertEquals(2, run.exitCode(), run.output());
        assertTrue(run.output().contains(work.resolve("config.ini") + ": [SIP] local_tls_port = 'fivethousand'"), run.output());
        assertTrue(run.output().contains("SylkServer failed to start: configuration error"), run.output());
    }

    @Test
    void portAlreadyInUseStopsStartUpWithTheListenerNamed() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            Run run = launch("--config-dir", work.toString(), "--var-dir", work.resolve("var").toString(),
                    "--set", "SIP.local_ip=127.0.0.1", "--set", "SIP.local_udp_port=", "--set", "SIP.local_tls_port=",
                    "--set", "SIP.local_tcp_port=" + port, "--set", "WebServer.local_port=" + Sipp.freePort());
            assertEquals(1, run.exitCode(), run.output());
            assertTrue(run.output().contains("cannot listen on SIP/TCP 127.0.0.1:" + port), run.output());
        }
    }

    /**
     * A plain start deploys every bundled application at start-up, before the SIP connectors exist: they must all
     * come up without an error (the gateway once failed to load because it asked for its SIP address too early).
     */
    @Test
    void aDefaultStartDeploysEveryApplicationWithoutErrors() throws Exception {
        int sip = Sipp.freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + DISTRIBUTION.resolve("conf/jvm.options"), "-Dsylk.home=" + DISTRIBUTION,
                "-cp", DISTRIBUTION.resolve("lib") + "/*", "org.sylkserver.core.SylkServer",
                "--config-dir", work.toString(), "--var-dir", work.resolve("var").toString(),
                "--set", "SIP.local_ip=127.0.0.1", "--set", "SIP.local_udp_port=" + sip, "--set", "SIP.local_tcp_port=" + sip,
                "--set", "SIP.local_tls_port=" + Sipp.freePort(), "--set", "WebServer.local_port=" + Sipp.freePort()));
        Path log = work.resolve("server.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!Files.readString(log, StandardCharsets.UTF_8).contains(" started: ")) {
                assertTrue(process.isAlive() && System.nanoTime() < deadline,
                        "server did not start:\n" + Files.readString(log, StandardCharsets.UTF_8));
                Thread.sleep(200);
            }
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(output.contains("applications: conference, echo, notfound, webrtcgateway"), output);
        assertTrue(output.contains("conference ready"), output);
        assertTrue(output.contains("webrtcgateway SIP side ready"), output);
        assertFalse(output.contains("SEVERE"), output);
    }
}
