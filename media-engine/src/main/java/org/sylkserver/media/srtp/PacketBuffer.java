package org.sylkserver.media.srtp;

import org.jitsi.utils.ByteArrayBuffer;

/**
 * The minimal {@link ByteArrayBuffer} that jitsi-srtp's crypto contexts work on: a byte array, an offset and a
 * length. The library appends the authentication tag (and for SRTCP the index word) with {@link #append}, so callers
 * allocate room for them up front; {@link #grow} reallocates only if they did not.
 */
final class PacketBuffer implements ByteArrayBuffer {

    private byte[] buffer;
    private int offset;
    private int length;

    /** A copy of {@code packet[0, length)} in an array with {@code spare} bytes after it. */
    PacketBuffer(byte[] packet, int length, int spare) {
        this.buffer = new byte[length + spare];
        System.arraycopy(packet, 0, buffer, 0, length);
        this.length = length;
    }

    /** A copy of the current contents. */
    byte[] toArray() {
        byte[] packet = new byte[length];
        System.arraycopy(buffer, offset, packet, 0, length);
        return packet;
    }

    @Override
    public byte[] getBuffer() {
        return buffer;
    }

    @Override
    public int getOffset() {
        return offset;
    }

    @Override
    public int getLength() {
        return length;
    }

    @Override
    public void setLength(int length) {
        if (length < 0 || offset + length > buffer.length) {
            throw new IllegalArgumentException("length " + length + " outside buffer of " + buffer.length);
        }
        this.length = length;
    }

    @Override
    public void setOffset(int offset) {
        if (offset < 0 || offset + length > buffer.length) {
            throw new IllegalArgumentException("offset " + offset + " outside buffer of " + buffer.length);
        }
        this.offset = offset;
    }

    @Override
    public boolean isInvalid() {
        return false;
    }

    @Override
    public void readRegionToBuff(int off, int len, byte[] outBuff) {
        int start = offset + off;
        if (off < 0 || len <= 0 || start + len > buffer.length || outBuff.length < len) {
            return;
        }
        System.arraycopy(buffer, start, outBuff, 0, len);
    }

    @Override
    public void grow(int howMuch) {
        if (howMuch < 0) {
            throw new IllegalArgumentException("grow by " + howMuch);
        }
        if (length + howMuch > buffer.length - offset) {
            byte[] bigger = new byte[length + howMuch];
            System.arraycopy(buffer, offset, bigger, 0, length);
            buffer = bigger;
            offset = 0;
        }
    }

    @Override
    public void append(byte[] data, int len) {
        if (data == null || len == 0) {
            return;
        }
        grow(len);
        System.arraycopy(data, 0, buffer, offset + length, len);
        length += len;
    }

    @Override
    public void shrink(int len) {
        if (len > 0) {
            length = Math.max(0, length - len);
        }
    }
}
