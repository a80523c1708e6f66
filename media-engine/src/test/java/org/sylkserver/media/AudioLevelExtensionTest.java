package org.sylkserver.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

/** RFC 6464 §3 levels in RFC 8285 header extensions (§4.2 one-byte, §4.3 two-byte). */
class AudioLevelExtensionTest {

    /** An RTP packet with the given extension block (profile, then the elements padded to 32 bits). */
    private static ByteBuffer packet(int profile, int... elementBytes) {
        int words = (elementBytes.length + 3) / 4;
        ByteBuffer buffer = ByteBuffer.allocate(12 + 4 + 4 * words + 160);
        buffer.put((byte) 0x90).put((byte) 0).putShort((short) 1).putInt(160).putInt(0x1234);
        buffer.putShort((short) profile).putShort((short) words);
        for (int b : elementBytes) {
            buffer.put((byte) b);
        }
        buffer.position(12 + 4 + 4 * words).put(new byte[160]);
        return buffer.flip();
    }

    private static int level(ByteBuffer packet, int id) {
        RtpHeader header = RtpHeader.parse(packet);
        assertNotNull(header);
        return AudioLevelExtension.read(packet, header, id);
    }

    @Test
    void oneByteElement_rfc8285_s4_2() {
        // id 1, length 0 (+1 = one byte): voice activity bit set, level 42
        assertEquals(42, level(packet(0xBEDE, 0x10, 0x80 | 42), 1));
        assertEquals(-1, level(packet(0xBEDE, 0x10, 42), 2), "another id");
    }

    @Test
    void paddingAndOtherElementsAreSkipped() {
        // id 3 with two bytes, a padding byte, then id 1 with level 7
        assertEquals(7, level(packet(0xBEDE, 0x31, 0xAA, 0xBB, 0x00, 0x10, 7), 1));
    }

    @Test
    void twoByteElement_rfc8285_s4_3() {
        assertEquals(99, level(packet(0x1000, 5, 1, 99), 5));
    }

    @Test
    void malformedBlocksGiveNoLevel() {
        assertEquals(-1, level(packet(0xBEDE, 0x13, 1), 1), "element longer than the block");
        assertEquals(-1, level(packet(0xABCD, 0x10, 5), 1), "unknown profile");
        assertEquals(-1, level(packet(0xBEDE, 0xF0, 5), 15), "id 15 stops parsing");
        ByteBuffer plain = ByteBuffer.allocate(172).put((byte) 0x80).put((byte) 0).putShort((short) 1).putInt(160)
                .putInt(1).put(new byte[160]).flip();
        assertEquals(-1, level(plain, 1), "no extension");
    }
}
