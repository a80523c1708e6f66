package org.sylkserver.core.msrp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.ServerConfig;
import org.sylkserver.core.tls.PeerVerification;
import org.sylkserver.core.tls.ServerCertificate;

/**
 * The TLS context of MSRP over TLS: the server's own certificate (the one SIP over TLS presents) and the peer checks
 * of {@code [Server] verify_server} and {@code ca_file} ({@link PeerVerification}; off by default as in the original:
 * MSRP clients such as Blink present self-signed certificates, and the session is tied to the SIP dialog that carried
 * the path, not to the certificate). With the check on, the room's connections to participants (RFC 6135 active
 * role, file push) need a certificate from {@code ca_file} naming the host of the participant's {@code msrps:} URI.
 */
public final class MsrpTls {

    private MsrpTls() {
    }

    public static SSLContext context(ServerConfig config)
            throws IOException, GeneralSecurityException, ConfigException {
        ServerCertificate certificate = ServerCertificate.obtain(config);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(certificate.keyStore())) {
            keys.load(in, certificate.keyStorePassword().toCharArray());
        }
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keys, certificate.keyStorePassword().toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(managers.getKeyManagers(), PeerVerification.of(config).trustManagers(), null);
        return tls;
    }
}
