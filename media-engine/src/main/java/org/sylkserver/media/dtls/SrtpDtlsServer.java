package org.sylkserver.media.dtls;

import java.io.IOException;
import java.util.Hashtable;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;

/**
 * The DTLS server of a DTLS-SRTP association (RFC 5764): DTLS 1.2 with ECDHE-ECDSA suites, our certificate, the
 * peer's certificate required and checked against the fingerprint its SDP or Jingle transport carried (RFC 5763 §5:
 * the certificate is self-signed, the fingerprint is what authenticates it), the {@code use_srtp} extension
 * (RFC 5764 §4.1.1) and, when the handshake is done, the SRTP master keys exported from the session (RFC 5764 §4.2,
 * {@link DtlsSrtpKeys}).
 *
 * <p>Profiles: SRTP_AES128_CM_HMAC_SHA1_80 preferred, SRTP_AES128_CM_HMAC_SHA1_32 accepted (RFC 5764 §4.1.2); the
 * AEAD profiles of RFC 7714 are not offered because the SRTP transformer of this engine does AES-CM only.
 */
final class SrtpDtlsServer extends DefaultTlsServer implements SrtpDtlsPeer {

    private final DtlsCertificate certificate;
    private final Fingerprint peerFingerprint;
    private final int handshakeTimeoutMillis;
    private int profile = -1;
    private volatile DtlsSrtpKeys keys;

    SrtpDtlsServer(DtlsCertificate certificate, Fingerprint peerFingerprint, int handshakeTimeoutMillis) {
        super(certificate.crypto());
        this.certificate = certificate;
        this.peerFingerprint = peerFingerprint;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    @Override
    public DtlsSrtpKeys keys() {
        return keys;
    }

    /** How long the handshake may take from the first record on (BouncyCastle gives up with a timeout). */
    @Override
    public int getHandshakeTimeoutMillis() {
        return handshakeTimeoutMillis;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return TlsUtils.getSupportedCipherSuites(getCrypto(), new int[] {
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA});
    }

    @Override
    protected TlsCredentialedSigner getECDSASignerCredentials() throws IOException {
        return certificate.signer(context);
    }

    /** RFC 5763 §5: both ends present a certificate; the client's is what its fingerprint names. */
    @Override
    public CertificateRequest getCertificateRequest() {
        return new CertificateRequest(new short[] {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign},
                TlsUtils.getDefaultSupportedSignatureAlgorithms(context), null);
    }

    @Override
    public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
        peerFingerprint.check(clientCertificate, "client");
    }

    @Override
    public void processClientExtensions(Hashtable clientExtensions) throws IOException {
        super.processClientExtensions(clientExtensions);
        UseSRTPData offered = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
        if (offered == null) {
            throw new TlsFatalAlert(AlertDescription.handshake_failure, "no use_srtp extension (RFC 5764 §4.1.1)");
        }
        for (int wanted : DtlsSrtpKeys.PROFILES) {
            for (int candidate : offered.getProtectionProfiles()) {
                if (candidate == wanted && profile < 0) {
                    profile = wanted;
                }
            }
        }
        if (profile < 0) {
            throw new TlsFatalAlert(AlertDescription.handshake_failure, "no supported SRTP protection profile");
        }
    }

    @Override
    public Hashtable getServerExtensions() throws IOException {
        Hashtable extensions = super.getServerExtensions();
        TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(new int[] {profile}, TlsUtils.EMPTY_BYTES));
        return extensions;
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        keys = DtlsSrtpKeys.export(context, profile);
    }
}
