package org.sylkserver.webrtc.api;

/** {@code session-terminate} (spec §4.5.5): hangs up, cancels or declines a call. */
public class SessionTerminateRequest extends SessionRequest {

    public static final String TYPE = "session-terminate";

    public SessionTerminateRequest() {
        super(TYPE);
    }
}
