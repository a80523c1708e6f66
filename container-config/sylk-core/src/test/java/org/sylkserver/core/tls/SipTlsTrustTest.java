package org.sylkserver.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Properties;

import javax.net.ssl.X509TrustManager;

import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.core.config.ServerConfig;

/** JAIN-SIP's trust: servers we connect to checked against ca_file (verify_server), clients never refused. */
class SipTlsTrustTest {

    @TempDir
    Path dir;

    private Properties stackProperties(boolean verify, TestCertificates.Issued authority) throws Exception {
        TestCertificates.Issued server = TestCertificates.issue(authority, "sylk.example.com");
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("sylk", server.keys().getPrivate(), "pw".toCharArray(),
                new X509Certificate[] {server.certificate()});
        Path keyStore = dir.resolve("sip-tls.p12");
        try (OutputStream out = Files.newOutputStream(keyStore)) {
            keys.store(out, "pw".toCharArray());
        }
        Properties p = new Properties();
        p.setProperty("javax.net.ssl.keyStore", keyStore.toString());
        p.setProperty("javax.net.ssl.keyStorePassword", "pw");
        if (verify) {
            Path caFile = authority.writePem(dir.resolve("ca.crt"));
            PeerVerification.of(ServerConfig.load(dir, dir.resolve("var"), Map.of("Server.verify_server", "true",
                    "Server.ca_file", caFile.toString()))).writeTrustStore(dir.resolve("sip-ca.p12"));
            p.setProperty("javax.net.ssl.trustStore", dir.resolve("sip-ca.p12").toString());
            p.setProperty("javax.net.ssl.trustStorePassword", PeerVerification.TRUST_STORE_PASSWORD);
        }
        return p;
    }

    @Test
    void serversMustComeFromCaFileClientsNeverAreRefused() throws Exception {
        TestCertificates.Issued authority = TestCertificates.authority("Test CA");
        SipTlsTrust trust = new SipTlsTrust();
        trust.init(stackProperties(true, authority));
        X509TrustManager servers = (X509TrustManager) trust.getTrustManagers(true)[0];
        servers.checkServerTrusted(new X509Certificate[] {TestCertificates.issue(authority, "proxy.example.com",
                new GeneralName(GeneralName.dNSName, "proxy.example.com")).certificate()}, "ECDHE_ECDSA");
        X509Certificate stranger = TestCertificates.selfSigned("proxy.example.com").certificate();
        assertThrows(CertificateException.class,
                () -> servers.checkServerTrusted(new X509Certificate[] {stranger}, "ECDHE_ECDSA"));
        assertSame(PeerVerification.ANY_PEER, trust.getTrustManagers(false)[0]);
        assertEquals(1, trust.getKeyManagers(true).length);
    }

    @Test
    void withoutVerifyServerAnyServerIsAccepted() throws Exception {
        SipTlsTrust trust = new SipTlsTrust();
        trust.init(stackProperties(false, TestCertificates.authority("Test CA")));
        assertSame(PeerVerification.ANY_PEER, trust.getTrustManagers(true)[0]);
    }
}
