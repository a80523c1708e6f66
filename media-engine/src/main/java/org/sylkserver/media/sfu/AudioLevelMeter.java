package org.sylkserver.media.sfu;

import java.util.concurrent.TimeUnit;

/**
 * A publisher's smoothed audio level from the RFC 6464 levels its packets carry (§3: −dBov, 0 the loudest, 127
 * silence), as a level meter shows it: a louder packet is taken at once, a quieter one lowers the level by a
 * sixteenth of the difference (about a third of a second at 50 packets a second), and a publisher that sends no level
 * for a second is silent. Written by the I/O thread, read by any.
 */
final class AudioLevelMeter {

    /** RFC 6464 §3: the level of digital silence. */
    static final int SILENCE = 127;
    private static final long QUIET_AFTER = TimeUnit.SECONDS.toNanos(1);

    private volatile int level = SILENCE;
    private volatile long lastNanos;

    /** A packet's level (0–127), or -1 for a packet without one (ignored). I/O thread. */
    void received(int packetLevel, long nanos) {
        if (packetLevel < 0) {
            return;
        }
        int smoothed = level;
        level = packetLevel <= smoothed ? packetLevel : smoothed + (packetLevel - smoothed + 15) / 16;
        lastNanos = nanos;
    }

    /** The smoothed level at {@code nanos}: {@link #SILENCE} when no level came for a second. */
    int level(long nanos) {
        long last = lastNanos;
        return last == 0 || nanos - last > QUIET_AFTER ? SILENCE : level;
    }
}
