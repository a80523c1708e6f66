package org.sylkserver.conference;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.ServerConfig;
import org.sylkserver.core.tls.ServerCertificate;

/**
 * The TLS context of MSRP over TLS: the server's own certificate (the one SIP over TLS presents). Peers'
 * certificates are checked against the JDK's trusted CAs only with {@code [Server] verify_server = true} (spec
 * §8.1, default false as the original): MSRP clients such as Blink present self-signed certificates, and the
 * session is tied to the SIP dialog that carried the path, not to the certificate.
 */
final class MsrpTls {

    private MsrpTls() {
    }

    static SSLContext context(ServerConfig config) throws IOException, GeneralSecurityException, ConfigException {
        ServerCertificate certificate = ServerCertificate.obtain(config);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(certificate.keyStore())) {
            keys.load(in, certificate.keyStorePassword().toCharArray());
        }
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keys, certificate.keyStorePassword().toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(managers.getKeyManagers(), config.server().verifyServer() ? null
                : new javax.net.ssl.TrustManager[] {new AnyPeer()}, null);
        return tls;
    }

    /** Accepts the peer's certificate whatever it is ({@code verify_server = false}). */
    private static final class AnyPeer implements javax.net.ssl.X509TrustManager {
        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            // MSRP clients need not present a certificate at all
        }

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            // verify_server = false (spec §8.1)
        }

        @Override
        public java.security.cert.X509Certificate[] getAcceptedIssuers() {
            return new java.security.cert.X509Certificate[0];
        }
    }
}
