package org.sylkserver.media.recording;

/**
 * Puts the RTP packets of one source back in sequence-number order (RFC 3550 §5.1; serial number arithmetic of
 * Appendix A.1) with a small window: a packet is held until the ones before it came or {@code capacity} later packets
 * did, then the missing ones are counted lost. Duplicates and packets older than what was released are dropped. Not
 * thread-safe: the recording's thread owns it.
 */
final class ReorderBuffer {

    /** Where packets go, in order. */
    interface Sink {
        void packet(RtpPayload packet);

        /** {@code count} packets before the next one never came. */
        void lost(int count);
    }

    private final RtpPayload[] slots;
    private final Sink sink;
    /** The sequence number released next, or -1 before the first packet. */
    private int next = -1;
    private int held;

    /** @param capacity packets held at most, rounded up to a power of two (so slots stay right across 65535 → 0) */
    ReorderBuffer(int capacity, Sink sink) {
        this.slots = new RtpPayload[Integer.highestOneBit(Math.max(1, capacity - 1)) << 1];
        this.sink = sink;
    }

    void add(RtpPayload packet) {
        if (next < 0) {
            next = packet.sequence();
        }
        int ahead = (packet.sequence() - next) & 0xffff;
        if (ahead >= 0x8000) {
            return; // older than what was released: late or duplicate
        }
        while (ahead >= slots.length) {
            // no room in the window: give up on the oldest missing packet
            skipOne();
            ahead--;
        }
        int slot = packet.sequence() % slots.length;
        if (slots[slot] != null) {
            return; // duplicate
        }
        slots[slot] = packet;
        held++;
        release();
    }

    /** Releases whatever is held, counting the gaps lost (the source ended or changed). */
    void flush() {
        while (held > 0) {
            skipOne();
            release();
        }
        next = -1;
    }

    private void release() {
        while (true) {
            int slot = next % slots.length;
            RtpPayload packet = slots[slot];
            if (packet == null) {
                return;
            }
            slots[slot] = null;
            held--;
            next = (next + 1) & 0xffff;
            sink.packet(packet);
        }
    }

    private void skipOne() {
        int slot = next % slots.length;
        if (slots[slot] != null) {
            RtpPayload packet = slots[slot];
            slots[slot] = null;
            held--;
            sink.packet(packet);
        } else {
            sink.lost(1);
        }
        next = (next + 1) & 0xffff;
    }
}
