package org.sylkserver.media;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

import org.sylkserver.media.srtp.SrtpException;
import org.sylkserver.media.srtp.SrtpTransformer;

/**
 * The send side of an endpoint: SRTP protection with the sending keys when there are some, the socket, and the
 * counters of what went out. A full socket buffer drops the packet (0 bytes sent, not counted), as the network
 * would; a packet that cannot be protected is an {@link IOException} for the sender.
 *
 * <p>Threading: RTP is sent by one thread at a time (the I/O thread for echo and relay, the mixer for audio), RTCP by
 * one thread at a time too (the I/O or the timer thread); each counter has that one writer.
 */
final class Transmission {

    private volatile SrtpTransformer keys;
    /** Whether keys are on their way (DTLS-SRTP): nothing goes out in clear meanwhile. */
    private volatile boolean awaitingKeys;
    private volatile long rtpPackets;
    private volatile long rtpBytes;
    private volatile long rtcpPackets;

    /** From now on packets are protected with {@code sending}. */
    void secure(SrtpTransformer sending) {
        keys = sending;
    }

    /** Until {@link #secure} is called, nothing is sent (a DTLS-SRTP handshake is under way, RFC 5764 §4.1). */
    void awaitKeys() {
        awaitingKeys = true;
    }

    boolean isSecure() {
        return keys != null;
    }

    void sendRtp(DatagramChannel channel, ByteBuffer packet, SocketAddress target) throws IOException {
        if (awaitingKeys && keys == null) {
            return;
        }
        int length = packet.remaining();
        if (channel.send(protect(packet, false), target) > 0) {
            rtpPackets++;
            rtpBytes += length;
        }
    }

    void sendRtcp(DatagramChannel channel, ByteBuffer packet, SocketAddress target) throws IOException {
        if (awaitingKeys && keys == null) {
            return;
        }
        if (channel.send(protect(packet, true), target) > 0) {
            rtcpPackets++;
        }
    }

    long rtpPackets() {
        return rtpPackets;
    }

    long rtpBytes() {
        return rtpBytes;
    }

    long rtcpPackets() {
        return rtcpPackets;
    }

    private ByteBuffer protect(ByteBuffer packet, boolean isRtcp) throws IOException {
        SrtpTransformer srtp = keys;
        if (srtp == null) {
            return packet;
        }
        byte[] bytes = new byte[packet.remaining()];
        packet.get(packet.position(), bytes);
        try {
            return ByteBuffer.wrap(isRtcp ? srtp.protectRtcp(bytes, bytes.length) : srtp.protectRtp(bytes, bytes.length));
        } catch (SrtpException e) {
            throw new IOException("cannot protect " + (isRtcp ? "RTCP" : "RTP") + ": " + e.getMessage(), e);
        }
    }
}
