package org.sylkserver.webrtc.api;

import java.util.List;

/** {@code session-trickle} (spec §4.5.5): browser ICE candidates; an empty array means end of candidates. */
public class SessionTrickleRequest extends SessionRequest {

    public static final String TYPE = "session-trickle";

    @Mandatory
    private List<IceCandidate> candidates;

    public SessionTrickleRequest() {
        super(TYPE);
    }

    public List<IceCandidate> getCandidates() {
        return candidates;
    }

    public void setCandidates(List<IceCandidate> candidates) {
        this.candidates = candidates;
    }
}
