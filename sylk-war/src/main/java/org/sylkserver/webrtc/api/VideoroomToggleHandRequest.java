package org.sylkserver.webrtc.api;

import javax.json.bind.annotation.JsonbProperty;

/**
 * {@code videoroom-toggle-hand} (spec §4.6.7): raises or lowers the hand of {@code session_id}, or of the requester's
 * own session without it.
 */
public class VideoroomToggleHandRequest extends SessionRequest {

    public static final String TYPE = "videoroom-toggle-hand";

    @JsonbProperty("session_id")
    private String sessionId;

    public VideoroomToggleHandRequest() {
        super(TYPE);
    }

    /** May be {@code null}. */
    public String getSessionId() {
        return sessionId;
    }

    public void setSessionId(String sessionId) {
        this.sessionId = sessionId;
    }
}
