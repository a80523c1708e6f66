package org.sylkserver.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** {@link HeaderExtension}: elements of RFC 8285 header extensions, found in place. */
class HeaderExtensionTest {

    /**
     * RFC 8285 §4.2: a one-byte header with an audio level (id 1, one byte), padding, and an RFC 8852
     * {@code rtp-stream-id} (id 10) of three bytes, "mid".
     */
    @Test
    void aStreamIdElementIsFoundWithItsLength_rfc8285_4_2_rfc8852_3_1() {
        ByteBuffer packet = ByteBuffer.allocate(32).put((byte) 0x90).put((byte) 96).putShort((short) 1).putInt(0)
                .putInt(7).putShort((short) 0xbede).putShort((short) 2)
                .put((byte) 0x10).put((byte) 0x85).put((byte) 0).put((byte) 0xa2)
                .put("mid".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put((byte) 0xaa).flip();
        RtpHeader header = RtpHeader.parse(packet);
        long element = HeaderExtension.find(packet, header, 10);
        assertEquals(3, HeaderExtension.length(element));
        assertEquals(20, HeaderExtension.offset(element));
        assertEquals('m', packet.get(HeaderExtension.offset(element)));
        assertEquals(-1, HeaderExtension.find(packet, header, 3), "absent");
        assertEquals(5, AudioLevelExtension.read(packet, header, 1), "the level, from the same reader");
    }
}
