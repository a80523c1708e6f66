package org.sylkserver.media.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.crypto.Aes;
import org.jitsi.srtp.crypto.SrtpCipherCtr;
import org.jitsi.utils.logging2.LoggerImpl;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** SRTP (RFC 3711, our {@link RtpCryptoContext}) and SRTCP (jitsi-srtp), keyed by SDES lines. */
class SrtpTransformerTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final LoggerImpl LOGGER = new LoggerImpl(SrtpTransformerTest.class.getName());

    /** RFC 3711 Appendix B.3 master key and salt; libsrtp's srtp_driver.c validation uses the same ones. */
    private static final byte[] MASTER_KEY = HEX.parseHex("e1f97a0d3e018be0d64fa32c06de4139");
    private static final byte[] MASTER_SALT = HEX.parseHex("0ec675ad498afeebb6960b3aabe6");

    /** libsrtp test/srtp_driver.c, srtp_validate(): RTP packet, SSRC 0xcafebabe, sequence number 0x1234. */
    private static final byte[] LIBSRTP_RTP = HEX.parseHex("800f1234decafbadcafebabeabababababababababababababababab");
    private static final byte[] LIBSRTP_SRTP =
            HEX.parseHex("800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb");
    /** The same validation for RTCP: a sender report header, SRTCP index 1. */
    private static final byte[] LIBSRTP_RTCP = HEX.parseHex("81c8000bcafebabeabababababababababababababababab");
    private static final byte[] LIBSRTP_SRTCP = HEX.parseHex(
            "81c8000bcafebabe7128035be487b9bdbef89041f977a5a880000001993e08cd54d6c1230798");

    private static SdesCrypto keys(CryptoSuite suite) {
        return new SdesCrypto(1, suite, MASTER_KEY, MASTER_SALT, "", List.of());
    }

    /** An RTP packet: version 2, payload type 0, the given sequence number and SSRC, 160 bytes of payload. */
    private static byte[] rtp(int seq, int ssrc) {
        byte[] packet = new byte[12 + 160];
        packet[0] = (byte) 0x80;
        packet[2] = (byte) (seq >> 8);
        packet[3] = (byte) seq;
        packet[7] = 0x40;
        packet[8] = (byte) (ssrc >> 24);
        packet[9] = (byte) (ssrc >> 16);
        packet[10] = (byte) (ssrc >> 8);
        packet[11] = (byte) ssrc;
        for (int i = 12; i < packet.length; i++) {
            packet[i] = (byte) (i * 7 + seq);
        }
        return packet;
    }

    /** An RTCP receiver report with one report block from the given SSRC. */
    private static byte[] rtcp(int ssrc) {
        byte[] packet = new byte[32];
        packet[0] = (byte) 0x81;
        packet[1] = (byte) 201;
        packet[3] = 7;
        packet[4] = (byte) (ssrc >> 24);
        packet[5] = (byte) (ssrc >> 16);
        packet[6] = (byte) (ssrc >> 8);
        packet[7] = (byte) ssrc;
        for (int i = 8; i < packet.length; i++) {
            packet[i] = (byte) i;
        }
        return packet;
    }

    @Test
    void aesCmKeystream_rfc3711_appendixB2() throws Exception {
        SrtpCipherCtr cipher = new SrtpCipherCtr(Aes.createCipher("AES/CTR/NoPadding"));
        cipher.init(HEX.parseHex("2b7e151628aed2a6abf7158809cf4f3c"), null);

        byte[] keystream = new byte[48];
        cipher.setIV(HEX.parseHex("f0f1f2f3f4f5f6f7f8f9fafbfcfd0000"), Cipher.ENCRYPT_MODE);
        cipher.process(keystream, 0, keystream.length);
        assertEquals("e03ead0935c95e80e166b16dd92b4eb4" + "d23513162b02d0f72a43a2fe4a5f97ab"
                + "41e95b3bb0a2e8dd477901e4fca894c0", HEX.formatHex(keystream));

        keystream = new byte[48];
        cipher.setIV(HEX.parseHex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"), Cipher.ENCRYPT_MODE);
        cipher.process(keystream, 0, keystream.length);
        assertEquals("ec8cdf7398607cb0f2d21675ea9ea1e4" + "362b7c3c6773516318a077d7fc5073ae"
                + "6a2cc3787889374fbeb4c81b17ba6c44", HEX.formatHex(keystream));
    }

    /**
     * RFC 3711 Appendix B.3 session keys, checked by protecting a packet with the B.3 master key and salt and
     * recomputing the result with the JDK's AES-CTR and HMAC-SHA1 keyed with the B.3 session keys (RFC 3711 §4.1.1
     * IV, §4.2 tag over the packet and the ROC).
     */
    @Test
    void keyDerivation_rfc3711_appendixB3() throws Exception {
        byte[] sessionKey = HEX.parseHex("c61e7a93744f39ee10734afe3ff7a087");
        byte[] sessionSalt = HEX.parseHex("30cbbc08863d8c85d49db34a9ae1");
        byte[] authKey = HEX.parseHex("cebe321f6ff7716b6fd4ab49af256a156d38baa4");
        byte[] plain = rtp(0x1234, 0x12345678);

        byte[] srtp;
        try (SrtpTransformer sender = SrtpTransformer.forSending(keys(CryptoSuite.AES_CM_128_HMAC_SHA1_80))) {
            srtp = sender.protectRtp(plain, plain.length);
        }

        byte[] iv = new byte[16];
        System.arraycopy(sessionSalt, 0, iv, 0, 14);
        for (int i = 0; i < 4; i++) {
            iv[4 + i] ^= plain[8 + i];          // SSRC * 2^64
        }
        iv[12] ^= plain[2];                     // index (ROC 0, SEQ) * 2^16
        iv[13] ^= plain[3];
        Cipher aes = Cipher.getInstance("AES/CTR/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(sessionKey, "AES"), new IvParameterSpec(iv));
        byte[] expected = Arrays.copyOf(plain, plain.length + 10);
        aes.doFinal(plain, 12, plain.length - 12, expected, 12);
        Mac hmac = Mac.getInstance("HmacSHA1");
        hmac.init(new SecretKeySpec(authKey, "HmacSHA1"));
        hmac.update(expected, 0, plain.length);
        byte[] tag = hmac.doFinal(new byte[4]); // ROC = 0
        System.arraycopy(tag, 0, expected, plain.length, 10);

        assertEquals(HEX.formatHex(expected), HEX.formatHex(srtp));
    }

    @Test
    void knownAnswerRtpPacket_libsrtpSrtpDriver() throws Exception {
        try (SrtpTransformer sender = SrtpTransformer.forSending(keys(CryptoSuite.AES_CM_128_HMAC_SHA1_80));
             SrtpTransformer receiver = SrtpTransformer.forReceiving(keys(CryptoSuite.AES_CM_128_HMAC_SHA1_80))) {
            assertEquals(HEX.formatHex(LIBSRTP_SRTP), HEX.formatHex(sender.protectRtp(LIBSRTP_RTP, LIBSRTP_RTP.length)));
            assertArrayEquals(LIBSRTP_RTP, receiver.unprotectRtp(LIBSRTP_SRTP, LIBSRTP_SRTP.length));
        }
    }

    /** libsrtp's vector carries SRTCP index 1; jitsi-srtp numbers from 0, so the second packet is the one. */
    @Test
    void knownAnswerRtcpPacket_libsrtpSrtpDriver() throws Exception {
        try (SrtpTransformer sender = SrtpTransformer.forSending(keys(CryptoSuite.AES_CM_128_HMAC_SHA1_80));
             SrtpTransformer receiver = SrtpTransformer.forReceiving(keys(CryptoSuite.AES_CM_128_HMAC_SHA1_80))) {
            byte[] first = sender.protectRtcp(LIBSRTP_RTCP, LIBSRTP_RTCP.length);
            assertEquals("80000000", HEX.formatHex(first, LIBSRTP_RTCP.length, LIBSRTP_RTCP.length + 4));
            assertEquals(HEX.formatHex(LIBSRTP_SRTCP),
                    HEX.formatHex(sender.protectRtcp(LIBSRTP_RTCP, LIBSRTP_RTCP.length)));
            assertArrayEquals(LIBSRTP_RTCP, receiver.unprotectRtcp(LIBSRTP_SRTCP, LIBSRTP_SRTCP.length));
        }
    }

    @ParameterizedTest
    @EnumSource(CryptoSuite.class)
    void rtpRoundTripAppendsTheSuitesTag_rfc4568_s6_2(CryptoSuite suite) throws Exception {
        SdesCrypto keys = SdesCrypto.generate(1, suite, new SecureRandom());
        try (SrtpTransformer sender = SrtpTransformer.forSending(keys);
             SrtpTransformer receiver = SrtpTransformer.forReceiving(SdesCrypto.parse(keys.format()))) {
            for (int seq = 65530; seq < 65545; seq++) {  // across a rollover (RFC 3711 §3.3.1)
                for (int ssrc : new int[] {0x11111111, 0xdeadbeef}) {
                    byte[] plain = rtp(seq & 0xffff, ssrc);
                    byte[] srtp = sender.protectRtp(plain, plain.length);
                    assertEquals(plain.length + suite.srtpAuthTagLength(), srtp.length);
                    assertArrayEquals(Arrays.copyOf(plain, 12), Arrays.copyOf(srtp, 12));
                    assertTrue(!Arrays.equals(plain, 12, plain.length, srtp, 12, plain.length), "payload encrypted");
                    assertArrayEquals(plain, receiver.unprotectRtp(srtp, srtp.length));
                }
            }
            assertEquals(2, receiver.contextCount());
        }
    }

    @ParameterizedTest
    @EnumSource(CryptoSuite.class)
    void rtcpRoundTripAppendsIndexWordAndEightyBitTag_rfc3711_s3_4(CryptoSuite suite) throws Exception {
        SdesCrypto keys = SdesCrypto.generate(9, suite, new SecureRandom());
        try (SrtpTransformer sender = SrtpTransformer.forSending(keys);
             SrtpTransformer receiver = SrtpTransformer.forReceiving(keys)) {
            byte[] plain = rtcp(0xcafef00d);
            for (int index = 0; index < 3; index++) {
                byte[] srtcp = sender.protectRtcp(plain, plain.length);
                assertEquals(plain.length + 4 + 10, srtcp.length);
                assertArrayEquals(Arrays.copyOf(plain, 8), Arrays.copyOf(srtcp, 8));
                // E flag set, 31-bit SRTCP index counting up
                assertEquals(String.format("8000000%d", index), HEX.formatHex(srtcp, plain.length, plain.length + 4));
                assertArrayEquals(plain, receiver.unprotectRtcp(srtcp, srtcp.length));
            }
        }
    }

    @Test
    void lengthArgumentLimitsThePacketAndTheCallersArrayIsUntouched() throws Exception {
        try (SrtpTransformer sender = SrtpTransformer.forSending(keys(CryptoSuite.AES_CM_128_HMAC_SHA1_32));
             SrtpTransformer receiver = SrtpTransformer.forReceiving(keys(CryptoSuite.AES_CM_128_HMAC_SHA1_32))) {
            byte[] plain = rtp(1, 42);
            byte[] bigger = Arrays.copyOf(plain, 1500);
            byte[] copy = bigger.clone();
            byte[] srtp = sender.protectRtp(bigger, plain.length);
            assertArrayEquals(copy, bigger);
            assertEquals(plain.length + 4, srtp.length);
            byte[] received = Arrays.copyOf(srtp, 1500);
            assertArrayEquals(plain, receiver.unprotectRtp(received, srtp.length));
        }
    }

    @Test
    void flippedPayloadBitFailsAuthentication_rfc3711_s3_3() throws Exception {
        try (SrtpTransformer sender = SrtpTransformer.forSending(keys(CryptoSuite.AES_CM_128_HMAC_SHA1_80));
             SrtpTransformer receiver = SrtpTransformer.forReceiving(keys(CryptoSuite.AES_CM_128_HMAC_SHA1_80))) {
            byte[] srtp = sender.protectRtp(rtp(7, 0x0a0b0c0d), 172);
            srtp[40] ^= 0x01;
            SrtpException e = assertThrows(SrtpException.class, () -> receiver.unprotectRtp(srtp, srtp.length));
            assertEquals(SrtpErrorStatus.AUTH_FAIL, e.status());
            assertEquals("cannot unprotect RTP for SSRC 0x0a0b0c0d: authentication failure (AUTH_FAIL)",
                    e.getMessage());
            assertEquals(0, receiver.contextCount(), "a forged first packet leaves no context behind");

            byte[] srtcp = sender.protectRtcp(rtcp(0x0a0b0c0d), 32);
            srtcp[20] ^= (byte) 0x80;
            assertEquals(SrtpErrorStatus.AUTH_FAIL,
                    assertThrows(SrtpException.class, () -> receiver.unprotectRtcp(srtcp, srtcp.length)).status());
        }
    }

    @Test
    void wrongKeysFailAuthentication() throws Exception {
        SecureRandom random = new SecureRandom();
        try (SrtpTransformer sender = SrtpTransformer.forSending(
                SdesCrypto.generate(1, CryptoSuite.AES_CM_128_HMAC_SHA1_80, random));
             SrtpTransformer receiver = SrtpTransformer.forReceiving(
                SdesCrypto.generate(1, CryptoSuite.AES_CM_128_HMAC_SHA1_80, random))) {
            byte[] srtp = sender.protectRtp(rtp(1, 5), 172);
            assertEquals(SrtpErrorStatus.AUTH_FAIL,
                    assertThrows(SrtpException.class, () -> receiver.unprotectRtp(srtp, srtp.length)).status());
        }
    }

    @Test
    void samePacketTwiceIsRejectedAsReplay_rfc3711_s3_3_2() throws Exception {
        try (SrtpTransformer sender = SrtpTransformer.forSending(keys(CryptoSuite.AES_CM_128_HMAC_SHA1_80));
             SrtpTransformer receiver = SrtpTransformer.forReceiving(keys(CryptoSuite.AES_CM_128_HMAC_SHA1_80))) {
            byte[] srtp = sender.protectRtp(rtp(100, 77), 172);
            byte[] later = sender.protectRtp(rtp(101, 77), 172);
            receiver.unprotectRtp(srtp, srtp.length);
            receiver.unprotectRtp(later, later.length);
            SrtpException e = assertThrows(SrtpException.class, () -> receiver.unprotectRtp(srtp, srtp.length));
            assertEquals(SrtpErrorStatus.REPLAY_FAIL, e.status());
            assertEquals("cannot unprotect RTP for SSRC 0x0000004d: replay check failed (bad index) (REPLAY_FAIL)",
                    e.getMessage());

            byte[] srtcp = sender.protectRtcp(rtcp(77), 32);
            receiver.unprotectRtcp(srtcp, srtcp.length);
            assertEquals(SrtpErrorStatus.REPLAY_FAIL,
                    assertThrows(SrtpException.class, () -> receiver.unprotectRtcp(srtcp, srtcp.length)).status());
        }
    }

    @Test
    void senderRefusesToReuseASequenceNumber_rfc3711_s9_1() throws Exception {
        try (SrtpTransformer sender = SrtpTransformer.forSending(keys(CryptoSuite.AES_CM_128_HMAC_SHA1_80))) {
            byte[] plain = rtp(5, 1);
            sender.protectRtp(plain, plain.length);
            assertEquals(SrtpErrorStatus.REPLAY_FAIL,
                    assertThrows(SrtpException.class, () -> sender.protectRtp(plain, plain.length)).status());
        }
    }

    /**
     * RFC 4585 §6.2.1: a relayed party answers a NACK by sending the packet again with its sequence number; the
     * relaying sender gives the same SRTP packet again, which the receiver takes if it never got the first. Other
     * content under a used sequence number is still refused (RFC 3711 §9.1).
     */
    @Test
    void aRelayingSenderSendsARetransmissionAgain_rfc4585_s6_2_1() throws Exception {
        try (SrtpTransformer sender = SrtpTransformer.forRelaying(keys(CryptoSuite.AES_CM_128_HMAC_SHA1_80));
             SrtpTransformer receiver = SrtpTransformer.forReceiving(keys(CryptoSuite.AES_CM_128_HMAC_SHA1_80))) {
            byte[] lost = rtp(7, 1);
            byte[] first = sender.protectRtp(lost, lost.length);
            byte[] next = rtp(8, 1);
            byte[] nextSrtp = sender.protectRtp(next, next.length);
            receiver.unprotectRtp(nextSrtp, nextSrtp.length);
            byte[] again = sender.protectRtp(lost, lost.length);
            assertArrayEquals(first, again);
            assertArrayEquals(lost, receiver.unprotectRtp(again, again.length), "the retransmission arrives");
            byte[] other = rtp(7, 1);
            other[20] ^= 1;
            assertEquals(SrtpErrorStatus.REPLAY_FAIL,
                    assertThrows(SrtpException.class, () -> sender.protectRtp(other, other.length)).status());
        }
    }

    @Test
    void misuseIsReportedClearly() throws Exception {
        SrtpTransformer sender = SrtpTransformer.forSending(keys(CryptoSuite.AES_CM_128_HMAC_SHA1_80));
        SrtpTransformer receiver = SrtpTransformer.forReceiving(keys(CryptoSuite.AES_CM_128_HMAC_SHA1_80));
        byte[] plain = rtp(1, 1);
        assertEquals("cannot unprotect with a sending SrtpTransformer: use forReceiving",
                assertThrows(IllegalStateException.class, () -> sender.unprotectRtp(plain, 172)).getMessage());
        assertEquals("cannot protect with a receiving SrtpTransformer: use forSending",
                assertThrows(IllegalStateException.class, () -> receiver.protectRtcp(plain, 172)).getMessage());
        assertEquals("not an RTP packet: 8 bytes, header needs 12, version 2",
                assertThrows(IllegalArgumentException.class, () -> sender.protectRtp(plain, 8)).getMessage());
        byte[] csrcs = plain.clone();
        csrcs[0] = (byte) 0x8f;                 // 15 CSRCs: 72-byte header
        assertEquals("not an RTP packet: 40 bytes, header needs 72, version 2",
                assertThrows(IllegalArgumentException.class, () -> sender.protectRtp(csrcs, 40)).getMessage());
        assertEquals("length 200 outside packet of 172 bytes",
                assertThrows(IndexOutOfBoundsException.class, () -> sender.protectRtp(plain, 200)).getMessage());
        SrtpException shortPacket = assertThrows(SrtpException.class, () -> receiver.unprotectRtp(plain, 20));
        assertEquals(SrtpErrorStatus.INVALID_PACKET, shortPacket.status());
        assertEquals("cannot unprotect RTP: 20 bytes of version 2 is not an SRTP packet with a 10-byte tag",
                shortPacket.getMessage());
        sender.close();
        receiver.close();
        assertEquals("SrtpTransformer is closed",
                assertThrows(IllegalStateException.class, () -> sender.protectRtp(plain, 172)).getMessage());
    }

    /** RFC 3711 Appendix B.3: the session keys straight from the key derivation (§4.3.1, kdr 0). */
    @Test
    void sessionKeys_rfc3711_appendixB3() throws Exception {
        SessionKeys keys = SessionKeys.derive(MASTER_KEY, MASTER_SALT);
        assertEquals("c61e7a93744f39ee10734afe3ff7a087", HEX.formatHex(keys.encryptionKey()));
        assertEquals("30cbbc08863d8c85d49db34a9ae1", HEX.formatHex(keys.salt()));
        assertEquals("cebe321f6ff7716b6fd4ab49af256a156d38baa4", HEX.formatHex(keys.authKey()));
    }

    /**
     * RFC 3711 Appendix B.2 through our context: with SSRC 0 and index 0 the §4.1.1 IV is the session salt * 2^16,
     * so a payload of zeros is encrypted into the B.2 keystream.
     */
    @Test
    void contextKeystream_rfc3711_appendixB2() throws Exception {
        SessionKeys keys = new SessionKeys(HEX.parseHex("2b7e151628aed2a6abf7158809cf4f3c"),
                HEX.parseHex("f0f1f2f3f4f5f6f7f8f9fafbfcfd"), new byte[20]);
        RtpCryptoContext context = new RtpCryptoContext(keys, 10, LOGGER);
        byte[] packet = new byte[12 + 48 + 10];
        packet[0] = (byte) 0x80;
        assertEquals(70, context.protect(packet, 0, 60, 12));
        assertEquals("e03ead0935c95e80e166b16dd92b4eb4" + "d23513162b02d0f72a43a2fe4a5f97ab"
                + "41e95b3bb0a2e8dd477901e4fca894c0", HEX.formatHex(packet, 12, 60));
    }

    /**
     * Our transform against jitsi-srtp's for the same keys: byte for byte the same SRTP packets, with CSRCs, header
     * extensions and payloads of every size, across a rollover (RFC 3711 §3.3.1), and ours unprotects them.
     */
    @ParameterizedTest
    @EnumSource(CryptoSuite.class)
    void sameSrtpPacketsAsJitsiSrtp_rfc3711_s3_3(CryptoSuite suite) throws Exception {
        SdesCrypto keys = SdesCrypto.generate(1, suite, new SecureRandom());
        org.jitsi.srtp.SrtpPolicy policy = new org.jitsi.srtp.SrtpPolicy(org.jitsi.srtp.SrtpPolicy.AESCM_ENCRYPTION,
                16, org.jitsi.srtp.SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, suite.srtpAuthTagLength(), 14);
        SrtpContextFactory factory = new SrtpContextFactory(true, keys.masterKey(), keys.masterSalt(), policy, policy,
                LOGGER);
        int ssrc = 0x5eed1234;
        SrtpCryptoContext jitsi = factory.deriveContext(ssrc, 0);
        Random random = new Random(3711);
        try (SrtpTransformer ours = SrtpTransformer.forSending(keys);
             SrtpTransformer receiver = SrtpTransformer.forReceiving(keys)) {
            for (int n = 0; n < 400; n++) {
                int csrcs = random.nextInt(3);
                int extensionWords = random.nextBoolean() ? random.nextInt(4) : -1;
                byte[] plain = new byte[12 + 4 * csrcs + (extensionWords < 0 ? 0 : 4 + 4 * extensionWords)
                        + random.nextInt(1300)];
                random.nextBytes(plain);
                plain[0] = (byte) (0x80 | (extensionWords < 0 ? 0 : 0x10) | csrcs);
                int seq = (65300 + n) & 0xffff;
                plain[2] = (byte) (seq >> 8);
                plain[3] = (byte) seq;
                ByteBuffer.wrap(plain).putInt(8, ssrc);
                if (extensionWords >= 0) {
                    ByteBuffer.wrap(plain).putShort(12 + 4 * csrcs, (short) 0x1234)
                            .putShort(14 + 4 * csrcs, (short) extensionWords);
                }
                byte[] mine = ours.protectRtp(plain, plain.length);
                PacketBuffer theirs = new PacketBuffer(plain, plain.length, suite.srtpAuthTagLength());
                assertEquals(SrtpErrorStatus.OK, jitsi.transformPacket(theirs));
                assertEquals(HEX.formatHex(theirs.toArray()), HEX.formatHex(mine), "packet " + n);
                assertArrayEquals(plain, receiver.unprotectRtp(mine, mine.length), "packet " + n);
            }
        } finally {
            factory.close();
        }
    }

    /** The in-place form: the limit moves past the tag and back; a refused packet is left as it was. */
    @Test
    void inPlaceOnAByteBufferMovesTheLimitAndLeavesRefusedPacketsAlone() throws Exception {
        SdesCrypto keys = keys(CryptoSuite.AES_CM_128_HMAC_SHA1_80);
        try (SrtpTransformer sender = SrtpTransformer.forSending(keys);
             SrtpTransformer copying = SrtpTransformer.forSending(keys);
             SrtpTransformer receiver = SrtpTransformer.forReceiving(keys)) {
            byte[] plain = rtp(3, 99);
            byte[] array = new byte[8 + plain.length + 10 + 5];
            System.arraycopy(plain, 0, array, 8, plain.length);
            ByteBuffer packet = ByteBuffer.wrap(array, 8, array.length - 8).slice().limit(plain.length); // offset 8
            sender.protectRtp(packet);
            assertEquals(plain.length + 10, packet.remaining());
            byte[] wire = new byte[packet.remaining()];
            packet.duplicate().get(wire);
            assertArrayEquals(copying.protectRtp(plain, plain.length), wire, "the same as the copying form");

            receiver.unprotectRtp(packet);
            assertEquals(plain.length, packet.remaining());
            byte[] decrypted = new byte[packet.remaining()];
            packet.duplicate().get(decrypted);
            assertArrayEquals(plain, decrypted);

            ByteBuffer replayed = ByteBuffer.wrap(wire.clone());
            assertEquals(SrtpErrorStatus.REPLAY_FAIL,
                    assertThrows(SrtpException.class, () -> receiver.unprotectRtp(replayed)).status());
            assertArrayEquals(wire, replayed.array());
            assertEquals(wire.length, replayed.limit());
            byte[] forged = copying.protectRtp(rtp(4, 99), 172);
            forged[30] ^= 4;
            ByteBuffer forgedBuffer = ByteBuffer.wrap(forged.clone());
            assertEquals(SrtpErrorStatus.AUTH_FAIL,
                    assertThrows(SrtpException.class, () -> receiver.unprotectRtp(forgedBuffer)).status());
            assertArrayEquals(forged, forgedBuffer.array());

            assertEquals("no room for the 10-byte tag after the packet in java.nio.HeapByteBuffer[pos=0 lim=172 cap=172]",
                    assertThrows(IllegalArgumentException.class,
                            () -> sender.protectRtp(ByteBuffer.wrap(rtp(5, 99)))).getMessage());
            assertThrows(IllegalArgumentException.class, () -> sender.protectRtp(ByteBuffer.allocateDirect(200)));
        }
    }

    /**
     * RFC 3711 §3.3.2 through the transformer: a late packet inside the 64-packet window is taken once, one behind it
     * is refused as too old; §3.3.1: a late packet from before a rollover is authenticated with its own ROC.
     */
    @Test
    void latePacketsInsideTheWindowAreTakenOlderOnesNot_rfc3711_s3_3_2() throws Exception {
        try (SrtpTransformer sender = SrtpTransformer.forSending(keys(CryptoSuite.AES_CM_128_HMAC_SHA1_80));
             SrtpTransformer receiver = SrtpTransformer.forReceiving(keys(CryptoSuite.AES_CM_128_HMAC_SHA1_80))) {
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                sent.add(sender.protectRtp(rtp((65500 + i) & 0xffff, 8), 172));
            }
            for (int i = 0; i < 100; i++) {
                if (i != 20 && i != 50) {
                    receiver.unprotectRtp(sent.get(i), 174 + 8);
                }
            }
            byte[] late = sent.get(50);    // sequence 14 of ROC 1, 49 packets behind
            assertArrayEquals(rtp(14, 8), receiver.unprotectRtp(late, late.length));
            assertEquals(SrtpErrorStatus.REPLAY_FAIL,
                    assertThrows(SrtpException.class, () -> receiver.unprotectRtp(late, late.length)).status());
            byte[] tooLate = sent.get(20); // sequence 65520 of ROC 0, 79 packets behind
            assertEquals(SrtpErrorStatus.REPLAY_OLD,
                    assertThrows(SrtpException.class, () -> receiver.unprotectRtp(tooLate, tooLate.length)).status());
        }
    }

    /**
     * RFC 4585 §6.2.1 retransmissions through a relaying sender are remembered per SSRC: another stream's packets do
     * not push them out, and after {@value SrtpTransformer#REMEMBERED} packets of its own SSRC one is gone.
     */
    @Test
    void aRelayingSenderRemembersTheLastPacketsOfEachSsrc_rfc4585_s6_2_1() throws Exception {
        try (SrtpTransformer sender = SrtpTransformer.forRelaying(keys(CryptoSuite.AES_CM_128_HMAC_SHA1_80))) {
            byte[][] first = new byte[200][];
            for (int seq = 0; seq < 200; seq++) {
                first[seq] = sender.protectRtp(rtp(seq, 1), 172);
                sender.protectRtp(rtp(seq, 2), 172);
            }
            assertArrayEquals(first[199 - SrtpTransformer.REMEMBERED + 1],
                    sender.protectRtp(rtp(199 - SrtpTransformer.REMEMBERED + 1, 1), 172));
            assertArrayEquals(first[150], sender.protectRtp(rtp(150, 1), 172));
            byte[] forgotten = rtp(199 - SrtpTransformer.REMEMBERED, 1);
            assertEquals(SrtpErrorStatus.REPLAY_OLD,
                    assertThrows(SrtpException.class, () -> sender.protectRtp(forgotten, 172)).status());
        }
    }

    /**
     * Protecting and unprotecting in place allocates no packet-sized array: the JDK's AES/CTR copies an input that
     * overlaps its output into a new array (CipherCore.update), which was most of what a forwarding server allocated
     * (docs/benchmarks.md, issue 13, session 22). RFC 3711 §3.3 round trip of 2,000 video-sized packets, the bytes
     * this thread allocated counted by the JVM.
     */
    @Test
    void inPlaceTransformsAllocateNoPacketSizedArray_rfc3711_s3_3() throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        int payload = 1200;
        int packets = 2000;
        try (SrtpTransformer sender = SrtpTransformer.forSending(keys(CryptoSuite.AES_CM_128_HMAC_SHA1_80));
             SrtpTransformer receiver = SrtpTransformer.forReceiving(keys(CryptoSuite.AES_CM_128_HMAC_SHA1_80))) {
            byte[] array = new byte[12 + payload + 10];
            ByteBuffer packet = ByteBuffer.wrap(array);
            long before = 0;
            for (int seq = 0; seq < 2 * packets; seq++) {
                if (seq == packets) {   // the first half warms up: contexts made, classes loaded
                    before = threads.getCurrentThreadAllocatedBytes();
                }
                System.arraycopy(rtp(seq, 0x1234), 0, array, 0, 12);
                packet.clear().limit(12 + payload);
                sender.protectRtp(packet);
                receiver.unprotectRtp(packet);
            }
            long perPacket = (threads.getCurrentThreadAllocatedBytes() - before) / packets;
            assertTrue(perPacket < payload / 2, perPacket + " bytes allocated per protect and unprotect");
        }
    }
    /**
     * Contexts on two threads at once, each thread with its own AES output array (shared by the contexts a thread
     * transforms for, not by the threads): every packet comes back as it was sent (RFC 3711 §3.3).
     */
    @Test
    void contextsOnTwoThreadsAtOnceTransformCorrectly_rfc3711_s3_3() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int ssrc = 0x1000 + t;
                results.add(threads.submit(() -> {
                    int intact = 0;
                    try (SrtpTransformer sender = SrtpTransformer.forSending(keys(CryptoSuite.AES_CM_128_HMAC_SHA1_80));
                         SrtpTransformer receiver = SrtpTransformer.forReceiving(
                                 keys(CryptoSuite.AES_CM_128_HMAC_SHA1_80))) {
                        for (int seq = 0; seq < 3000; seq++) {
                            byte[] plain = new byte[12 + 1000 + seq % 200];
                            System.arraycopy(rtp(seq, ssrc), 0, plain, 0, 12);
                            Arrays.fill(plain, 12, plain.length, (byte) (ssrc + seq));
                            ByteBuffer packet = ByteBuffer.wrap(Arrays.copyOf(plain, plain.length + 10))
                                    .limit(plain.length);
                            sender.protectRtp(packet);
                            receiver.unprotectRtp(packet);
                            byte[] back = new byte[packet.remaining()];
                            packet.get(packet.position(), back);
                            intact += Arrays.equals(plain, back) ? 1 : 0;
                        }
                    }
                    return intact;
                }));
            }
            for (Future<Integer> result : results) {
                assertEquals(3000, result.get(), "packets back as sent");
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
