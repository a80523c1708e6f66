package org.sylkserver.media.sfu;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A publisher's audio level over a window, from the RFC 6464 levels its packets carry (§3: −dBov, 0 the loudest, 127
 * silence): the loudest level since the previous reading, as a peak meter shows it, so that a syllable or a beep
 * between two readings counts; a window without levels is silence. Written by the I/O thread, read by one other.
 */
final class AudioLevelMeter {

    /** RFC 6464 §3: the level of digital silence. */
    static final int SILENCE = 127;

    private final AtomicInteger loudest = new AtomicInteger(SILENCE);

    /** A packet's level (0–127), or -1 for a packet without one (ignored). I/O thread. */
    void received(int packetLevel) {
        if (packetLevel >= 0) {
            loudest.accumulateAndGet(packetLevel, Math::min);
        }
    }

    /** The loudest level since the previous reading, and a new window. */
    int read() {
        return loudest.getAndSet(SILENCE);
    }
}
