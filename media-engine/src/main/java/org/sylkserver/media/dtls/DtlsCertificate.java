package org.sylkserver.media.dtls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * A self-signed ECDSA P-256 certificate for DTLS-SRTP: WebRTC authenticates the DTLS peer by the fingerprint of
 * its certificate carried in the signalled SDP, not by a CA (RFC 5763 §5, RFC 8827 §6.5), so a fresh key pair per
 * bridge (or Jingle call) is all that is needed. P-256 with SHA-256 is what browsers generate and accept (RFC 8827
 * §6.5 asks for ECDSA P-256 support).
 */
public final class DtlsCertificate {

    private static final Duration VALIDITY = Duration.ofDays(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final BcTlsCrypto crypto;
    private final AsymmetricKeyParameter privateKey;
    private final byte[] encoded;
    private final Fingerprint fingerprint;

    /** A fresh key pair and certificate, with a crypto provider of its own for the handshakes that present it. */
    public DtlsCertificate() {
        this(new BcTlsCrypto(RANDOM));
    }

    DtlsCertificate(BcTlsCrypto crypto) {
        this.crypto = crypto;
        SecureRandom random = crypto.getSecureRandom();
        X9ECParameters curve = ECNamedCurveTable.getByName("P-256");
        ECKeyPairGenerator generator = new ECKeyPairGenerator();
        generator.init(new ECKeyGenerationParameters(new ECNamedDomainParameters(SECObjectIdentifiers.secp256r1,
                curve), random));
        AsymmetricCipherKeyPair keys = generator.generateKeyPair();
        this.privateKey = keys.getPrivate();
        X500Name name = new X500Name("CN=SylkServer");
        Instant now = Instant.now();
        try {
            X509v3CertificateBuilder builder = new X509v3CertificateBuilder(name, new BigInteger(63, random),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(VALIDITY)), name,
                    SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(keys.getPublic()));
            AlgorithmIdentifier signature = new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");
            AlgorithmIdentifier digest = new DefaultDigestAlgorithmIdentifierFinder().find(signature);
            this.encoded = builder.build(new BcECContentSignerBuilder(signature, digest).build(privateKey))
                    .getEncoded();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the DTLS certificate", e);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("no ECDSA signer for the DTLS certificate", e);
        }
        this.fingerprint = Fingerprint.sha256(encoded);
    }

    /** The {@code a=fingerprint} of this certificate (RFC 8122 §5). */
    public Fingerprint fingerprint() {
        return fingerprint;
    }

    /** The crypto provider the handshakes presenting this certificate use. */
    BcTlsCrypto crypto() {
        return crypto;
    }

    /** The credentials that sign our side of a handshake in {@code context}. */
    TlsCredentialedSigner signer(TlsContext context) throws IOException {
        TlsCertificate certificate = crypto.createCertificate(encoded);
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, privateKey,
                new Certificate(new TlsCertificate[] {certificate}),
                new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
    }
}
