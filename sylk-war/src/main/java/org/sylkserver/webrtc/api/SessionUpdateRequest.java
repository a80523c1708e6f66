package org.sylkserver.webrtc.api;

/**
 * {@code session-update} (spec §4.5.6): a re-INVITE offer in state {@code established}, or the answer to the
 * remote party's re-INVITE in state {@code remote-updating}.
 */
public class SessionUpdateRequest extends SessionSdpRequest {

    public static final String TYPE = "session-update";

    public SessionUpdateRequest() {
        super(TYPE);
    }
}
