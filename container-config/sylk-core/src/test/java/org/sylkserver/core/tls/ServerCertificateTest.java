package org.sylkserver.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.Writer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.ServerConfig;

/**
 * TLS material (spec §7.2): the configured PEM (certificate + unencrypted key in one file) when it exists, else a
 * self-signed certificate created on first start, kept, and reused; a PKCS#12 key store for JAIN-SIP either way.
 */
class ServerCertificateTest {

    @TempDir
    Path dir;

    private ServerConfig config(String text, String... overrides) throws Exception {
        Files.writeString(dir.resolve("config.ini"), text);
        Map<String, String> settings = new java.util.HashMap<>(Map.of("SIP.local_ip", "127.0.0.1"));
        for (int i = 0; i < overrides.length; i += 2) {
            settings.put(overrides[i], overrides[i + 1]);
        }
        return ServerConfig.load(dir, dir.resolve("var"), settings);
    }

    private static X509Certificate certificateIn(ServerCertificate certificate) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(certificate.keyStore())) {
            store.load(in, certificate.keyStorePassword().toCharArray());
        }
        assertTrue(store.isKeyEntry("sylkserver"));
        assertTrue(store.getKey("sylkserver", certificate.keyStorePassword().toCharArray()) != null);
        return (X509Certificate) store.getCertificate("sylkserver");
    }

    @Test
    void selfSignedCertificateIsCreatedOnceAndReused() throws Exception {
        ServerConfig config = config("");
        ServerCertificate first = ServerCertificate.obtain(config);
        assertEquals(dir.resolve("var/spool/sylkserver/tls/default.crt"), first.pemFile());
        assertEquals(dir.resolve("var/spool/sylkserver/tls/sip-tls.p12"), first.keyStore());
        assertTrue(first.subject().contains("CN=127.0.0.1"), first.subject());
        assertTrue(first.fingerprint().matches("([0-9A-F]{2}:){31}[0-9A-F]{2}"), first.fingerprint());
        ServerCertificate second = ServerCertificate.obtain(config);
        assertEquals(first.fingerprint(), second.fingerprint());
        assertEquals(first.keyStorePassword(), second.keyStorePassword());
        certificateIn(second);
    }

    @Test
    void selfSignedCertificateNamesTheServerAndLastsTenYears() throws Exception {
        ServerCertificate created = ServerCertificate.obtain(config("", "WebServer.hostname", "sylk.example.com",
                "SIP.local_ip", "192.0.2.44"));
        X509Certificate certificate = certificateIn(created);
        assertTrue(created.subject().contains("CN=sylk.example.com"), created.subject());
        List<String> names = new ArrayList<>();
        for (List<?> name : certificate.getSubjectAlternativeNames()) {
            names.add(name.get(1).toString());
        }
        assertTrue(names.containsAll(List.of("192.0.2.44", "127.0.0.1", "localhost", "sylk.example.com")), names.toString());
        Duration validity = Duration.between(certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant());
        assertTrue(validity.toDays() >= 3650, validity.toString());
        certificate.checkValidity(Date.from(Instant.now().plus(Duration.ofDays(3600))));
        assertEquals(certificate.getSubjectX500Principal(), certificate.getIssuerX500Principal());
    }

    @Test
    void aConfiguredPemWithCertificateAndKeyIsUsed() throws Exception {
        Path pem = dir.resolve("mine.pem");
        ServerCertificate.createSelfSigned(pem, "configured.example.com", InetAddress.getByName("192.0.2.44"));
        ServerCertificate certificate = ServerCertificate.obtain(config("[Server]\ncertificate = mine.pem\n"));
        assertEquals(pem, certificate.pemFile());
        assertTrue(certificate.subject().contains("CN=configured.example.com"), certificate.subject());
        assertEquals(certificate.fingerprint(), ServerCertificate.obtain(config("[Server]\ncertificate = mine.pem\n"))
                .fingerprint());
        certificateIn(certificate);
    }

    @Test
    void aConfiguredCertificateThatDoesNotExistFallsBackToTheSelfSignedOne() throws Exception {
        ServerCertificate certificate = ServerCertificate.obtain(config("[Server]\ncertificate = nowhere.pem\n"));
        assertEquals(dir.resolve("var/spool/sylkserver/tls/default.crt"), certificate.pemFile());
    }

    @Test
    void garbageIsAConfigurationErrorNamingTheFile() throws Exception {
        Files.writeString(dir.resolve("bad.pem"), "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
        ConfigException garbage = assertThrows(ConfigException.class,
                () -> ServerCertificate.obtain(config("[Server]\ncertificate = bad.pem\n")));
        assertTrue(garbage.getMessage().startsWith(dir.resolve("bad.pem") + ": not a PEM certificate and key"),
                garbage.getMessage());
        Files.writeString(dir.resolve("empty.pem"), "hello\n");
        ConfigException empty = assertThrows(ConfigException.class,
                () -> ServerCertificate.obtain(config("[Server]\ncertificate = empty.pem\n")));
        assertTrue(empty.getMessage().startsWith(dir.resolve("empty.pem") + ": must contain a certificate"),
                empty.getMessage());
    }

    @Test
    void aCertificateWithoutItsKeyOrWithAnotherKeyIsRefused() throws Exception {
        Path pem = dir.resolve("pair.pem");
        ServerCertificate.createSelfSigned(pem, "a.example.com", InetAddress.getByName("192.0.2.1"));
        String text = Files.readString(pem);
        String certificateOnly = text.substring(0, text.indexOf("-----BEGIN RSA PRIVATE KEY-----"));
        Files.writeString(dir.resolve("nokey.pem"), certificateOnly);
        assertTrue(assertThrows(ConfigException.class,
                () -> ServerCertificate.obtain(config("[Server]\ncertificate = nokey.pem\n"))).getMessage()
                .contains("must contain a private key"));

        Path other = dir.resolve("other.pem");
        ServerCertificate.createSelfSigned(other, "b.example.com", InetAddress.getByName("192.0.2.2"));
        String otherText = Files.readString(other);
        Files.writeString(dir.resolve("mixed.pem"), certificateOnly + otherText.substring(
                otherText.indexOf("-----BEGIN RSA PRIVATE KEY-----")));
        ConfigException mixed = assertThrows(ConfigException.class,
                () -> ServerCertificate.obtain(config("[Server]\ncertificate = mixed.pem\n")));
        assertTrue(mixed.getMessage().contains("does not belong to the first certificate"), mixed.getMessage());
    }

    @Test
    void anEncryptedKeyIsRefusedWithAClearMessage_spec7_2() throws Exception {
        Path pem = dir.resolve("plain.pem");
        ServerCertificate.createSelfSigned(pem, "a.example.com", InetAddress.getByName("192.0.2.1"));
        String text = Files.readString(pem);
        String certificateOnly = text.substring(0, text.indexOf("-----BEGIN RSA PRIVATE KEY-----"));
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        Path encrypted = dir.resolve("encrypted.pem");
        Files.writeString(encrypted, certificateOnly);
        try (Writer out = Files.newBufferedWriter(encrypted, StandardCharsets.US_ASCII,
                java.nio.file.StandardOpenOption.APPEND); JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(new JcaPKCS8Generator(generator.generateKeyPair().getPrivate(),
                    new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                            .setProvider(new BouncyCastleProvider()).setPassword("secret".toCharArray()).build()));
        }
        ConfigException e = assertThrows(ConfigException.class,
                () -> ServerCertificate.obtain(config("[Server]\ncertificate = encrypted.pem\n")));
        assertEquals(encrypted + ": the private key is encrypted; it must be stored unencrypted", e.getMessage());
    }
}
