package org.sylkserver.media.sfu;

import java.nio.ByteBuffer;

import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Stage;

/**
 * The last packets a feed sent, as they went out (SRTP), so that a generic NACK of the feed's browser (RFC 4585
 * §6.2.1) is answered by sending the very same packet again: no second encryption, so no reuse of an SRTP index over
 * other content (RFC 3711 §9.1), and the publisher is not asked. A stage of the feed's send pipeline after the
 * encryption: it keeps a copy of each RTP packet and passes it on.
 *
 * <p>One slot per sequence number modulo the size, so a slot holds the newest packet with that remainder; a lookup
 * checks SSRC and sequence number. A slot's array is reused for the packets that follow in it (no allocation per
 * packet once the cache is full), so what {@link #find} returns is valid until the next packet is kept. Not
 * thread-safe: the forwarding thread owns it.
 */
final class RetransmissionCache extends Stage {

    private final long[] keys;
    private final byte[][] packets;
    private final int[] lengths;

    /** @param size packets kept (the {@code retransmission_cache_size} option), at least 1 */
    RetransmissionCache(int size) {
        super("retransmission-cache");
        if (size < 1) {
            throw new IllegalArgumentException("retransmission cache size must be at least 1: " + size);
        }
        keys = new long[size];
        packets = new byte[size][];
        lengths = new int[size];
        java.util.Arrays.fill(keys, -1);
    }

    @Override
    protected Packet handle(Packet packet) {
        RtpHeader header = packet.header();
        if (!packet.isRtcp() && header != null) {
            int slot = header.sequence() % packets.length;
            ByteBuffer sent = packet.buffer();
            int length = sent.remaining();
            if (packets[slot] == null || packets[slot].length < length) {
                packets[slot] = new byte[length];
            }
            sent.get(sent.position(), packets[slot], 0, length);
            lengths[slot] = length;
            keys[slot] = key(header.ssrc(), header.sequence());
        }
        return packet;
    }

    /**
     * The packet sent with {@code ssrc} and {@code sequence}, as it went out (read-only, valid until the next packet
     * is kept), or null when no longer kept.
     */
    ByteBuffer find(long ssrc, int sequence) {
        int slot = sequence % packets.length;
        return keys[slot] == key(ssrc, sequence) ? ByteBuffer.wrap(packets[slot], 0, lengths[slot]).asReadOnlyBuffer()
                : null;
    }

    private static long key(long ssrc, int sequence) {
        return (ssrc << 16) | (sequence & 0xffff);
    }
}
