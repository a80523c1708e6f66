package org.sylkserver.media.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link OpusPackets}: durations from the TOC byte (RFC 6716 §3.1, §3.2). */
class OpusPacketsTest {

    @Test
    void durationFromConfigurationAndFrameCount_rfc6716_3_1() {
        assertEquals(960, OpusPackets.samples(new byte[]{(byte) (1 << 3), 0}), "SILK NB 20 ms, code 0");
        assertEquals(2880, OpusPackets.samples(new byte[]{(byte) (3 << 3)}), "SILK NB 60 ms");
        assertEquals(480, OpusPackets.samples(new byte[]{(byte) (14 << 3)}), "hybrid FB 10 ms");
        assertEquals(1920, OpusPackets.samples(new byte[]{(byte) (31 << 3 | 1), 0, 0}), "CELT 20 ms, code 1: two");
        assertEquals(240, OpusPackets.samples(new byte[]{(byte) (16 << 3 | 2), 0}), "CELT 2.5 ms, code 2: two");
        assertEquals(2880, OpusPackets.samples(new byte[]{(byte) (31 << 3 | 3), 3}), "code 3: three frames (§3.2.5)");
        assertEquals(0, OpusPackets.samples(new byte[]{(byte) (31 << 3 | 3), 7}), "140 ms: over 120 ms (§3.2.5)");
        assertEquals(0, OpusPackets.samples(new byte[]{(byte) (31 << 3 | 3)}), "code 3 without its count");
        assertEquals(0, OpusPackets.samples(new byte[0]));
    }

    /** §3.2.1: a TOC byte alone is one frame of length zero, which decoders treat as lost; it lasts its frame size. */
    @Test
    void concealmentPacketsLastWhatTheyFill_rfc6716_3_2_1() {
        for (int samples : new int[]{120, 240, 480, 960}) {
            byte[] packet = OpusPackets.concealment(samples);
            assertEquals(1, packet.length);
            assertEquals(samples, OpusPackets.samples(packet));
        }
    }
}
