package org.sylkserver.media.dtls;

import java.util.Arrays;
import java.util.List;

import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.bouncycastle.tls.TlsContext;
import org.sylkserver.media.srtp.CryptoSuite;
import org.sylkserver.media.srtp.SdesCrypto;

/**
 * The SRTP master keys and salts of both directions of a DTLS-SRTP association (RFC 5764 §4.2), and which of them
 * each end uses: the DTLS client sends with the client's and receives with the server's, the server the other way.
 * The arrays are the record's own; {@link #toString()} prints the profile only.
 */
public record DtlsSrtpKeys(CryptoSuite suite, byte[] clientKey, byte[] clientSalt, byte[] serverKey,
                           byte[] serverSalt) {

    /** The SRTP protection profiles we negotiate, preferred first (RFC 5764 §4.1.2; AES-CM only, see the servers). */
    static final int[] PROFILES = {SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80,
            SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_32};

    /**
     * RFC 5764 §4.2: client key, server key, client salt, server salt, in that order, from the
     * "EXTRACTOR-dtls_srtp" exporter of the finished handshake in {@code context}.
     */
    static DtlsSrtpKeys export(TlsContext context, int profile) {
        int keyLength = CryptoSuite.MASTER_KEY_LENGTH;
        int saltLength = CryptoSuite.MASTER_SALT_LENGTH;
        byte[] material = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, 2 * (keyLength + saltLength));
        DtlsSrtpKeys keys = new DtlsSrtpKeys(profile == SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80
                ? CryptoSuite.AES_CM_128_HMAC_SHA1_80 : CryptoSuite.AES_CM_128_HMAC_SHA1_32,
                Arrays.copyOfRange(material, 0, keyLength),
                Arrays.copyOfRange(material, 2 * keyLength, 2 * keyLength + saltLength),
                Arrays.copyOfRange(material, keyLength, 2 * keyLength),
                Arrays.copyOfRange(material, 2 * keyLength + saltLength, 2 * (keyLength + saltLength)));
        Arrays.fill(material, (byte) 0);
        return keys;
    }

    /** The keys that protect what the end playing {@code role} sends. */
    public SdesCrypto sending(DtlsRole role) {
        return role == DtlsRole.CLIENT ? crypto(clientKey, clientSalt) : crypto(serverKey, serverSalt);
    }

    /** The keys that check what the end playing {@code role} receives (the other end's sending keys). */
    public SdesCrypto receiving(DtlsRole role) {
        return sending(role == DtlsRole.CLIENT ? DtlsRole.SERVER : DtlsRole.CLIENT);
    }

    private SdesCrypto crypto(byte[] key, byte[] salt) {
        return new SdesCrypto(0, suite, key, salt, "", List.of());
    }

    @Override
    public String toString() {
        return "DTLS-SRTP keys " + suite;
    }
}
