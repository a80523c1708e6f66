package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.sylkserver.media.sfu.PayloadDescriptor.VP8;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.sylkserver.media.RtpHeader;

/**
 * {@link ForwardedPackets} with the publisher's learning {@link RetransmissionCache}: a feed's video packet, sent
 * again on its retransmission stream (RFC 4588 §4) for a generic NACK (RFC 4585 §6.2.1), is rebuilt byte for byte as
 * the feed sent it (its SSRC, sequence number and timestamp, RFC 3550 §5.1; its transport-wide sequence element in
 * place of the publisher's extensions, draft-holmer-rmcat-transport-wide-cc-extensions-01 §2, RFC 8285 §4.2; its
 * picture id and TL0PICIDX, RFC 7741 §4.2), without a copy of the packet per feed.
 */
class ForwardedPacketsTest {

    private static final long PUBLISHER_SSRC = 0x11223344L;
    private static final int TRANSPORT_CC_ID = 3;

    /**
     * A publisher's VP8 packet: two one-byte header extension elements (RFC 8285 §4.2), a descriptor with a 15-bit
     * picture id and TL0PICIDX (RFC 7741 §4.2), then {@code payload} bytes that depend on the sequence number.
     */
    private static ByteBuffer published(int sequence, int pictureId, int payload) {
        ByteBuffer packet = ByteBuffer.allocate(12 + 12 + 6 + payload);
        packet.put((byte) 0x90).put((byte) 96).putShort((short) sequence).putInt(sequence * 3000)
                .putInt((int) PUBLISHER_SSRC);
        packet.putShort((short) 0xBEDE).putShort((short) 2).put((byte) 0x12).put((byte) 1).put((byte) 2)
                .put((byte) 3).put((byte) 0x21).put((byte) 9).put((byte) 9).put((byte) 0);
        packet.put((byte) 0x90).put((byte) 0xe0).putShort((short) (0x8000 | pictureId)).put((byte) 7)
                .put((byte) 0x40);
        for (int i = 0; i < payload; i++) {
            packet.put((byte) (sequence + i));
        }
        return packet.flip();
    }

    /** What a feed with transport-wide numbers does to the publisher's packet ({@link Feed#forward}). */
    private static final class FeedCopy {
        final StreamRewriter stream = new StreamRewriter(0xaabbccddL, 65530, 1000, 3000);
        final PictureRewriter pictures = new PictureRewriter(VP8);
        int transportSequence = 100;

        ByteBuffer forward(ByteBuffer source, RtpHeader sourceHeader) {
            byte[] into = new byte[source.remaining() + 16];
            int length = TransportSequencing.copyWithTransportSequence(source, sourceHeader, TRANSPORT_CC_ID, into);
            ByteBuffer copy = ByteBuffer.wrap(into, 0, length);
            RtpHeader header = RtpHeader.parse(copy);
            stream.rewrite(copy, header);
            pictures.rewrite(sourceHeader.ssrc(), copy, header.headerLength(), header.payloadLength());
            copy.putShort(RtpHeader.FIXED_LENGTH + 5, (short) transportSequence++);
            return copy;
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(buffer.position(), bytes);
        return bytes;
    }

    @Test
    void aForwardedPacketIsRebuiltAsItWasSent_rfc4588_4() {
        RetransmissionCache publisher = RetransmissionCache.learning(64, 3);
        ForwardedPackets forwarded = new ForwardedPackets(64);
        FeedCopy feed = new FeedCopy();
        byte[][] sent = new byte[20][];
        int[] feedSequences = new int[20];
        for (int i = 0; i < 20; i++) {
            ByteBuffer source = published(40_000 + i, 0x7ff0 + i, 1100 + i);
            RtpHeader sourceHeader = RtpHeader.parse(source);
            publisher.keep(sourceHeader, source);
            ByteBuffer copy = feed.forward(source, sourceHeader);
            RtpHeader header = RtpHeader.parse(copy);
            forwarded.keep(copy, header, source, sourceHeader);
            sent[i] = bytes(copy);
            feedSequences[i] = header.sequence();
        }
        // the feed's numbers wrapped (65530 on), its picture ids too (0x7ff0 on, 15 bits)
        for (int i = 0; i < 20; i++) {
            ByteBuffer rebuilt = forwarded.rebuild(feedSequences[i], publisher);
            assertNotNull(rebuilt, "packet " + i);
            assertArrayEquals(sent[i], bytes(rebuilt), "packet " + i + " as it was sent");
        }
        assertNull(forwarded.rebuild((feedSequences[19] + 1) & 0xffff, publisher), "never sent");
    }

    /** A packet whose slot, or whose publisher's packet, was reused since is not known any more: nothing is sent. */
    @Test
    void aPacketNoLongerKeptIsNotRebuilt_rfc4585_6_2_1() {
        RetransmissionCache publisher = RetransmissionCache.learning(8, 3);
        ForwardedPackets forwarded = new ForwardedPackets(16);
        FeedCopy feed = new FeedCopy();
        int[] feedSequences = new int[12];
        for (int i = 0; i < 12; i++) {
            ByteBuffer source = published(500 + i, 10 + i, 200);
            RtpHeader sourceHeader = RtpHeader.parse(source);
            publisher.keep(sourceHeader, source);
            ByteBuffer copy = feed.forward(source, sourceHeader);
            RtpHeader header = RtpHeader.parse(copy);
            forwarded.keep(copy, header, source, sourceHeader);
            feedSequences[i] = header.sequence();
        }
        assertNull(forwarded.rebuild(feedSequences[3], publisher), "the publisher's slot went to a later packet");
        assertNotNull(forwarded.rebuild(feedSequences[4], publisher));

        ForwardedPackets small = new ForwardedPackets(4);
        ByteBuffer source = published(600, 1, 100);
        RtpHeader sourceHeader = RtpHeader.parse(source);
        publisher.keep(sourceHeader, source);
        ByteBuffer first = feed.forward(source, sourceHeader);
        int firstSequence = RtpHeader.parse(first).sequence();
        small.keep(first, RtpHeader.parse(first), source, sourceHeader);
        for (int i = 1; i <= 4; i++) {
            ByteBuffer next = published(600 + i, 1 + i, 100);
            RtpHeader nextHeader = RtpHeader.parse(next);
            publisher.keep(nextHeader, next);
            ByteBuffer copy = feed.forward(next, nextHeader);
            small.keep(copy, RtpHeader.parse(copy), next, nextHeader);
        }
        assertNull(small.rebuild(firstSequence, publisher), "the feed's slot went to a later packet");
    }

    /**
     * The publisher's cache learns its streams (RFC 8853: a stream per simulcast layer): packets of up to three SSRCs
     * are kept side by side, and a fourth takes the stream kept from longest ago.
     */
    @Test
    void aLearningCacheKeepsTheNewestStreams_rfc8853() {
        RetransmissionCache cache = RetransmissionCache.learning(8, 3);
        for (long ssrc = 1; ssrc <= 3; ssrc++) {
            ByteBuffer packet = ByteBuffer.allocate(16).put((byte) 0x80).put((byte) 96).putShort((short) 7).putInt(0)
                    .putInt((int) ssrc).putInt((int) ssrc).flip();
            cache.keep(RtpHeader.parse(packet), packet);
        }
        for (long ssrc = 1; ssrc <= 3; ssrc++) {
            assertNotNull(cache.find(ssrc, 7), "stream " + ssrc);
        }
        ByteBuffer again = ByteBuffer.allocate(16).put((byte) 0x80).put((byte) 96).putShort((short) 8).putInt(0)
                .putInt(1).putInt(1).flip();
        cache.keep(RtpHeader.parse(again), again);
        ByteBuffer fourth = ByteBuffer.allocate(16).put((byte) 0x80).put((byte) 96).putShort((short) 7).putInt(0)
                .putInt(4).putInt(4).flip();
        cache.keep(RtpHeader.parse(fourth), fourth);
        assertNotNull(cache.find(4, 7), "the new stream");
        assertNull(cache.find(2, 7), "the stream kept from longest ago made room");
        assertNotNull(cache.find(1, 8));
        assertNotNull(cache.find(3, 7));
        assertArrayEquals(bytes(fourth), bytes(cache.find(4, 7)));
        assertNull(cache.find(4, 8), "nothing of the stream before it");
        assertArrayEquals(Arrays.copyOf(bytes(again), 16), bytes(cache.find(1, 8)));
    }
}
