package org.sylkserver.media.recording;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/** {@link OggOpusWriter}: Ogg pages (RFC 3533) holding an Ogg Opus stream (RFC 7845). */
class OggOpusWriterTest {

    /** One page as read back. */
    record Page(int flags, long granule, int sequence, List<byte[]> packets) {
    }

    @Test
    void headersThenAudioPagesThenEndOfStream_rfc7845_3() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OggOpusWriter writer = new OggOpusWriter(out, 1234, 1, List.of("PUBLISHER=alice@example.com"))) {
            for (int i = 0; i < 120; i++) { // 2.4 s of 20 ms packets
                writer.packet(new byte[]{(byte) 0x08, (byte) i}, 960);
            }
        }
        List<Page> pages = read(out.toByteArray());
        // §3: the identification header alone on the first page, beginning of stream; the comment header on the next
        assertEquals(0x02, pages.get(0).flags());
        byte[] head = pages.get(0).packets().get(0);
        assertEquals("OpusHead", new String(head, 0, 8, StandardCharsets.US_ASCII));
        ByteBuffer fields = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1, head[8], "version (§5.1)");
        assertEquals(1, head[9], "channels");
        assertEquals(48000, fields.getInt(12), "input sample rate");
        assertEquals(0, head[18], "mapping family 0");
        String tags = new String(pages.get(1).packets().get(0), StandardCharsets.UTF_8);
        assertEquals(true, tags.startsWith("OpusTags") && tags.contains("PUBLISHER=alice@example.com"), tags);
        assertEquals(0, pages.get(1).granule());
        // audio pages: a second each at most (§6), the granule the samples up to the page's last packet (§4)
        List<Page> audio = pages.subList(2, pages.size());
        assertEquals(3, audio.size());
        assertEquals(50 * 960, audio.get(0).granule());
        assertEquals(100 * 960, audio.get(1).granule());
        assertEquals(120 * 960, audio.get(2).granule());
        assertEquals(0x04, audio.get(2).flags(), "the last page ends the stream (RFC 3533 §6)");
        assertArrayEquals(new byte[]{0x08, 119}, audio.get(2).packets().get(19));
        for (int i = 0; i < pages.size(); i++) {
            assertEquals(i, pages.get(i).sequence());
        }
    }

    /** RFC 3533 §5: a packet of 255 bytes takes two lacing values, 255 and 0; packets never span pages here. */
    @Test
    void lacingOfAPacketThatIsAMultipleOf255_rfc3533_5() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] big = new byte[255];
        Arrays.fill(big, (byte) 7);
        try (OggOpusWriter writer = new OggOpusWriter(out, 1, 2, List.of())) {
            writer.packet(big, 960);
            writer.packet(new byte[]{1}, 960);
        }
        Page last = read(out.toByteArray()).get(2);
        assertArrayEquals(big, last.packets().get(0));
        assertArrayEquals(new byte[]{1}, last.packets().get(1));
    }

    /** Reads pages, checking capture pattern, version and CRC (RFC 3533 §6). */
    static List<Page> read(byte[] stream) {
        List<Page> pages = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(stream).order(ByteOrder.LITTLE_ENDIAN);
        while (in.hasRemaining()) {
            int start = in.position();
            assertEquals("OggS", new String(stream, start, 4, StandardCharsets.US_ASCII));
            assertEquals(0, stream[start + 4]);
            int flags = stream[start + 5];
            long granule = in.getLong(start + 6);
            int sequence = in.getInt(start + 18);
            int crc = in.getInt(start + 22);
            int segments = stream[start + 26] & 0xff;
            List<Integer> lengths = new ArrayList<>();
            int length = 0;
            for (int i = 0; i < segments; i++) {
                int lacing = stream[start + 27 + i] & 0xff;
                length += lacing;
                if (lacing < 255) {
                    lengths.add(length);
                    length = 0;
                }
            }
            int body = start + 27 + segments;
            List<byte[]> packets = new ArrayList<>();
            for (int packetLength : lengths) {
                packets.add(Arrays.copyOfRange(stream, body, body + packetLength));
                body += packetLength;
            }
            byte[] page = Arrays.copyOfRange(stream, start, body);
            Arrays.fill(page, 22, 26, (byte) 0);
            assertEquals(crc, OggOpusWriter.crc(page), "page CRC");
            pages.add(new Page(flags, granule, sequence, packets));
            in.position(body);
        }
        return pages;
    }

    /** The CRC of RFC 3533 §6 is the unreflected CRC-32 (CRC-32/MPEG-2 without its initial value and final xor). */
    @Test
    void crcOfAKnownInput_rfc3533_6() {
        assertEquals(0x89a1897f, OggOpusWriter.crc("123456789".getBytes(StandardCharsets.US_ASCII)));
    }
}
