package org.sylkserver.webrtc.auth;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import javax.net.ssl.SSLSocketFactory;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;

/**
 * One IMAP login over TLS (IMAP4rev1 LOGIN, RFC 3501 §6.2.3, on an implicitly secured connection, RFC 8314 §3.3),
 * done with Jakarta Mail (Angus Mail's {@code imaps} store): the server's certificate must chain to the configured
 * CA certificates and name the server (its host name is checked). The login only proves the password: the session is
 * closed at once.
 *
 * <p>Logins block on the network, so they run on a small pool of their own ({@code max_imap_logins} threads, a
 * queue ten times that), never on a connection's executor; each is bounded by {@code imap_timeout} for connecting and
 * for every read, and the whole by twice that. A server that is down, slow, or not trusted is
 * {@link Outcome#UNAVAILABLE} (with a log line), a refused login is {@link Outcome#REFUSED}.
 */
public final class ImapLogin implements AutoCloseable {

    /** What a login proved. */
    public enum Outcome { ACCEPTED, REFUSED, UNAVAILABLE }

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    static final int DEFAULT_CONCURRENT = 10;
    private static final Logger LOG = Logger.getLogger("webrtcgateway.auth");
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final SSLSocketFactory tls;
    private final Duration timeout;
    private final ThreadPoolExecutor pool;

    /**
     * @param tls        trusts the IMAP servers' CA ({@code imap_ca_cert_file})
     * @param timeout    {@code imap_timeout}: for connecting and for each read
     * @param concurrent {@code max_imap_logins}: logins in progress at once
     */
    ImapLogin(SSLSocketFactory tls, Duration timeout, int concurrent) {
        this.tls = tls;
        this.timeout = timeout;
        this.pool = new ThreadPoolExecutor(concurrent, concurrent, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(concurrent * 10), task -> {
                    Thread thread = new Thread(task, "webrtcgateway-imap-" + THREADS.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
    }

    /** Logs {@code user} in at {@code server}; the future never fails, it tells the {@link Outcome}. */
    public CompletableFuture<Outcome> login(ExternalAuth.ImapServer server, String user, String password) {
        try {
            return CompletableFuture.supplyAsync(() -> loginNow(server, user, password), pool)
                    .completeOnTimeout(Outcome.UNAVAILABLE, timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.warning(() -> "IMAP login of " + user + " at " + server.host() + ":" + server.port()
                    + " not tried: " + pool.getQueue().size() + " logins waiting already (max_imap_logins "
                    + pool.getMaximumPoolSize() + ")");
            return CompletableFuture.completedFuture(Outcome.UNAVAILABLE);
        }
    }

    private Outcome loginNow(ExternalAuth.ImapServer server, String user, String password) {
        String where = server.host() + ":" + server.port();
        Properties properties = new Properties();
        properties.put("mail.imaps.ssl.socketFactory", tls);
        properties.put("mail.imaps.ssl.checkserveridentity", "true");
        properties.put("mail.imaps.connectiontimeout", String.valueOf(timeout.toMillis()));
        properties.put("mail.imaps.timeout", String.valueOf(timeout.toMillis()));
        // Jakarta Mail finds its providers through the context class loader: this archive's, not the container's
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(ImapLogin.class.getClassLoader());
        try {
            Store store = Session.getInstance(properties).getStore("imaps");
            try {
                store.connect(server.host(), server.port(), user, password);
                LOG.info(() -> "IMAP login of " + user + " at " + where + " accepted");
                return Outcome.ACCEPTED;
            } finally {
                closeQuietly(store);
            }
        } catch (AuthenticationFailedException e) {
            LOG.info(() -> "IMAP login of " + user + " at " + where + " refused: " + e.getMessage());
            return Outcome.REFUSED;
        } catch (MessagingException | RuntimeException e) {
            LOG.warning(() -> "IMAP server " + where + " unavailable for the login of " + user + ": " + e
                    + (e.getCause() == null ? "" : " (" + e.getCause() + ")"));
            return Outcome.UNAVAILABLE;
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static void closeQuietly(Store store) {
        try {
            store.close();
        } catch (MessagingException e) {
            // the login is decided; a LOGOUT that fails changes nothing
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
