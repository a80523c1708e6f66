package org.sylkserver.media.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
     * RFC 4588 §4: a retransmission is a repair only of a packet that did not arrive; of the last 64, the detector
     * knows which did (a sender probing its bandwidth with copies of sent packets repairs nothing).
     */
    @Test
    void itKnowsWhichOfTheLast64Arrived_rfc4588_4() {
        LossDetector loss = new LossDetector();
        loss.received(7, 65534);
        loss.received(7, 1);
        assertEquals(true, loss.alreadyReceived(7, 65534));
        assertEquals(true, loss.alreadyReceived(7, 1));
        assertEquals(false, loss.alreadyReceived(7, 0), "lost, across the wrap");
        loss.received(7, 0);
        assertEquals(true, loss.alreadyReceived(7, 0), "repaired");
        assertEquals(false, loss.alreadyReceived(8, 1), "another stream");
        loss.received(7, 70);
        assertEquals(false, loss.alreadyReceived(7, 1), "older than 64: unknown, taken as a repair");
        assertEquals(true, loss.alreadyReceived(7, 70));
        assertEquals(false, loss.alreadyReceived(7, 71), "not yet");
    }
}
