package org.sylkserver.webrtc.api;

import java.util.List;

/**
 * {@code videoroom-session-trickle} (spec §4.4): ICE candidates of a publisher session or of a feed ({@code session}
 * names either); an empty array means end of candidates.
 */
public class VideoroomSessionTrickleRequest extends SessionRequest {

    public static final String TYPE = "videoroom-session-trickle";

    @Mandatory
    private List<IceCandidate> candidates;

    public VideoroomSessionTrickleRequest() {
        super(TYPE);
    }

    public List<IceCandidate> getCandidates() {
        return candidates;
    }

    public void setCandidates(List<IceCandidate> candidates) {
        this.candidates = candidates;
    }
}
