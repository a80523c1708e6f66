package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;
import org.sylkserver.media.RtpHeader;

/** {@link StreamRewriter}: RFC 3550 §5.1 numbering of a feed's stream across source changes (RFC 7667 §3.7). */
class StreamRewriterTest {

    private static ByteBuffer packet(int sequence, long timestamp, long ssrc) {
        return ByteBuffer.allocate(20).put((byte) 0x80).put((byte) 96).putShort((short) sequence)
                .putInt((int) timestamp).putInt((int) ssrc).put(new byte[8]).flip();
    }

    private static RtpHeader rewrite(StreamRewriter rewriter, int sequence, long timestamp, long ssrc) {
        ByteBuffer packet = packet(sequence, timestamp, ssrc);
        assertTrue(rewriter.rewrite(packet, RtpHeader.parse(packet)));
        return RtpHeader.parse(packet);
    }

    /** RFC 3550 §5.1: the feed's SSRC, its own random start, and the source's spacing kept. */
    @Test
    void theFeedsSsrcAndStart_rfc3550_5_1() {
        StreamRewriter rewriter = new StreamRewriter(0xabcdef01L, 65534, 0xfffffff0L, 3000);
        RtpHeader first = rewrite(rewriter, 100, 5000, 0x1234);
        assertEquals(0xabcdef01L, first.ssrc());
        assertEquals(65534, first.sequence());
        assertEquals(0xfffffff0L, first.timestamp());
        RtpHeader second = rewrite(rewriter, 101, 8000, 0x1234);
        assertEquals(65535, second.sequence());
        assertEquals(0xfffffff0L + 3000 - 0x1_0000_0000L, second.timestamp(), "wraps modulo 2^32");
        RtpHeader third = rewrite(rewriter, 102, 11000, 0x1234);
        assertEquals(0, third.sequence(), "wraps modulo 2^16");
    }

    /** RFC 7667 §3.7: a new source goes on right after the last packet sent, one step later in time. */
    @Test
    void aNewSourceContinuesTheStream_rfc7667_3_7() {
        StreamRewriter rewriter = new StreamRewriter(7, 1000, 90000, 3000);
        rewrite(rewriter, 10, 100, 0xaaaa);
        rewrite(rewriter, 12, 6100, 0xaaaa);
        rewrite(rewriter, 11, 3100, 0xaaaa); // late: keeps its place
        RtpHeader switched = rewrite(rewriter, 50000, 777, 0xbbbb);
        assertEquals(1003, switched.sequence());
        assertEquals(90000 + 6000 + 3000, switched.timestamp());
        assertEquals(7, switched.ssrc());
        ByteBuffer old = packet(13, 9100, 0xaaaa);
        assertFalse(rewriter.rewrite(old, RtpHeader.parse(old)), "the replaced source would go back in sequence");
        assertEquals(1004, rewrite(rewriter, 50001, 3777, 0xbbbb).sequence());
    }
}
