package org.sylkserver.webrtc;

import java.io.IOException;
import java.util.List;

import org.sylkserver.webrtc.api.SipHeader;

/** The SIP side as calls see it: it places outgoing calls. Incoming ones arrive through {@link IncomingCalls}. */
@FunctionalInterface
public interface SipCalls {

    /**
     * Sends an INVITE from {@code account} (its AOR and display name, digest credentials from its HA1) to
     * {@code uri}.
     *
     * @param uri     {@code user@domain}
     * @param sdp     the offer for the SIP side
     * @param headers extra headers, may be empty
     * @throws IOException when the INVITE cannot be sent (no SIP side, a bad address)
     */
    SipCall dial(Account account, String uri, String sdp, List<SipHeader> headers, SipCall.Listener listener)
            throws IOException;
}
