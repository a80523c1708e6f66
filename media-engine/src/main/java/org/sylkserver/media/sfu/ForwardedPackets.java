package org.sylkserver.media.sfu;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.sylkserver.media.RtpHeader;

/**
 * What a feed with a retransmission stream (RFC 4588) needs to send a video packet of its own again without keeping
 * a copy of it: per packet forwarded, the bytes the feed changed (its rewritten RTP header, RFC 3550 §5.1, with the
 * transport-wide sequence element in place of the publisher's extensions, and the first
 * {@value #DESCRIPTOR_BYTES} bytes of the payload, where the picture id and TL0PICIDX a {@link PictureRewriter}
 * rewrites lie: within the first 5 of a VP8 or VP9 payload descriptor, RFC 7741 §4.2, RFC 9628 §4.2), and which
 * packet of the publisher the rest is. The publisher keeps its packets once for all its feeds (a learning
 * {@link RetransmissionCache}): a forwarded video packet writes a few dozen bytes here instead of a 1,200-byte copy
 * into memory that is cold by the time the slot comes round again (issue 13's profile).
 *
 * <p>One slot per sequence number of the feed modulo the size, as in the {@link RetransmissionCache}; what
 * {@link #rebuild} finds is the packet as it was sent, byte for byte, or nothing when the slot or the publisher's
 * packet was reused since. Not thread-safe: the forwarding thread owns it.
 */
final class ForwardedPackets {

    /** Payload bytes kept with the header: a VP8 or VP9 descriptor's rewritten fields end within the first 5. */
    static final int DESCRIPTOR_BYTES = 8;

    private final int[] sequences;
    private final byte[][] prefixes;
    private final int[] prefixLengths;
    private final long[] sourceSsrcs;
    private final int[] sourceSequences;
    /** Where the part of the publisher's packet that the feed sent unchanged begins, and the packet's length. */
    private final int[] sourceRests;
    private final int[] sourceLengths;
    /** The packet {@link #rebuild} returned last. */
    private byte[] rebuilt = new byte[0];

    /** @param size packets noted (the {@code retransmission_cache_size} option), at least 1 */
    ForwardedPackets(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("retransmission cache size must be at least 1: " + size);
        }
        sequences = new int[size];
        Arrays.fill(sequences, -1);
        prefixes = new byte[size][];
        prefixLengths = new int[size];
        sourceSsrcs = new long[size];
        sourceSequences = new int[size];
        sourceRests = new int[size];
        sourceLengths = new int[size];
    }

    /**
     * Notes the packet {@code sent} (from its position, with its parsed {@code header}: rewritten, in the clear),
     * made of the publisher's {@code source} (from its position, with its parsed {@code sourceHeader}). A packet
     * whose payload is not the source's (none that a feed forwards) is not noted, and is then not sent again.
     */
    void keep(ByteBuffer sent, RtpHeader header, ByteBuffer source, RtpHeader sourceHeader) {
        int descriptor = Math.min(DESCRIPTOR_BYTES, header.payloadLength());
        int prefixLength = header.headerLength() + descriptor;
        int sourceRest = sourceHeader.headerLength() + descriptor;
        int slot = header.sequence() % sequences.length;
        if (sent.remaining() - prefixLength != source.remaining() - sourceRest) {
            sequences[slot] = -1;
            return;
        }
        if (prefixes[slot] == null || prefixes[slot].length < prefixLength) {
            prefixes[slot] = new byte[prefixLength];
        }
        sent.get(sent.position(), prefixes[slot], 0, prefixLength);
        prefixLengths[slot] = prefixLength;
        sourceSsrcs[slot] = sourceHeader.ssrc();
        sourceSequences[slot] = sourceHeader.sequence();
        sourceRests[slot] = sourceRest;
        sourceLengths[slot] = source.remaining();
        sequences[slot] = header.sequence();
    }

    /**
     * The packet sent with {@code sequence}, rebuilt from the publisher's {@code kept} packets (in an array reused
     * by the next call), or null when it is no longer known (its slot or the publisher's packet reused since).
     */
    ByteBuffer rebuild(int sequence, RetransmissionCache kept) {
        int slot = sequence % sequences.length;
        if (sequences[slot] != sequence) {
            return null;
        }
        ByteBuffer source = kept.find(sourceSsrcs[slot], sourceSequences[slot]);
        if (source == null || source.remaining() != sourceLengths[slot]) {
            return null;
        }
        int prefixLength = prefixLengths[slot];
        int rest = sourceLengths[slot] - sourceRests[slot];
        if (rebuilt.length < prefixLength + rest) {
            rebuilt = new byte[prefixLength + rest];
        }
        System.arraycopy(prefixes[slot], 0, rebuilt, 0, prefixLength);
        source.get(source.position() + sourceRests[slot], rebuilt, prefixLength, rest);
        return ByteBuffer.wrap(rebuilt, 0, prefixLength + rest);
    }
}
