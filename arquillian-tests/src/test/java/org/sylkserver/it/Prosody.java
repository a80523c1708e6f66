package org.sylkserver.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.jivesoftware.smack.ConnectionConfiguration;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;

/**
 * A real XMPP server for the XMPP gateway's tests: Debian's {@code prosody}, run in the foreground with a
 * configuration of its own (loopback only, c2s on {@link #C2S_PORT}, s2s on {@link #S2S_PORT}, one virtual host
 * {@link #DOMAIN} with a self-signed certificate, any password accepted, nothing stored on disk). Server-to-server
 * links require TLS (STARTTLS) and authenticate by dialback, as public servers do.
 */
final class Prosody implements AutoCloseable {

    static final String DOMAIN = "xmpp.test";
    static final int C2S_PORT = 15222;
    static final int S2S_PORT = 15269;

    private final Process process;
    private final Path log;

    private Prosody(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Writes the gateway's {@code xmppgateway.ini} for a test class: our domain {@code localhost} on S2S port 5269
     * over TCP, this Prosody as the remote server, then {@code more} (further {@code [general]} options and
     * sections, in ini syntax). The gateway reads it when it is deployed.
     */
    static void writeGatewayConfig(String more) {
        try {
            ServerConfig.write("xmppgateway.ini", """
                    [general]
                    domains = localhost
                    local_ip = 127.0.0.1
                    local_port = 5269
                    transport = tcp
                    remote_servers = %s:127.0.0.1:%d
                    """.formatted(DOMAIN, S2S_PORT) + more);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A client of {@code user}@{@link #DOMAIN}/{@code resource} on this Prosody, not yet connected. */
    static XMPPTCPConnection client(String user, String resource) throws IOException {
        try {
            return new XMPPTCPConnection(XMPPTCPConnectionConfiguration.builder()
                    .setXmppDomain(DOMAIN).setHost("127.0.0.1").setPort(C2S_PORT)
                    .setSecurityMode(ConnectionConfiguration.SecurityMode.disabled)
                    .setUsernameAndPassword(user, "any").setResource(resource).build());
        } catch (org.jxmpp.stringprep.XmppStringprepException e) {
            throw new IOException(e);
        }
    }

    static Prosody start(Path directory) throws IOException, InterruptedException {
        Files.createDirectories(directory.resolve("data"));
        Path key = directory.resolve(DOMAIN + ".key");
        Path certificate = directory.resolve(DOMAIN + ".crt");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                key.toString(), "-out", certificate.toString(), "-subj", "/CN=" + DOMAIN, "-days", "2")
                .redirectErrorStream(true).redirectOutput(directory.resolve("openssl.out").toFile()).start();
        if (openssl.waitFor() != 0) {
            throw new IOException("openssl could not make Prosody's certificate");
        }
        Path log = directory.resolve("prosody.log");
        Path config = directory.resolve("prosody.cfg.lua");
        Files.writeString(config, """
                pidfile = "%1$s/prosody.pid"
                data_path = "%1$s/data"
                certificates = "%1$s"
                run_as_root = true
                log = { debug = "%2$s" }
                modules_enabled = { "roster", "saslauth", "tls", "dialback", "disco", "ping" }
                modules_disabled = { "posix" }
                interfaces = { "127.0.0.1" }
                c2s_ports = { %3$d }
                s2s_ports = { %4$d }
                c2s_direct_tls_ports = {}
                s2s_direct_tls_ports = {}
                http_ports = {}
                https_ports = {}
                s2s_require_encryption = true
                s2s_secure_auth = false
                c2s_require_encryption = false
                allow_unencrypted_plain_auth = true
                authentication = "insecure"
                insecure_open_authentication = "Yes please, I know what I'm doing!"
                storage = "memory"
                VirtualHost "%5$s"
                  ssl = { key = "%6$s"; certificate = "%7$s" }
                """.formatted(directory, log, C2S_PORT, S2S_PORT, DOMAIN, key, certificate));
        Process process = new ProcessBuilder("prosody", "--config", config.toString(), "-F").redirectErrorStream(true)
                .redirectOutput(directory.resolve("prosody.out").toFile()).start();
        Prosody prosody = new Prosody(process, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("prosody exited: " + Files.readString(directory.resolve("prosody.out")));
            }
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", C2S_PORT), 200);
                return prosody;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        prosody.close();
        throw new IOException("prosody did not listen on " + C2S_PORT + " within 15 s");
    }

    /** Prosody's own log, for failure messages. */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
