package org.sylkserver.webrtc.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IMAP login's failures that Dovecot in ExternalAuthIT does not show (spec §4.12, issue 15 "IMAP server down"):
 * a server whose certificate the CA file does not vouch for, and a server that never answers.
 */
class ImapLoginTest {

    @TempDir
    Path dir;

    private Path selfSigned(String name) throws Exception {
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                name + ".key", "-out", name + ".pem", "-days", "1", "-subj", "/CN=localhost", "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1").directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile()).start();
        assertEquals(0, openssl.waitFor());
        return dir.resolve(name + ".pem");
    }

    private ExternalAuth trusting(Path ca, int port, double timeout) throws Exception {
        Files.writeString(dir.resolve("auth.ini"), "[ExternalAuth]\nenable = true\nimap_ca_cert_file = " + ca
                + "\nimap_timeout = " + timeout + "\n[mail.example]\nauth_type = IMAP\nimap_server = 127.0.0.1:" + port
                + "\n");
        return ExternalAuth.load(dir);
    }

    /** spec §4.12: the server's certificate is checked against imap_ca_cert_file; another CA's is not trusted. */
    @Test
    void aServerTheCaFileDoesNotVouchForIsUnavailable_spec_4_12() throws Exception {
        Path server = selfSigned("server");
        Path other = selfSigned("other");
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        // a real TLS server with the certificate "server"; the login trusts only "other"
        Process tlsServer = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert",
                "server.pem", "-key", "server.key", "-quiet").directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("s_server.log").toFile()).start();
        try {
            awaitListening(port);
            List<String> logged = new CopyOnWriteArrayList<>();
            Handler handler = new Handler() {
                @Override
                public void publish(LogRecord record) {
                    logged.add(record.getMessage());
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            };
            Logger log = Logger.getLogger("webrtcgateway.auth");
            log.addHandler(handler);
            try (ExternalAuth untrusting = trusting(other, port, 5)) {
                assertEquals(ImapLogin.Outcome.UNAVAILABLE,
                        untrusting.imapLogin("mail.example", "alice", "wonderland").get(10, TimeUnit.SECONDS));
            } finally {
                log.removeHandler(handler);
            }
            // refused in the TLS handshake, for the certificate, and said so
            assertTrue(logged.stream().anyMatch(line -> line.contains("unavailable") && line.contains("SSLHandshake")),
                    logged.toString());
        } finally {
            tlsServer.destroy();
        }
        assertTrue(Files.exists(server));
    }

    private static void awaitListening(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(50);
            }
        }
    }

    /** A server that accepts and never speaks is unavailable after imap_timeout, not a hang (issue 15). */
    @Test
    void aSilentServerIsUnavailableAfterTheTimeout_issue15() throws Exception {
        Path ca = selfSigned("ca");
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread taker = new Thread(() -> {
                try (Socket ignored = silent.accept()) {
                    Thread.sleep(10_000);
                } catch (IOException | InterruptedException e) {
                    // done
                }
            });
            taker.setDaemon(true);
            taker.start();
            try (ExternalAuth auth = trusting(ca, silent.getLocalPort(), 1)) {
                long start = System.nanoTime();
                assertEquals(ImapLogin.Outcome.UNAVAILABLE,
                        auth.imapLogin("mail.example", "alice", "wonderland").get(10, TimeUnit.SECONDS));
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(millis >= 900 && millis < 3000, "within about imap_timeout 1 s: " + millis + " ms");
            }
            taker.interrupt();
        }
    }
}
