package org.sylkserver.media.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.sylkserver.media.srtp.CryptoSuite;
import org.sylkserver.media.srtp.SdesCrypto;
import org.sylkserver.media.srtp.SrtpTransformer;

/** The shared stages: validation (RFC 3550 Appendix A.1/A.2) and SRTP both ways (RFC 3711 §3.3, §3.4). */
class SrtpStagesTest {

    private static final SdesCrypto KEY = SdesCrypto.generate(1, CryptoSuite.AES_CM_128_HMAC_SHA1_80,
            new SecureRandom());

    private static byte[] rtp(int seq) {
        byte[] packet = new byte[32];
        packet[0] = (byte) 0x80;
        packet[1] = 0;
        packet[3] = (byte) seq;
        packet[11] = 7;
        Arrays.fill(packet, 12, packet.length, (byte) seq);
        return packet;
    }

    private static Packet packet(byte[] bytes, boolean rtcpPort) {
        return new Packet(ByteBuffer.wrap(bytes), new InetSocketAddress("127.0.0.1", 4000), 0, rtcpPort);
    }

    @Test
    void rfc3550_appendixA_validationTellsRtpFromRtcpAndDropsTheRest() {
        RtpValidation validation = new RtpValidation();
        Packet rtp = validation.handle(packet(rtp(1), false));
        assertNotNull(rtp.header());
        assertFalse(rtp.isRtcp());
        Packet rtcp = validation.handle(packet(new byte[] {(byte) 0x80, (byte) 201, 0, 1, 0, 0, 0, 1}, false));
        assertTrue(rtcp.isRtcp(), "RFC 5761 §4: an RTCP packet type on the RTP port");
        assertEquals(null, validation.handle(packet(new byte[] {0x40, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1}, false)),
                "version 1");
        assertEquals(null, validation.handle(packet(rtp(1), true)), "RTP on the RTCP port is no valid RTCP");
        assertEquals(2, validation.dropped());
    }

    @Test
    void rfc3711_decryptionAuthenticatesWhatEncryptionProtected() {
        SrtpTransformer sending = SrtpTransformer.forSending(KEY);
        SrtpTransformer receiving = SrtpTransformer.forReceiving(KEY);
        SrtpEncryption encryption = new SrtpEncryption(() -> sending);
        SrtpDecryption decryption = new SrtpDecryption(() -> receiving, true);

        Packet protectedPacket = encryption.handle(packet(rtp(1), false));
        byte[] wire = protectedPacket.copy();
        assertEquals(32 + 10, wire.length, "RFC 3711 §4.2: an 80-bit authentication tag");
        Packet plain = decryption.handle(packet(wire, false));
        assertTrue(plain.isAuthenticated());
        assertArrayEquals(rtp(1), plain.copy());
        assertEquals(1, plain.header().sequence(), "the header is read again from the plain text");

        wire[20] ^= 1;
        wire[3] = 2; // a new index, so that the replay check does not hide the failed authentication
        assertEquals(null, decryption.handle(packet(wire, false)), "a changed byte fails authentication");
        assertEquals(1, decryption.dropped());
    }

    @Test
    void withoutKeysPacketsPassOrAreDroppedAsTheTransportRequires() {
        assertNotNull(new SrtpDecryption(() -> null, false).handle(packet(rtp(1), false)), "plain RTP negotiated");
        SrtpDecryption required = new SrtpDecryption(() -> null, true);
        assertEquals(null, required.handle(packet(rtp(1), false)), "DTLS-SRTP before the handshake ends");
        assertEquals(1, required.dropped());
        SrtpEncryption encryption = new SrtpEncryption(() -> null);
        assertEquals(null, encryption.handle(packet(rtp(1), false)));
        assertEquals(1, encryption.dropped());
    }

    /**
     * In place, RTP is protected in the packet's own buffer when it has room for the tag (the feed's forwarding
     * copy); otherwise, and always by default, in a copy that leaves the caller's bytes alone (a buffer others read).
     */
    @Test
    void inPlaceEncryptionUsesThePacketsOwnBufferOnlyWhenAskedAndThereIsRoom_rfc3711_s3_3() {
        SrtpTransformer receiving = SrtpTransformer.forReceiving(KEY);
        SrtpDecryption decryption = new SrtpDecryption(() -> receiving, true);
        SrtpTransformer sending = SrtpTransformer.forSending(KEY);
        SrtpEncryption inPlace = new SrtpEncryption(() -> sending, true);
        byte[] own = Arrays.copyOf(rtp(1), 32 + 16);
        Packet packet = inPlace.handle(new Packet(ByteBuffer.wrap(own, 0, 32), null, 0, false));
        assertSame(own, packet.buffer().array(), "protected where it was");
        assertEquals(42, packet.buffer().remaining());
        assertArrayEquals(rtp(1), decryption.handle(packet(packet.copy(), false)).copy());

        byte[] full = rtp(2);
        Packet noRoom = inPlace.handle(packet(full, false));
        assertNotSame(full, noRoom.buffer().array(), "no room for the tag: a copy");
        assertArrayEquals(rtp(2), full);
        assertArrayEquals(rtp(2), decryption.handle(packet(noRoom.copy(), false)).copy());

        SrtpEncryption copying = new SrtpEncryption(() -> sending);
        byte[] shared = Arrays.copyOf(rtp(3), 32 + 16);
        byte[] before = shared.clone();
        Packet copied = copying.handle(new Packet(ByteBuffer.wrap(shared, 0, 32), null, 0, false));
        assertArrayEquals(before, shared, "by default the caller's bytes are never written");
        assertArrayEquals(rtp(3), decryption.handle(packet(copied.copy(), false)).copy());
    }
}
