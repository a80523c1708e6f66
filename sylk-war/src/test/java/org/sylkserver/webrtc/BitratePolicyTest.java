package org.sylkserver.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** {@link BitratePolicy}: the room's bandwidth shared among its publishers (spec §4.6.6). */
class BitratePolicyTest {

    @Test
    void withoutActiveParticipantsEachGetsItsShare_spec_4_6_6() {
        assertEquals(Map.of("a", 2016000L), BitratePolicy.bitrates(List.of("a"), List.of(), 2016000));
        assertEquals(Map.of("a", 2016000L, "b", 2016000L), BitratePolicy.bitrates(List.of("a", "b"), List.of(),
                2016000));
        assertEquals(Map.of("a", 672000L, "b", 672000L, "c", 672000L, "d", 672000L),
                BitratePolicy.bitrates(List.of("a", "b", "c", "d"), List.of(), 2016000), "max_bitrate / (4 - 1)");
    }

    @Test
    void activeParticipantsShareItTheOthersGet100k_spec_4_6_6() {
        assertEquals(Map.of("a", 1008000L, "b", 100000L, "c", 1008000L),
                BitratePolicy.bitrates(List.of("a", "b", "c"), List.of("a", "c"), 2016000));
        assertEquals(Map.of("a", 100000L, "b", 2016000L), BitratePolicy.bitrates(List.of("a", "b"), List.of("b"),
                2016000));
    }
}
