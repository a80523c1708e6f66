package org.sylkserver.core.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.ServerConfig;

/**
 * How the server checks the certificates of the TLS peers it connects to, for SIP over TLS and MSRP over TLS (spec
 * §7.2, §8.1): with {@code [Server] verify_server = true} a peer's chain must lead to one of the certificate
 * authorities in {@code [Server] ca_file} (PEM, any number of certificates) and the certificate must name the host
 * connected to; with {@code false} (the default, as the original) any certificate is accepted, so the connection is
 * encrypted but its peer unauthenticated.
 *
 * <p>The host check itself is made where the host is known: MSRP sets HTTPS-style endpoint identification on its
 * sockets, which the trust managers of {@link #trustManagers()} carry out (and {@link #ANY_PEER} skips), SIP has
 * {@link SipServerIdentity}.
 */
public final class PeerVerification {

    /** Accepts every peer and every certificate, host check included ({@code verify_server = false}). */
    public static final PeerVerification NONE = new PeerVerification(null);

    /** The trusted authorities from {@code ca_file}, or {@code null} when peers are not verified. */
    private final KeyStore authorities;

    private PeerVerification(KeyStore authorities) {
        this.authorities = authorities;
    }

    /**
     * The verification {@code config} asks for.
     *
     * @throws ConfigException when {@code verify_server} is on and {@code ca_file} is missing or holds no certificate
     *                         (the message names file, option and value)
     */
    public static PeerVerification of(ServerConfig config) throws ConfigException {
        if (!config.server().verifyServer()) {
            return NONE;
        }
        Path caFile = config.server().caFile();
        String setting = config.file() + ": [Server] ca_file = '" + caFile + "'";
        if (!Files.isRegularFile(caFile)) {
            throw new ConfigException(setting + ": no such file (verify_server = true needs the certificate "
                    + "authorities to trust)");
        }
        try {
            return new PeerVerification(authorities(caFile));
        } catch (ConfigException e) {
            throw new ConfigException(setting + ": " + e.getMessage(), e);
        }
    }

    /** A key store of the certificates in the PEM file {@code caFile}, each a trusted entry. */
    static KeyStore authorities(Path caFile) throws ConfigException {
        List<X509Certificate> certificates = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(caFile, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            for (Object item; (item = parser.readObject()) != null; ) {
                if (item instanceof X509CertificateHolder holder) {
                    certificates.add(converter.getCertificate(holder));
                }
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new ConfigException("not a PEM file of certificates: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new ConfigException("holds no PEM certificate");
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < certificates.size(); i++) {
                store.setCertificateEntry("ca-" + i, certificates.get(i));
            }
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("PKCS12 key stores are part of every JDK", e);
        }
    }

    /** Whether peers' certificates are verified ({@code verify_server}). */
    public boolean enabled() {
        return authorities != null;
    }

    /** Trust managers for an {@code SSLContext}: PKIX against {@code ca_file}, or {@link #ANY_PEER}. */
    public TrustManager[] trustManagers() {
        if (authorities == null) {
            return new TrustManager[] {ANY_PEER};
        }
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(authorities);
            return factory.getTrustManagers();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PKIX trust managers are part of every JDK", e);
        }
    }

    /** The password of {@link #writeTrustStore} stores; it protects nothing, the certificates are public. */
    public static final String TRUST_STORE_PASSWORD = "sylkserver";

    /**
     * Writes the authorities as a PKCS#12 trust store ({@link #TRUST_STORE_PASSWORD}) to {@code file} for JAIN-SIP,
     * which reads trust stores ({@code javax.net.ssl.trustStore} style), not PEM.
     */
    public void writeTrustStore(Path file) throws IOException {
        if (authorities == null) {
            throw new IllegalStateException("peers are not verified: no trust store");
        }
        Files.createDirectories(file.getParent());
        Path partial = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(partial)) {
            authorities.store(out, TRUST_STORE_PASSWORD.toCharArray());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write the trust store " + file + ": " + e.getMessage(), e);
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Trusts every certificate. An {@link X509ExtendedTrustManager}, so that the JDK does not wrap it in one that
     * would still check the host name a socket asks for.
     */
    public static final X509ExtendedTrustManager ANY_PEER = new X509ExtendedTrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // verify_server = false (spec §8.1); MSRP and SIP clients need not present a certificate at all
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // verify_server = false (spec §8.1)
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            // as above
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            // as above
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            // as above
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            // as above
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };
}
