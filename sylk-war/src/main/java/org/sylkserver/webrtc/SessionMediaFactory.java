package org.sylkserver.webrtc;

/** Makes the media of a call from its first offer; obtained from {@link Gateway#media()}. */
public interface SessionMediaFactory {

    /** Media for an outgoing call, from the browser's offer. */
    SessionMedia fromBrowserOffer(String sdp) throws MediaException;

    /** Media for an incoming call, from the SIP side's offer. */
    SessionMedia fromSipOffer(String sdp) throws MediaException;
}
