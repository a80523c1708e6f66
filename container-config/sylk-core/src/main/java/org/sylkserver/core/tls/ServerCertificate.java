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
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.sylkserver.core.config.ConfigException;
import org.sylkserver.core.config.ServerConfig;

/**
 * The certificate of SIP over TLS and MSRP over TLS (spec §7.2): {@code [Server] certificate} when that file
 * exists (one PEM file with the certificate chain and the unencrypted private key), else a self-signed one
 * created on first start and kept in {@code <spool_dir>/tls/default.crt} so later starts present the same
 * certificate. Either way a PKCS#12 key store is written to {@code <spool_dir>/tls/sip-tls.p12} for JAIN-SIP,
 * which reads key stores ({@code javax.net.ssl.keyStore} style), not PEM.
 *
 * @param pemFile          the PEM file in use
 * @param keyStore         the PKCS#12 key store derived from it
 * @param keyStorePassword the key store's password (also the key entry's)
 * @param subject          the certificate's subject, for the log
 * @param fingerprint      SHA-256 of the certificate, colon-separated upper-case hex, for the log
 */
public record ServerCertificate(Path pemFile, Path keyStore, String keyStorePassword, String subject,
                                String fingerprint) {

    private static final Logger LOG = Logger.getLogger("sylk.core");
    private static final Duration VALIDITY = Duration.ofDays(3650);
    private static final String ALIAS = "sylkserver";
    /** Signature used to check that a PEM's key belongs to its certificate, per key algorithm. */
    private static final Map<String, String> PROOF_SIGNATURES = Map.of("RSA", "SHA256withRSA",
            "EC", "SHA256withECDSA", "DSA", "SHA256withDSA", "Ed25519", "Ed25519", "EdDSA", "Ed25519");

    /**
     * The configured certificate, or the self-signed one (created if missing), with its key store written.
     *
     * @throws ConfigException when the PEM file cannot be used (the message names the file and what is wrong)
     * @throws IOException     when the spool directory cannot be written
     */
    public static ServerCertificate obtain(ServerConfig config) throws ConfigException, IOException {
        Path tlsDir = config.server().spoolDir().resolve("tls");
        Path pem = config.server().certificate();
        if (pem == null || !Files.exists(pem)) {
            if (pem != null) {
                LOG.warning(config.file() + ": [Server] certificate = '" + pem
                        + "': no such file; using a self-signed certificate instead");
            }
            pem = tlsDir.resolve("default.crt");
            if (!Files.exists(pem)) {
                String hostname = config.webServer().hostname();
                InetAddress address = config.sip().localIp();
                createSelfSigned(pem, hostname.isEmpty() ? address.getHostAddress() : hostname, address);
                LOG.info("created a self-signed TLS certificate in " + pem);
            }
        }
        return load(pem, tlsDir.resolve("sip-tls.p12"));
    }

    /**
     * The web server's certificate, {@code [WebServer] certificate} (spec §8.1), with its key store written; none when
     * the option is not set, and the web server then speaks plain HTTP.
     *
     * @throws ConfigException when the file is missing or unusable (the message names the file, option and value)
     */
    public static ServerCertificate web(ServerConfig config) throws ConfigException, IOException {
        Path pem = config.webServer().certificate();
        if (pem == null) {
            return null;
        }
        if (!Files.isRegularFile(pem)) {
            throw new ConfigException(config.file() + ": [WebServer] certificate = '" + pem + "': no such file");
        }
        try {
            return load(pem, config.server().spoolDir().resolve("tls").resolve("web-tls.p12"));
        } catch (ConfigException e) {
            throw new ConfigException(config.file() + ": [WebServer] certificate = '" + pem + "': " + e.getMessage(), e);
        }
    }

    /**
     * Reads a PEM certificate chain + key and writes the key store {@code keyStore} from it (also for the
     * certificates of applications, e.g. the XMPP gateway's S2S TLS).
     */
    public static ServerCertificate load(Path pem, Path keyStore) throws ConfigException, IOException {
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
                } else if (item instanceof PEMEncryptedKeyPair || item instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new ConfigException(pem + ": the private key is encrypted; it must be stored unencrypted");
                }
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new ConfigException(pem + ": not a PEM certificate and key: " + e.getMessage(), e);
        }
        if (chain.isEmpty() || key == null) {
            throw new ConfigException(pem + ": must contain " + (chain.isEmpty() ? "a certificate" : "a private key")
                    + " (PEM; certificate and unencrypted private key in one file)");
        }
        X509Certificate certificate = chain.get(0);
        if (!belongTogether(key, certificate.getPublicKey())) {
            throw new ConfigException(pem + ": the private key does not belong to the first certificate ("
                    + certificate.getSubjectX500Principal().getName() + ")");
        }
        try {
            certificate.checkValidity();
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            LOG.warning(pem + ": certificate " + certificate.getSubjectX500Principal().getName()
                    + " is not valid now: " + e.getMessage());
        }
        try {
            // derived from the PEM, which holds the same key in clear: the password protects nothing more, and
            // a stable one keeps the key store unchanged across starts
            String password = HexFormat.of().formatHex(sha256(Files.readAllBytes(pem))).substring(0, 24);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, key, password.toCharArray(), chain.toArray(new X509Certificate[0]));
            Files.createDirectories(keyStore.getParent());
            Path partial = keyStore.resolveSibling(keyStore.getFileName() + ".tmp");
            try (OutputStream out = Files.newOutputStream(partial)) {
                restrictToOwner(partial);
                store.store(out, password.toCharArray());
            }
            Files.move(partial, keyStore, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            String fingerprint = HexFormat.ofDelimiter(":").withUpperCase().formatHex(sha256(certificate.getEncoded()));
            return new ServerCertificate(pem, keyStore, password, certificate.getSubjectX500Principal().getName(),
                    fingerprint);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write the TLS key store " + keyStore + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes a self-signed RSA-2048 certificate, valid ten years, and its key to {@code pem}. Subject
     * {@code CN=commonName}; subject alternative names: {@code address}, 127.0.0.1, localhost and
     * {@code commonName} when it is a host name.
     */
    static void createSelfSigned(Path pem, String commonName, InetAddress address) throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            var name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "SylkServer")
                    .addRDN(BCStyle.CN, commonName).build();
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(VALIDITY)), name, pair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            Set<GeneralName> names = new LinkedHashSet<>();
            names.add(new GeneralName(GeneralName.iPAddress, address.getHostAddress()));
            names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
            names.add(new GeneralName(GeneralName.dNSName, "localhost"));
            if (!commonName.equals(address.getHostAddress())) {
                names.add(new GeneralName(GeneralName.dNSName, commonName));
            }
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(names.toArray(new GeneralName[0])));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
            Files.createDirectories(pem.getParent());
            // written aside and moved, so a crash never leaves a half-written file that later starts would reuse
            Path partial = pem.resolveSibling(pem.getFileName() + ".tmp");
            try (Writer out = Files.newBufferedWriter(partial, StandardCharsets.US_ASCII);
                 JcaPEMWriter writer = new JcaPEMWriter(out)) {
                restrictToOwner(partial);
                writer.writeObject(certificate);
                writer.writeObject(pair.getPrivate());
            }
            Files.move(partial, pem, StandardCopyOption.ATOMIC_MOVE);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot create a self-signed certificate: " + e.getMessage(), e);
        }
    }

    /** Whether {@code key} signs what {@code publicKey} verifies; not checked (true) for algorithms not listed. */
    private static boolean belongTogether(PrivateKey key, PublicKey publicKey) {
        if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
            return false;
        }
        String algorithm = PROOF_SIGNATURES.get(key.getAlgorithm());
        if (algorithm == null) {
            return true;
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static byte[] sha256(byte[] data) throws GeneralSecurityException {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    /** Private keys are readable by the server's user only, where the file system knows permissions. */
    private static void restrictToOwner(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its defaults apply
        }
    }
}
