package org.sylkserver.webrtc;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

import org.sylkserver.webrtc.api.SipHeader;

/**
 * The SIP dialog of one call as a {@link Session} drives it: the B2BUA leg on the SIP side (spec §4.5.3-4.5.7).
 * Implementations are thread-safe; their {@link Listener} is called on SIP threads.
 */
public interface SipCall {

    /** The Call-ID of the dialog. */
    String callId();

    /**
     * The IP address the far end's SIP comes from (the INVITE of a call we received, the latest response to the
     * INVITE of one we placed), or null while unknown: a peer behind NAT sends its media from there too.
     */
    InetAddress signallingSource();

    /** Incoming call: 180 Ringing. */
    void ringing();

    /** Incoming call: 200 OK with {@code sdp}, then the caller's ACK is reported by {@link Listener#confirmed()}. */
    void answer(String sdp, List<SipHeader> headers) throws IOException;

    /** Incoming call: a final error response to the INVITE, e.g. 486 (spec §4.5.4 {@code decline_code}). */
    void decline(int status);

    /** Ends the call: CANCEL before the 2xx of an outgoing call (RFC 3261 §9.1), BYE after it (§15.1). */
    void hangUp();

    /** A re-INVITE (RFC 3261 §14.1) offering {@code sdp}; the answer comes to {@link Listener#reanswered}. */
    void reinvite(String sdp, List<SipHeader> headers) throws IOException;

    /** The 200 OK with {@code sdp} answering the remote party's re-INVITE. */
    void acceptReinvite(String sdp) throws IOException;

    /** A final error response to the remote party's re-INVITE, e.g. 491 (RFC 3261 §14.2) or 488. */
    void rejectReinvite(int status);

    /** An INFO with {@code application/dtmf-relay} ({@code Signal=} and {@code Duration=}). */
    void dtmf(char digit, int durationMillis) throws IOException;

    /** An in-dialog MESSAGE; its final response comes to {@link Listener#messageDelivered}. */
    void message(String contentType, byte[] content) throws IOException;

    /** What happens on the SIP side of a call. */
    interface Listener {

        /** A provisional response above 100 to our INVITE; {@code sdp} only for one with an SDP (early media). */
        void provisional(int status, String reason, String sdp);

        /** A 2xx to our INVITE (already ACKed) with the answer and the response's headers. */
        void answered(String sdp, Map<String, String> headers);

        /** The caller's ACK for our 200 OK. */
        void confirmed();

        /** A final error response to our INVITE, or none in time (408). */
        void rejected(int status, String reason);

        /** The caller cancelled the INVITE before it was answered (RFC 3261 §9.2). */
        void cancelled();

        /** The remote party hung up (BYE). */
        void ended();

        /** The remote party's re-INVITE with its {@code sdp} offer. */
        void reoffered(String sdp);

        /** The 2xx answer to our re-INVITE. */
        void reanswered(String sdp);

        /** An error response to our re-INVITE: the previous session description stays (RFC 3261 §14.1). */
        void reinviteFailed(int status, String reason);

        /** The final response to our in-dialog MESSAGE. */
        void messageDelivered(int status, String reason);

        /** An in-dialog MESSAGE from the remote party. */
        void messageReceived(String contentType, byte[] content);
    }
}
