package org.sylkserver.media.sfu;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.pipeline.Packet;
import org.sylkserver.media.pipeline.Stage;

/**
 * The last packets a feed sent, as they went out (SRTP), so that a generic NACK of the feed's browser (RFC 4585
 * §6.2.1) is answered by sending the very same packet again: no second encryption, so no reuse of an SRTP index over
 * other content (RFC 3711 §9.1), and the publisher is not asked. A stage of the feed's send pipeline after the
 * encryption: it keeps a copy of each RTP packet and passes it on.
 *
 * <p>Each of the feed's streams (its audio and video SSRCs, named when the cache is made) has its own slots: their
 * sequence numbers are independent (RFC 3550 §5.1), so in shared slots each audio packet would evict the video packet
 * whose sequence number has the same remainder, a quarter of the video's history at 200 video and 50 audio packets a
 * second. Within a stream, one slot per sequence number modulo the size, so a slot holds the newest packet with that
 * remainder; a lookup checks the sequence number. Packets of another SSRC are passed on and not kept. A slot's array
 * is reused for the packets that follow in it (no allocation per packet once the cache is full), so what
 * {@link #find} returns is valid until the next packet is kept. Not thread-safe: the forwarding thread owns it.
 */
final class RetransmissionCache extends Stage {

    private final Stream[] streams;

    /**
     * @param size  packets kept per stream (the {@code retransmission_cache_size} option), at least 1
     * @param ssrcs the SSRCs of the streams whose packets are kept
     */
    RetransmissionCache(int size, long... ssrcs) {
        super("retransmission-cache");
        if (size < 1) {
            throw new IllegalArgumentException("retransmission cache size must be at least 1: " + size);
        }
        streams = new Stream[ssrcs.length];
        for (int i = 0; i < ssrcs.length; i++) {
            streams[i] = new Stream(ssrcs[i], size);
        }
    }

    @Override
    protected Packet handle(Packet packet) {
        RtpHeader header = packet.header();
        if (!packet.isRtcp() && header != null) {
            Stream stream = stream(header.ssrc());
            if (stream != null) {
                stream.keep(header.sequence(), packet.buffer());
            }
        }
        return packet;
    }

    /**
     * The packet sent with {@code ssrc} and {@code sequence}, as it went out (read-only, valid until the next packet
     * of its stream is kept), or null when no longer kept.
     */
    ByteBuffer find(long ssrc, int sequence) {
        Stream stream = stream(ssrc);
        return stream == null ? null : stream.find(sequence);
    }

    private Stream stream(long ssrc) {
        for (Stream stream : streams) {
            if (stream.ssrc == ssrc) {
                return stream;
            }
        }
        return null;
    }

    /** The slots of one SSRC. */
    private static final class Stream {
        final long ssrc;
        private final int[] sequences;
        private final byte[][] packets;
        private final int[] lengths;

        Stream(long ssrc, int size) {
            this.ssrc = ssrc;
            sequences = new int[size];
            packets = new byte[size][];
            lengths = new int[size];
            Arrays.fill(sequences, -1);
        }

        void keep(int sequence, ByteBuffer sent) {
            int slot = sequence % packets.length;
            int length = sent.remaining();
            if (packets[slot] == null || packets[slot].length < length) {
                packets[slot] = new byte[length];
            }
            sent.get(sent.position(), packets[slot], 0, length);
            lengths[slot] = length;
            sequences[slot] = sequence;
        }

        ByteBuffer find(int sequence) {
            int slot = sequence % packets.length;
            return sequences[slot] == sequence
                    ? ByteBuffer.wrap(packets[slot], 0, lengths[slot]).asReadOnlyBuffer() : null;
        }
    }
}
