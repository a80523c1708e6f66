package org.sylkserver.media.srtp;

import java.security.GeneralSecurityException;
import java.util.Arrays;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SRTP session keys of one master key (RFC 3711 §4.3.1) for the AES-CM / HMAC-SHA1 suites: encryption key,
 * salt and authentication key. The key derivation rate is 0 (RFC 4568 §6.1 default, the only one DTLS-SRTP uses), so
 * the keys do not depend on the packet index nor on the SSRC: one derivation serves every stream of the master key.
 *
 * @param encryptionKey k_e, 128 bits
 * @param salt          k_s, 112 bits
 * @param authKey       k_a, 160 bits
 */
record SessionKeys(byte[] encryptionKey, byte[] salt, byte[] authKey) {

    /** RFC 3711 §4.3.2 labels of the SRTP keys. */
    private static final int LABEL_ENCRYPTION = 0x00;
    private static final int LABEL_AUTHENTICATION = 0x01;
    private static final int LABEL_SALT = 0x02;

    /**
     * The SRTP session keys of a master key and salt (RFC 3711 §4.3.1): for each label, x = (label * 2^48) XOR
     * master salt, and the key is the start of the AES-CM keystream of the master key with IV x * 2^16 (§4.3.3).
     */
    static SessionKeys derive(byte[] masterKey, byte[] masterSalt) throws GeneralSecurityException {
        Cipher aes = Cipher.getInstance("AES/CTR/NoPadding");
        SecretKeySpec key = new SecretKeySpec(masterKey, "AES");
        return new SessionKeys(keystream(aes, key, masterSalt, LABEL_ENCRYPTION, CryptoSuite.MASTER_KEY_LENGTH),
                keystream(aes, key, masterSalt, LABEL_SALT, CryptoSuite.MASTER_SALT_LENGTH),
                keystream(aes, key, masterSalt, LABEL_AUTHENTICATION, CryptoSuite.AUTH_KEY_LENGTH));
    }

    private static byte[] keystream(Cipher aes, SecretKeySpec key, byte[] masterSalt, int label, int length)
            throws GeneralSecurityException {
        byte[] iv = new byte[16];
        System.arraycopy(masterSalt, 0, iv, 0, CryptoSuite.MASTER_SALT_LENGTH);
        iv[7] ^= (byte) label;  // label * 2^48 within the 112-bit salt (bytes 0..13): byte 13 - 6 = 7
        aes.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
        return aes.doFinal(new byte[length]);
    }

    /** Overwrites the keys (when the transformer closes). */
    void wipe() {
        Arrays.fill(encryptionKey, (byte) 0);
        Arrays.fill(salt, (byte) 0);
        Arrays.fill(authKey, (byte) 0);
    }
}
