package org.sylkserver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;


import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The assembled server's command line (spec §7.4): help, and configuration errors that stop start-up. */
class LauncherIT {

    @TempDir
    Path work;

    private record Run(int exitCode, String output) {
    }

    private Run launch(String... args) throws Exception {
        return run(ServerProcess.command(args));
    }

    /** The {@code sylk-db} script of the checkout (spec §7.5), on the assembled server. */
    private Run sylkDb(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of("..", "sylk-db").toAbsolutePath().normalize().toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    private Run run(List<String> command) throws Exception {
        Path log = Files.createTempFile(work, "launcher", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
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

    /** sylk-db runs from the assembled server: the store it creates is the one it then reads. */
    @Test
    void sylkDbCreatesAndShowsTheStore() throws Exception {
        Path config = Files.createDirectories(work.resolve("config"));
        String[] dirs = {"--config-dir", config.toString(), "--var-dir", work.resolve("var").toString()};
        Run init = sylkDb(dirs[0], dirs[1], dirs[2], dirs[3], "dbinit");
        assertEquals(0, init.exitCode(), init.output());
        assertTrue(Files.isRegularFile(work.resolve("var/webrtcgateway/storage/messages.db")), init.output());
        Run show = sylkDb(dirs[0], dirs[1], dirs[2], dirs[3], "show", "alice@example.com");
        assertEquals(1, show.exitCode(), show.output());
        assertTrue(show.output().contains("alice@example.com: nothing stored"), show.output());
        Run bad = sylkDb(dirs[0], dirs[1], dirs[2], dirs[3], "remove", "all");
        assertEquals(2, bad.exitCode(), bad.output());
        assertTrue(bad.output().contains("remove needs what and an account"), bad.output());
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
        Path log = work.resolve("server.log");
        Process process = ServerProcess.start(log, "--config-dir", work.toString(), "--var-dir", work.resolve("var").toString(),
                "--set", "SIP.local_ip=127.0.0.1", "--set", "SIP.local_udp_port=" + sip, "--set", "SIP.local_tcp_port=" + sip,
                "--set", "SIP.local_tls_port=" + Sipp.freePort(), "--set", "WebServer.local_port=" + Sipp.freePort());
        ServerProcess.stop(process);
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(output.contains("applications: conference, echo, notfound, webrtcgateway, xmppgateway"), output);
        assertTrue(output.contains("conference ready"), output);
        assertTrue(output.contains("webrtcgateway SIP side ready"), output);
        assertFalse(output.contains("SEVERE"), output);
    }

    /**
     * Spec §8.1 {@code [WebServer] certificate}: the web server speaks HTTPS and WSS with it (the sylkRTC API and an
     * account's HA1 never cross the network in clear), and nothing in plain HTTP on that port; error pages name no
     * Tomcat version.
     */
    @Test
    void aWebCertificateServesHttpsAndWss_spec8_1() throws Exception {
        Path key = work.resolve("web.key");
        Path cert = work.resolve("web.crt");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key.toString(),
                "-out", cert.toString()).redirectErrorStream(true).start();
        assertEquals(0, openssl.waitFor(), new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        Path pem = work.resolve("web.pem");
        Files.writeString(pem, Files.readString(cert) + Files.readString(key));
        int web = Sipp.freePort();
        int sip = Sipp.freePort();
        Process process = ServerProcess.start(work.resolve("server.log"), "--config-dir", work.toString(), "--var-dir",
                work.resolve("var").toString(), "--set", "SIP.local_ip=127.0.0.1", "--set", "SIP.local_udp_port=" + sip,
                "--set", "SIP.local_tcp_port=" + sip, "--set", "SIP.local_tls_port=" + Sipp.freePort(),
                "--set", "WebServer.local_ip=127.0.0.1", "--set", "WebServer.local_port=" + web,
                "--set", "WebServer.certificate=" + pem);
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(cert)) {
                trust.setCertificateEntry("web", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, trustManagers.getTrustManagers(), null);
            HttpClient client = HttpClient.newBuilder().sslContext(tls).build();

            HttpResponse<String> missing = client.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + web + "/no-such-page")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, missing.statusCode());
            assertFalse(missing.body().contains("Tomcat"), missing.body());

            BlockingQueue<CharSequence> received = new LinkedBlockingQueue<>();
            WebSocket socket = client.newWebSocketBuilder().subprotocols("sylkRTC-2")
                    .buildAsync(URI.create("wss://127.0.0.1:" + web + "/webrtcgateway/ws"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                            received.add(data.toString());
                            ws.request(1);
                            return null;
                        }
                    }).get(20, TimeUnit.SECONDS);
            assertEquals("{\"sylkrtc\":\"ready-event\"}", String.valueOf(received.poll(20, TimeUnit.SECONDS)));
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();

            assertThrows(IOException.class, () -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + web + "/webrtcgateway/")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()), "no plain HTTP on the TLS port");
        } finally {
            ServerProcess.stop(process);
        }
    }

    /**
     * SIP over TLS with {@code [Server] verify_server = true} and an EC certificate: clients that connect are still
     * served without a certificate of their own ({@code verify_server} is about the servers we connect to, spec
     * §8.1), and the listener speaks TLS 1.3 with the server's EC key (JAIN-SIP's own cipher list had only RSA key
     * exchange: an EC certificate could not serve SIP/TLS at all).
     */
    @Test
    void sipTlsServesClientsWithVerifyServerOnAndAnEcCertificate() throws Exception {
        Path ca = work.resolve("ca.crt");
        Path key = work.resolve("sip.key");
        Path cert = work.resolve("sip.crt");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key.toString(),
                "-out", cert.toString());
        Files.copy(cert, ca);
        Path pem = Files.writeString(work.resolve("sip.pem"), Files.readString(cert) + Files.readString(key));
        int sip = Sipp.freePort();
        int tls = Sipp.freePort();
        Process process = ServerProcess.start(work.resolve("server.log"), "--config-dir", work.toString(), "--var-dir",
                work.resolve("var").toString(), "--set", "SIP.local_ip=127.0.0.1", "--set", "SIP.local_udp_port=" + sip,
                "--set", "SIP.local_tcp_port=" + sip, "--set", "SIP.local_tls_port=" + tls,
                "--set", "WebServer.local_ip=127.0.0.1", "--set", "WebServer.local_port=" + Sipp.freePort(),
                "--set", "Server.certificate=" + pem, "--set", "Server.verify_server=true", "--set", "Server.ca_file=" + ca);
        try (SipConnection client = SipConnection.tls("127.0.0.1", tls)) {
            assertEquals("EC", client.peerCertificate().getPublicKey().getAlgorithm());
            assertEquals("TLSv1.3", client.protocol());
            client.send("OPTIONS sip:echo@127.0.0.1:" + tls + ";transport=tls SIP/2.0\n"
                    + "Via: SIP/2.0/TLS 127.0.0.1:" + client.localPort() + ";branch=z9hG4bK-verify-options\n"
                    + "Max-Forwards: 70\nFrom: <sip:tester@127.0.0.1>;tag=1\nTo: <sip:echo@127.0.0.1>\n"
                    + "Call-ID: verify-options@127.0.0.1\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n");
            assertTrue(client.receiveFinal().startsWith("SIP/2.0 200"));
        } finally {
            ServerProcess.stop(process);
        }
    }

    private static void openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process openssl = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, openssl.waitFor(), String.join(" ", command) + ": " + output);
    }
}
