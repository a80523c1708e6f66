package org.sylkserver.media.dtls;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.sylkserver.media.srtp.CryptoSuite;
import org.sylkserver.media.srtp.SdesCrypto;
import org.sylkserver.media.srtp.SrtpTransformer;

/**
 * The DTLS client of a test peer (a browser's, an XMPP client's), written apart from the server's code it talks to:
 * BouncyCastle's DTLS client with use_srtp (SRTP_AES128_CM_HMAC_SHA1_80 only), a certificate of its own, the
 * server's checked against the fingerprint it signalled, and the keys sliced from the exporter here again (RFC 5764
 * §4.2), so that a mistake in the server's slicing shows. Blocking: run it on the socket before anything else reads.
 */
public final class DtlsTestClient {

    /** The client's SRTP contexts once the handshake is done. */
    public record Srtp(SrtpTransformer sending, SrtpTransformer receiving) {
    }

    private final DtlsCertificate certificate = new DtlsCertificate();

    /** This client's certificate's fingerprint, as it signals it (or another one, to test the server's check). */
    public Fingerprint fingerprint() {
        return certificate.fingerprint();
    }

    /** A fingerprint of another certificate than the one this client presents. */
    public static Fingerprint someOtherFingerprint() {
        return new DtlsCertificate().fingerprint();
    }

    /**
     * The handshake towards {@code remote} over {@code socket}, checking the server against {@code serverFingerprint};
     * its SRTP contexts (RFC 5764 §4.2: the client sends with the client key and salt).
     */
    public Srtp handshake(DatagramSocket socket, InetSocketAddress remote, Fingerprint serverFingerprint)
            throws IOException {
        Client client = new Client(serverFingerprint);
        new DTLSClientProtocol().connect(client, new Transport(socket, remote));
        byte[] m = client.material;
        int k = CryptoSuite.MASTER_KEY_LENGTH;
        int s = CryptoSuite.MASTER_SALT_LENGTH;
        return new Srtp(SrtpTransformer.forSending(new SdesCrypto(0, CryptoSuite.AES_CM_128_HMAC_SHA1_80,
                Arrays.copyOfRange(m, 0, k), Arrays.copyOfRange(m, 2 * k, 2 * k + s), "", List.of())),
                SrtpTransformer.forReceiving(new SdesCrypto(0, CryptoSuite.AES_CM_128_HMAC_SHA1_80,
                        Arrays.copyOfRange(m, k, 2 * k), Arrays.copyOfRange(m, 2 * k + s, 2 * (k + s)), "",
                        List.of())));
    }

    private final class Client extends DefaultTlsClient {
        private final Fingerprint expected;
        private byte[] material;

        Client(Fingerprint expected) {
            super(certificate.crypto());
            this.expected = expected;
        }

        /** A test never waits for ever: 10 s, then a TlsTimeoutException. */
        @Override
        public int getHandshakeTimeoutMillis() {
            return 10_000;
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.DTLSv12.only();
        }

        @Override
        protected int[] getSupportedCipherSuites() {
            // RSA too: Janus's generated certificate is RSA (bench/sfu drives it with BrowserPeer)
            return new int[] {CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                    CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256};
        }

        @Override
        public Hashtable getClientExtensions() throws IOException {
            Hashtable extensions = super.getClientExtensions();
            TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(
                    new int[] {SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80}, TlsUtils.EMPTY_BYTES));
            return extensions;
        }

        @Override
        public TlsAuthentication getAuthentication() {
            return new TlsAuthentication() {
                @Override
                public void notifyServerCertificate(TlsServerCertificate server) throws IOException {
                    if (!expected.matches(server.getCertificate().getCertificateAt(0).getEncoded())) {
                        throw new TlsFatalAlert(AlertDescription.bad_certificate);
                    }
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
            material = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null,
                    2 * (CryptoSuite.MASTER_KEY_LENGTH + CryptoSuite.MASTER_SALT_LENGTH));
        }
    }

    /** DTLS over the socket, towards the server; what is not DTLS (RFC 7983 §7) is skipped. */
    private record Transport(DatagramSocket socket, InetSocketAddress remote) implements DatagramTransport {
        @Override
        public int getReceiveLimit() {
            return 1500;
        }

        @Override
        public int getSendLimit() {
            return 1200;
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
            long deadline = System.nanoTime() + waitMillis * 1_000_000L;
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return -1;
                }
                socket.setSoTimeout((int) left);
                DatagramPacket packet = new DatagramPacket(buf, off, len);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    return -1;
                }
                int first = buf[off] & 0xff;
                if (first >= 20 && first <= 63) {
                    return packet.getLength();
                }
            }
        }

        @Override
        public void send(byte[] buf, int off, int len) throws IOException {
            socket.send(new DatagramPacket(buf, off, len, remote));
        }

        @Override
        public void close() {
        }
    }
}
