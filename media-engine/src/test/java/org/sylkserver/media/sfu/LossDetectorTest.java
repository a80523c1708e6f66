package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link LossDetector}: which packets of a publisher's video the server asks for (RFC 4585 §6.2.1). */
class LossDetectorTest {

    @Test
    void aGapIsAskedForOnceWhenThePacketAfterItArrives_rfc4585_6_2_1() {
        LossDetector loss = new LossDetector();
        assertEquals(0, loss.received(7, 65533), "the first packet");
        assertEquals(0, loss.received(7, 65534));
        assertEquals(2, loss.received(7, 1), "65535 and 0 missing, across the wrap (RFC 3550 §A.1)");
        assertEquals(0, loss.received(7, 0), "the repair of a gap asks for nothing");
        assertEquals(0, loss.received(7, 65535));
        assertEquals(0, loss.received(7, 1), "a duplicate");
        assertEquals(0, loss.received(7, 2));
    }

    @Test
    void aLongJumpOrANewSourceStartsAfresh_rfc3550_A_1() {
        LossDetector loss = new LossDetector();
        loss.received(7, 100);
        assertEquals(LossDetector.MAX_ASKED, loss.received(7, 100 + LossDetector.MAX_ASKED + 1));
        assertEquals(0, loss.received(7, 5000), "too long a gap to repair");
        assertEquals(0, loss.received(7, 5001));
        assertEquals(0, loss.received(8, 9000), "a new SSRC");
        assertEquals(1, loss.received(8, 9002));
    }

    /**
     * RFC 4588 §4: a retransmission is a repair only of a packet that did not arrive; of the last 1024, the detector
     * knows which did (a sender probing its bandwidth with copies of sent packets repairs nothing).
     */
    @Test
    void aPacketIsMissingOnlyIfItDidNotArrive_rfc4588_4() {
        LossDetector loss = new LossDetector();
        loss.received(7, 65534);
        loss.received(7, 1);
        assertFalse(loss.missing(7, 65534));
        assertTrue(loss.arrived(7, 65534));
        assertFalse(loss.missing(7, 1));
        assertTrue(loss.missing(7, 0), "lost, across the wrap (RFC 3550 §A.1)");
        assertFalse(loss.arrived(7, 0));
        loss.received(7, 0);
        assertFalse(loss.missing(7, 0), "repaired: a second repair repairs nothing");
        assertTrue(loss.arrived(7, 0), "and the original coming late is a duplicate");
        assertFalse(loss.missing(8, 0), "another stream");
        assertFalse(loss.missing(7, 2), "newer than the highest: not asked for");
    }

    /**
     * RFC 4588 §4 with RFC 3550 §A.1: Chrome's probes copy packets from further back than 64; the detector still knows
     * them for {@value LossDetector#WINDOW} sequence numbers, across the wrap, and older ones are nothing to repair.
     */
    @Test
    void itRemembersTheLast1024AcrossTheWrap_rfc4588_4_rfc3550_A_1() {
        LossDetector loss = new LossDetector();
        loss.received(7, 65000);
        for (int sequence = 65002; sequence < 65000 + LossDetector.WINDOW; sequence++) {
            loss.received(7, sequence & 0xffff);
        }
        assertFalse(loss.missing(7, 65010), "arrived, 1014 back");
        assertTrue(loss.arrived(7, 65010));
        assertTrue(loss.missing(7, 65001), "lost, 1022 back");
        assertFalse(loss.missing(7, 65000), "arrived, 1023 back");
        loss.received(7, (65000 + LossDetector.WINDOW + 1) & 0xffff); // the highest jumps by 2
        assertFalse(loss.missing(7, 65001), "out of the window: too old to repair");
        assertFalse(loss.arrived(7, 65001));
        assertTrue(loss.missing(7, (65000 + LossDetector.WINDOW) & 0xffff), "the one skipped: its bit was cleared");
        loss.received(7, 30000);
        assertTrue(loss.missing(7, 29999), "after a jump, nothing of before counts as arrived");
        assertFalse(loss.arrived(7, (65000 + LossDetector.WINDOW + 1) & 0xffff));
    }
}
