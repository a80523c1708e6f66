package org.sylkserver.media.srtp;

import java.security.GeneralSecurityException;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.crypto.HmacSha1;
import org.jitsi.utils.logging2.Logger;

/**
 * The SRTP cryptographic context of one RTP stream (one SSRC, RFC 3711 §3.2.3) for the AES-CM / HMAC-SHA1 suites of
 * {@link CryptoSuite}: transforms packets in place in the caller's array, with no allocation but the cipher's IV
 * objects, so that forwarding one packet to many receivers costs one encryption each and little more.
 *
 * <ul>
 * <li>Encryption, AES in counter mode (§4.1.1): IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16); the JDK's
 *     AES/CTR cipher (AES-NI intrinsics, eight blocks at a time) is keyed once and only given each packet's IV, which
 *     keeps its key schedule (40-60 ns a packet). The payload then goes through {@code update}, not {@code doFinal}
 *     (90 ns more for 1,200 bytes), into the thread's own array and back: both copy an input that overlaps the
 *     output into a new array first. A keystream from one AES/ECB cipher
 *     that is never re-initialised saves the init only on the smallest payloads and costs several times as much on
 *     video: the JDK encrypts ECB one block per call, CTR eight at a time.</li>
 * <li>Authentication (§4.2): HMAC-SHA1 over the packet and the 32-bit ROC, truncated to the suite's tag; the
 *     provider jitsi-srtp picks (OpenSSL when its native library loads, else the JDK's). The JDK's is 10 % faster on
 *     a CPU with SHA extensions, which HotSpot's SHA-1 intrinsic uses, but 4 times slower on one without (bench/jmh
 *     {@code SrtpCpuTime}, {@code -XX:-UseSHA1Intrinsics}).</li>
 * <li>Index and replay (§3.3.1, §3.3.2): {@link ReplayWindow}, updated only after the tag was checked.</li>
 * </ul>
 *
 * <p>Not thread-safe: {@link SrtpTransformer} synchronises on the context.
 */
final class RtpCryptoContext {

    private final int tagLength;
    private final Cipher aes;
    private final SecretKeySpec encryptionKey;
    private final byte[] salt;
    private final Mac hmac;
    private final ReplayWindow window = new ReplayWindow();
    private final byte[] iv = new byte[16];
    private final byte[] roc = new byte[4];
    private final byte[] tag;
    /**
     * Where AES/CTR writes a payload before it is copied back into the packet, one per thread (grown to the largest
     * payload). The JDK's cipher copies an input that overlaps its output into a new array first (CipherCore.update),
     * which was 58 % of the server's allocated bytes while forwarding video (a 1,200-byte array per packet, zeroed,
     * copied and collected); one reused array costs the copy back only. Per thread rather than per context: an I/O
     * thread protects for hundreds of feeds' contexts in turn, and one array of its own stays in its cache where
     * each context's would be cold by the time its next packet comes.
     */
    private static final ThreadLocal<Crypted> CRYPTED = ThreadLocal.withInitial(Crypted::new);

    /** A thread's {@link #CRYPTED} array. */
    private static final class Crypted {
        byte[] bytes = new byte[0];
    }

    RtpCryptoContext(SessionKeys keys, int tagLength, Logger logger) throws GeneralSecurityException {
        this.tagLength = tagLength;
        this.aes = Cipher.getInstance("AES/CTR/NoPadding");
        this.encryptionKey = new SecretKeySpec(keys.encryptionKey(), "AES");
        this.salt = keys.salt().clone();
        this.hmac = HmacSha1.createMac(logger);
        hmac.init(new SecretKeySpec(keys.authKey(), "HmacSHA1"));
        this.tag = new byte[hmac.getMacLength()];
    }

    /**
     * Protects the RTP packet {@code buffer[offset, offset + length)} in place (RFC 3711 §3.3): payload encrypted, tag
     * written after it. The array must have the tag's room after the packet.
     *
     * @param headerLength the packet's RTP header length with CSRCs and extension (what stays in the clear)
     * @return the SRTP packet's length ({@code length} + the tag)
     * @throws SrtpException REPLAY_FAIL or REPLAY_OLD: the index was protected before, or is behind the window (the
     *                       packet is left as it was)
     */
    int protect(byte[] buffer, int offset, int length, int headerLength) throws SrtpException,
            GeneralSecurityException {
        long index = window.estimate(sequence(buffer, offset));
        SrtpErrorStatus replay = window.check(index);
        if (replay != SrtpErrorStatus.OK) {
            throw new SrtpException(replay, replay.desc);
        }
        crypt(buffer, offset, length, headerLength, index);
        authenticate(buffer, offset, length, index);
        System.arraycopy(tag, 0, buffer, offset + length, tagLength);
        window.accept(index);
        return length + tagLength;
    }

    /**
     * Unprotects the SRTP packet {@code buffer[offset, offset + length)} in place (RFC 3711 §3.3): index estimated,
     * replay checked, tag checked, payload decrypted; the tag's bytes stay behind the returned length.
     *
     * @return the RTP packet's length ({@code length} - the tag)
     * @throws SrtpException REPLAY_FAIL, REPLAY_OLD or AUTH_FAIL (the packet is left as it was), INVALID_PACKET
     */
    int unprotect(byte[] buffer, int offset, int length, int headerLength) throws SrtpException,
            GeneralSecurityException {
        int plainLength = length - tagLength;
        if (headerLength > plainLength) {
            throw new SrtpException(SrtpErrorStatus.INVALID_PACKET, "the RTP header runs into the tag");
        }
        long index = window.estimate(sequence(buffer, offset));
        SrtpErrorStatus replay = window.check(index);
        if (replay != SrtpErrorStatus.OK) {
            throw new SrtpException(replay, replay.desc);
        }
        authenticate(buffer, offset, plainLength, index);
        int different = 0;
        for (int i = 0; i < tagLength; i++) {   // constant time: no early exit on the first wrong byte
            different |= tag[i] ^ buffer[offset + plainLength + i];
        }
        if (different != 0) {
            throw new SrtpException(SrtpErrorStatus.AUTH_FAIL, SrtpErrorStatus.AUTH_FAIL.desc);
        }
        crypt(buffer, offset, plainLength, headerLength, index);
        window.accept(index);
        return plainLength;
    }

    /** AES-CM over the payload (§4.1.1): the same operation encrypts and decrypts. */
    private void crypt(byte[] buffer, int offset, int length, int headerLength, long index)
            throws GeneralSecurityException {
        System.arraycopy(salt, 0, iv, 0, salt.length);
        iv[14] = 0;
        iv[15] = 0;
        for (int i = 0; i < 4; i++) {
            iv[4 + i] ^= buffer[offset + 8 + i];                 // SSRC * 2^64: bytes 4..7
        }
        for (int i = 0; i < 6; i++) {
            iv[8 + i] ^= (byte) (index >>> (8 * (5 - i)));      // index * 2^16: bytes 8..13
        }
        aes.init(Cipher.ENCRYPT_MODE, encryptionKey, new IvParameterSpec(iv));
        int payload = length - headerLength;
        Crypted crypted = CRYPTED.get();
        if (crypted.bytes.length < payload) {
            crypted.bytes = new byte[payload];
        }
        if (aes.update(buffer, offset + headerLength, payload, crypted.bytes, 0) != payload) {
            throw new GeneralSecurityException("AES/CTR kept back part of a " + payload + "-byte payload");
        }
        System.arraycopy(crypted.bytes, 0, buffer, offset + headerLength, payload);
    }

    /** HMAC-SHA1 of the packet and the ROC of its index (§4.2) into {@link #tag}. */
    private void authenticate(byte[] buffer, int offset, int length, long index) throws GeneralSecurityException {
        int rolloverCounter = ReplayWindow.rocOf(index);
        roc[0] = (byte) (rolloverCounter >>> 24);
        roc[1] = (byte) (rolloverCounter >>> 16);
        roc[2] = (byte) (rolloverCounter >>> 8);
        roc[3] = (byte) rolloverCounter;
        hmac.update(buffer, offset, length);
        hmac.update(roc);
        hmac.doFinal(tag, 0);
    }

    private static int sequence(byte[] buffer, int offset) {
        return ((buffer[offset + 2] & 0xff) << 8) | (buffer[offset + 3] & 0xff);
    }
}
