package org.sylkserver.media.rtcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReceptionStatisticsTest {

    private static final long FRAME_NANOS = 20_000_000L;

    /** Packets every 20 ms with PCMU timestamps, arriving exactly on time unless {@code late} says otherwise. */
    private static void receive(ReceptionStatistics stats, int fromSeq, int count, long nanosLate) {
        for (int i = 0; i < count; i++) {
            int seq = (fromSeq + i) & 0xffff;
            long n = fromSeq + i;
            stats.received(0x1234, seq, 160 * n, FRAME_NANOS * n + nanosLate);
        }
    }

    @Test
    void noLossGivesZeroFractionAndCumulative_rfc3550_s6_4_1() {
        ReceptionStatistics stats = new ReceptionStatistics(8000);
        assertFalse(stats.hasSource());
        receive(stats, 100, 50, 0);
        ReportBlock block = stats.reportBlock(0);
        assertTrue(stats.hasSource());
        assertEquals(0x1234, block.ssrc());
        assertEquals(0, block.fractionLost());
        assertEquals(0, block.cumulativeLost());
        assertEquals(149, block.extendedHighestSeq());
        assertEquals(0, block.jitter(), "constant transit time: no jitter (§A.8)");
    }

    /** RFC 3550 §A.3: fraction lost is lost/expected in the interval, times 256; cumulative counts from the start. */
    @Test
    void lossIsReportedPerIntervalAndCumulatively_rfc3550_appendixA3() {
        ReceptionStatistics stats = new ReceptionStatistics(8000);
        receive(stats, 0, 10, 0);
        receive(stats, 15, 5, 0); // 10..14 lost: 5 of 20 expected
        ReportBlock first = stats.reportBlock(0);
        assertEquals(5 * 256 / 20, first.fractionLost());
        assertEquals(5, first.cumulativeLost());
        receive(stats, 20, 10, 0); // nothing lost in the second interval
        ReportBlock second = stats.reportBlock(0);
        assertEquals(0, second.fractionLost());
        assertEquals(5, second.cumulativeLost());
        assertEquals(29, second.extendedHighestSeq());
    }

    /** RFC 3550 §A.1: the sequence number wraps; the extended number counts the cycles in its high 16 bits. */
    @Test
    void sequenceWrapCountsACycle_rfc3550_appendixA1() {
        ReceptionStatistics stats = new ReceptionStatistics(8000);
        receive(stats, 65530, 12, 0);
        ReportBlock block = stats.reportBlock(0);
        assertEquals(65536 + 5, block.extendedHighestSeq());
        assertEquals(0, block.cumulativeLost());
    }

    /** RFC 3550 §A.8: alternating 0 and 10 ms of delay (80 timestamp units at 8 kHz) converges towards 80. */
    @Test
    void jitterConvergesToTheMeanDeviationOfTransit_rfc3550_appendixA8() {
        ReceptionStatistics stats = new ReceptionStatistics(8000);
        for (int n = 0; n < 500; n++) {
            long late = n % 2 == 0 ? 0 : 10_000_000L;
            stats.received(7, n, 160L * n, FRAME_NANOS * n + late);
        }
        assertEquals(80, stats.reportBlock(0).jitter(), 2);
    }

    @Test
    void lastSenderReportAndItsDelayComeBack_rfc3550_s6_4_1() {
        ReceptionStatistics stats = new ReceptionStatistics(8000);
        receive(stats, 0, 3, 0);
        stats.senderReport(0xabcd1234L, 1_000_000_000L);
        ReportBlock block = stats.reportBlock(1_500_000_000L);
        assertEquals(0xabcd1234L, block.lastSenderReport());
        assertEquals(65536 / 2, block.delaySinceLastReport(), "0.5 s in units of 1/65536 s");
    }

    @Test
    void aNewSsrcStartsAfresh() {
        ReceptionStatistics stats = new ReceptionStatistics(8000);
        receive(stats, 0, 10, 0);
        stats.received(0x9999, 5000, 0, 0);
        ReportBlock block = stats.reportBlock(0);
        assertEquals(0x9999, block.ssrc());
        assertEquals(0, block.cumulativeLost());
        assertEquals(5000, block.extendedHighestSeq());
    }

    @Test
    void aClockRateMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new ReceptionStatistics(0));
    }
}
