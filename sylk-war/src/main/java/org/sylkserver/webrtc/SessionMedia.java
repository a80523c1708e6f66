package org.sylkserver.webrtc;

import java.net.InetAddress;

/**
 * The media of one call, bridging the browser's WebRTC side (ICE, DTLS-SRTP) and the SIP side's RTP: it turns each
 * SDP of one side into the SDP for the other. Made by a {@link SessionMediaFactory}; owned by the session's
 * connection executor, which is the only caller.
 */
public interface SessionMedia extends AutoCloseable {

    /** The offer for the SIP side, after the browser's offer (outgoing call). */
    String sipOffer();

    /** The answer for the browser, from the SIP side's answer to {@link #sipOffer()}. */
    String browserAnswer(String sipAnswer) throws MediaException;

    /** The offer for the browser, after the SIP side's offer (incoming call). */
    String browserOffer();

    /** The answer for the SIP side, from the browser's answer to {@link #browserOffer()}. */
    String sipAnswer(String browserAnswer) throws MediaException;

    /**
     * The IP address the SIP side signals from ({@link SipCall#signallingSource()}): the SIP side's media are taken
     * from there or from the address its SDP gives, never from whoever sends first (RTP hijacking, issue 11).
     */
    void sipSource(InetAddress source);

    /** A trickled browser ICE candidate; {@code candidate} null means the browser has no more candidates. */
    void addBrowserCandidate(String sdpMid, int sdpMLineIndex, String candidate);

    /** A re-INVITE offer for the SIP side from the browser's new offer. */
    String sipReoffer(String browserOffer) throws MediaException;

    /** The browser's answer from the SIP side's answer to {@link #sipReoffer}. */
    String browserReanswer(String sipAnswer) throws MediaException;

    /** A new offer for the browser from the SIP side's re-INVITE offer. */
    String browserReoffer(String sipOffer) throws MediaException;

    /** The answer to the SIP side's re-INVITE from the browser's answer to {@link #browserReoffer}. */
    String sipReanswer(String browserAnswer) throws MediaException;

    /** What the media tell their call, on any thread. */
    interface Events {
        /** The browser's media are up: ICE and DTLS done (the original's {@code webrtcup}, spec §4.5.3). */
        void up();

        /** The media failed (ICE, DTLS): the call cannot go on. */
        void lost(String why);
    }

    /** Starts telling {@code events} what happens to the media; what already happened is told at once. */
    void watch(Events events);

    /** Frees the call's ports and threads; idempotent. */
    @Override
    void close();
}
