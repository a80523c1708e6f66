package org.sylkserver.media.srtp;

import org.jitsi.srtp.SrtpErrorStatus;

/**
 * A packet could not be protected or unprotected. Checked, because on the receive path it is an expected outcome of
 * network input (forged, corrupted or replayed packets, RFC 3711 §3.3): the caller drops the packet and goes on.
 * {@link #status()} tells a replay, which is routine, from an authentication failure, which may be worth counting.
 */
public final class SrtpException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient SrtpErrorStatus status;

    public SrtpException(SrtpErrorStatus status, String message) {
        super(message);
        this.status = status;
    }

    public SrtpException(SrtpErrorStatus status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /**
     * Why: {@link SrtpErrorStatus#AUTH_FAIL}, {@link SrtpErrorStatus#REPLAY_FAIL} (index seen already),
     * {@link SrtpErrorStatus#REPLAY_OLD} (older than the replay window), {@link SrtpErrorStatus#INVALID_PACKET} (too
     * short or not RTP/RTCP) or {@link SrtpErrorStatus#FAIL} (the cipher failed; see the cause).
     */
    public SrtpErrorStatus status() {
        return status;
    }
}
