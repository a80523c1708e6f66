package org.sylkserver.webrtc.auth;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.IniFile;
import org.sylkserver.core.config.SectionReader;
import org.sylkserver.protocols.digest.DigestChallenge;

/**
 * External authentication of sylkRTC accounts ({@code auth.ini}, spec §4.12, §8.4). With {@code [ExternalAuth]
 * enable = true} the password of {@code account-add} is the user's plaintext password, and each domain's section
 * {@code [<domain>]} says what {@code account-register} does with it ({@code auth_type}):
 * <ul>
 * <li>{@code SIP} (the default): the digest HA1 is computed from it, {@code MD5(user:domain:password)}, and the
 * account registers as usual (the original's computation fails, Quirk Q17);</li>
 * <li>{@code IMAP}: an IMAP login over TLS to the domain's {@code imap_server} with the user part and the password
 * ({@link ImapLogin}; the server's certificate is checked against {@code imap_ca_cert_file}) authenticates the
 * account; no SIP REGISTER is sent.</li>
 * </ul>
 */
public final class ExternalAuth implements AutoCloseable {

    /** What {@code account-register} does for a domain. */
    public enum Type { SIP, IMAP }

    /** An IMAP server, {@code imap_server = host[:port]} (port 993, IMAP over TLS, RFC 8314 §3.3, when absent). */
    public record ImapServer(String host, int port) {
    }

    /** Who logs users in at an IMAP server: {@link ImapLogin}, or a stand-in in tests. */
    @FunctionalInterface
    public interface ImapLogins {
        /** The login's outcome; the future never fails. */
        CompletableFuture<ImapLogin.Outcome> login(ImapServer server, String user, String password);
    }

    /** External authentication switched off: accounts register with the HA1 the client sent. */
    public static final ExternalAuth DISABLED = new ExternalAuth(false, Map.of(), null, null);

    static final int IMAPS_PORT = 993;
    private static final String GENERAL = "ExternalAuth";

    private final boolean enabled;
    private final Map<String, ImapServer> imapDomains;
    private final ImapLogins imap;
    /** The pool of {@link #imap} when it is ours to close, else null. */
    private final ImapLogin pool;

    private ExternalAuth(boolean enabled, Map<String, ImapServer> imapDomains, ImapLogins imap, ImapLogin pool) {
        this.enabled = enabled;
        this.imapDomains = imapDomains;
        this.imap = imap;
        this.pool = pool;
    }

    /** External authentication by IMAP for {@code imapDomains}, the logins done by {@code logins} (for tests). */
    public static ExternalAuth imap(Map<String, ImapServer> imapDomains, ImapLogins logins) {
        return new ExternalAuth(true, Map.copyOf(imapDomains), logins, null);
    }

    /**
     * Reads {@code auth.ini} from the configuration directory ({@link #DISABLED} without the file or with
     * {@code enable = false}). Every section but {@code [ExternalAuth]} is a domain.
     *
     * @throws ConfigException a bad value, named with its file, section, option and value
     */
    public static ExternalAuth load(Path configDir) throws ConfigException {
        IniFile ini = IniFile.read(configDir.resolve("auth.ini"));
        SectionReader general = new SectionReader(ini, GENERAL);
        if (!general.bool("enable", false)) {
            return DISABLED;
        }
        Duration timeout = general.seconds("imap_timeout", ImapLogin.DEFAULT_TIMEOUT);
        if (timeout.isZero()) {
            throw general.error("imap_timeout", general.raw("imap_timeout"), "must be more than 0 seconds");
        }
        int concurrent = general.integer("max_imap_logins", ImapLogin.DEFAULT_CONCURRENT, 1, 1000);
        Map<String, ImapServer> imapDomains = new HashMap<>();
        for (String domain : ini.sectionNames()) {
            if (domain.equals(GENERAL)) {
                continue;
            }
            SectionReader section = new SectionReader(ini, domain);
            String type = section.choice("auth_type", "SIP", Set.of("SIP", "IMAP"));
            if (type.equals("IMAP")) {
                imapDomains.put(domain.toLowerCase(Locale.ROOT), imapServer(section));
            }
        }
        ImapLogin imap = null;
        if (!imapDomains.isEmpty()) {
            String caFile = general.string("imap_ca_cert_file", "/etc/ssl/certs/ca-certificates.crt");
            imap = new ImapLogin(trusting(general, caFile), timeout, concurrent);
        }
        return new ExternalAuth(true, Map.copyOf(imapDomains), imap == null ? null : imap::login, imap);
    }

    private static ImapServer imapServer(SectionReader section) throws ConfigException {
        String value = section.string("imap_server", "").strip();
        if (value.isEmpty()) {
            throw section.error("imap_server", value, "auth_type IMAP needs the IMAP server (host[:port])");
        }
        String host = value;
        int port = IMAPS_PORT;
        int colon = value.lastIndexOf(':');
        if (colon > 0 && !value.endsWith("]") && value.indexOf(':') == colon) {
            host = value.substring(0, colon);
            try {
                port = Integer.parseInt(value.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw section.error("imap_server", value, "not a port number (1-65535) after the ':'");
            }
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new ImapServer(host, port);
    }

    /** TLS that trusts the certificates of {@code imap_ca_cert_file} (PEM, one or many) and nothing else. */
    private static SSLSocketFactory trusting(SectionReader general, String caFile) throws ConfigException {
        try (InputStream in = Files.newInputStream(Path.of(caFile))) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(in);
            if (certificates.isEmpty()) {
                throw general.error("imap_ca_cert_file", caFile, "has no certificate");
            }
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int index = 0;
            for (Certificate certificate : certificates) {
                trusted.setCertificateEntry("ca" + index++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, trust.getTrustManagers(), null);
            return tls.getSocketFactory();
        } catch (IOException | RuntimeException e) {
            throw general.error("imap_ca_cert_file", caFile, "cannot be read: " + e);
        } catch (GeneralSecurityException e) {
            throw general.error("imap_ca_cert_file", caFile, "not PEM certificates: " + e.getMessage());
        }
    }

    /** Whether {@code auth.ini} switches external authentication on. */
    public boolean enabled() {
        return enabled;
    }

    /** The {@code auth_type} of {@code domain}; SIP when external authentication is off. */
    public Type type(String domain) {
        return imapDomains.containsKey(domain.toLowerCase(Locale.ROOT)) ? Type.IMAP : Type.SIP;
    }

    /**
     * The digest HA1 of an account from the {@code password} of {@code account-add}: computed from it when external
     * authentication is on (the client sent the plaintext password, Q17), the password itself when off (the client
     * sent its HA1, spec §4.5.2).
     */
    public String ha1(String user, String domain, String password) {
        return enabled ? DigestChallenge.ha1(user, domain, password) : password;
    }

    /** The IMAP login of {@code user} (the user part of the account) at {@code domain}'s IMAP server. */
    public CompletableFuture<ImapLogin.Outcome> imapLogin(String domain, String user, String password) {
        ImapServer server = imapDomains.get(domain.toLowerCase(Locale.ROOT));
        if (server == null || imap == null) {
            throw new IllegalArgumentException(domain + " does not authenticate by IMAP");
        }
        return imap.login(server, user, password);
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.close();
        }
    }
}
