package org.sylkserver.media.recording;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes Opus packets as an Ogg Opus stream (RFC 7845, in Ogg pages of RFC 3533): the identification header page
 * ({@code OpusHead}, §5.1), the comment header page ({@code OpusTags}, §5.2), then pages of audio packets, the last one
 * marked end-of-stream. Each page's granule position is the number of 48 kHz samples of the packets completed on it and
 * before it (§4), which is what gives players the duration. A packet never spans two pages.
 */
final class OggOpusWriter implements AutoCloseable {

    /** RFC 3533 §6: header type flags. */
    private static final int BEGINNING_OF_STREAM = 0x02;
    private static final int END_OF_STREAM = 0x04;
    /** RFC 3533 §6: at most 255 lacing values per page. */
    private static final int MAX_SEGMENTS = 255;
    /** Audio pages are closed after about a second of audio (RFC 7845 §6 recommends at most one second per page). */
    private static final long SAMPLES_PER_PAGE = 48000;
    private static final int[] CRC_TABLE = crcTable();

    private final OutputStream out;
    private final int serial;
    private final List<byte[]> pending = new ArrayList<>();
    private int pendingSegments;
    private long pageStartGranule;
    private long granule;
    private int pageSequence;
    private long bytes;
    private boolean closed;

    /**
     * @param channels output channels of the stream (1 or 2; RFC 7587 §7.1 {@code stereo})
     * @param tags     user comments ({@code NAME=value}, RFC 7845 §5.2)
     */
    OggOpusWriter(OutputStream out, int serial, int channels, List<String> tags) throws IOException {
        this.out = out;
        this.serial = serial;
        ByteBuffer head = ByteBuffer.allocate(19).order(ByteOrder.LITTLE_ENDIAN);
        head.put("OpusHead".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) channels)
                .putShort((short) 0) // pre-skip: the packets come from a live encoder whose start we did not see
                .putInt(48000).putShort((short) 0).put((byte) 0); // input rate, gain, mapping family 0 (§5.1.1)
        writePage(BEGINNING_OF_STREAM, 0, List.of(head.array()));
        byte[] vendor = "sylkserver".getBytes(StandardCharsets.UTF_8);
        List<byte[]> comments = tags.stream().map(tag -> tag.getBytes(StandardCharsets.UTF_8)).toList();
        ByteBuffer commentHeader = ByteBuffer.allocate(8 + 4 + vendor.length + 4
                + comments.stream().mapToInt(c -> 4 + c.length).sum()).order(ByteOrder.LITTLE_ENDIAN);
        commentHeader.put("OpusTags".getBytes(StandardCharsets.US_ASCII)).putInt(vendor.length).put(vendor)
                .putInt(comments.size());
        for (byte[] comment : comments) {
            commentHeader.putInt(comment.length).put(comment);
        }
        writePage(0, 0, List.of(commentHeader.array()));
    }

    /**
     * One Opus packet (RFC 6716 §3) lasting {@code samples} at 48 kHz.
     *
     * @throws IllegalArgumentException the packet is larger than one page can hold
     */
    void packet(byte[] packet, int samples) throws IOException {
        int segments = packet.length / 255 + 1;
        if (segments > MAX_SEGMENTS) {
            throw new IllegalArgumentException("Opus packet of " + packet.length + " bytes");
        }
        if (!pending.isEmpty() && (pendingSegments + segments > MAX_SEGMENTS
                || granule - pageStartGranule >= SAMPLES_PER_PAGE)) {
            flush(0);
        }
        pending.add(packet);
        pendingSegments += segments;
        granule += samples;
    }

    /** 48 kHz samples written so far. */
    long samples() {
        return granule;
    }

    /** Bytes written to the stream so far (pages completed). */
    long bytes() {
        return bytes;
    }

    /** Writes the last page, marked end-of-stream (RFC 3533 §6), and closes the stream; idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            flush(END_OF_STREAM);
        } finally {
            out.close();
        }
    }

    private void flush(int flags) throws IOException {
        writePage(flags, granule, pending);
        pending.clear();
        pendingSegments = 0;
        pageStartGranule = granule;
    }

    private void writePage(int flags, long granulePosition, List<byte[]> packets) throws IOException {
        int segments = 0;
        int bodyLength = 0;
        for (byte[] packet : packets) {
            segments += packet.length / 255 + 1;
            bodyLength += packet.length;
        }
        ByteBuffer page = ByteBuffer.allocate(27 + segments + bodyLength).order(ByteOrder.LITTLE_ENDIAN);
        page.put("OggS".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put((byte) flags).putLong(granulePosition)
                .putInt(serial).putInt(pageSequence++).putInt(0).put((byte) segments);
        for (byte[] packet : packets) {
            // lacing (RFC 3533 §5): 255 per full segment, then the rest, 0 when the length is a multiple of 255
            for (int i = 0; i < packet.length / 255; i++) {
                page.put((byte) 255);
            }
            page.put((byte) (packet.length % 255));
        }
        for (byte[] packet : packets) {
            page.put(packet);
        }
        byte[] bytesOfPage = page.array();
        int crc = crc(bytesOfPage);
        page.putInt(22, crc);
        out.write(bytesOfPage);
        bytes += bytesOfPage.length;
    }

    /** RFC 3533 §6: CRC-32, polynomial 0x04c11db7, initial 0, not reflected, over the page with the field zero. */
    static int crc(byte[] page) {
        int crc = 0;
        for (byte b : page) {
            crc = (crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ (b & 0xff)) & 0xff];
        }
        return crc;
    }

    private static int[] crcTable() {
        int[] table = new int[256];
        for (int i = 0; i < 256; i++) {
            int r = i << 24;
            for (int bit = 0; bit < 8; bit++) {
                r = (r & 0x80000000) != 0 ? (r << 1) ^ 0x04c11db7 : r << 1;
            }
            table[i] = r;
        }
        return table;
    }
}
