package org.sylkserver.media.sfu;

/**
 * The layer a feed forwards now and the one it is moving to (RFC 8853 simulcast): a receiver can only start decoding
 * a stream at a key frame, so a feed keeps forwarding its current layer until the target layer's next key frame
 * arrives, and forwards that key frame as the first packet of the target (RFC 7667 §3.7, a switching middlebox).
 * Until then it asks for one ({@link #wantsKeyframe}). Not thread-safe: the I/O thread owns it.
 */
final class LayerSwitch {

    private int current = -1;
    private int target = -1;
    private boolean switched;

    /** The layer to move to (from {@link LayerSelector#choose}); -1 leaves things as they are. */
    void target(int layer) {
        if (layer >= 0) {
            target = layer;
        }
    }

    /** The layer to move to, -1 before there is one. */
    int target() {
        return target;
    }

    /** The layer forwarded now, -1 before the first key frame. */
    int current() {
        return current;
    }

    /** Whether the feed waits for a key frame of its target layer (to ask the publisher for one). */
    boolean wantsKeyframe() {
        return target >= 0 && target != current;
    }

    /**
     * Whether a packet of {@code layer} is forwarded: one of the current layer, or the key frame start of the target
     * layer, which makes the target current.
     */
    boolean forwards(int layer, boolean keyframeStart) {
        if (layer == target && target != current && keyframeStart) {
            current = target;
            switched = true;
            return true;
        }
        return layer == current;
    }

    /** Whether the last {@link #forwards} switched layers (the stream's source changes there); cleared by asking. */
    boolean switched() {
        boolean was = switched;
        switched = false;
        return was;
    }
}
