package org.sylkserver.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A client certificate and key for sipp's TLS transport, made once per test run with the openssl command. */
final class TlsMaterial {

    private static final Path DIRECTORY = Path.of("target", "sipp-tls").toAbsolutePath();

    private TlsMaterial() {
    }

    static synchronized Path certificate() throws IOException {
        create();
        return DIRECTORY.resolve("cert.pem");
    }

    static synchronized Path key() throws IOException {
        create();
        return DIRECTORY.resolve("key.pem");
    }

    private static void create() throws IOException {
        if (Files.exists(DIRECTORY.resolve("cert.pem"))) {
            return;
        }
        Files.createDirectories(DIRECTORY);
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=sipp-test-client", "-keyout", "key.pem", "-out", "cert.pem")
                .directory(DIRECTORY.toFile()).redirectErrorStream(true).start();
        try {
            String output = new String(openssl.getInputStream().readAllBytes());
            if (openssl.waitFor() != 0) {
                throw new IOException("openssl failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
