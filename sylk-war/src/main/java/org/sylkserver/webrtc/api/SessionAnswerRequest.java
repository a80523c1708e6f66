package org.sylkserver.webrtc.api;

/** {@code session-answer} (spec §4.5.4): accepts an incoming call with the browser's SDP answer. */
public class SessionAnswerRequest extends SessionSdpRequest {

    public static final String TYPE = "session-answer";

    public SessionAnswerRequest() {
        super(TYPE);
    }
}
