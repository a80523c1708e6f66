package org.sylkserver.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.ServerConfig;

/** TLS material (spec §7.2): a self-signed certificate on first start, kept and reused; or the configured one. */
class ServerCertificateTest {

    @TempDir
    Path dir;

    private ServerConfig config(String text) throws Exception {
        Files.writeString(dir.resolve("config.ini"), text);
        return ServerConfig.load(dir, dir.resolve("var"), Map.of("SIP.local_ip", "127.0.0.1"));
    }

    @Test
    void selfSignedCertificateIsCreatedOnceAndReused() throws Exception {
        ServerConfig config = config("");
        ServerCertificate first = ServerCertificate.obtain(config);
        assertEquals(dir.resolve("var/spool/sylkserver/tls/default.crt"), first.pemFile());
        assertTrue(first.subject().contains("CN=127.0.0.1"), first.subject());
        ServerCertificate second = ServerCertificate.obtain(config);
        assertEquals(first.fingerprint(), second.fingerprint());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(second.keyStore())) {
            store.load(in, second.keyStorePassword().toCharArray());
        }
        assertTrue(store.isKeyEntry("sylkserver"));
    }

    @Test
    void aConfiguredPemWithCertificateAndKeyIsUsed() throws Exception {
        Path pem = dir.resolve("mine.pem");
        ServerCertificate.createSelfSigned(pem, InetAddress.getByName("192.0.2.44"));
        ServerCertificate certificate = ServerCertificate.obtain(config("[Server]\ncertificate = mine.pem\n"));
        assertEquals(pem, certificate.pemFile());
        assertTrue(certificate.subject().contains("CN=192.0.2.44"));
    }

    @Test
    void garbageOrMissingFilesAreConfigurationErrorsNamingTheFile() throws Exception {
        Files.writeString(dir.resolve("bad.pem"), "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
        ConfigException garbage = assertThrows(ConfigException.class,
                () -> ServerCertificate.obtain(config("[Server]\ncertificate = bad.pem\n")));
        assertTrue(garbage.getMessage().startsWith(dir.resolve("bad.pem").toString()), garbage.getMessage());
        Files.writeString(dir.resolve("empty.pem"), "hello\n");
        assertThrows(ConfigException.class, () -> ServerCertificate.obtain(config("[Server]\ncertificate = empty.pem\n")));
        ConfigException missing = assertThrows(ConfigException.class,
                () -> ServerCertificate.obtain(config("[Server]\ncertificate = nowhere.pem\n")));
        assertTrue(missing.getMessage().contains("[Server] certificate"), missing.getMessage());
    }
}
