package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;
import org.sylkserver.media.RtpHeader;
import org.sylkserver.media.pipeline.Packet;

/** {@link RetransmissionCache}: answers RFC 4585 §6.2.1 generic NACKs with the packets as they were sent. */
class RetransmissionCacheTest {

    private static Packet sent(int sequence, long ssrc) {
        ByteBuffer bytes = ByteBuffer.allocate(16).put((byte) 0x80).put((byte) 96).putShort((short) sequence)
                .putInt(0).putInt((int) ssrc).putInt(sequence).flip();
        Packet packet = new Packet(bytes, null, 0, false);
        packet.header(RtpHeader.parse(bytes));
        return packet;
    }

    @Test
    void keepsTheLastPacketsBySsrcAndSequence_rfc4585_6_2_1() {
        RetransmissionCache cache = new RetransmissionCache(4, 9);
        for (int sequence = 65533; sequence <= 65533 + 5; sequence++) {
            Packet packet = sent(sequence & 0xffff, 9);
            assertSame(packet, cache.handle(packet), "a cache passes every packet on");
        }
        // kept: the last four (65535, 0, 1, 2); the older ones were overwritten
        assertNull(cache.find(9, 65533));
        assertNull(cache.find(9, 65534));
        assertArrayEquals(sent(65535, 9).copy(), bytes(cache.find(9, 65535)));
        assertArrayEquals(sent(2, 9).copy(), bytes(cache.find(9, 2)));
        assertNull(cache.find(10, 2), "another SSRC");
    }

    /**
     * A feed's audio and video have sequence numbers of their own (RFC 3550 §5.1: each SSRC starts at a random one):
     * a second of audio, whose numbers fall on the same remainders as the video's, leaves every video packet kept.
     */
    @Test
    void audioDoesNotEvictVideo_rfc3550_5_1() {
        long audio = 1111;
        long video = 2222;
        RetransmissionCache cache = new RetransmissionCache(64, audio, video);
        for (int sequence = 1000; sequence < 1064; sequence++) {
            cache.handle(sent(sequence, video));
        }
        for (int sequence = 3000; sequence < 3050; sequence++) {
            cache.handle(sent(sequence, audio));
        }
        for (int sequence = 1000; sequence < 1064; sequence++) {
            assertArrayEquals(sent(sequence, video).copy(), bytes(cache.find(video, sequence)),
                    "video packet " + sequence);
        }
        assertArrayEquals(sent(3049, audio).copy(), bytes(cache.find(audio, 3049)));
        assertNull(cache.find(audio, 1049), "a video sequence number is not an audio packet");
    }

    /** Only the feed's own streams are kept: a packet of another SSRC passes and leaves nothing behind. */
    @Test
    void anotherSsrcIsPassedOnNotKept() {
        RetransmissionCache cache = new RetransmissionCache(8, 9);
        Packet stranger = sent(5, 10);
        assertSame(stranger, cache.handle(stranger));
        assertNull(cache.find(10, 5));
    }

    @Test
    void rtcpIsNotKept() {
        RetransmissionCache cache = new RetransmissionCache(8, 9);
        Packet rtcp = new Packet(ByteBuffer.wrap(new byte[]{(byte) 0x80, (byte) 201, 0, 1, 0, 0, 0, 9}), null, 0,
                false);
        rtcp.rtcp(true);
        cache.handle(rtcp);
        assertNull(cache.find(9, 0));
    }

    /** The feed reuses its buffer for the next packet: the cache keeps a copy, not the buffer. */
    @Test
    void keepsACopyOfWhatWasSentNotTheSendersBuffer_rfc4585_6_2_1() {
        RetransmissionCache cache = new RetransmissionCache(8, 9);
        Packet packet = sent(5, 9);
        byte[] asSent = packet.copy();
        cache.handle(packet);
        packet.buffer().put(packet.buffer().position() + 12, (byte) 0x55);
        assertArrayEquals(asSent, bytes(cache.find(9, 5)));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }
}
