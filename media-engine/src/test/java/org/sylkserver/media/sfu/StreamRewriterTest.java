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

    /** A paused medium's packets leave no gap in the feed's numbering (no NACKs for them, RFC 4585 §6.2.1). */
    @Test
    void skippedPacketsLeaveNoGap_rfc4585_6_2_1() {
        StreamRewriter rewriter = new StreamRewriter(7, 100, 0, 3000);
        assertEquals(100, rewrite(rewriter, 10, 0, 0xaaaa).sequence());
        for (int sequence = 11; sequence < 20; sequence++) {
            ByteBuffer paused = packet(sequence, sequence * 3000L, 0xaaaa);
            rewriter.skip(RtpHeader.parse(paused));
        }
        RtpHeader resumed = rewrite(rewriter, 20, 60000, 0xaaaa);
        assertEquals(101, resumed.sequence());
        assertEquals(60000, resumed.timestamp(), "time goes on");
    }

    /**
     * RFC 7667 §3.7 with RFC 3550 §5.1: a switch starts at a key frame; a packet of the new source from before it
     * (reordered, or a repair, RFC 4588 §4) would take the number of one of the previous source's last packets, a
     * duplicate that the receiver's SRTP rejects as a replay (RFC 3711 §3.3.2): it is not sent. So for a switch back
     * to a source forwarded before (simulcast, RFC 8853).
     */
    @Test
    void aPacketFromBeforeTheSwitchTakesNoNumberTwice_rfc7667_3_7() {
        StreamRewriter rewriter = new StreamRewriter(7, 1000, 90000, 3000);
        rewrite(rewriter, 10, 100, 0xaaaa);
        assertEquals(1001, rewrite(rewriter, 11, 3100, 0xaaaa).sequence());
        assertEquals(1002, rewrite(rewriter, 12, 6100, 0xaaaa).sequence());
        rewriter.sourceSwitched();
        assertEquals(1003, rewrite(rewriter, 500, 777, 0xbbbb).sequence(), "the key frame");
        ByteBuffer late = packet(499, 777, 0xbbbb);
        assertFalse(rewriter.rewrite(late, RtpHeader.parse(late)), "1002 is taken by the first source's 12");
        assertEquals(1004, rewrite(rewriter, 501, 777, 0xbbbb).sequence());
        rewriter.sourceSwitched();
        assertEquals(1005, rewrite(rewriter, 40, 90100, 0xaaaa).sequence(), "back to the first source");
        ByteBuffer before = packet(39, 87100, 0xaaaa);
        assertFalse(rewriter.rewrite(before, RtpHeader.parse(before)), "1004 is taken by the second source's 501");
        assertEquals(1006, rewrite(rewriter, 41, 93100, 0xaaaa).sequence());
        for (int sequence = 42; sequence < 42 + 0x4000; sequence++) {
            rewrite(rewriter, sequence & 0xffff, 93100, 0xaaaa);
        }
        assertEquals((1006 + 0x4000 + 0x4000 + 1) & 0xffff,
                rewrite(rewriter, (41 + 0x4000 + 0x4000 + 1) & 0xffff, 93100, 0xaaaa).sequence(),
                "long after the switch, serial arithmetic still numbers what comes");
    }

    /**
     * RFC 3711 §3.3.2: the feed's SRTP protects no index 64 or more behind the newest it protected; a repair that late
     * is not sent (it would take a transport-wide number and go nowhere). Within the window it keeps its place.
     */
    @Test
    void aPacketTooFarBehindIsNotSent_rfc3711_3_3_2() {
        StreamRewriter rewriter = new StreamRewriter(7, 65500, 0, 3000);
        for (int sequence = 1000; sequence <= 1100; sequence++) {
            if (sequence != 1036 && sequence != 1037) {
                rewrite(rewriter, sequence, sequence * 3000L, 0xaaaa);
            }
        }
        ByteBuffer late = packet(1036, 1036 * 3000L, 0xaaaa);
        assertFalse(rewriter.rewrite(late, RtpHeader.parse(late)), "64 behind 1100");
        assertEquals((65500 + 37) & 0xffff, rewrite(rewriter, 1037, 1037 * 3000L, 0xaaaa).sequence(),
                "63 behind, across the wrap of the feed's numbers");
    }
}
