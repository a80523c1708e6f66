package org.sylkserver.webrtc;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a room shares its bandwidth among its publishers (spec §4.6.6): with active participants each of them gets
 * {@code max_bitrate / number_of_active} and every other publisher {@value #INACTIVE} bit/s; without, every publisher
 * gets {@code max_bitrate / max(1, publishers - 1)} (what each subscriber receives from all the others then adds up
 * to about {@code max_bitrate}).
 */
final class BitratePolicy {

    /** What a publisher that is not active gets while others are. */
    static final long INACTIVE = 100_000;

    private BitratePolicy() {
    }

    /** The bitrate of each publisher, by session id, in the order given. */
    static Map<String, Long> bitrates(List<String> publishers, List<String> active, long maxBitrate) {
        Map<String, Long> bitrates = new LinkedHashMap<>();
        for (String publisher : publishers) {
            long bitrate;
            if (active.isEmpty()) {
                bitrate = maxBitrate / Math.max(1, publishers.size() - 1);
            } else {
                bitrate = active.contains(publisher) ? maxBitrate / active.size() : INACTIVE;
            }
            bitrates.put(publisher, bitrate);
        }
        return bitrates;
    }
}
