package org.sylkserver.media.recording;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * Writes video frames to an IVF file, the container of the VP8/VP9 reference tools (32-byte file header: {@code DKIF},
 * version 0, header length, codec FourCC, width, height, time base rate and scale, length; then per frame a 12-byte
 * header of size and 64-bit timestamp). The time base here is the RTP video clock, 1/90000 s (RFC 7741 §4.1,
 * RFC 6184 §5.1), so frame timestamps are RTP time; on close the header gets the frame size seen in the stream and
 * the length in time-base units, which players read as the duration.
 */
final class IvfWriter implements AutoCloseable {

    static final int CLOCK_RATE = 90000;
    private static final int HEADER_LENGTH = 32;

    private final FileChannel file;
    private final String fourcc;
    private long frames;
    private long firstTimestamp = -1;
    private long lastTimestamp;
    private int width;
    private int height;
    private long bytes = HEADER_LENGTH;
    private boolean closed;

    /** @param fourcc {@code VP80}, {@code VP90} or {@code H264} */
    IvfWriter(FileChannel file, String fourcc) throws IOException {
        this.file = file;
        this.fourcc = fourcc;
        writeHeader();
    }

    /** The frame size, when the codec's bitstream tells it (a VP8 keyframe, RFC 6386 §9.1). */
    void size(int width, int height) {
        this.width = width;
        this.height = height;
    }

    /** One frame at {@code timestamp} (90 kHz units from the recording's start; never decreasing). */
    void frame(byte[] frame, long timestamp) throws IOException {
        if (firstTimestamp < 0) {
            firstTimestamp = timestamp;
        }
        lastTimestamp = timestamp;
        ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(frame.length).putLong(timestamp).flip();
        writeFully(header);
        writeFully(ByteBuffer.wrap(frame));
        frames++;
        bytes += 12 + frame.length;
    }

    long frames() {
        return frames;
    }

    long bytes() {
        return bytes;
    }

    /** Completes the header (size, length) and closes the file; idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            file.position(0);
            writeHeader();
        } finally {
            file.close();
        }
    }

    /**
     * The length in time-base units: from the first frame to the end of the last, the last lasting as long as the
     * frames did on average.
     */
    long length() {
        if (frames == 0) {
            return 0;
        }
        long span = lastTimestamp - firstTimestamp;
        return frames > 1 ? span + span / (frames - 1) : 0;
    }

    private void writeHeader() throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        header.put("DKIF".getBytes(StandardCharsets.US_ASCII)).putShort((short) 0).putShort((short) HEADER_LENGTH)
                .put(fourcc.getBytes(StandardCharsets.US_ASCII)).putShort((short) width).putShort((short) height)
                .putInt(CLOCK_RATE).putInt(1).putInt((int) Math.min(length(), 0xffffffffL)).putInt(0).flip();
        writeFully(header);
    }

    private void writeFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            file.write(buffer);
        }
    }
}
