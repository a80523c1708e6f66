package org.sylkserver.core.tls;

import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificate authorities and the certificates they issue, made for a test. */
public final class TestCertificates {

    /** A key pair and its certificate. */
    public record Issued(KeyPair keys, X509Certificate certificate) {

        /** Writes the certificate as PEM to {@code file}. */
        public Path writePem(Path file) throws Exception {
            try (Writer out = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(out)) {
                pem.writeObject(certificate);
            }
            return file;
        }

        /** A TLS context presenting this certificate and trusting with {@code trust}. */
        public SSLContext context(TrustManager[] trust) throws Exception {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("key", keys.getPrivate(), "secret".toCharArray(), new X509Certificate[] {certificate});
            KeyManagerFactory managers = KeyManagerFactory.getInstance("PKIX");
            managers.init(store, "secret".toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(managers.getKeyManagers(), trust, null);
            return context;
        }
    }

    private TestCertificates() {
    }

    /** A self-signed certificate authority. */
    public static Issued authority(String name) throws Exception {
        KeyPair keys = keyPair();
        return new Issued(keys, build(new X500Name("CN=" + name), keys, new X500Name("CN=" + name), keys, true));
    }

    /** A server certificate {@code CN=commonName} with {@code alternativeNames}, issued by {@code issuer}. */
    public static Issued issue(Issued issuer, String commonName, GeneralName... alternativeNames) throws Exception {
        KeyPair keys = keyPair();
        X500Name issuerName = new X500Name(issuer.certificate().getSubjectX500Principal().getName());
        return new Issued(keys, build(new X500Name("CN=" + commonName), keys, issuerName, issuer.keys(), false,
                alternativeNames));
    }

    /** A self-signed server certificate. */
    public static Issued selfSigned(String commonName, GeneralName... alternativeNames) throws Exception {
        KeyPair keys = keyPair();
        X500Name name = new X500Name("CN=" + commonName);
        return new Issued(keys, build(name, keys, name, keys, false, alternativeNames));
    }

    private static KeyPair keyPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    private static X509Certificate build(X500Name subject, KeyPair subjectKeys, X500Name issuer, KeyPair issuerKeys,
                                         boolean authority, GeneralName... alternativeNames) throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(2))), subject, subjectKeys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
        if (alternativeNames.length > 0) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternativeNames));
        }
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    }
}
