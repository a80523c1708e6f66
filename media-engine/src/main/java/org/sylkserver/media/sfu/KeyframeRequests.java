package org.sylkserver.media.sfu;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The keyframe requests (PLI, RFC 4585 §6.3.1; FIR, RFC 5104 §4.3.1) of a publisher's feeds, coalesced: every feed
 * that joins or loses a picture asks, and a publisher asked by ten feeds at once should send one keyframe, not ten
 * (RFC 5104 §4.3.1.2 lets a media sender ignore requests while it is sending a keyframe anyway; a middlebox should not
 * pass each on). A request is noted from any thread; the publisher's forwarding thread sends one request at most once
 * per interval, and a request made within the interval is sent when it has passed, never forgotten.
 */
final class KeyframeRequests {

    private final long intervalNanos;
    private final AtomicBoolean pending = new AtomicBoolean();
    private long lastSent;
    private boolean sentOnce;
    private long forwarded;

    /** @param intervalNanos the least time between two requests sent to the publisher */
    KeyframeRequests(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    /** A feed asks for a keyframe (any thread). */
    void request() {
        pending.set(true);
    }

    /**
     * Whether a request is to be sent to the publisher now (the forwarding thread): one is pending and the interval
     * since the last one has passed. Answering true clears the pending request.
     */
    boolean due(long nowNanos) {
        if (!pending.get() || (sentOnce && nowNanos - lastSent < intervalNanos)) {
            return false;
        }
        pending.set(false);
        lastSent = nowNanos;
        sentOnce = true;
        forwarded++;
        return true;
    }

    /** Requests sent to the publisher. */
    long forwarded() {
        return forwarded;
    }
}
