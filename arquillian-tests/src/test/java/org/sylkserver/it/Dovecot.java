package org.sylkserver.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A Dovecot IMAP server of the test's own (Debian {@code dovecot-imapd}; {@code .ci/run} installs it and stops its
 * system service): its own configuration, a {@code passwd-file} of test users, IMAP over TLS only (RFC 8314 §3.3) on a
 * loopback port, with a self-signed certificate for {@code localhost} and {@code 127.0.0.1} made at start with
 * openssl. Runs in the foreground ({@code dovecot -F}) so that stopping the process stops it all.
 */
final class Dovecot implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final Process process;

    private Dovecot(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /**
     * Starts a server whose only user is {@code user} with {@code password}.
     *
     * @throws IOException when openssl or dovecot cannot be run, or the server does not listen within 15 s
     */
    static Dovecot start(String user, String password) throws Exception {
        // the login and auth processes run as Dovecot's own users: they must reach the directory
        Path dir = Files.createTempDirectory("sylk-dovecot-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path home = Files.createDirectory(dir.resolve("home"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
                "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        Files.writeString(dir.resolve("users"), user + ":{PLAIN}" + password + "\n");
        int port = Sipp.freePort();
        Files.writeString(dir.resolve("dovecot.conf"), """
                base_dir = %1$s/run
                state_dir = %1$s/run
                log_path = %1$s/dovecot.log
                protocols = imap
                listen = 127.0.0.1
                ssl = required
                ssl_cert = <%1$s/cert.pem
                ssl_key = <%1$s/key.pem
                auth_mechanisms = plain login
                auth_failure_delay = 0
                first_valid_uid = 1
                passdb {
                  driver = passwd-file
                  args = scheme=PLAIN %1$s/users
                }
                userdb {
                  driver = static
                  args = uid=nobody gid=nogroup home=%1$s/home/%%u
                }
                mail_location = maildir:~/Maildir
                service imap-login {
                  inet_listener imap {
                    port = 0
                  }
                  inet_listener imaps {
                    address = 127.0.0.1
                    port = %2$d
                    ssl = yes
                  }
                }
                """.formatted(dir, port));
        // Debian installs it in /usr/sbin, which a user's PATH may lack
        String binary = Files.isExecutable(Path.of("/usr/sbin/dovecot")) ? "/usr/sbin/dovecot" : "dovecot";
        Process process = new ProcessBuilder(binary, "-F", "-c", dir.resolve("dovecot.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("foreground.log").toFile()).start();
        Dovecot dovecot = new Dovecot(dir, port, process);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return dovecot;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    dovecot.close();
                    throw new IOException("dovecot did not listen on 127.0.0.1:" + port + ": "
                            + Files.readString(dir.resolve("foreground.log")), notYet);
                }
                Thread.sleep(100);
            }
        }
    }

    private static void run(Path dir, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(command[0] + ".log").toFile()).start();
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + Files.readString(dir.resolve(command[0]
                    + ".log")));
        }
    }

    /** {@code 127.0.0.1:<port>}, IMAP over TLS. */
    String address() {
        return "127.0.0.1:" + port;
    }

    /** The server's self-signed certificate (PEM): the CA file that trusts it. */
    Path certificate() {
        return dir.resolve("cert.pem");
    }

    /** Stops the server (the master process takes its children along). */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
