package org.sylkserver.media.recording;

/**
 * The time of a recorded stream from RTP timestamps (RFC 3550 §5.1: 32 bits that wrap, one clock per source):
 * unwrapped into a position that only grows, and continued from where it stood when the source changes (a publisher
 * that restarts its encoder takes a new SSRC and a new random timestamp).
 */
final class Timeline {

    private long lastTimestamp = -1;
    private long position;

    /** The position of {@code timestamp}, at least the position of the previous one. */
    long position(long timestamp) {
        if (lastTimestamp >= 0) {
            int delta = (int) (timestamp - lastTimestamp); // serial number arithmetic, RFC 3550 Appendix A.1
            position += Math.max(0, delta);
        }
        lastTimestamp = timestamp;
        return position;
    }

    /** A new source begins: its first timestamp will be at {@code position}. */
    void newSource(long position) {
        this.lastTimestamp = -1;
        this.position = Math.max(this.position, position);
    }
}
