package org.sylkserver.media.webrtc;

import java.nio.ByteBuffer;

/** RTP and RTCP packets for the tests, written by hand (RFC 3550 §5.1, RFC 4585 §6.3.1). */
public final class Packets {

    private Packets() {
    }

    public static byte[] rtp(int payloadType, int sequence, long ssrc, byte[] payload) {
        return ByteBuffer.allocate(12 + payload.length).put((byte) 0x80).put((byte) payloadType)
                .putShort((short) sequence).putInt(sequence * 160).putInt((int) ssrc).put(payload).array();
    }

    /** A Picture Loss Indication (RFC 4585 §6.3.1): PSFB, FMT 1, from {@code sender} about {@code mediaSource}. */
    public static byte[] pli(long sender, long mediaSource) {
        return ByteBuffer.allocate(12).put((byte) 0x81).put((byte) 206).putShort((short) 2).putInt((int) sender)
                .putInt((int) mediaSource).array();
    }

    /** A receiver report without report blocks (RFC 3550 §6.4.2). */
    public static byte[] emptyReceiverReport(long sender) {
        return ByteBuffer.allocate(8).put((byte) 0x80).put((byte) 201).putShort((short) 1).putInt((int) sender)
                .array();
    }

    public static int payloadType(byte[] packet) {
        return packet[1] & 0x7f;
    }

    public static long ssrc(byte[] packet) {
        return ByteBuffer.wrap(packet).getInt(8) & 0xffffffffL;
    }

    public static int rtcpType(byte[] packet) {
        return packet[1] & 0xff;
    }
}
