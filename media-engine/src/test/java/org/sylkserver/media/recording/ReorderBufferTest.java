package org.sylkserver.media.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** {@link ReorderBuffer}: RTP packets back in sequence-number order (RFC 3550 §5.1, Appendix A.1). */
class ReorderBufferTest {

    private final List<String> out = new ArrayList<>();
    private final ReorderBuffer buffer = new ReorderBuffer(4, new ReorderBuffer.Sink() {
        @Override
        public void packet(RtpPayload packet) {
            out.add(Integer.toString(packet.sequence()));
        }

        @Override
        public void lost(int count) {
            out.add("lost");
        }
    });

    private void add(int... sequences) {
        for (int sequence : sequences) {
            buffer.add(new RtpPayload(1, sequence, 0, false, new byte[0], 0));
        }
    }

    @Test
    void reorderedPacketsComeOutInOrderAcrossTheWrap_rfc3550_a_1() {
        add(65534, 0, 65535, 1);
        assertEquals(List.of("65534", "65535", "0", "1"), out);
    }

    @Test
    void aGapIsLostOnceTheWindowIsFullAndLateOrDuplicatePacketsAreDropped() {
        add(10, 12, 13, 14);
        assertEquals(List.of("10"), out, "11 may still come");
        add(15);
        assertEquals(List.of("10", "lost", "12", "13", "14", "15"), out, "no room left: 11 is lost");
        add(11, 15);
        assertEquals(6, out.size(), "late and duplicate packets are dropped");
    }

    @Test
    void flushReleasesWhatIsHeld() {
        add(1, 3);
        buffer.flush();
        assertEquals(List.of("1", "lost", "3"), out);
        add(100);
        assertEquals("100", out.get(3), "a new start after the flush");
    }
}
