package org.sylkserver.core.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.ServerConfig;

/**
 * The certificate of SIP over TLS (spec §7.2): {@code [Server] certificate} when configured (one PEM file with
 * the certificate chain and the unencrypted private key), else a self-signed one created on first start and
 * kept in {@code <spool_dir>/tls/default.crt} so later starts present the same certificate. In both cases a
 * PKCS#12 key store is written next to the server's data for JAIN-SIP, which reads key stores, not PEM.
 *
 * @param pemFile          the PEM file in use
 * @param keyStore         the PKCS#12 key store derived from it
 * @param keyStorePassword the key store's password
 * @param subject          the certificate's subject, for the log
 * @param fingerprint      SHA-256 of the certificate, colon-separated hex, for the log
 */
public record ServerCertificate(Path pemFile, Path keyStore, String keyStorePassword, String subject,
                                String fingerprint) {

    private static final Duration VALIDITY = Duration.ofDays(3650);

    /** The configured certificate, or the self-signed one (created if missing). */
    public static ServerCertificate obtain(ServerConfig config) throws ConfigException, IOException {
        Path tlsDir = config.server().spoolDir().resolve("tls");
        Path pem = config.server().certificate();
        if (pem == null) {
            pem = tlsDir.resolve("default.crt");
            if (!Files.exists(pem)) {
                createSelfSigned(pem, config.sip().localIp());
            }
        } else if (!Files.isReadable(pem)) {
            throw new ConfigException(config.file() + ": [Server] certificate = '" + pem + "': file not readable");
        }
        return load(pem, tlsDir.resolve("sip-tls.p12"));
    }

    /** Reads a PEM certificate + key and writes the key store {@code keyStore} from it. */
    static ServerCertificate load(Path pem, Path keyStore) throws ConfigException, IOException {
        List<X509Certificate> chain = new ArrayList<>();
        PrivateKey key = null;
        try (Reader reader = Files.newBufferedReader(pem, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            JcaX509CertificateConverter certificates = new JcaX509CertificateConverter();
            JcaPEMKeyConverter keys = new JcaPEMKeyConverter();
            for (Object item; (item = parser.readObject()) != null; ) {
                if (item instanceof X509CertificateHolder holder) {
                    chain.add(certificates.getCertificate(holder));
                } else if (item instanceof PEMKeyPair pair) {
                    key = keys.getKeyPair(pair).getPrivate();
                } else if (item instanceof PrivateKeyInfo info) {
                    key = keys.getPrivateKey(info);
                }
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new ConfigException(pem + ": not a PEM certificate and key: " + e.getMessage(), e);
        }
        if (chain.isEmpty() || key == null) {
            throw new ConfigException(pem + ": must contain a certificate and its unencrypted private key (PEM)");
        }
        try {
            String password = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(pem))).substring(0, 24);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("sylkserver", key, password.toCharArray(), chain.toArray(new X509Certificate[0]));
            Files.createDirectories(keyStore.getParent());
            try (OutputStream out = Files.newOutputStream(keyStore)) {
                store.store(out, password.toCharArray());
            }
            String fingerprint = HexFormat.ofDelimiter(":").withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(chain.get(0).getEncoded()));
            return new ServerCertificate(pem, keyStore, password, chain.get(0).getSubjectX500Principal().getName(),
                    fingerprint);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write the TLS key store " + keyStore + ": " + e.getMessage(), e);
        }
    }

    /** A self-signed RSA-2048 certificate for {@code address}, valid ten years, written as PEM (cert + key). */
    static void createSelfSigned(Path pem, InetAddress address) throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            X500Name name = new X500Name("CN=" + address.getHostAddress() + ", O=SylkServer");
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(VALIDITY)), name, pair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.iPAddress, address.getHostAddress()),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                    new GeneralName(GeneralName.dNSName, "localhost")}));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
            Files.createDirectories(pem.getParent());
            Path partial = pem.resolveSibling(pem.getFileName() + ".tmp");
            try (Writer out = Files.newBufferedWriter(partial, StandardCharsets.US_ASCII);
                 JcaPEMWriter writer = new JcaPEMWriter(out)) {
                writer.writeObject(certificate);
                writer.writeObject(pair.getPrivate());
            }
            Files.move(partial, pem, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot create a self-signed certificate: " + e.getMessage(), e);
        }
    }
}
