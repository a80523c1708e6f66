package org.sylkserver.media.dtls;

import java.io.IOException;
import java.util.Hashtable;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;

/**
 * The DTLS client of a DTLS-SRTP association (RFC 5764), for when the peer takes the server's role
 * ({@code setup:passive}, {@link DtlsRole}): the counterpart of {@link SrtpDtlsServer} with the same rules. DTLS 1.2;
 * ECDHE with ECDSA or RSA server certificates (the server's key decides: browsers use ECDSA, other DTLS stacks such as
 * GStreamer's RSA); the server's certificate checked against the fingerprint it signalled (RFC 5763 §5); ours
 * presented; {@code use_srtp} with our profiles (RFC 5764 §4.1.1), the server's choice checked against them; the keys
 * exported once the handshake is done (RFC 5764 §4.2).
 */
final class SrtpDtlsClient extends DefaultTlsClient implements SrtpDtlsPeer {

    private final DtlsCertificate certificate;
    private final Fingerprint peerFingerprint;
    private final int handshakeTimeoutMillis;
    private int profile = -1;
    private volatile DtlsSrtpKeys keys;

    SrtpDtlsClient(DtlsCertificate certificate, Fingerprint peerFingerprint, int handshakeTimeoutMillis) {
        super(certificate.crypto());
        this.certificate = certificate;
        this.peerFingerprint = peerFingerprint;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    @Override
    public DtlsSrtpKeys keys() {
        return keys;
    }

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
                CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
                CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA});
    }

    @Override
    public Hashtable getClientExtensions() throws IOException {
        Hashtable extensions = super.getClientExtensions();
        TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(DtlsSrtpKeys.PROFILES, TlsUtils.EMPTY_BYTES));
        return extensions;
    }

    @Override
    public void processServerExtensions(Hashtable serverExtensions) throws IOException {
        super.processServerExtensions(serverExtensions);
        UseSRTPData chosen = TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
        if (chosen == null || chosen.getProtectionProfiles().length != 1) {
            throw new TlsFatalAlert(AlertDescription.handshake_failure,
                    "the DTLS server chose no SRTP protection profile (RFC 5764 §4.1.1)");
        }
        for (int offered : DtlsSrtpKeys.PROFILES) {
            if (offered == chosen.getProtectionProfiles()[0]) {
                profile = offered;
            }
        }
        if (profile < 0) {
            throw new TlsFatalAlert(AlertDescription.illegal_parameter,
                    "the DTLS server chose an SRTP protection profile we did not offer");
        }
    }

    @Override
    public TlsAuthentication getAuthentication() {
        return new TlsAuthentication() {
            @Override
            public void notifyServerCertificate(TlsServerCertificate server) throws IOException {
                peerFingerprint.check(server.getCertificate(), "server");
            }

            @Override
            public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
                return certificate.signer(context);
            }
        };
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        keys = DtlsSrtpKeys.export(context, profile);
    }
}
