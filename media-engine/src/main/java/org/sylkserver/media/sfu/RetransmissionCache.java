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
 *
 * <p>A publisher keeps its video once for all its feeds in one that learns its streams ({@link #learning}): the SSRCs
 * of its simulcast layers (RFC 8853) come with the packets, and a source that changes its SSRC (RFC 3550 §8.2) gets
 * the stream kept from longest ago. A feed answering on its retransmission stream rebuilds the packet it sent from
 * there ({@link ForwardedPackets}).
 */
final class RetransmissionCache extends Stage {

    private final Stream[] streams;
    /** Whether a packet of an SSRC not kept yet takes the stream kept from longest ago. */
    private final boolean learns;
    /** Packets kept so far: when each stream last kept one is its count then. */
    private long kept;

    /**
     * @param size  packets kept per stream (the {@code retransmission_cache_size} option), at least 1
     * @param ssrcs the SSRCs of the streams whose packets are kept
     */
    RetransmissionCache(int size, long... ssrcs) {
        this(size, ssrcs, false);
    }

    /**
     * A cache of the streams its packets come with, at most {@code streams} at once.
     *
     * @param size packets kept per stream, at least 1
     */
    static RetransmissionCache learning(int size, int streams) {
        return new RetransmissionCache(size, unknownSsrcs(streams), true);
    }

    private RetransmissionCache(int size, long[] ssrcs, boolean learns) {
        super("retransmission-cache");
        if (size < 1) {
            throw new IllegalArgumentException("retransmission cache size must be at least 1: " + size);
        }
        streams = new Stream[ssrcs.length];
        for (int i = 0; i < ssrcs.length; i++) {
            streams[i] = new Stream(ssrcs[i], size);
        }
        this.learns = learns;
    }

    /** SSRCs no packet has (they are 32-bit, RFC 3550 §5.1), one per stream of a cache still to learn them. */
    private static long[] unknownSsrcs(int streams) {
        long[] ssrcs = new long[streams];
        Arrays.fill(ssrcs, -1);
        return ssrcs;
    }

    @Override
    protected Packet handle(Packet packet) {
        RtpHeader header = packet.header();
        if (!packet.isRtcp() && header != null) {
            keep(header, packet.buffer());
        }
        return packet;
    }

    /** Keeps the RTP packet {@code sent} (from its position, with its parsed {@code header}) if its stream is kept. */
    void keep(RtpHeader header, ByteBuffer sent) {
        Stream stream = stream(header.ssrc());
        if (stream == null && learns) {
            stream = leastRecentlyKept();
            stream.restart(header.ssrc());
        }
        if (stream != null) {
            stream.keep(header.sequence(), sent);
            stream.lastKept = ++kept;
        }
    }

    private Stream leastRecentlyKept() {
        Stream oldest = streams[0];
        for (Stream stream : streams) {
            if (stream.lastKept < oldest.lastKept) {
                oldest = stream;
            }
        }
        return oldest;
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
        long ssrc;
        long lastKept;
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

        /** Now the stream of {@code newSsrc}: what was kept of the one before is forgotten (its slots reused). */
        void restart(long newSsrc) {
            ssrc = newSsrc;
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
