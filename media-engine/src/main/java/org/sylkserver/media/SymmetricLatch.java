package org.sylkserver.media;

import java.net.SocketAddress;

/**
 * Symmetric RTP (RFC 4961) as a media server does it behind NAT: replies go to the source address packets
 * actually come from, not to the one in the SDP. The first trusted source is latched; packets from any other
 * source are refused while the latched one keeps sending, so a stranger cannot take over or use the port as a
 * reflector. After {@code relatchAfterNanos} of silence the next trusted source is latched instead (a NAT binding
 * that changed, a re-INVITE from a new network).
 *
 * <p>Trusted (the caller says which packets are): those from the IP address signalled in SDP, and those that
 * passed SRTP authentication, which only the holder of the keys exchanged in signalling can send. A plain RTP
 * packet from anywhere else never latches, so a stranger who sprays the port range cannot redirect a call's media
 * to itself (RTP hijacking), even while the peer is silent.
 *
 * <p>Used on the media engine's I/O thread only; {@link #source()} may be read from any thread.
 */
final class SymmetricLatch {

    private final long relatchAfterNanos;
    private volatile SocketAddress source;
    private long lastSeenNanos;

    SymmetricLatch(long relatchAfterNanos) {
        this.relatchAfterNanos = relatchAfterNanos;
    }

    /**
     * Whether a packet from {@code from}, received at {@code nowNanos}, is to be answered; {@code trusted} whether it
     * may latch (see the class comment).
     */
    boolean admit(SocketAddress from, boolean trusted, long nowNanos) {
        if (source != null && source.equals(from)
                || trusted && (source == null || nowNanos - lastSeenNanos >= relatchAfterNanos)) {
            source = from;
            lastSeenNanos = nowNanos;
            return true;
        }
        return false;
    }

    /** The latched source, or null before the first packet. */
    SocketAddress source() {
        return source;
    }
}
